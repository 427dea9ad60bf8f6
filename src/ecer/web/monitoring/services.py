"""Online monitoring for the pages: database rows in, ``ecer.core.monitoring`` figures out.

No formula lives here: loads, exceedances, gaps, the offline verdict and validity rates are
computed by ``ecer.core.monitoring``; this module only fetches rows, groups them and hands
them over. Days are Beijing days (``settings.TIME_ZONE``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from django import db
from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecer.core import monitoring as core
from ecer.hj212 import pollutants as catalogue
from ecer.hj212 import storage
from ecer.hj212.codec import DATA_FLAGS
from ecer.web.monitoring import blocks, reads
from ecer.web.monitoring.models import (
    AlarmKind,
    Command,
    Measurement,
    MonitoringPoint,
    PointPollutant,
    RawFrame,
    Rollup,
    RollupLevel,
)

OFFLINE_AFTER = timedelta(hours=2)
"""Silence after which a point is offline: a platform policy (HJ 212-2017 sets reporting
intervals, not an offline threshold); two hours tolerates one late hourly upload."""

STATUS_DAYS = 7
"""The point list's validity rate and alarms cover this many days, today included."""

HOURLY_SECONDS = 3600
O2_CODE = "a19001"

EXCEEDANCE, GAP, OFFLINE = AlarmKind.EXCEEDANCE.value, AlarmKind.GAP.value, AlarmKind.OFFLINE.value
ALARM_KINDS = {kind.value: kind.label for kind in AlarmKind}


def value_kind(cn: str) -> str:
    """The value judged for a data command: Rtd for real-time data, Avg otherwise."""
    return "Rtd" if cn == Command.REAL_TIME else "Avg"


@dataclass(frozen=True)
class Period:
    """Whole Beijing days from ``first_day`` to ``last_day``, both included."""

    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first_day, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last_day + timedelta(days=1), time.min))

    def until(self, now: datetime) -> datetime:
        """End of the period, or ``now`` while it is still running."""
        return min(self.end, now)

    @classmethod
    def recent(cls, now: datetime, days: int) -> Period:
        today = timezone.localdate(now)
        return cls(today - timedelta(days=days - 1), today)


_NEVER = datetime.min.replace(tzinfo=UTC)  # sorts an alarm without a start last


@dataclass(frozen=True)
class Alarm:
    kind: str
    point: MonitoringPoint
    start: datetime | None
    end: datetime | None
    ongoing: bool
    pollutant: PointPollutant | None = None
    exceedance: core.Exceedance | None = None
    gap: core.Gap | None = None

    @property
    def kind_label(self) -> Any:
        return ALARM_KINDS[self.kind]

    @property
    def sort_key(self) -> datetime:
        return self.start or _NEVER


@dataclass
class PointData:
    """The point's judged values (``data_cn``, Rtd or Avg) in a window, by pollutant."""

    readings: dict[str, list[core.Reading]] = field(default_factory=dict)
    times: set[datetime] = field(default_factory=set)


@dataclass(frozen=True)
class PointStatus:
    point: MonitoringPoint
    connection: core.Connection
    latest_data_time: datetime | None
    validity: core.ValidityRate
    alarms: list[Alarm]

    @property
    def ongoing_alarms(self) -> int:
        return sum(1 for alarm in self.alarms if alarm.ongoing)


@dataclass(frozen=True)
class PointValidity:
    point: MonitoringPoint
    validity: core.ValidityRate


class HasValidity(Protocol):
    @property
    def point(self) -> MonitoringPoint: ...

    @property
    def validity(self) -> core.ValidityRate: ...


@dataclass(frozen=True)
class EnterpriseValidity:
    name: str
    code: str
    points: list[HasValidity]
    validity: core.ValidityRate


def interval(point: MonitoringPoint) -> timedelta:
    return timedelta(seconds=point.interval_seconds)


def limited_pollutants(point: MonitoringPoint) -> list[PointPollutant]:
    return [p for p in point.pollutants.all() if p.has_limit]


def default_pollutant(point: MonitoringPoint) -> PointPollutant | None:
    """The factor a point page opens with: one with a limit and a load, if any."""
    pollutants = list(point.pollutants.all())
    for wanted in (
        lambda p: p.has_limit and core.is_mass_concentration(p.unit),
        lambda p: p.has_limit,
        lambda p: True,
    ):
        found = [p for p in pollutants if wanted(p)]
        if found:
            return found[0]
    return None


