"""Running a scheduled job in this process and recording the run (JobRun)."""

from __future__ import annotations

import logging

from django.utils import timezone

from ecer.web.jobs.models import JobRun
from ecer.web.jobs.schedule import find

log = logging.getLogger(__name__)


def run_entry(name: str, *, task_id: str = "", attempt: int = 1, final: bool = True) -> str:
    """Run the job ``name`` now; record its run; return its summary, or raise its error.

    final: Whether a failure is the last attempt (FAILED) or will be retried (RETRYING).
    """
    entry = find(name)
    run = JobRun.objects.create(
        name=name, task_id=task_id, attempt=attempt, state=JobRun.State.RUNNING
    )
    try:
        output = str(entry.callable()())
    except Exception as exc:
        state = JobRun.State.FAILED if final else JobRun.State.RETRYING
        JobRun.objects.filter(pk=run.pk).update(
            state=state, error=f"{type(exc).__name__}: {exc}", finished_at=timezone.now()
        )
        log.exception("job %s failed (attempt %d)", name, attempt)
        raise
    JobRun.objects.filter(pk=run.pk).update(
        state=JobRun.State.SUCCEEDED, output=output[:10_000], finished_at=timezone.now()
    )
    return output
