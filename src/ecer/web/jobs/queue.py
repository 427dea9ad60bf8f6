"""The task queue: Celery with RabbitMQ (ECER_BROKER_URL).

Why Celery on RabbitMQ: both are maintained and packaged here; a task is acknowledged only
after it finished (``acks_late``), so when a worker dies, even by ``kill -9``, the broker
sees the connection drop and hands the unacknowledged task to the next worker at once
(Redis would wait for a visibility timeout instead). Every task is safe to run again.
Celery beat (``ecer serve scheduler``) sends the scheduled jobs; each run is recorded in
JobRun (admin: 后台任务 › 任务运行记录); reports keep their own status in ReportJob.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from ecer.web.jobs.schedule import entries

RETRY_BACKOFF = 5  # seconds before the first retry; doubles each time
RETRY_BACKOFF_MAX = 600
MAX_RETRIES = 5

app = Celery("ecer")
app.conf.update(
    broker_url=settings.ECER_BROKER_URL or "memory://",
    broker_connection_retry_on_startup=True,
    task_default_queue=settings.ECER_QUEUE,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    timezone=settings.TIME_ZONE,
    worker_hijack_root_logger=False,
)


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {
        entry.name: {
            "task": "ecer.scheduled",
            "schedule": timedelta(seconds=entry.interval),
            "args": (entry.name,),
            # A run not started before the next one is due is dropped, not piled up.
            "options": {"expires": entry.interval},
        }
        for entry in entries()
    }


@app.task(
    name="ecer.scheduled",
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=False,
    max_retries=MAX_RETRIES,
)
def scheduled(self: Any, name: str) -> str:
    from ecer.web.jobs.runs import run_entry

    close_old_connections()
    retries = int(self.request.retries or 0)
    return run_entry(
        name,
        task_id=str(self.request.id or ""),
        attempt=retries + 1,
        final=retries >= MAX_RETRIES,
    )


@app.task(
    name="ecer.report",
    bind=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=False,
    max_retries=MAX_RETRIES,
)
def report(self: Any, job_id: int) -> None:
    """Generate report job ``job_id`` (ecer.web.reports.jobs.run); run again from the start
    after a worker died, the job row says where it is."""
    from ecer.web.reports.jobs import run

    close_old_connections()
    run(job_id)