def point_data(
    point: MonitoringPoint, start: datetime, end: datetime, cn: str | None = None
) -> PointData:
    """The point's values of ``cn`` (default: its ``data_cn``) with data time in [start, end)."""
    cn = cn or point.data_cn
    rows = (
        Measurement.objects.filter(
            point=point, cn=cn, kind=value_kind(cn), data_time__gte=start, data_time__lt=end
        )
        .order_by("data_time")
        .values_list("pollutant", "data_time", "value", "flag")
    )
    data = PointData()
    # Older real-time and minute data sit in blocks, the latest in rows (see ``blocks``).
    for pollutant, data_time, value, flag in (
        *blocks.readings(point.pk, cn, value_kind(cn), start, end),
        *rows,
    ):
        data.readings.setdefault(pollutant, []).append(core.Reading(data_time, value, flag))
        data.times.add(data_time)
    if cn in blocks.COMMANDS:
        for readings in data.readings.values():
            readings.sort(key=lambda r: r.time)
    return data


def judged_readings(
    point: MonitoringPoint, pollutant: PointPollutant, data: PointData
) -> list[core.Reading]:
    """The values compared with the limit: converted (折算) ones when it has a reference O2."""
    measured = data.readings.get(pollutant.pollutant, [])
    if pollutant.reference_o2 is None:
        return measured
    return core.converted_readings(measured, data.readings.get(O2_CODE, []), pollutant.reference_o2)


def _exceedances(
    point: MonitoringPoint, pollutant: PointPollutant, data: PointData
) -> tuple[list[core.Exceedance], datetime | None]:
    """A limited pollutant's exceedances in ``data``, and its latest valid judged time."""
    limit = pollutant.limit()
    assert limit is not None
    judged = judged_readings(point, pollutant, data)
    valid_times = [r.time for r in judged if r.valid]
    latest = max(valid_times) if valid_times else None
    return core.find_exceedances(judged, pollutant.unit, limit, interval(point)), latest


def _alarms(
    point: MonitoringPoint,
    exceedances: Iterable[tuple[PointPollutant, core.Exceedance, bool]],
    gaps: Iterable[core.Gap],
    connection: core.Connection,
) -> list[Alarm]:
    """A point's alarms, newest first: exceedances (with their ongoing flag), gaps, offline."""
    alarms = [
        Alarm(EXCEEDANCE, point, run.start, run.end, ongoing, pollutant=pollutant, exceedance=run)
        for pollutant, run, ongoing in exceedances
    ]
    alarms.extend(Alarm(GAP, point, gap.start, gap.end, gap.ongoing, gap=gap) for gap in gaps)
    if connection.offline:
        alarms.append(Alarm(OFFLINE, point, connection.last_seen, None, ongoing=True))
    return sorted(alarms, key=lambda a: a.sort_key, reverse=True)


def point_alarms(
    point: MonitoringPoint,
    data: PointData,
    start: datetime,
    until: datetime,
    connection: core.Connection,
) -> list[Alarm]:
    """Exceedances (valid data only), gaps and the offline state of a point in [start, until).

    ``data`` holds every value of [start, until); an exceedance is still going on when its
    last value is the pollutant's latest valid judged value.
    """
    exceedances = []
    for pollutant in limited_pollutants(point):
        runs, latest = _exceedances(point, pollutant, data)
        exceedances.extend((pollutant, run, run.end == latest) for run in runs)
    gaps = core.find_gaps(data.times, start, until, interval(point))
    return _alarms(point, exceedances, gaps, connection)


def last_seen(points: Sequence[MonitoringPoint]) -> dict[str, datetime]:
    """Reception time of each point's latest accepted frame (any kind: it proves the link).

    Accepted: stored or a repeat of a stored one. A quarantined frame (unknown MN, wrong
    PW, implausible data time, junk) proves nothing: anyone can send one under any MN.
    """
    rows = (
        RawFrame.objects.filter(mn__in=[p.mn for p in points], status__in=storage.ACCEPTED)
        .values("mn")
        .annotate(last=Max("received_at"))
    )
    return {row["mn"]: row["last"] for row in rows}


def latest_data_times(points: Sequence[MonitoringPoint], now: datetime) -> dict[int, datetime]:
    """Each point's latest data time, from its month rollups (no scan of the measurements).

    A data time further ahead of ``now`` than the gateway accepts (stored before it refused
    such frames) is never the latest: months whose last time lies there are left out.
    """
    ahead = now + timedelta(minutes=settings.ECER_HJ212_MAX_FUTURE_MINUTES)
    rows = (
        Rollup.objects.filter(point__in=points, level=RollupLevel.MONTH, last_time__lte=ahead)
        .values("point")
        .annotate(last=Max("last_time"))
    )
    return {row["point"]: row["last"] for row in rows}


