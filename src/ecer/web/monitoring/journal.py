"""The alarm journal: alarms judged by a job and kept, so the alarm list is one paged query.

Judging a province's week from the rollups takes about a second (2,000 points, issue #10):
fine every few minutes, too slow for every request of the list. :func:`refresh` (``ecer
monitoring alarms``, from cron) judges the recent days of every point with
``services.point_alarm_lists`` and replaces what it found there before; older records stay.
The list reads :func:`records`; it runs :func:`refresh` itself when the journal is older
than ``ECER_ALARM_MAX_AGE`` (nobody runs the job: a city's ``make run``).

Records are whole alarms. Days are judged again from the start of any alarm that reaches
into them, and from the first day with data received late, so a record never stops at the
edge of what one run judged.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from ecer.core import monitoring as core
from ecer.hj212 import storage
from ecer.web.monitoring import services
from ecer.web.monitoring.models import (
    AlarmKind,
    AlarmRecord,
    AlarmRun,
    FrameStatus,
    MonitoringPoint,
    RawFrame,
)

CHUNK_POINT_DAYS = 2_000
"""Point-days judged at once: 285 points over a week, 5 over a year. It bounds the memory
and keeps each batched read to a few thousand windows, which PostgreSQL reads through the
indexes (at 18,000 windows, 250 points over a year, it scanned whole partitions instead)."""

LATE_MARGIN = timedelta(hours=1)
"""Frames received this long before the previous run are looked at again for late data:
a writer behind JetStream stores a frame some time after the gateway received it."""

LOCK_KEY = 0x45434552_414C4D  # PostgreSQL advisory lock: one refresh at a time
_local_lock = threading.Lock()  # the same within a process on other databases

alarms_judged = Signal()
"""Sent with ``now`` after each refresh: the cases app opens a case for each new alarm."""


def _day_start(day: date) -> datetime:
    return services.Period(day, day).start


def latest_run() -> AlarmRun | None:
    return AlarmRun.objects.order_by("-judged_at").first()


def first_day_judged() -> date | None:
    """The earliest day from which a run judged every point: the journal holds the alarms
    since, and says nothing of the days before."""
    return AlarmRun.objects.aggregate(first=Min("first_day"))["first"]


def records(
    points: QuerySet[MonitoringPoint],
    period: services.Period,
    *,
    kind: str | None = None,
    ongoing_only: bool = False,
) -> QuerySet[AlarmRecord]:
    """The records of ``points`` that lie in or reach into ``period``, newest first."""
    found = AlarmRecord.objects.filter(point__in=points).filter(
        Q(start__isnull=True) | Q(start__lt=period.end),
        Q(ongoing=True) | Q(end__gte=period.start),
    )
    if kind:
        found = found.filter(kind=kind)
    if ongoing_only:
        found = found.filter(ongoing=True)
    return found.select_related("point", "pollutant").order_by(
        F("start").desc(nulls_last=True), "-pk"
    )


def is_stale(run: AlarmRun | None, now: datetime) -> bool:
    return run is None or (now - run.judged_at).total_seconds() > settings.ECER_ALARM_MAX_AGE


@dataclass(frozen=True)
class Summary:
    points: int
    records: int
    first_day: date
    seconds: float

    def __str__(self) -> str:
        return (
            f"judged {self.points} points from {self.first_day}: {self.records} alarm records "
            f"in {self.seconds:.1f} s"
        )


def refresh(
    now: datetime, *, days: int = services.STATUS_DAYS, since: date | None = None, wait: bool = True
) -> Summary | None:
    """Judge every point's alarms from ``since`` (default: the last ``days`` days) to ``now``.

    Returns None when another refresh holds the lock and ``wait`` is False.
    """
    started = time.perf_counter()
    with transaction.atomic(), _locked(wait) as locked:
        if not locked:
            return None
        points = list(MonitoringPoint.objects.prefetch_related("pollutants"))
        default = since or timezone.localdate(now) - timedelta(days=days - 1)
        first = {p.pk: default for p in points}
        last = latest_run()
        if last is not None and since is None:
            _from_late_data(points, first, last.judged_at - LATE_MARGIN)
        _from_alarms_reaching_in(points, first)
        groups: dict[date, list[MonitoringPoint]] = defaultdict(list)
        for point in points:
            groups[first[point.pk]].append(point)
        written = 0
        for day, group in sorted(groups.items()):
            period = services.Period(day, timezone.localdate(now))
            chunk = max(1, CHUNK_POINT_DAYS // ((period.last_day - day).days + 1))
            for at in range(0, len(group), chunk):
                written += _judge(group[at : at + chunk], period, now)
        written += _offline(points, now)
        seconds = time.perf_counter() - started
        summary = Summary(len(points), written, min(first.values(), default=default), seconds)
        run = AlarmRun.objects.create(
            judged_at=now,
            first_day=default,  # every point judged from it (some from earlier days)
            points=summary.points,
            records=summary.records,
            seconds=seconds,
        )
        _forget_old_runs(run)
    alarms_judged.send(sender=AlarmRun, now=now)
    return summary


RUNS_KEPT = timedelta(days=7)
"""Runs are kept this long (one every few minutes from cron), and the run that judged the
earliest day for good: it tells from when the journal holds alarms."""


def _forget_old_runs(latest: AlarmRun) -> None:
    earliest = AlarmRun.objects.order_by("first_day", "judged_at").values_list("pk", flat=True)
    AlarmRun.objects.filter(judged_at__lt=latest.judged_at - RUNS_KEPT).exclude(
        pk__in=[latest.pk, earliest[0]]
    ).delete()


def ensure_fresh(now: datetime) -> AlarmRun | None:
    """The latest run, after refreshing the journal when it is stale (and nobody else is)."""
    run = latest_run()
    if is_stale(run, now) and refresh(now, wait=False) is not None:
        run = latest_run()
    return run


@contextmanager
def _locked(wait: bool) -> Iterator[bool]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
            cursor.execute(f"SELECT {function}(%s)", [LOCK_KEY])
            (got,) = cursor.fetchone() or (False,)
        yield wait or bool(got)  # released with the transaction
        return
    if not _local_lock.acquire(blocking=wait):
        yield False
        return
    try:
        yield True
    finally:
        _local_lock.release()


def _from_late_data(
    points: Sequence[MonitoringPoint], first: dict[int, date], since: datetime
) -> None:
    """Move each point's first day back to the earliest data time received since ``since``."""
    by_mn = {p.mn: p.pk for p in points}
    rows = (
        RawFrame.objects.filter(
            received_at__gte=since, status=FrameStatus.STORED, data_time__isnull=False
        )
        .values("mn")
        .annotate(earliest=Min("data_time"))
    )
    for row in rows:
        pk = by_mn.get(row["mn"])
        if pk is not None:
            first[pk] = min(first[pk], timezone.localdate(row["earliest"]))


