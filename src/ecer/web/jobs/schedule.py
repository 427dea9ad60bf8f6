"""What runs when: one row per job. A target is the dotted path of a plain callable
(``ecer.web.jobs.routines``) or ``manage:COMMAND`` for a Django management command; adding a
job is adding a row. ``ECER_SCHEDULE="alarms=60,rollups=3600"`` changes intervals [s].
"""

from __future__ import annotations

import importlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Entry:
    name: str
    target: str
    interval: int  # seconds between runs

    def callable(self) -> Callable[[], object]:
        if self.target.startswith("manage:"):
            command = self.target.removeprefix("manage:")

            def run_command() -> str:
                from django.core.management import call_command

                out = io.StringIO()
                call_command(command, stdout=out)
                return out.getvalue().strip()

            return run_command
        module_name, _, attribute = self.target.rpartition(".")
        function: Callable[[], object] = getattr(importlib.import_module(module_name), attribute)
        return function


SCHEDULE: tuple[Entry, ...] = (
    Entry("alarms", "ecer.web.jobs.routines.alarm_journal", 5 * 60),
    Entry("partitions", "ecer.web.jobs.routines.partitions", DAY),
    Entry("compaction", "ecer.web.jobs.routines.compaction", DAY),
    Entry("fold", "ecer.web.jobs.routines.fold_rollups", 60),
    Entry("rollups", "ecer.web.jobs.routines.rollups", DAY),
    Entry("quality", "ecer.web.jobs.routines.quality_checks", DAY),
    Entry("reminders", "ecer.web.jobs.routines.reminders", DAY),
    Entry("notifications", "ecer.web.jobs.routines.notifications", 60),
)


class ScheduleError(ValueError):
    pass


def entries(overrides: str | None = None) -> list[Entry]:
    """The schedule with the intervals ECER_SCHEDULE sets (``name=seconds,...``)."""
    raw = os.environ.get("ECER_SCHEDULE", "") if overrides is None else overrides
    known = {entry.name: entry for entry in SCHEDULE}
    intervals = {entry.name: entry.interval for entry in SCHEDULE}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, _, seconds = item.partition("=")
        name = name.strip()
        if name not in known:
            raise ScheduleError(
                f"ECER_SCHEDULE: unknown job {name!r} (known: {', '.join(sorted(known))})"
            )
        try:
            value = int(seconds)
        except ValueError:
            raise ScheduleError(f"ECER_SCHEDULE: {item!r}: expected {name}=SECONDS") from None
        if value < 1:
            raise ScheduleError(f"ECER_SCHEDULE: {item!r}: at least 1 second")
        intervals[name] = value
    return [Entry(e.name, e.target, intervals[e.name]) for e in SCHEDULE]


def find(name: str) -> Entry:
    for entry in SCHEDULE:
        if entry.name == name:
            return entry
    raise LookupError(f"no scheduled job {name!r} (known: {', '.join(e.name for e in SCHEDULE)})")
