"""Progress of a plan target against its even-pace path (时序进度).

Pure functions: a target specification and a list of observations in, a
:class:`ProgressResult` out.

Number type: every quantity here is a ``float``. Indicator levels come from
statistics published with three or four significant figures and the outputs
are shares and rates shown to one decimal place, so binary floating point is
exact enough; comparisons use an absolute epsilon of ``EPSILON`` (1e-9) and no
other tolerance (a level 1e-6 short of its target is *not* met).

Periods are ``(year, quarter)`` with ``quarter`` ``None`` for a whole year. An
annual figure is dated at the end of its year, a quarterly figure at the end of
its quarter; quarterly figures are year-to-date values (for example year-to-date
energy intensity), as published by the statistics bureau.

Target kinds (:class:`TargetKind`):

- ``level_at_least``, ``count_at_least``, ``full_coverage``: observations are the
  indicator level, the target is the level to reach (``full_coverage``: 100 [%]
  unless ``target_value`` says otherwise).
- ``level_at_most``, ``elimination``: observations are levels (``elimination``:
  the count still remaining) that must fall to at most the target
  (``elimination``: 0 unless ``target_value`` says otherwise).
- ``decline_pct``: ``target_value`` is the decline from the base-year level
  [%]; observations are levels (e.g. energy intensity [tce/10^4 yuan]).
- ``cumulative_increase``: ``target_value`` is the total increase over the
  period; observations are cumulative since the base year (base implicitly 0).

How the plan words a target changes how it is judged (:class:`TargetSpec`):

- ``strict``: "超过30%" is met only strictly above the target level.
- ``wording`` (:class:`Wording`): ``firm`` (达到, 以上, 不低于) is met at the target level;
  ``strive`` (力争, 争取) is judged like ``firm`` but a shortfall is at most a yellow warning
  (``ecer.core.warning``); ``about`` (左右) is met within ``ABOUT_TOLERANCE_PCT`` of the
  target level on the wrong side; ``basically`` (基本) is met when ``BASICALLY_SHARE`` of the
  required change is achieved. These tolerances are this project's documented conventions:
  the plan defines none.
- ``every_year``: "稳定在…以上" holds in every year, so the required path is the target level
  itself in each year, not a ramp from the base.

References
----------
北海市“十四五”节能减排综合工作方案 (the plan), 二、主要目标 and 三、重点工程.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

EPSILON = 1e-9
"""Absolute tolerance of every comparison in this module [unit of the indicator]."""

Period = tuple[int, int | None]
"""``(year, quarter)``; ``quarter`` is 1..4 or ``None`` for the whole year."""


class TargetKind(StrEnum):
    LEVEL_AT_LEAST = "level_at_least"
    LEVEL_AT_MOST = "level_at_most"
    DECLINE_PCT = "decline_pct"
    CUMULATIVE_INCREASE = "cumulative_increase"
    COUNT_AT_LEAST = "count_at_least"
    FULL_COVERAGE = "full_coverage"
    ELIMINATION = "elimination"


class Wording(StrEnum):
    FIRM = "firm"
    STRIVE = "strive"
    ABOUT = "about"
    BASICALLY = "basically"


ABOUT_TOLERANCE_PCT = 5.0
"""A "左右" target is met within this share of its level on the wrong side [%] (convention)."""

BASICALLY_SHARE = 0.95
"""A "基本" target is met at this share of the required change achieved [-] (convention)."""


class ProgressStatus(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NO_DATA = "no_data"
    NO_BASE = "no_base"
    NOT_QUANTIFIED = "not_quantified"


# Kinds whose indicator must rise to the target; the others must fall to it.
_HIGHER_IS_BETTER = frozenset(
    {
        TargetKind.LEVEL_AT_LEAST,
        TargetKind.COUNT_AT_LEAST,
        TargetKind.FULL_COVERAGE,
        TargetKind.CUMULATIVE_INCREASE,
    }
)
# Kinds whose target is implied by the kind when ``target_value`` is None.
_IMPLIED_TARGET = {TargetKind.FULL_COVERAGE: 100.0, TargetKind.ELIMINATION: 0.0}


@dataclass(frozen=True)
class TargetSpec:
    """A quantified plan target.

    kind: What the target measures (:class:`TargetKind`).
    base_year: Base year of the plan period [year], e.g. 2020.
    target_year: Year by whose end the target is due [year], e.g. 2025.
    target_value: Level to reach [indicator unit], or decline [%] for
        ``decline_pct``, or total increase for ``cumulative_increase``; ``None``
        when the plan gives no figure (``full_coverage`` then means 100,
        ``elimination`` 0).
    base_value: Base-year level [indicator unit], used when no base-year
        observation is given; ``None`` if unknown.
    strict: Met only strictly beyond the target level ("超过").
    wording: How firmly the plan words the target (:class:`Wording`).
    every_year: The level must hold in every year ("稳定在…以上").
    """

    kind: TargetKind
    base_year: int
    target_year: int
    target_value: float | None
    base_value: float | None = None
    strict: bool = False
    wording: Wording = Wording.FIRM
    every_year: bool = False

    def __post_init__(self) -> None:
        if self.target_year <= self.base_year:
            raise ValueError(
                f"target_year {self.target_year} must be after base_year {self.base_year}"
            )
        object.__setattr__(self, "kind", TargetKind(self.kind))
        object.__setattr__(self, "wording", Wording(self.wording))

    @property
    def period_years(self) -> int:
        """Length of the plan period [years]."""
        return self.target_year - self.base_year

    @property
    def effective_target_value(self) -> float | None:
        """``target_value``, or the value implied by the kind, or ``None``."""
        if self.target_value is not None:
            return self.target_value
        return _IMPLIED_TARGET.get(self.kind)


@dataclass(frozen=True)
class Observation:
    """One observed value of the indicator.

    year: Calendar year [year].
    quarter: Quarter 1..4 for a year-to-date figure, ``None`` for the whole year.
    value: Observed level [indicator unit] (cumulative count for
        ``cumulative_increase``, remaining count for ``elimination``).
    """

    year: int
    quarter: int | None
    value: float

    def __post_init__(self) -> None:
        if self.quarter is not None and not 1 <= self.quarter <= 4:
            raise ValueError(f"quarter must be 1..4 or None, got {self.quarter}")
        if not math.isfinite(self.value):
            raise ValueError(f"observation {self.period} has a non-finite value {self.value}")

    @property
    def period(self) -> Period:
        return (self.year, self.quarter)


@dataclass(frozen=True)
class ProgressResult:
    """Progress of one target at the latest observation.

    kind: The target's kind.
    status: :class:`ProgressStatus`.
    latest: Latest observation at or before ``as_of``; ``None`` if there is none.
    base: Base-year level used [indicator unit] (0 for ``cumulative_increase``);
        ``None`` if unknown.
    target_level: Level the indicator must reach [indicator unit]
        (``base * (1 - D)`` for ``decline_pct``); ``None`` if it cannot be known.
    time_progress: Share of the plan period elapsed at the end of the latest
        observation's period [0..1]; ``None`` without an observation.
    completion: Share of the required change achieved [1 = 100 %], not clipped
        (negative when the indicator moved the wrong way); ``None`` when unknown
        or when the required change is zero.
    required_value: Even-pace path value for the latest period [indicator unit].
    gap_to_path: ``latest - required_value`` [indicator unit]. Positive means
        ahead of the path for kinds that must rise (level/count at least, full
        coverage, cumulative increase) and behind it for kinds that must fall
        (level at most, elimination, decline).
    achieved_decline_pct: Decline of the latest level from the base [%]
        (``decline_pct`` only; negative if the level rose).
    required_annual_decline_pct: Average annual decline still needed over the
        remaining years to reach the target [%/a] (``decline_pct`` only;
        negative when the level may rise and still meet it; ``None`` if no
        years remain).
    plan_annual_decline_pct: Average annual decline the plan implies over the
        whole period [%/a] (``decline_pct`` only).
    remaining_years: Years from the end of the latest period to the end of the
        target year [years], never negative.
    wording: The target's :class:`Wording` (the warning of a ``strive`` target is capped).
    """

    kind: TargetKind
    status: ProgressStatus
    latest: Observation | None
    base: float | None
    target_level: float | None
    time_progress: float | None
    completion: float | None
    required_value: float | None
    gap_to_path: float | None
    achieved_decline_pct: float | None
    required_annual_decline_pct: float | None
    plan_annual_decline_pct: float | None
    remaining_years: float | None
    wording: Wording = Wording.FIRM


def period_end(period: Period) -> float:
    """End of a period on a year axis where ``Y`` is the end of year ``Y`` [year].

    Quarter ``q`` of year ``Y`` ends at ``Y - 1 + q/4``.
    """
    year, quarter = period
    return float(year) if quarter is None else year - 1 + quarter / 4


def time_progress(base_year: int, target_year: int, period: Period) -> float:
    """Time progress (时序进度) at the end of ``period`` [0..1].

    elapsed / (target_year - base_year), elapsed = year - base_year for a year
    and year - base_year - 1 + quarter/4 for a quarter, clipped to [0, 1].
    """
    # 时序进度 = elapsed years / plan years (the usual 时间过半、任务过半 yardstick).
    elapsed = period_end(period) - base_year
    return min(1.0, max(0.0, elapsed / (target_year - base_year)))


def plan_annual_decline_pct(target_decline_pct: float, years: float) -> float:
    """Average annual decline rate implied by a decline over ``years`` [%/a].

    target_decline_pct: Decline over the whole period [%].
    years: Length of the period [years].
    """
    # Equal average annual rate r with (1 - r)^N = 1 - D (年均下降率).
    return (1.0 - math.pow(1.0 - target_decline_pct / 100.0, 1.0 / years)) * 100.0


def _sort_key(period: Period) -> tuple[int, int]:
    # The annual figure of a year is the latest figure of that year.
    year, quarter = period
    return (year, 5 if quarter is None else quarter)


def _path_value(spec: TargetSpec, base: float, target: float, progress: float) -> float:
    """Even-pace value at ``progress`` [0..1] of the period [indicator unit]."""
    if spec.every_year and spec.kind is not TargetKind.DECLINE_PCT:
        # "稳定在…以上" (plan 三(五)): the level is due in every year, not reached by a ramp.
        return target
    if spec.kind is TargetKind.DECLINE_PCT:
        # Equal-annual-rate path: level(t) = base * (1 - D)^(elapsed / N). Assumption: the
        # plan prescribes no interim path, so we use the constant 年均下降率 convention by
        # which the national 13th/14th FYP intensity targets (-15 %, -13.5 % over five
        # years) are split into annual targets.
        return base * math.pow(1.0 - target / 100.0, progress)
    # Levels, counts and cumulative totals: linear from the base (0 for cumulative).
    return base + (target - base) * progress


def required_path(
    spec: TargetSpec, base: float | None, periods: Iterable[Period] | None = None
) -> list[float]:
    """Even-pace path values for charts [indicator unit].

    spec: The target; must be quantified.
    base: Base-year level [indicator unit]; ignored (taken as 0) for
        ``cumulative_increase``, required otherwise.
    periods: Periods to evaluate; default each year ``base_year..target_year``.
    """
    target = spec.effective_target_value
    if target is None:
        raise ValueError("target is not quantified: no path")
    start = _base_for_path(spec, base)
    if periods is None:
        periods = [(year, None) for year in range(spec.base_year, spec.target_year + 1)]
    return [
        _path_value(spec, start, target, time_progress(spec.base_year, spec.target_year, p))
        for p in periods
    ]


def prorated_decline_pct(target_pct: float, base_year: int, target_year: int, year: int) -> float:
    """Cumulative decline due by ``year`` on the even-pace path to ``target_pct`` [%].

    target_pct: Decline required by ``target_year`` against ``base_year`` [%].
    """
    spec = TargetSpec(TargetKind.DECLINE_PCT, base_year, target_year, target_pct)
    # Path level with base 1 (constant annual decline rate), read back as a decline.
    [level] = required_path(spec, 1.0, [(year, None)])
    return (1.0 - level) * 100.0


def _base_for_path(spec: TargetSpec, base: float | None) -> float:
    if spec.kind is TargetKind.CUMULATIVE_INCREASE:
        return 0.0
    if base is None:
        raise ValueError(f"a {spec.kind} target needs a base value for its path")
    if spec.kind is TargetKind.DECLINE_PCT and base <= 0:
        raise ValueError(f"a decline_pct base must be positive, got {base}")
    return base


def _latest(observations: Sequence[Observation], as_of: Period | None) -> Observation | None:
    seen: set[Period] = set()
    for obs in observations:
        if obs.period in seen:
            raise ValueError(f"two observations for period {obs.period}")
        seen.add(obs.period)
    eligible = [o for o in observations if as_of is None or _sort_key(o.period) <= _sort_key(as_of)]
    return max(eligible, key=lambda o: _sort_key(o.period), default=None)


def _find_base(spec: TargetSpec, observations: Sequence[Observation]) -> float | None:
    if spec.kind is TargetKind.CUMULATIVE_INCREASE:
        return 0.0
    for obs in observations:
        if obs.period == (spec.base_year, None):
            return obs.value
    return spec.base_value


def _reached(kind: TargetKind, value: float, target_level: float, strict: bool = False) -> bool:
    # How far the value is beyond the level in the good direction.
    beyond = value - target_level if kind in _HIGHER_IS_BETTER else target_level - value
    return beyond > EPSILON if strict else beyond >= -EPSILON


def _met(spec: TargetSpec, value: float, target_level: float, base: float | None) -> bool:
    """Whether ``value`` meets the target as the plan words it (see the module docstring)."""
    if _reached(spec.kind, value, target_level, spec.strict):
        return True
    if spec.wording is Wording.ABOUT:
        # 左右: within ABOUT_TOLERANCE_PCT of the level on the wrong side.
        slack = abs(target_level) * ABOUT_TOLERANCE_PCT / 100
        loosened = target_level - slack if spec.kind in _HIGHER_IS_BETTER else target_level + slack
        return _reached(spec.kind, value, loosened)
    if spec.wording is Wording.BASICALLY and base is not None and target_level != base:
        # 基本: BASICALLY_SHARE of the required change (base -> target level) achieved.
        return (value - base) / (target_level - base) >= BASICALLY_SHARE - EPSILON
    return False


def evaluate(
    spec: TargetSpec, observations: Sequence[Observation], as_of: Period | None = None
) -> ProgressResult:
    """Evaluate a target at the latest observation at or before ``as_of``.

    spec: The target.
    observations: Observed values, any order, at most one per period; the
        annual observation of ``base_year`` (if any) is the base, else
        ``spec.base_value``.
    as_of: Ignore observations after this period; ``None`` uses all.

    Status: ``not_quantified`` without a target figure; ``no_data`` without an
    observation; ``met`` when the latest value reaches the target (level kinds
    report ``met`` even without a base); ``no_base`` when the base is needed but
    unknown; ``on_track`` when the latest value is at or better than the
    even-pace path before the target date; ``behind`` otherwise. Comparisons are exact up to
    ``EPSILON``.
    """
    latest = _latest(observations, as_of)
    base = _find_base(spec, observations)
    if spec.kind is TargetKind.DECLINE_PCT and base is not None and base <= 0:
        raise ValueError(f"a decline_pct base must be positive, got {base}")
    target = spec.effective_target_value
    years = spec.period_years
    is_decline = spec.kind is TargetKind.DECLINE_PCT
    plan_rate = (
        plan_annual_decline_pct(target, years) if is_decline and target is not None else None
    )

    if is_decline:
        target_level = None if base is None or target is None else base * (1 - target / 100)
    else:
        target_level = target

    progress = (
        None if latest is None else time_progress(spec.base_year, spec.target_year, latest.period)
    )
    remaining = None if latest is None else max(0.0, spec.target_year - period_end(latest.period))

    def result(status: ProgressStatus, **computed: float | None) -> ProgressResult:
        return ProgressResult(
            kind=spec.kind,
            status=status,
            latest=latest,
            base=base,
            target_level=target_level,
            time_progress=progress,
            completion=computed.get("completion"),
            required_value=computed.get("required_value"),
            gap_to_path=computed.get("gap_to_path"),
            achieved_decline_pct=computed.get("achieved_decline_pct"),
            required_annual_decline_pct=computed.get("required_annual_decline_pct"),
            plan_annual_decline_pct=plan_rate,
            remaining_years=remaining,
            wording=spec.wording,
        )

    if target is None:
        return result(ProgressStatus.NOT_QUANTIFIED)
    if latest is None or progress is None or remaining is None:
        return result(ProgressStatus.NO_DATA)
    met = target_level is not None and _met(spec, latest.value, target_level, base)
    if base is None and spec.every_year and target_level is not None:
        # A level due in every year is judged against itself; no base is needed.
        status = ProgressStatus.MET if met else ProgressStatus.BEHIND
        return result(status, required_value=target_level, gap_to_path=latest.value - target_level)
    if base is None:
        return result(ProgressStatus.MET if met else ProgressStatus.NO_BASE)
    assert target_level is not None  # known once the base is known

    required = _path_value(spec, base, target, progress)
    computed: dict[str, float | None] = {
        "required_value": required,
        "gap_to_path": latest.value - required,
    }
    if is_decline:
        achieved = (1 - latest.value / base) * 100
        computed["achieved_decline_pct"] = achieved
        # Share of the target decline achieved: achieved decline / target decline.
        computed["completion"] = achieved / target if target != 0 else None
        if remaining > EPSILON and latest.value > 0:
            # Remaining average annual rate r: latest * (1 - r)^remaining = base * (1 - D).
            computed["required_annual_decline_pct"] = (
                1 - math.pow(target_level / latest.value, 1 / remaining)
            ) * 100
    elif target_level != base:
        # Levels: (latest - base) / (target - base); cumulative (base 0): latest / target;
        # elimination (target 0): (base - remaining) / base.
        computed["completion"] = (latest.value - base) / (target_level - base)

    if met:
        status = ProgressStatus.MET
    elif remaining > EPSILON and _reached(spec.kind, latest.value, required):
        # On the path before the target date; at it, a target not met is behind (a value of
        # exactly 30 is on the path to "超过30%" but does not meet it).
        status = ProgressStatus.ON_TRACK
    else:
        status = ProgressStatus.BEHIND
    return result(status, **computed)


def against_budget(
    *, base_year: int, target_year: int, year: int, value: float, budget: float, passed: bool
) -> ProgressResult:
    """Progress of a total held to a yearly budget rather than to a path (能源消费总量, plan
    四(一): each year's total against that year's budget; ``passed`` when within it or exempt).

    value, budget: The year's total and its budget [indicator unit].
    Status: ``met`` in the target year and ``on_track`` before it when passed, else ``behind``.
    """
    latest = Observation(year, None, value)
    if passed:
        status = ProgressStatus.MET if year >= target_year else ProgressStatus.ON_TRACK
    else:
        status = ProgressStatus.BEHIND
    return ProgressResult(
        kind=TargetKind.LEVEL_AT_MOST,
        status=status,
        latest=latest,
        base=None,
        target_level=budget,
        time_progress=time_progress(base_year, target_year, latest.period),
        completion=None,
        required_value=budget,
        gap_to_path=value - budget,
        achieved_decline_pct=None,
        required_annual_decline_pct=None,
        plan_annual_decline_pct=None,
        remaining_years=max(0.0, target_year - period_end(latest.period)),
    )