def _from_alarms_reaching_in(points: Sequence[MonitoringPoint], first: dict[int, date]) -> None:
    """Move each point's first day back to the start of any record that reaches into it.

    A record reaches in when it is ongoing, or ends one interval or less before the first
    day's start (a run of values may continue across the edge). Repeated until none does.
    """
    steps = {p.pk: services.interval(p) for p in points}
    while points:
        earliest = _day_start(min(first.values())) - max(steps.values())
        latest = _day_start(max(first.values()))
        rows = (
            AlarmRecord.objects.filter(point__in=[p.pk for p in points], start__lt=latest)
            .exclude(kind=AlarmKind.OFFLINE)
            .filter(Q(ongoing=True) | Q(end__gte=earliest))
            .values_list("point", "start", "end", "ongoing")
        )
        moved = False
        for pk, start, end, ongoing in rows:
            begin = _day_start(first[pk])
            if start < begin and (ongoing or end >= begin - steps[pk]):
                first[pk] = timezone.localdate(start)
                moved = True
        if not moved:
            return


def _judge(points: list[MonitoringPoint], period: services.Period, now: datetime) -> int:
    """Replace the exceedances and gaps of ``points`` from the period's start by those found."""
    found = [
        _record(alarm, now)
        for alarms in services.point_alarm_lists(points, period, now)
        for alarm in alarms
        if alarm.kind != AlarmKind.OFFLINE
    ]
    AlarmRecord.objects.filter(point__in=points, start__gte=period.start).exclude(
        kind=AlarmKind.OFFLINE
    ).delete()
    AlarmRecord.objects.bulk_create(found)
    return len(found)


def _record(alarm: services.Alarm, now: datetime) -> AlarmRecord:
    record = AlarmRecord(
        point=alarm.point,
        kind=alarm.kind,
        pollutant=alarm.pollutant,
        start=alarm.start,
        end=alarm.end,
        ongoing=alarm.ongoing,
        judged_at=now,
    )
    if alarm.exceedance is not None:
        limit = alarm.exceedance.limit
        record.count = alarm.exceedance.count
        record.peak = alarm.exceedance.peak
        record.limit_upper, record.limit_lower = limit.upper, limit.lower
        record.limit_unit, record.reference_o2 = limit.unit, limit.reference_o2
    elif alarm.gap is not None:
        record.count = alarm.gap.missing
    return record


def _offline(points: Sequence[MonitoringPoint], now: datetime) -> int:
    """Open an offline record for each silent point; end those whose silence ended.

    An episode starts at the point's last frame (None: it never sent one) and ends at the
    first frame received after that.
    """
    seen = services.last_seen(points)
    open_records = {
        r.point_id: r
        for r in AlarmRecord.objects.filter(kind=AlarmKind.OFFLINE, ongoing=True, point__in=points)
    }
    opened = []
    for point in points:
        last = seen.get(point.mn)
        offline = core.connection_status(last, now, services.OFFLINE_AFTER).offline
        record = open_records.get(point.pk)
        if record is not None and (not offline or record.start != last):
            after = RawFrame.objects.filter(mn=point.mn, status__in=storage.ACCEPTED)
            if record.start is not None:
                after = after.filter(received_at__gt=record.start)
            record.end = after.aggregate(first=Min("received_at"))["first"]
            record.ongoing, record.judged_at = False, now
            record.save(update_fields=["end", "ongoing", "judged_at"])
            record = None
        if offline and record is None:
            opened.append(
                AlarmRecord(
                    point=point,
                    kind=AlarmKind.OFFLINE,
                    start=last,
                    end=None,
                    ongoing=True,
                    judged_at=now,
                )
            )
    AlarmRecord.objects.bulk_create(opened)
    return len(opened)