# Data whose records are whole periods: hourly data at hourly intervals, daily at daily.
_PERIOD_SECONDS = {Command.HOURLY: 3600, Command.DAILY: 86400}


def counts_from_rollups(point: MonitoringPoint) -> bool:
    """True when the point's day rollups count its records.

    Hourly and daily data are stamped with the start of their period (HJ 212-2017 6.3.2), so
    at their own interval each valid value is one record; real-time and minute data at other
    intervals are counted slot by slot from the values themselves.
    """
    return _PERIOD_SECONDS.get(point.data_cn) == point.interval_seconds


@dataclass(frozen=True, slots=True)
class DayRollup:
    """A day rollup of the judged values (``data_cn``, Rtd or Avg) of one pollutant."""

    start: datetime
    count: int
    valid_count: int
    valid_min: float | None
    valid_max: float | None
    last_time: datetime
    off_hour: int


PointRollups = dict[datetime, dict[str, DayRollup]]
"""One point's day rollups by day start, then pollutant."""


def day_rollups(
    points: Sequence[MonitoringPoint], start: datetime, until: datetime
) -> dict[int, PointRollups]:
    """The day rollups in [start, until) of each point's judged values, by point id."""
    wanted = [(p.pk, p.data_cn, value_kind(p.data_cn)) for p in points]
    result: dict[int, PointRollups] = {p.pk: {} for p in points}
    if db.connection.vendor == "postgresql":
        rows: Iterable[reads.RollupRow] = reads.day_rollup_rows(wanted, start, until)
    else:
        judged = set(wanted)
        rows = (
            (point_id, pollutant, *values)
            for point_id, cn, kind, pollutant, *values in Rollup.objects.filter(
                point__in=[p.pk for p in points],
                level=RollupLevel.DAY,
                kind__in=("Avg", "Rtd"),
                start__gte=start,
                start__lt=until,
            ).values_list(
                "point_id",
                "cn",
                "kind",
                "pollutant",
                "start",
                "count",
                "valid_count",
                "valid_min",
                "valid_max",
                "last_time",
                "off_hour",
            )
            if (point_id, cn, kind) in judged
        )
    _add_rollup_rows(result, rows)
    return result


def _add_rollup_rows(result: dict[int, PointRollups], rows: Iterable[reads.RollupRow]) -> None:
    for point_id, pollutant, day, count, valid, low, high, last, off_hour in rows:
        by_code = result[point_id].get(day)
        if by_code is None:
            by_code = result[point_id][day] = {}
        by_code[pollutant] = DayRollup(day, count, valid, low, high, last, off_hour)


def proves_days(point: MonitoringPoint) -> bool:
    """Whether the point's day rollups can prove days free of alarms: hourly data at
    hourly intervals (see :func:`day_proofs`)."""
    return point.data_cn == Command.HOURLY and interval(point) == timedelta(hours=1)


def _next_midnight(day: datetime) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate(day) + timedelta(days=1), time.min)
    )


