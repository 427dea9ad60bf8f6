"""Online monitoring for the pages: database rows in, ``ecer.core.monitoring`` figures out.

No formula lives here: loads, exceedances, gaps, the offline verdict and validity rates are
computed by ``ecer.core.monitoring``; this module only fetches rows, groups them and hands
them over. Days are Beijing days (``settings.TIME_ZONE``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecer.core import monitoring as core
from ecer.hj212 import pollutants as catalogue
from ecer.web.monitoring import blocks
from ecer.web.monitoring.models import (
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

EXCEEDANCE = "exceedance"
GAP = "gap"
OFFLINE = "offline"
ALARM_KINDS = {EXCEEDANCE: _("超标"), GAP: _("缺数"), OFFLINE: _("离线")}


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
        return self.start or datetime.min.replace(tzinfo=timezone.get_current_timezone())


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


def point_alarms(
    point: MonitoringPoint,
    data: PointData,
    start: datetime,
    until: datetime,
    connection: core.Connection,
) -> list[Alarm]:
    """Exceedances (valid data only), gaps and the offline state of a point in [start, until)."""
    alarms: list[Alarm] = []
    step = interval(point)
    for pollutant in limited_pollutants(point):
        limit = pollutant.limit()
        assert limit is not None
        judged = judged_readings(point, pollutant, data)
        valid_times = [r.time for r in judged if r.valid]
        latest = max(valid_times) if valid_times else None
        for run in core.find_exceedances(judged, pollutant.unit, limit, step):
            alarms.append(
                Alarm(
                    EXCEEDANCE,
                    point,
                    run.start,
                    run.end,
                    ongoing=run.end == latest,
                    pollutant=pollutant,
                    exceedance=run,
                )
            )
    for gap in core.find_gaps(data.times, start, until, step):
        alarms.append(Alarm(GAP, point, gap.start, gap.end, ongoing=gap.ongoing, gap=gap))
    if connection.offline:
        alarms.append(Alarm(OFFLINE, point, connection.last_seen, None, ongoing=True))
    return sorted(alarms, key=lambda a: a.sort_key, reverse=True)


def last_seen(points: Sequence[MonitoringPoint]) -> dict[str, datetime]:
    """Reception time of each point's latest frame (any frame: it proves the link)."""
    rows = (
        RawFrame.objects.filter(mn__in=[p.mn for p in points])
        .values("mn")
        .annotate(last=Max("received_at"))
    )
    return {row["mn"]: row["last"] for row in rows}


def latest_data_times(points: Sequence[MonitoringPoint]) -> dict[int, datetime]:
    """Each point's latest data time, from its month rollups (no scan of the measurements)."""
    rows = (
        Rollup.objects.filter(point__in=points, level=RollupLevel.MONTH)
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


DayRollups = dict[tuple[int, str], list[DayRollup]]


def day_rollups(points: Sequence[MonitoringPoint], start: datetime, until: datetime) -> DayRollups:
    """The day rollups in [start, until) of each point's judged values, by (point, pollutant)."""
    wanted = {p.pk: (p.data_cn, value_kind(p.data_cn)) for p in points}
    rows = Rollup.objects.filter(
        point__in=list(wanted),
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
    result: DayRollups = defaultdict(list)
    for point_id, cn, kind, pollutant, *values in rows:
        if wanted[point_id] == (cn, kind):
            result[point_id, pollutant].append(DayRollup(*values))
    return result


def rollup_validity(
    points: Sequence[MonitoringPoint], start: datetime, until: datetime, days: DayRollups
) -> dict[int, core.ValidityRate]:
    """Validity rates in [start, until) of the points with ``counts_from_rollups``.

    ``start`` is a Beijing midnight; ``days`` from :func:`day_rollups`. Per pollutant and
    day, the valid values counted are at most the records that day expects (a logger
    repeating a record gets no credit for it).
    """
    result = {}
    for point in points:
        if not counts_from_rollups(point):
            continue
        step = interval(point)
        codes = list(dict.fromkeys(p.pollutant for p in point.pollutants.all()))
        valid = 0
        for code in codes:
            for day in days.get((point.pk, code), []):
                day_end = min(day.start + timedelta(days=1), until)
                valid += min(day.valid_count, core.expected_count(day.start, day_end, step))
        expected = core.expected_count(start, until, step) * len(codes)
        result[point.pk] = core.ValidityRate(valid, expected)
    return result


def _next_midnight(day: datetime) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate(day) + timedelta(days=1), time.min)
    )


