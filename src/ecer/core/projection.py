"""Outlook for an intensity target: required pace and a trend projection.

Numbers are ``float`` (see :mod:`ecer.core.energy`). Intensities are in [tce/10^4 yuan]
(any ratio works the same way, e.g. tCO2/10^4 yuan), rates in percent per year, where a
positive *decline* rate means the intensity falls.

* Required pace: the constant yearly decline ``r`` that takes the latest observed level
  ``I_n`` (year n) to the target level ``I*`` in the target year T:
  ``I_n x (1 - r)^(T - n) = I*``, so ``r = 1 - (I*/I_n)^(1/(T - n))``. A negative ``r``
  means the target is already met with room to spare.
* Trend: the average yearly change over the last ``k`` years is the geometric mean rate
  ``g = (I_n / I_(n-k))^(1/k) - 1`` (compound growth). It is extrapolated to the target year:
  ``I_T = I_n x (1 + g)^(T - n)``. If fewer than ``k`` years precede the latest observation,
  all available years are used (at least two observations are needed).
* Gap: at the planned GDP of the target year, projected energy minus the energy the target
  level allows: ``gap = (I_T - I*) x GDP_T`` [tce]. Positive means the trend overshoots the
  target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "IntensityOutlook",
    "Observation",
    "TrendProjection",
    "intensity_outlook",
    "project_trend",
    "required_annual_decline_pct",
]


@dataclass(frozen=True)
class Observation:
    """An observed yearly level.

    year: Calendar year.
    value: Intensity of that year [tce/10^4 yuan].
    """

    year: int
    value: float


def required_annual_decline_pct(
    current_level: float, current_year: int, target_level: float, target_year: int
) -> float:
    """Constant yearly decline needed to reach the target level [%/year].

    current_level: Latest observed level [tce/10^4 yuan].
    target_level: Level to reach in the target year [tce/10^4 yuan].
    """
    years = target_year - current_year
    if years <= 0:
        raise ValueError(f"target year {target_year} must be after the current year {current_year}")
    if not (current_level > 0 and target_level > 0):
        raise ValueError("levels must be > 0")
    # I_n x (1 - r)^(T - n) = I*  =>  r = 1 - (I*/I_n)^(1/(T - n)).
    return (1.0 - math.pow(target_level / current_level, 1.0 / years)) * 100.0


@dataclass(frozen=True)
class TrendProjection:
    """A level extrapolated from its recent trend.

    first_year: First year of the trend window.
    last_year: Latest observed year.
    years_used: Length of the window [years] (k, or fewer when the series is short).
    average_annual_change_pct: Geometric mean yearly change over the window [%/year].
    target_year: Year projected to.
    projected_value: Projected level in the target year [tce/10^4 yuan].
    """

    first_year: int
    last_year: int
    years_used: int
    average_annual_change_pct: float
    target_year: int
    projected_value: float


def _sorted_checked(observations: Sequence[Observation]) -> list[Observation]:
    series = sorted(observations, key=lambda o: o.year)
    years = [o.year for o in series]
    if len(set(years)) != len(years):
        raise ValueError(f"duplicate years in observations: {years}")
    if len(series) < 2:
        raise ValueError("a trend needs at least two observed years")
    for o in series:
        if not (math.isfinite(o.value) and o.value > 0):
            raise ValueError(f"observed level of {o.year} must be > 0, got {o.value}")
    return series


def project_trend(
    observations: Sequence[Observation], target_year: int, k: int = 3
) -> TrendProjection:
    """Extrapolate the average yearly change of the last ``k`` years to ``target_year``.

    observations: Yearly levels, any order, unique years (gaps allowed).
    k: Window length [years]; the window starts at the earliest observation within
        ``k`` years of the latest, so a short series uses what exists.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    series = _sorted_checked(observations)
    last = series[-1]
    if target_year < last.year:
        raise ValueError(f"target year {target_year} is before the latest year {last.year}")
    window = [o for o in series if o.year >= last.year - k]
    first = window[0] if len(window) >= 2 else series[-2]
    span = last.year - first.year
    # Geometric mean rate: g = (I_n / I_(n-k))^(1/k) - 1.
    rate = math.pow(last.value / first.value, 1.0 / span) - 1.0
    return TrendProjection(
        first_year=first.year,
        last_year=last.year,
        years_used=span,
        average_annual_change_pct=rate * 100.0,
        target_year=target_year,
        # I_T = I_n x (1 + g)^(T - n).
        projected_value=last.value * math.pow(1.0 + rate, target_year - last.year),
    )


