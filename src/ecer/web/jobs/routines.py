"""The scheduled jobs as plain callables: no argument, a one-line summary back, safe to run
again (a job killed halfway is simply run again by the queue). ``ecer jobs run NAME`` and
the task queue call them alike; each is also an ``ecer`` sub-command for cron."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def alarm_journal() -> str:
    """Judge the last week's alarms into the journal the alarm list reads."""
    from ecer.web.monitoring.journal import refresh

    summary = refresh(timezone.now())
    return str(summary)


def partitions() -> str:
    """PostgreSQL: the monthly measurement partitions a year ahead."""
    from ecer.web.monitoring.partitions import ensure_ahead, is_partitioned

    if not is_partitioned():
        return "the measurement table is not partitioned: nothing to do"
    return f"created {len(ensure_ahead(12))} partitions"


def compaction() -> str:
    """Real-time and minute data older than a week into hourly blocks."""
    from ecer.web.monitoring.blocks import compact

    done = compact(timezone.now() - timedelta(days=7))
    return f"compacted {done.rows} rows of {done.points} points into {done.blocks} blocks"


def fold_rollups() -> str:
    """Fold the measurements the writers stored since the last fold into the rollups
    (PostgreSQL; pages fold what is left when they read)."""
    from ecer.web.monitoring.rollups import fold

    return f"measurements folded into the rollups: {fold()}"


def rollups() -> str:
    """Recompute the hour/day/month rollups from the measurements (a nightly check that the
    rollups the writers keep agree with the data)."""
    from ecer.web.monitoring.rollups import rebuild

    return f"rollup rows written: {rebuild()}"


def quality_checks() -> str:
    from ecer.web.quality.services import run_all

    return str(run_all())


def notifications() -> str:
    """The outbox's due e-mail and webhook deliveries (and their retries), after the cases'
    deadlines (escalations): one pass of the notification worker."""
    from ecer.web.notifications.outbox import run_once

    return str(run_once())


def reminders() -> str:
    """Today's due-date reminders (each level of each item once)."""
    from ecer.web.quality.reminders import remind

    return str(remind(None))