def settled_until(
    point: MonitoringPoint, start: datetime, until: datetime, days: DayRollups
) -> datetime:
    """End of the leading days of [start, until) that the day rollups prove free of alarms.

    Hourly data at hourly intervals only (else ``start``: nothing is proven). A day is proven
    when some pollutant has all its expected hours (``core.whole_hours_complete``: no gap)
    and no limited pollutant's valid extremes that day, converted with that day's valid O2
    extremes where the limit has a reference O2, can break the limit (``core.may_exceed``).
    From the first day not proven to ``until`` the values are read: a gap or an exceedance
    cannot reach back into proven days, and the latest valid value, which tells whether an
    exceedance is still going on, lies in the part read whenever that part has one.
    Returns ``until`` when every day is proven.
    """
    step = interval(point)
    if point.data_cn != Command.HOURLY or step != timedelta(hours=1):
        return start
    codes = [p.pollutant for p in point.pollutants.all()]
    by_day = {
        (code, row.start): row
        for code in {*codes, O2_CODE}
        for row in days.get((point.pk, code), [])
    }
    limited = [(p, p.limit()) for p in limited_pollutants(point)]

    def extremes(code: str, day: datetime) -> tuple[float | None, float | None]:
        row = by_day.get((code, day))
        return (None, None) if row is None else (row.valid_min, row.valid_max)

    day = start
    while day < until:
        following = _next_midnight(day)
        expected = core.expected_count(day, min(following, until), step)
        rows = [by_day[code, day] for code in codes if (code, day) in by_day]
        complete = not expected or any(
            core.whole_hours_complete(r.count, r.off_hour, r.last_time, day, expected) for r in rows
        )
        o2_low, o2_high = extremes(O2_CODE, day)
        if not complete or any(
            limit is not None
            and core.may_exceed(limit, p.unit, *extremes(p.pollutant, day), o2_low, o2_high)
            for p, limit in limited
        ):
            return day
        day = following
    return until


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
    rolled = rollup_validity(points, period.start, until, day_rollups(points, period.start, until))
    result = []
    for point in points:
        data = PointData() if point.pk in rolled else point_data(point, period.start, until)
        result.append(PointValidity(point, _validity(point, data, period.start, until, rolled)))
    return result


def point_statuses(
    points: Iterable[MonitoringPoint], period: Period, now: datetime, *, use_rollups: bool = True
) -> list[PointStatus]:
    """Online state, latest data, validity rate and alarms of each point over ``period``.

    use_rollups: Take what the day rollups prove (validity of hourly and daily data; days
        free of alarms, see :func:`settled_until`) instead of reading those values; False
        reads every value (tests compare).
    """
    points = list(points)
    seen = last_seen(points)
    latest = latest_data_times(points)
    until = period.until(now)
    days = day_rollups(points, period.start, until) if use_rollups else {}
    rolled = rollup_validity(points, period.start, until, days) if use_rollups else {}
    statuses = []
    for point in points:
        connection = core.connection_status(seen.get(point.mn), now, OFFLINE_AFTER)
        settled = settled_until(point, period.start, until, days) if use_rollups else period.start
        if point.pk in rolled and settled > period.start:
            # Its rollups prove the first days free of alarms: only the rest is read.
            validity = rolled[point.pk]
            data = point_data(point, settled, until) if settled < until else PointData()
            alarms = point_alarms(point, data, settled, until, connection)
        else:
            data = point_data(point, period.start, until)
            validity = _validity(point, data, period.start, until, rolled)
            alarms = point_alarms(point, data, period.start, until, connection)
        statuses.append(PointStatus(point, connection, latest.get(point.pk), validity, alarms))
    return statuses


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
class Series:
    """The chart of one pollutant: values, converted values, the limit."""

    pollutant: PointPollutant
    cn: str
    readings: list[core.Reading]
    converted: list[core.Reading] | None
    limit: core.Limit | None

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


def select_alarms(
    statuses: Iterable[PointStatus], *, kind: str | None = None, ongoing_only: bool = False
) -> list[Alarm]:
    """The alarms of several points, newest first, optionally of one kind or ongoing only."""
    alarms = [
        alarm
        for status in statuses
        for alarm in status.alarms
        if (kind is None or alarm.kind == kind) and (alarm.ongoing or not ongoing_only)
    ]
    return sorted(alarms, key=lambda a: a.sort_key, reverse=True)


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
