"""Background jobs: the schedule (a table of plain callables), the task queue (Celery) that
runs them and the report jobs, and the record of every run the administrator reads."""