@dataclass(frozen=True)
class IntensityOutlook:
    """Where an intensity target stands, with every intermediate figure.

    base_year: Base year of the target.
    base_intensity: Base-year intensity [tce/10^4 yuan].
    target_decline_pct: Cumulative decline required by the target year [%].
    target_year: Target year.
    target_intensity: Intensity allowed in the target year [tce/10^4 yuan].
    latest_year: Latest observed year.
    latest_intensity: Latest observed intensity [tce/10^4 yuan].
    achieved_decline_pct: Decline from base to latest year [%].
    required_annual_decline_pct: Yearly decline needed from now on [%/year].
    trend: Trend projection to the target year.
    projected_decline_pct: Decline from base to the projected target-year level [%].
    planned_gdp_10k_yuan: Planned GDP of the target year at base-year prices [10^4 yuan].
    projected_energy_tce: Projected intensity x planned GDP [tce].
    target_energy_tce: Target intensity x planned GDP [tce].
    projected_gap_tce: Projected minus target energy [tce]; > 0 means off track.
    on_track: The trend reaches the target level.
    """

    base_year: int
    base_intensity: float
    target_decline_pct: float
    target_year: int
    target_intensity: float
    latest_year: int
    latest_intensity: float
    achieved_decline_pct: float
    required_annual_decline_pct: float
    trend: TrendProjection
    projected_decline_pct: float
    planned_gdp_10k_yuan: float
    projected_energy_tce: float
    target_energy_tce: float
    projected_gap_tce: float
    on_track: bool


def intensity_outlook(
    observations: Sequence[Observation],
    *,
    base_year: int,
    target_decline_pct: float,
    target_year: int,
    planned_gdp_10k_yuan: float,
    k: int = 3,
) -> IntensityOutlook:
    """Required pace, trend projection and projected gap for an intensity-decline target.

    observations: Yearly intensities [tce/10^4 yuan] including the base year.
    target_decline_pct: Cumulative decline required by ``target_year`` against ``base_year``
        [%], e.g. 12.5 for the plan's 2025 target (plan 二、主要目标).
    planned_gdp_10k_yuan: Planned GDP of the target year at base-year prices [10^4 yuan].
    k: Trend window [years].
    """
    if not planned_gdp_10k_yuan > 0:
        raise ValueError(f"planned GDP must be > 0, got {planned_gdp_10k_yuan}")
    series = _sorted_checked(observations)
    by_year = {o.year: o.value for o in series}
    if base_year not in by_year:
        raise ValueError(f"no observation for the base year {base_year}")
    base = by_year[base_year]
    latest = series[-1]
    # Target level: I* = I_base x (1 - decline/100).
    target = base * (1.0 - target_decline_pct / 100.0)
    trend = project_trend([o for o in series if o.year >= base_year], target_year, k)
    projected_energy = trend.projected_value * planned_gdp_10k_yuan
    target_energy = target * planned_gdp_10k_yuan
    return IntensityOutlook(
        base_year=base_year,
        base_intensity=base,
        target_decline_pct=target_decline_pct,
        target_year=target_year,
        target_intensity=target,
        latest_year=latest.year,
        latest_intensity=latest.value,
        achieved_decline_pct=(1.0 - latest.value / base) * 100.0,
        required_annual_decline_pct=required_annual_decline_pct(
            latest.value, latest.year, target, target_year
        ),
        trend=trend,
        projected_decline_pct=(1.0 - trend.projected_value / base) * 100.0,
        planned_gdp_10k_yuan=planned_gdp_10k_yuan,
        projected_energy_tce=projected_energy,
        target_energy_tce=target_energy,
        projected_gap_tce=projected_energy - target_energy,
        on_track=trend.projected_value <= target,
    )