def period_days(start: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """The Beijing days of [start, until) (``start`` a midnight): (start, end) each."""
    days = []
    day = start
    while day < until:
        following = _next_midnight(day)
        days.append((day, min(following, until)))
        day = following
    return days


def _valid_sums(
    points: Sequence[MonitoringPoint],
    expected: Sequence[tuple[int, datetime, int]],
    start: datetime,
    until: datetime,
) -> dict[int, int]:
    """:func:`reads.valid_sums` with the ORM (any database; slow with many points)."""
    judged = Q()
    for cn in {p.data_cn for p in points}:
        judged |= Q(point__data_cn=cn, cn=cn, kind=value_kind(cn))
    on_day = [
        When(point__interval_seconds=seconds, start=day, then=Value(count))
        for seconds, day, count in expected
    ]
    monitored = PointPollutant.objects.filter(
        point=OuterRef("point"), pollutant=OuterRef("pollutant")
    )
    rows = (
        Rollup.objects.filter(
            judged,
            Exists(monitored),
            point__in=[p.pk for p in points],
            level=RollupLevel.DAY,
            start__gte=start,
            start__lt=until,
        )
        .values("point")
        .annotate(
            valid=Sum(
                Least("valid_count", Case(*on_day, default=Value(0))),
                output_field=IntegerField(),
            )
        )
        .values_list("point", "valid")
    )
    return {point: int(valid) for point, valid in rows}


def rollup_validity(
    points: Sequence[MonitoringPoint], start: datetime, until: datetime
) -> dict[int, core.ValidityRate]:
    """Validity rates in [start, until) of the points with ``counts_from_rollups``.

    ``start`` is a Beijing midnight. Per pollutant and day, the valid values counted are
    at most the records that day expects (a logger repeating a record gets no credit for
    it): one sum over the day rollups, in the database.
    """
    counted = [p for p in points if counts_from_rollups(p)]
    ahead = _stamped_ahead(counted, start, until)
    counted = [p for p in counted if p.pk not in ahead]
    if not counted:
        return {}
    # Records each day expects, by the point's interval (the last day may be running).
    expected_on_day = [
        (seconds, day, core.expected_count(day, end, timedelta(seconds=seconds)))
        for seconds in sorted({p.interval_seconds for p in counted})
        for day, end in period_days(start, until)
    ]
    if db.connection.vendor == "postgresql":
        wanted = [(p.pk, p.data_cn, value_kind(p.data_cn), p.interval_seconds) for p in counted]
        sums = reads.valid_sums(wanted, expected_on_day, start, until)
    else:
        sums = _valid_sums(counted, expected_on_day, start, until)
    codes = dict(
        PointPollutant.objects.filter(point__in=[p.pk for p in counted])
        .values("point")
        .annotate(codes=Count("pollutant", distinct=True))
        .values_list("point", "codes")
    )
    result = {}
    for point in counted:
        expected = core.expected_count(start, until, interval(point)) * codes.get(point.pk, 0)
        result[point.pk] = core.ValidityRate(sums.get(point.pk) or 0, expected)
    return result


def _stamped_ahead(points: Sequence[MonitoringPoint], start: datetime, until: datetime) -> set[int]:
    """The points with a value of the running day stamped in a record not yet expected.

    The running day expects the records whose slots began before ``until``
    (``core.expected_count``); a day rollup cannot tell a value of a later slot (a logger
    sending the current hour early, or a clock running ahead) from the others, so such a
    point is counted from its values instead.
    """
    days = period_days(start, until)
    if not points or not days or days[-1][1] == _next_midnight(days[-1][0]):
        return set()  # no running day: every value of a whole day lies in an expected slot
    day, end = days[-1]
    ahead: set[int] = set()
    for seconds in {p.interval_seconds for p in points}:
        step = timedelta(seconds=seconds)
        group = [p for p in points if p.interval_seconds == seconds]
        ahead.update(
            Rollup.objects.filter(
                point__in=[p.pk for p in group],
                level=RollupLevel.DAY,
                cn__in={p.data_cn for p in group},
                kind__in={value_kind(p.data_cn) for p in group},
                start=day,
                last_time__gte=day + core.expected_count(day, end, step) * step,
            ).values_list("point", flat=True)
        )
    return ahead


@dataclass(frozen=True, slots=True)
class DayProof:
    """What a point's day rollups prove about one day of a period.

    complete: Every data time the day expects was received (no gap in the day).
    may_exceed: The limited pollutants whose valid values that day may break the limit.
    known_times: For a day not complete, its data times when the rollups tell them all
        (every whole hour up to the day's latest value; none at all); None when only
        reading the day tells.
    """

    start: datetime
    end: datetime
    complete: bool
    may_exceed: tuple[str, ...]
    known_times: tuple[datetime, ...] | None = None

    @property
    def proven(self) -> bool:
        """Free of alarms: no gap, no exceedance can lie in or cross the day."""
        return self.complete and not self.may_exceed


def _known_times(
    day: datetime, end: datetime, rows: dict[str, DayRollup], step: timedelta
) -> tuple[datetime, ...] | None:
    """The data times of [day, end) when the day's rollups (every pollutant) tell them all.

    None data: none. Else when some pollutant has every whole hour from the day's start
    through the day's latest value (``core.whole_hours_through``), the data times fill
    exactly those hours (the others' values lie in them too).
    """
    if not rows:
        return ()
    latest = max(row.last_time for row in rows.values())
    if not any(
        row.last_time == latest
        and core.whole_hours_through(row.count, row.off_hour, row.last_time, day)
        for row in rows.values()
    ):
        return None
    return tuple(core.expected_times(day, min(latest + step, end), step))


def day_proofs(
    point: MonitoringPoint, days: Sequence[tuple[datetime, datetime]], rollups: PointRollups
) -> list[DayProof] | None:
    """Per day (from :func:`period_days`), what the point's day rollups prove.

    Hourly data at hourly intervals only (else None: nothing is proven). A day is complete
    when some pollutant has all its expected hours (``core.whole_hours_complete``); no
    limited pollutant may exceed when its valid extremes that day, converted with that
    day's valid O2 extremes where the limit has a reference O2, cannot break the limit
    (``core.may_exceed``).
    """
    if not proves_days(point):
        return None
    step = interval(point)
    pollutants = list(point.pollutants.all())
    codes = [p.pollutant for p in pollutants]
    limited = [(p.pollutant, p.unit, p.limit()) for p in pollutants if p.has_limit]
    proofs = []
    for day, end in days:
        rows = rollups.get(day, {})
        expected = core.expected_count(day, end, step)
        complete = not expected or any(
            core.whole_hours_complete(row.count, row.off_hour, row.last_time, day, expected)
            for row in (rows.get(code) for code in codes)
            if row is not None
        )
        o2 = rows.get(O2_CODE)
        o2_low, o2_high = (None, None) if o2 is None else (o2.valid_min, o2.valid_max)
        may_exceed = tuple(
            code
            for code, unit, limit, row in ((*item, rows.get(item[0])) for item in limited)
            if row is not None
            and limit is not None
            and core.may_exceed(limit, unit, row.valid_min, row.valid_max, o2_low, o2_high)
        )
        known = None if complete else _known_times(day, end, rows, step)
        proofs.append(DayProof(day, end, complete, may_exceed, known))
    return proofs


def _runs(proofs: Iterable[DayProof], flagged: Callable[[DayProof], bool]) -> list[DayProof]:
    """Runs of consecutive flagged days, each as one span (its other fields unused)."""
    runs: list[DayProof] = []
    for day in proofs:
        if not flagged(day):
            continue
        if runs and runs[-1].end == day.start:
            runs[-1] = DayProof(runs[-1].start, day.end, False, ())
        else:
            runs.append(DayProof(day.start, day.end, False, ()))
    return runs


def _window(
    point: MonitoringPoint, start: datetime, end: datetime, codes: Iterable[str] | None = None
) -> reads.Window:
    cn = point.data_cn
    return reads.Window(
        point.pk, cn, value_kind(cn), start, end, None if codes is None else tuple(codes)
    )


def _read_values(
    points: Sequence[MonitoringPoint], windows: Sequence[reads.Window]
) -> list[PointData]:
    """The values of each window: one query on PostgreSQL, one per window elsewhere.

    Elsewhere a window's other pollutants are read too (its ``codes`` are the least).
    """
    if db.connection.vendor != "postgresql":
        by_id = {p.pk: p for p in points}
        return [point_data(by_id[w.point_id], w.start, w.end) for w in windows]
    result = []
    for rows in reads.measurement_rows(windows):
        data = PointData()
        for pollutant, data_time, value, flag in rows:
            data.readings.setdefault(pollutant, []).append(core.Reading(data_time, value, flag))
            data.times.add(data_time)
        result.append(data)
    return result


def _read_times(
    points: Sequence[MonitoringPoint], windows: Sequence[reads.Window]
) -> list[set[datetime]]:
    """The data times (any pollutant) of each window."""
    if db.connection.vendor != "postgresql":
        return [data.times for data in _read_values(points, windows)]
    return reads.data_times(windows)


@dataclass
class _Proven:
    """A point whose day rollups prove days free of alarms, while its alarms are found."""

    point: MonitoringPoint
    days: list[DayProof]
    rollups: PointRollups
    data: dict[str, PointData] = field(default_factory=dict)  # read, by limited pollutant
    gaps: list[core.Gap] = field(default_factory=list)
    exceedances: list[tuple[PointPollutant, core.Exceedance, bool]] = field(default_factory=list)


def _later_valid_days(item: _Proven, pollutant: PointPollutant, after: datetime) -> list[DayProof]:
    """Days after ``after`` whose values were not read and may hold a valid judged value.

    Without a reference O2 a valid value in the rollups is one; with it, a value is judged
    only where the O2 of its data time is valid (``core.converted_readings``), which only
    reading the day tells.
    """
    found = []
    for day in item.days:
        if day.start <= after or pollutant.pollutant in day.may_exceed:
            continue  # earlier, or read
        rows = item.rollups.get(day.start, {})
        row = rows.get(pollutant.pollutant)
        if row is None or not row.valid_count:
            continue
        if pollutant.reference_o2 is not None:
            o2 = rows.get(O2_CODE)
            if o2 is None or not o2.valid_count:
                continue
        found.append(day)
    return found


def proven_alarms(
    points: Sequence[MonitoringPoint],
    days: Sequence[tuple[datetime, datetime]],
    rollups: dict[int, PointRollups],
    until: datetime,
    connections: dict[int, core.Connection],
) -> dict[int, list[Alarm]]:
    """The alarms of the points whose day rollups prove something (see :func:`day_proofs`).

    Exactly those of reading every value of ``days``, read only where the rollups prove
    nothing, for all points at once: the data times of the runs of incomplete days (a gap
    lies in such a run: a complete day has every expected time), and the limited
    pollutants' values (with O2) of the runs of days that may hold an exceedance (an
    exceedance lies in such a run). An exceedance is still going on when its last value is
    the pollutant's latest valid judged value of the period: when that cannot lie in the
    days read, it is looked for in the later days whose rollups say they may hold one.
    """
    items = []
    for point in points:
        proofs = day_proofs(point, days, rollups[point.pk])
        if proofs is not None:
            items.append(_Proven(point, proofs, rollups[point.pk]))
    # Gaps: in the runs of incomplete days, from the data times of the days whose rollups
    # do not tell them.
    gap_runs = []
    unknown = []
    for item in items:
        for run in _runs(item.days, lambda d: not d.complete):
            known = [d for d in item.days if run.start <= d.start < run.end and d.known_times]
            gap_runs.append((item, run, {t for d in known for t in d.known_times or ()}))
            unknown.extend(
                (len(gap_runs) - 1, _window(item.point, part.start, part.end))
                for part in _runs(
                    (d for d in item.days if run.start <= d.start < run.end),
                    lambda d: d.known_times is None,
                )
            )
    read = _read_times(points, [window for _run, window in unknown])
    for (index, _window_read), found in zip(unknown, read, strict=True):
        gap_runs[index][2].update(found)
    for item, run, times in gap_runs:
        step = interval(item.point)
        # Open unless a later expected time exists: the next day is complete, so it came.
        open_end = core.expected_count(run.end, until, step) == 0
        item.gaps.extend(core.find_gaps(times, run.start, run.end, step, open_end=open_end))
    # Exceedances: a pollutant's in the runs of days when it may exceed.
    value_runs = []
    for item in items:
        for pollutant in limited_pollutants(item.point):
            code = pollutant.pollutant
            codes = (code,) if pollutant.reference_o2 is None else (code, O2_CODE)
            value_runs.extend(
                (item, pollutant, _window(item.point, run.start, run.end, codes))
                for run in _runs(item.days, lambda d, code=code: code in d.may_exceed)
            )
    read_values = _read_values(points, [window for _item, _p, window in value_runs])
    for (item, pollutant, _window_read), data in zip(value_runs, read_values, strict=True):
        merged = item.data.setdefault(pollutant.pollutant, PointData())
        for code, readings in data.readings.items():
            merged.readings.setdefault(code, []).extend(readings)
    # The last exceedance of a pollutant may go on: look for a later valid judged value.
    pending: list[tuple[_Proven, PointPollutant, list[DayProof]]] = []
    last_runs: dict[tuple[int, str], core.Exceedance] = {}
    for item in items:
        for pollutant in limited_pollutants(item.point):
            data = item.data.get(pollutant.pollutant)
            if data is None:
                continue  # never read: no day when it may exceed
            runs, latest = _exceedances(item.point, pollutant, data)
            item.exceedances.extend((pollutant, run, run.end == latest) for run in runs)
            if runs and runs[-1].end == latest:
                last_runs[item.point.pk, pollutant.pollutant] = runs[-1]
                later = _later_valid_days(item, pollutant, runs[-1].end)
                if later:
                    pending.append((item, pollutant, later))
    while pending:
        # Read the first candidate day of each (rarely more than one round).
        windows = [
            _window(item.point, day.start, day.end, (pollutant.pollutant, O2_CODE))
            for item, pollutant, (day, *_rest) in pending
        ]
        still = []
        for (item, pollutant, (_day, *rest)), data in zip(
            pending, _read_values(points, windows), strict=True
        ):
            if any(r.valid for r in judged_readings(item.point, pollutant, data)):
                run = last_runs[item.point.pk, pollutant.pollutant]
                item.exceedances = [
                    (p, r, False if r is run else ongoing) for p, r, ongoing in item.exceedances
                ]
            elif rest:
                still.append((item, pollutant, rest))
        pending = still
    return {
        item.point.pk: _alarms(item.point, item.exceedances, item.gaps, connections[item.point.pk])
        for item in items
    }


def _validity(
    point: MonitoringPoint,
    data: PointData,
    start: datetime,
    until: datetime,
    rolled: dict[int, core.ValidityRate],
) -> core.ValidityRate:
    if point.pk in rolled:
        return rolled[point.pk]
    codes = [p.pollutant for p in point.pollutants.all()]
    return core.point_validity(data.readings, codes, start, until, interval(point))


def point_validities(
    points: Iterable[MonitoringPoint], period: Period, now: datetime
) -> list[PointValidity]:
    """The validity rate of each point over ``period``, without the alarms."""
    points = list(points)
    until = period.until(now)
    rolled = rollup_validity(points, period.start, until)
    # Only the points counted value by value need their pollutants.
    prefetch_related_objects([p for p in points if p.pk not in rolled], "pollutants")
    result = []
    for point in points:
        data = PointData() if point.pk in rolled else point_data(point, period.start, until)
        result.append(PointValidity(point, _validity(point, data, period.start, until, rolled)))
    return result


@dataclass(frozen=True)
class _Judged:
    connection: core.Connection
    validity: core.ValidityRate | None
    alarms: list[Alarm]


def _judge(
    points: list[MonitoringPoint],
    period: Period,
    now: datetime,
    *,
    use_rollups: bool,
    with_validity: bool,
) -> dict[int, _Judged]:
    """Connection, validity rate (when asked for) and alarms of each point over ``period``."""
    seen = last_seen(points)
    until = period.until(now)
    connections = {p.pk: core.connection_status(seen.get(p.mn), now, OFFLINE_AFTER) for p in points}
    rolled: dict[int, core.ValidityRate] = {}
    proven: dict[int, list[Alarm]] = {}
    if use_rollups:
        if with_validity:
            rolled = rollup_validity(points, period.start, until)
        provable = [p for p in points if proves_days(p)]
        rollups = day_rollups(provable, period.start, until)
        days = period_days(period.start, until)
        proven = proven_alarms(provable, days, rollups, until, connections)
    result = {}
    for point in points:
        connection = connections[point.pk]
        validity: core.ValidityRate | None = None
        if point.pk in proven:
            alarms = proven[point.pk]
            if with_validity:
                # Not from the rollups when its running day holds a value stamped ahead.
                validity = rolled.get(point.pk) or _validity(
                    point, point_data(point, period.start, until), period.start, until, rolled
                )
        else:
            data = point_data(point, period.start, until)
            alarms = point_alarms(point, data, period.start, until, connection)
            if with_validity:
                validity = _validity(point, data, period.start, until, rolled)
        result[point.pk] = _Judged(connection, validity, alarms)
    return result


def point_statuses(
    points: Iterable[MonitoringPoint], period: Period, now: datetime, *, use_rollups: bool = True
) -> list[PointStatus]:
    """Online state, latest data, validity rate and alarms of each point over ``period``.

    use_rollups: Take what the day rollups prove (validity of hourly and daily data; days
        free of gaps or of exceedances for hourly data, see :func:`proven_alarms`) instead
        of reading those values; False reads every value (tests compare).
    """
    points = list(points)
    latest = latest_data_times(points, now)
    judged = _judge(points, period, now, use_rollups=use_rollups, with_validity=True)
    statuses = []
    for point in points:
        found = judged[point.pk]
        assert found.validity is not None
        statuses.append(
            PointStatus(point, found.connection, latest.get(point.pk), found.validity, found.alarms)
        )
    return statuses


def point_alarm_lists(
    points: Iterable[MonitoringPoint], period: Period, now: datetime, *, use_rollups: bool = True
) -> list[list[Alarm]]:
    """The alarms of each point over ``period`` (as in :func:`point_statuses`), newest first."""
    points = list(points)
    judged = _judge(points, period, now, use_rollups=use_rollups, with_validity=False)
    return [judged[p.pk].alarms for p in points]


def enterprise_validity(statuses: Iterable[HasValidity]) -> list[EnterpriseValidity]:
    """Validity rate per enterprise (by credit code, else name): Σ valid / Σ expected."""
    groups: dict[str, list[HasValidity]] = defaultdict(list)
    for status in statuses:
        point = status.point
        groups[point.enterprise_code or point.enterprise_name].append(status)
    result = [
        EnterpriseValidity(
            members[0].point.enterprise_name,
            members[0].point.enterprise_code,
            members,
            core.combined_validity(s.validity for s in members),
        )
        for members in groups.values()
    ]
    return sorted(result, key=lambda e: (e.validity.rate is None, e.validity.rate or 0.0, e.name))


@dataclass(frozen=True)
class SeriesRow:
    """One data time of a pollutant's series: the value sent, its converted (折算) value when
    the limit applies to one, and the data flag."""

    time: datetime
    value: float
    converted: float | None
    flag: str

    @property
    def valid(self) -> bool:
        return core.is_valid(self.flag)

    @property
    def flag_meaning(self) -> str:
        """The flag's meaning in the HJ 212-2017 table ("" for a flag it does not list)."""
        return DATA_FLAGS.get(self.flag, "")


@dataclass(frozen=True)
class Series:
    """The chart of one pollutant: values, converted values, the limit."""

    pollutant: PointPollutant
    cn: str
    readings: list[core.Reading]
    converted: list[core.Reading] | None
    limit: core.Limit | None

    def rows(self) -> list[SeriesRow]:
        """The readings as a table, newest first, each beside its converted value."""
        converted = {r.time: r.value for r in self.converted or ()}
        return [
            SeriesRow(r.time, r.value, converted.get(r.time), r.flag)
            for r in sorted(self.readings, key=lambda r: r.time, reverse=True)
        ]

    def chart(self) -> dict[str, Any]:
        def points(readings: Sequence[core.Reading]) -> list[list[Any]]:
            return [[timezone.localtime(r.time).isoformat(), r.value, r.flag] for r in readings]

        limit = self.limit
        factor = (
            core.concentration_factor(limit.unit, self.pollutant.unit) if limit is not None else 1.0
        )
        return {
            "unit": self.pollutant.unit,
            "series": [
                {"name": str(_("监测值")), "data": points(self.readings)},
                *(
                    [{"name": str(_("折算值")), "data": points(self.converted)}]
                    if self.converted is not None
                    else []
                ),
            ],
            "limits": [
                {"name": str(name), "value": value * factor}
                for name, value in (
                    (_("排放限值"), limit.upper if limit else None),
                    (_("排放限值（下限）"), limit.lower if limit else None),
                )
                if value is not None
            ],
        }


def pollutant_series(
    point: MonitoringPoint, pollutant: PointPollutant, cn: str, start: datetime, end: datetime
) -> Series:
    data = point_data(point, start, end, cn=cn)
    readings = data.readings.get(pollutant.pollutant, [])
    converted = None
    if pollutant.reference_o2 is not None:
        converted = judged_readings(point, pollutant, data)
    return Series(pollutant, cn, readings, converted, pollutant.limit())


@dataclass(frozen=True)
class PollutantLoads:
    pollutant: PointPollutant
    hourly: list[core.Load]
    daily: list[core.DailyLoad]

    @property
    def total_kg(self) -> float:
        return core.total_load_kg(self.daily)


def load_pollutants(point: MonitoringPoint) -> list[PointPollutant]:
    """The point's factors that are mass concentrations (a load can be computed)."""
    return [p for p in point.pollutants.all() if core.is_mass_concentration(p.unit)]


def point_loads(point: MonitoringPoint, start: datetime, end: datetime) -> list[PollutantLoads]:
    """Hourly loads from hourly data (Avg concentration × the flow's Cou) and daily sums."""
    rows = Measurement.objects.filter(
        point=point, cn=Command.HOURLY, data_time__gte=start, data_time__lt=end
    ).values_list("pollutant", "kind", "data_time", "value", "flag")
    by_key: dict[tuple[str, str], list[core.Reading]] = defaultdict(list)
    for pollutant, kind, data_time, value, flag in rows:
        by_key[pollutant, kind].append(core.Reading(data_time, value, flag))
    volumes = _hourly_volumes(point, by_key)
    zone = timezone.get_current_timezone()
    result = []
    for pollutant in load_pollutants(point):
        hourly = core.interval_loads(by_key[pollutant.pollutant, "Avg"], pollutant.unit, volumes)
        result.append(PollutantLoads(pollutant, hourly, core.daily_loads(hourly, zone)))
    return result


def _hourly_volumes(
    point: MonitoringPoint, by_key: dict[tuple[str, str], list[core.Reading]]
) -> list[core.Reading]:
    """Hourly volumes [m³]: the flow's Cou, else its mean flow over the hour."""
    code = point.flow_code
    volumes = {r.time: r for r in by_key.get((code, "Cou"), [])}
    info = catalogue.lookup(code)
    assert info is not None
    for reading in by_key.get((code, "Avg"), []):
        if reading.time not in volumes:
            volume = core.volume_m3(reading.value, info.unit, HOURLY_SECONDS)
            volumes[reading.time] = core.Reading(reading.time, volume, reading.flag)
    return list(volumes.values())


def total_validity(statuses: Iterable[HasValidity]) -> core.ValidityRate:
    """Validity rate of all the points shown: Σ valid / Σ expected."""
    return core.combined_validity(s.validity for s in statuses)


@dataclass(frozen=True)
class DailyLoadRow:
    pollutant: PointPollutant
    cells: list[core.DailyLoad | None]
    total_kg: float


def daily_load_table(loads: Sequence[PollutantLoads]) -> tuple[list[date], list[DailyLoadRow]]:
    """Daily loads arranged for a table: the days, and one row per pollutant."""
    days = sorted({d.day for item in loads for d in item.daily})
    rows = []
    for item in loads:
        by_day = {d.day: d for d in item.daily}
        rows.append(DailyLoadRow(item.pollutant, [by_day.get(d) for d in days], item.total_kg))
    return days, rows
