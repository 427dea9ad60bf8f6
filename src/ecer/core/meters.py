"""Online energy meter readings: from readings to consumption, and the data-quality rules.

An enterprise-end system (接入端系统) uploads readings of its meters — a *cumulative*
register value (表底数) or the *interval* consumption of the period that ends at the
reading's time. This module turns them into consumption per interval, day and month, and
finds what a reviewer must see:

* ``gap`` — consecutive readings further apart than ``gap_factor`` × the expected interval;
* ``negative_increment`` — a cumulative register that went down (not a rollover), or a
  negative interval value; the interval is not counted;
* ``rollover`` — a register that wrapped past its maximum (``rollover_at``) is counted as
  ``rollover_at - previous + current`` and recorded;
* ``impossible_increment`` — more than ``max_rate_per_hour`` × hours in one interval;
* ``spike`` — an interval more than ``spike_factor`` × the median interval (at least
  ``spike_min_intervals`` intervals needed);
* ``incomplete`` — fewer readings than ``min_completeness`` of those expected in a period;
* ``report_mismatch`` — the annual report differs from the sum of online data by more than
  a tolerance.

Sources: GB/T 38692-2020 用能单位能耗在线监测技术要求 (monitoring scope and contents, 5.1/5.2:
consumption by energy type, collected through meters and gateways); the national platform's
upload data-quality requirements for key energy-consuming units (重点用能单位能耗在线监测系统上传
数据质量要求): completeness = uploaded / expected ≥ 90 %, and daily against monthly data within
5 %. The spike, rollover and impossible-increment rules are this project's, with their
thresholds as data in :class:`MeterPolicy`.

Times are timezone-aware; days and months are taken in the zone given (Beijing time for
Beihai). Consumption of an interval is booked to the day its *start* falls in, so the reading
at 00:00 closes the previous day.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import pairwise


class ReadingKind(StrEnum):
    CUMULATIVE = "cumulative"
    INTERVAL = "interval"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Reading:
    """One reading: a register value or the consumption of the interval ending at ``time``."""

    time: datetime
    value: float


@dataclass(frozen=True)
class MeterPolicy:
    """Thresholds of the data-quality rules (defaults documented in the module docstring).

    expected_interval: Time between two readings [-].
    gap_factor: A gap is a spacing above this many expected intervals [-].
    rollover_at: Register maximum after which a cumulative meter restarts at 0; None if the
        meter never wraps [meter unit].
    max_rate_per_hour: Physically possible consumption per hour, e.g. from the connection
        capacity; None to skip the rule [meter unit/h].
    spike_factor: A spike is an interval above this many times the median interval [-].
    spike_min_intervals: Intervals needed before spikes are judged [-].
    min_completeness: Share of expected readings a period must have [0..1].
    """

    expected_interval: timedelta = timedelta(hours=1)
    gap_factor: float = 1.5
    rollover_at: float | None = None
    max_rate_per_hour: float | None = None
    spike_factor: float = 10.0
    spike_min_intervals: int = 6
    min_completeness: float = 0.9


@dataclass(frozen=True)
class Finding:
    """One data-quality finding with the figures that triggered it."""

    rule: str
    severity: Severity
    at: datetime | None
    message_zh: str
    figures: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Interval:
    """Consumption between ``start`` and ``end`` [meter unit]."""

    start: datetime
    end: datetime
    quantity: float


@dataclass(frozen=True)
class MeterSeries:
    intervals: tuple[Interval, ...]
    findings: tuple[Finding, ...]


def _sorted_unique(readings: Iterable[Reading]) -> list[Reading]:
    by_time: dict[datetime, Reading] = {}
    for r in readings:
        by_time.setdefault(r.time, r)
    return [by_time[t] for t in sorted(by_time)]


def consumption(
    readings: Iterable[Reading], kind: ReadingKind, policy: MeterPolicy = MeterPolicy()
) -> MeterSeries:
    """Intervals and findings from readings in any order (repeats of a time count once)."""
    ordered = _sorted_unique(readings)
    intervals: list[Interval] = []
    findings: list[Finding] = []
    step = policy.expected_interval
    for previous, current in pairwise(ordered):
        spacing = current.time - previous.time
        if spacing > step * policy.gap_factor:
            missing = round(spacing / step) - 1
            findings.append(
                Finding(
                    "gap",
                    Severity.WARNING,
                    previous.time,
                    f"{_t(previous.time)} 至 {_t(current.time)} 之间缺少约 {missing} 个读数",
                    {"missing": float(missing), "hours": spacing.total_seconds() / 3600},
                )
            )
    if kind is ReadingKind.CUMULATIVE:
        for previous, current in pairwise(ordered):
            quantity = _increment(previous, current, policy, findings)
            if quantity is not None:
                intervals.append(Interval(previous.time, current.time, quantity))
    else:
        for r in ordered:
            if r.value < 0:
                findings.append(
                    Finding(
                        "negative_increment",
                        Severity.ERROR,
                        r.time,
                        f"{_t(r.time)} 的时段用量为负数（{r.value:g}），未计入",
                        {"value": r.value},
                    )
                )
                continue
            intervals.append(Interval(r.time - step, r.time, r.value))
    checked = [i for i in intervals if _possible(i, policy, findings)]
    findings.extend(_spikes(checked, policy))
    findings.sort(key=lambda f: (f.at is None, f.at.timestamp() if f.at else 0.0))
    return MeterSeries(tuple(checked), tuple(findings))


def _increment(
    previous: Reading, current: Reading, policy: MeterPolicy, findings: list[Finding]
) -> float | None:
    delta = current.value - previous.value
    if delta >= 0:
        return delta
    top = policy.rollover_at
    # A wrap: the register was in its top tenth and restarted in its bottom tenth.
    if top is not None and previous.value >= 0.9 * top and 0 <= current.value <= 0.1 * top:
        wrapped = top - previous.value + current.value
        findings.append(
            Finding(
                "rollover",
                Severity.INFO,
                current.time,
                f"{_t(current.time)} 表底数归零（满量程 {top:g}），按 {wrapped:g} 计",
                {"previous": previous.value, "current": current.value, "counted": wrapped},
            )
        )
        return wrapped
    findings.append(
        Finding(
            "negative_increment",
            Severity.ERROR,
            current.time,
            f"{_t(current.time)} 表底数由 {previous.value:g} 降至 {current.value:g}，该时段未计入",
            {"previous": previous.value, "current": current.value},
        )
    )
    return None


def _possible(interval: Interval, policy: MeterPolicy, findings: list[Finding]) -> bool:
    if policy.max_rate_per_hour is None:
        return True
    hours = (interval.end - interval.start).total_seconds() / 3600
    limit = policy.max_rate_per_hour * hours
    if interval.quantity <= limit:
        return True
    findings.append(
        Finding(
            "impossible_increment",
            Severity.ERROR,
            interval.end,
            f"{_t(interval.start)} 至 {_t(interval.end)} 用量 {interval.quantity:g} 超过可能的"
            f"最大值 {limit:g}，未计入",
            {"quantity": interval.quantity, "limit": limit},
        )
    )
    return False


def _spikes(intervals: Sequence[Interval], policy: MeterPolicy) -> list[Finding]:
    if len(intervals) < policy.spike_min_intervals:
        return []
    median = statistics.median(i.quantity for i in intervals)
    if median <= 0:
        return []
    line = policy.spike_factor * median
    return [
        Finding(
            "spike",
            Severity.WARNING,
            i.end,
            f"{_t(i.start)} 至 {_t(i.end)} 用量 {i.quantity:g}，是中位数 {median:g} 的"
            f" {i.quantity / median:.1f} 倍",
            {"quantity": i.quantity, "median": median},
        )
        for i in intervals
        if i.quantity > line
    ]


def daily_totals(intervals: Iterable[Interval], tz: tzinfo) -> dict[date, float]:
    """Consumption per local day, each interval booked to the day of its start."""
    totals: dict[date, list[float]] = {}
    for i in intervals:
        totals.setdefault(i.start.astimezone(tz).date(), []).append(i.quantity)
    return {d: math.fsum(v) for d, v in sorted(totals.items())}


def monthly_totals(intervals: Iterable[Interval], tz: tzinfo) -> dict[tuple[int, int], float]:
    """Consumption per local (year, month)."""
    totals: dict[tuple[int, int], list[float]] = {}
    for i in intervals:
        local = i.start.astimezone(tz)
        totals.setdefault((local.year, local.month), []).append(i.quantity)
    return {m: math.fsum(v) for m, v in sorted(totals.items())}


def completeness(
    readings: Iterable[Reading],
    start: datetime,
    end: datetime,
    policy: MeterPolicy,
    *,
    label: str = "",
) -> Finding | None:
    """``incomplete`` when [start, end) has fewer readings than ``min_completeness`` of those
    expected (national upload requirement: uploaded / expected >= 90 %)."""
    expected = (end - start) // policy.expected_interval
    if expected <= 0:
        raise ValueError("the period must hold at least one expected reading")
    received = len({r.time for r in readings if start <= r.time < end})
    share = received / expected
    if share >= policy.min_completeness:
        return None
    return Finding(
        "incomplete",
        Severity.WARNING,
        start,
        f"{label}{_t(start)} 至 {_t(end)} 应有 {expected} 个读数，实收 {received} 个（{share:.0%}，"
        f"要求不低于 {policy.min_completeness:.0%}）",
        {"expected": float(expected), "received": float(received), "share": share},
    )


def report_mismatch(
    reported: float, online: float, *, tolerance: float, label: str
) -> Finding | None:
    """``report_mismatch`` when the reported figure differs from the online sum by more than
    ``tolerance`` of the reported figure [both in the same unit]."""
    if reported <= 0 and online <= 0:
        return None
    base = reported if reported > 0 else online
    difference = (online - reported) / base
    if abs(difference) <= tolerance:
        return None
    return Finding(
        "report_mismatch",
        Severity.ERROR,
        None,
        f"{label}：年报 {reported:,.1f}，在线监测合计 {online:,.1f}，相差 {difference:+.1%}"
        f"（允许 ±{tolerance:.0%}）",
        {"reported": reported, "online": online, "difference": difference},
    )


def _t(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
