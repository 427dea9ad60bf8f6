"""Pollution-source online monitoring: converted concentrations, emission loads,
exceedances, data gaps, offline points and the transmission validity rate.

Inputs are what the HJ 212 gateway stores: one :class:`Reading` per pollutant and data
time (an hourly average, a real-time value, …) with its data flag. Everything here is pure:
times are aware ``datetime`` values chosen by the caller (this module never reads a clock),
and "now" is always an argument.

Valid data. HJ 212-2017 marks every value with a data flag (N normal, F stopped,
M maintenance, S set by hand, D fault, C calibration, T over the range, B communication
fault). Only ``N`` is valid monitoring data (HJ 75-2017 and HJ 356-2019 treat data marked
for maintenance, calibration, faults and stops as invalid); a value without a flag is not
known to be valid and counts as invalid. Exceedances, loads and the validity rate use
valid data only.

Number type: ``float``. Concentrations are instrument readings with three or four
significant digits; limits are compared with ``>`` (a value equal to the limit complies).

References
----------
HJ 212-2017 污染物在线监控（监测）系统数据传输标准 (data flags, data commands).
HJ 75-2017 固定污染源烟气排放连续监测技术规范 (flue gas: valid data, emission amounts).
HJ 356-2019 水污染源在线监测系统数据有效性判别技术规范 (wastewater: valid data).
GB 13223-2011 火电厂大气污染物排放标准 5.2 (converted concentration at reference O2).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Final

VALID_FLAG: Final = "N"
"""HJ 212-2017 data flag of a normally working instrument: the only valid data."""

AMBIENT_O2_PERCENT: Final = 21.0
"""Oxygen content of dry air [%], the 21 of the converted-concentration formula."""

# Mass per volume of each concentration unit, in kg per m³ (1 L = 10⁻³ m³; 1 mg = 10⁻⁶ kg).
_KG_PER_M3: Final[Mapping[str, float]] = {
    "mg/L": 1e-3,  # 1 mg/L = 1 g/m³
    "μg/L": 1e-6,
    "mg/m³": 1e-6,
    "μg/m³": 1e-9,
}


def is_valid(flag: str) -> bool:
    """True for valid monitoring data: the HJ 212-2017 data flag ``N``."""
    return flag == VALID_FLAG


@dataclass(frozen=True, slots=True)
class Reading:
    """One value of one pollutant at one data time.

    time: Data time (start of the interval for averaged data) [aware datetime].
    value: In the pollutant's unit, e.g. [mg/L] or [mg/m³].
    flag: HJ 212-2017 data flag (``N`` valid; empty when the logger sent none).
    """

    time: datetime
    value: float
    flag: str

    @property
    def valid(self) -> bool:
        return is_valid(self.flag)


@dataclass(frozen=True, slots=True)
class Limit:
    """An emission limit of one pollutant at one outlet.

    upper: Highest allowed concentration [unit]; None for no upper limit.
    unit: Unit of the limits, e.g. ``mg/m³``.
    lower: Lowest allowed value [unit] (pH 6–9 has one); None for none.
    reference_o2: Reference oxygen content [%] when the limit applies to the converted
        (折算) concentration of a flue gas; None when it applies to the measured one.
    """

    upper: float | None
    unit: str
    lower: float | None = None
    reference_o2: float | None = None

    def exceeded_by(self, value: float) -> bool:
        """True when ``value`` [unit] lies outside the limits (equal to a limit complies)."""
        too_high = self.upper is not None and value > self.upper
        too_low = self.lower is not None and value < self.lower
        return too_high or too_low


def is_mass_concentration(unit: str) -> bool:
    """True for the units of which a load can be computed (mg/L, μg/L, mg/m³, μg/m³)."""
    return unit in _KG_PER_M3


def concentration_factor(from_unit: str, to_unit: str) -> float:
    """Factor that converts a concentration from ``from_unit`` to ``to_unit`` [-].

    Raises ValueError for a unit that is not a mass concentration (mg/L, μg/L, mg/m³,
    μg/m³), unless both units are the same.
    """
    if from_unit == to_unit:
        return 1.0
    try:
        return _KG_PER_M3[from_unit] / _KG_PER_M3[to_unit]
    except KeyError:
        raise ValueError(f"cannot convert {from_unit!r} to {to_unit!r}") from None


def converted_concentration(
    measured: float, o2_measured_percent: float, o2_reference_percent: float
) -> float:
    """Concentration converted to the reference oxygen content (折算浓度).

    measured: Measured concentration, dry standard state [mg/m³].
    o2_measured_percent: Measured oxygen content of the flue gas [%], below 21.
    o2_reference_percent: Reference oxygen content of the emission standard [%].
    Returns the converted concentration [mg/m³].

    References: GB 13223-2011 5.2, formula (1); HJ 75-2017 (折算浓度).
    """
    if not o2_measured_percent < AMBIENT_O2_PERCENT:
        raise ValueError(f"measured O2 {o2_measured_percent}% must be below 21% to convert")
    # GB 13223-2011 5.2 (1): C = C' × (21 − O2_ref) / (21 − O2_measured).
    return (
        measured
        * (AMBIENT_O2_PERCENT - o2_reference_percent)
        / (AMBIENT_O2_PERCENT - o2_measured_percent)
    )


def emission_load_kg(concentration: float, unit: str, volume_m3: float) -> float:
    """Mass of a pollutant discharged with a volume of wastewater or flue gas.

    concentration: Mean concentration over the interval [unit].
    unit: ``mg/L`` or ``μg/L`` (water), ``mg/m³`` or ``μg/m³`` (flue gas, dry standard).
    volume_m3: Volume discharged over the same interval (the flow's Cou) [m³].
    Returns the load [kg].

    References: HJ 75-2017 (排放量 = 浓度 × 标干流量 × 10⁻⁶ for mg/m³); HJ 212-2017 Annex B
    (units of the concentrations, and m³ for the Cou of the flows w00000 and a00000).
    """
    if unit not in _KG_PER_M3:
        raise ValueError(f"{unit!r} is not a mass concentration: no load")
    # Load = C × V: mg/L × m³ × 10⁻³ → kg (water); mg/m³ × m³ × 10⁻⁶ → kg (flue gas).
    return concentration * _KG_PER_M3[unit] * volume_m3


def volume_m3(mean_flow: float, flow_unit: str, seconds: float) -> float:
    """Volume discharged at a mean flow over an interval, when no Cou was sent.

    mean_flow: Mean flow [L/s (w00000), m³/s (a00000) or m³/h].
    seconds: Length of the interval [s].
    Returns the volume [m³].

    References: HJ 212-2017 Annex B (units of the flows); volume = flow × time.
    """
    per_second = {"L/s": 1e-3, "m³/s": 1.0, "m³/h": 1.0 / 3600.0}
    if flow_unit not in per_second:
        raise ValueError(f"{flow_unit!r} is not a flow unit")
    # V = Q × t (1 L = 10⁻³ m³).
    return mean_flow * per_second[flow_unit] * seconds


@dataclass(frozen=True, slots=True)
class Load:
    """The load of one pollutant over one interval.

    time: Data time of the interval. concentration: [unit]. volume_m3: [m³]. load_kg: [kg].
    """

    time: datetime
    concentration: float
    volume_m3: float
    load_kg: float


def interval_loads(
    concentrations: Iterable[Reading], unit: str, volumes: Iterable[Reading]
) -> list[Load]:
    """Loads per interval (e.g. hourly) where both concentration and volume are valid.

    concentrations: Mean concentrations [unit]. volumes: Volumes of the same intervals
    (the flow's Cou) [m³], matched by data time. An interval whose concentration or volume
    is missing or not flagged N has no load: nothing is substituted.
    Returns the loads in time order.

    References: HJ 75-2017 (hourly emission amount from valid hourly averages).
    """
    volume_at = {r.time: r.value for r in volumes if r.valid}
    loads = [
        Load(r.time, r.value, volume_at[r.time], emission_load_kg(r.value, unit, volume_at[r.time]))
        for r in concentrations
        if r.valid and r.time in volume_at
    ]
    return sorted(loads, key=lambda load: load.time)


@dataclass(frozen=True, slots=True)
class DailyLoad:
    """The load of one pollutant over one calendar day.

    day: Local calendar day. load_kg: Sum of the interval loads [kg].
    intervals: How many interval loads were summed.
    """

    day: date
    load_kg: float
    intervals: int


def daily_loads(loads: Iterable[Load], zone: tzinfo) -> list[DailyLoad]:
    """Daily loads: the sum of the interval loads of each day in ``zone`` (Beijing time).

    References: HJ 75-2017 (daily emission amount = sum of the hourly amounts).
    """
    totals: dict[date, list[float]] = defaultdict(list)
    for load in loads:
        totals[load.time.astimezone(zone).date()].append(load.load_kg)
    # Daily load = Σ hourly loads.
    return [
        DailyLoad(day, math.fsum(values), len(values)) for day, values in sorted(totals.items())
    ]


def total_load_kg(daily: Iterable[DailyLoad]) -> float:
    """Load over several days: the sum of the daily loads [kg]."""
    return math.fsum(day.load_kg for day in daily)


def converted_readings(
    measured: Iterable[Reading], oxygen: Iterable[Reading], o2_reference_percent: float
) -> list[Reading]:
    """Converted (折算) concentrations from measured ones and the O2 of the same data time.

    measured: Measured concentrations [mg/m³]. oxygen: Measured O2 contents [%].
    A converted value keeps its concentration's flag. A value whose O2 is missing, not
    flagged N or not below 21 % cannot be converted: it keeps its measured value with an
    empty flag, so it is never judged against the limit.

    References: GB 13223-2011 5.2, formula (1) (see :func:`converted_concentration`).
    """
    o2_at = {r.time: r for r in oxygen}
    result = []
    for reading in measured:
        o2 = o2_at.get(reading.time)
        if o2 is None or not o2.valid or not o2.value < AMBIENT_O2_PERCENT:
            result.append(Reading(reading.time, reading.value, ""))
            continue
        value = converted_concentration(reading.value, o2.value, o2_reference_percent)
        result.append(Reading(reading.time, value, reading.flag))
    return result


def may_exceed(
    limit: Limit,
    unit: str,
    lowest: float | None,
    highest: float | None,
    o2_lowest: float | None = None,
    o2_highest: float | None = None,
) -> bool:
    """Whether valid values between ``lowest`` and ``highest`` [unit] can break ``limit``.

    A bound, for skipping data that cannot hold an exceedance (from a period's extremes):
    False proves that no valid value, converted or not, lies outside the limit; True only
    says that one may. With a reference O2 the converted value C × (21 − O2ref)/(21 − O2)
    (GB 13223-2011 5.2 (1)) grows with O2, so its extremes come from the extremes of the
    concentration and of the valid O2 values; without valid O2 nothing is converted and so
    nothing is judged (see :func:`converted_readings`). An O2 of 21 % or more has no bound.
    """
    if lowest is None or highest is None:
        return False  # no valid value
    if limit.reference_o2 is not None:
        if o2_lowest is None or o2_highest is None:
            return False
        if not o2_highest < AMBIENT_O2_PERCENT:
            return True
        ratios = [
            (AMBIENT_O2_PERCENT - limit.reference_o2) / (AMBIENT_O2_PERCENT - o2)
            for o2 in (o2_lowest, o2_highest)
        ]
        products = [value * ratio for value in (lowest, highest) for ratio in ratios]
        lowest, highest = min(products), max(products)
    factor = concentration_factor(unit, limit.unit)
    return limit.exceeded_by(lowest * factor) or limit.exceeded_by(highest * factor)


@dataclass(frozen=True, slots=True)
class Exceedance:
    """A run of consecutive valid values outside the limit.

    start: Data time of the first. end: Data time of the last. count: How many values.
    peak: The value farthest outside the limit [limit unit]. limit: The limit broken.
    """

    start: datetime
    end: datetime
    count: int
    peak: float
    limit: Limit


def find_exceedances(
    readings: Iterable[Reading], unit: str, limit: Limit, interval: timedelta
) -> list[Exceedance]:
    """Exceedances of ``limit`` by valid values; consecutive ones form one exceedance.

    readings: Values to judge [unit], e.g. hourly averages (converted ones for a limit with
        a reference O2, see :func:`converted_readings`).
    unit: Unit of the values; converted to the limit's unit before comparing.
    interval: Data interval: a value one interval after the previous exceeding one
        continues the same exceedance; a gap, or a value within the limit, ends it.
    Values not flagged N are never judged (HJ 75-2017, HJ 356-2019: only valid data).
    """
    factor = concentration_factor(unit, limit.unit)
    runs: list[Exceedance] = []
    for reading in sorted(readings, key=lambda r: r.time):
        if not reading.valid:
            continue
        value = reading.value * factor
        if not limit.exceeded_by(value):
            continue
        last = runs[-1] if runs else None
        if last is not None and reading.time - last.end == interval:
            peak = max(last.peak, value) if _above(limit, value) else min(last.peak, value)
            runs[-1] = Exceedance(last.start, reading.time, last.count + 1, peak, limit)
        else:
            runs.append(Exceedance(reading.time, reading.time, 1, value, limit))
    return runs


def _above(limit: Limit, value: float) -> bool:
    return limit.upper is not None and value > limit.upper


def expected_times(start: datetime, end: datetime, interval: timedelta) -> list[datetime]:
    """Data times expected in ``[start, end)``: one per complete interval from ``start``.

    start: First expected data time (aligned by the caller, e.g. a local midnight).
    end: End of the window; an interval that has not ended by ``end`` is not expected yet.
    """
    count = expected_count(start, end, interval)
    return [start + interval * k for k in range(count)]


def expected_count(start: datetime, end: datetime, interval: timedelta) -> int:
    """Number of complete intervals in ``[start, end)`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    return (end - start) // interval


def slot_index(time: datetime, start: datetime, interval: timedelta) -> int:
    """Index of the interval from ``start`` that contains ``time`` (negative before it)."""
    return (time - start) // interval


@dataclass(frozen=True, slots=True)
class Gap:
    """Expected data times with no data at all.

    start: First missing data time. end: Last missing data time. missing: How many.
    ongoing: True when the gap reaches the end of the window (data still missing).
    """

    start: datetime
    end: datetime
    missing: int
    ongoing: bool


def find_gaps(
    times: Iterable[datetime],
    start: datetime,
    end: datetime,
    interval: timedelta,
    *,
    open_end: bool = True,
) -> list[Gap]:
    """Runs of expected data times in ``[start, end)`` for which nothing was received.

    times: Data times received (any flag: an invalid value is not missing). A time counts
        for the interval that contains it.
    open_end: Whether ``end`` is the end of what can be known (now, or the end of the
        period): a gap reaching it is ongoing. False when the window is one part of a
        longer one and the data time expected first after ``end`` was received, so a gap
        reaching ``end`` has ended.
    """
    count = expected_count(start, end, interval)
    present = {slot_index(t, start, interval) for t in times}
    gaps: list[Gap] = []
    first: int | None = None
    for index in range(count + 1):
        missing = index < count and index not in present
        if missing and first is None:
            first = index
        elif not missing and first is not None:
            gaps.append(
                Gap(
                    start + interval * first,
                    start + interval * (index - 1),
                    index - first,
                    ongoing=open_end and index == count,
                )
            )
            first = None
    return gaps


def whole_hours_complete(
    count: int, off_hour: int, last: datetime, start: datetime, expected: int
) -> bool:
    """Whether a pollutant's hourly values prove every hour of ``start`` + ``expected`` h present.

    count: Values with data time in [start, start + 1 day) (one per data time).
    off_hour: How many of them are not at a whole hour. last: The latest data time.
    Whole-hour data times, distinct, all before start + ``expected`` hours, are at most
    ``expected``; as many as that means none is missing (``find_gaps`` finds no gap).
    """
    return off_hour == 0 and last < start + timedelta(hours=expected) and count == expected


def whole_hours_through(count: int, off_hour: int, last: datetime, start: datetime) -> bool:
    """Whether hourly values prove every whole hour from ``start`` through ``last`` present.

    count: Values with data time from ``start`` (a whole hour) on, one per data time.
    off_hour: How many of them are not at a whole hour. last: The latest data time.
    Distinct whole-hour data times from ``start`` through ``last`` are at most
    (last − start) / 1 h + 1; as many as that means none of those hours is missing.
    """
    return off_hour == 0 and count == (last - start) // timedelta(hours=1) + 1


@dataclass(frozen=True, slots=True)
class Connection:
    """Whether a point is online.

    last_seen: When its latest frame was received (None: never). offline: True when nothing
    came for longer than the threshold. silent_for: Time since ``last_seen`` (None: never).
    """

    last_seen: datetime | None
    offline: bool
    silent_for: timedelta | None


def connection_status(last_seen: datetime | None, now: datetime, after: timedelta) -> Connection:
    """Online or offline: offline when no frame arrived for longer than ``after``.

    last_seen: Reception time of the latest frame of the point, None if it never sent one.
    now: The time of the judgement. after: Silence allowed (a platform policy; HJ 212-2017
    sets the reporting intervals, not an offline threshold).
    """
    if last_seen is None:
        return Connection(None, True, None)
    silent = now - last_seen
    return Connection(last_seen, silent > after, silent)


@dataclass(frozen=True, slots=True)
class ValidityRate:
    """Transmission validity rate (有效传输率): valid records against expected records.

    valid: Expected records received with flag N. expected: Records expected.
    """

    valid: int
    expected: int

    @property
    def rate(self) -> float | None:
        """valid / expected [-]; None when nothing was expected."""
        # 有效传输率 = 传输率 × 有效率 = (received / expected) × (valid / received)
        #          = valid / expected.
        return None if self.expected == 0 else self.valid / self.expected

    @property
    def percent(self) -> float | None:
        """The rate [%]."""
        rate = self.rate
        return None if rate is None else rate * 100


def valid_record_count(
    readings: Iterable[Reading], start: datetime, end: datetime, interval: timedelta
) -> int:
    """Expected intervals in ``[start, end)`` holding at least one valid value."""
    count = expected_count(start, end, interval)
    slots = {slot_index(r.time, start, interval) for r in readings if r.valid}
    return sum(1 for s in slots if 0 <= s < count)


def point_validity(
    readings_by_pollutant: Mapping[str, Sequence[Reading]],
    pollutants: Iterable[str],
    start: datetime,
    end: datetime,
    interval: timedelta,
) -> ValidityRate:
    """Validity rate of a point: every monitored pollutant is expected once per interval.

    readings_by_pollutant: The point's values by pollutant code.
    pollutants: The pollutants the point must report; others are ignored.
    """
    codes = list(dict.fromkeys(pollutants))
    per_pollutant = expected_count(start, end, interval)
    valid = sum(
        valid_record_count(readings_by_pollutant.get(code, ()), start, end, interval)
        for code in codes
    )
    return ValidityRate(valid, per_pollutant * len(codes))


def combined_validity(rates: Iterable[ValidityRate]) -> ValidityRate:
    """Validity rate of several points (an enterprise): Σ valid / Σ expected.

    A point expected to send more records weighs more; this is not the mean of the rates.
    """
    valid = expected = 0
    for rate in rates:
        valid += rate.valid
        expected += rate.expected
    return ValidityRate(valid, expected)
