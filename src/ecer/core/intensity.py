"""Energy intensity against GDP at comparable prices, deductions, dual targets and budgets.

Numbers are ``float`` (see :mod:`ecer.core.energy`). Energy is in tonnes of standard coal
[tce], GDP in 10^4 yuan at comparable (base-year) prices, intensity in [tce/10^4 yuan] and
declines in percent (a decline of 12.5 means the level fell by 12.5 %).

GDP at comparable prices is never nominal GDP of the later year: it is the base year's
nominal GDP chained with the yearly GDP indices (previous year = 100) published by the
statistics bureau, so that an index of 108.2 means real growth of 8.2 %.

The rules follow 北海市“十四五”节能减排综合工作方案, section 四(一) 落实能耗双控制度:

* 对各县（区）“十四五”能耗强度降低实行基本目标和激励目标双目标管理 -> :class:`DualTarget`.
* 各县（区）根据地区生产总值增速目标和能耗强度降低基本目标确定年度能源消费总量目标
  -> :func:`annual_energy_budget`.
* 经济增速超过预期目标的县（区）可相应调整能源消费总量目标 -> :func:`adjust_energy_budget`.
* 对能耗强度降低达到市级下达的激励目标的县（区），其能源消费总量在当期能源消耗总量和强度考核中
  免于考核 -> :func:`assess_dual_target` and :func:`assess_total_consumption`.
* “十四五”时期原料用能和可再生能源消费不纳入能源消耗总量和强度考核; 国家重大项目能耗单列
  -> :func:`assessed_consumption`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "AssessedConsumption",
    "BudgetAdjustment",
    "DualTarget",
    "DualTargetResult",
    "EnergyBudget",
    "IntensityDecline",
    "TargetAttainment",
    "TotalConsumptionAssessment",
    "adjust_energy_budget",
    "annual_energy_budget",
    "assess_dual_target",
    "assess_total_consumption",
    "assessed_consumption",
    "comparable_gdp",
    "comparable_gdp_series",
    "decline_pct",
    "energy_intensity",
    "intensity_decline",
]


def _check_indices(yearly_indices: Sequence[float]) -> None:
    for index in yearly_indices:
        if not (math.isfinite(index) and index > 0):
            raise ValueError(f"a GDP index must be > 0 (previous year = 100), got {index}")


def comparable_gdp_series(base_gdp_10k_yuan: float, yearly_indices: Sequence[float]) -> list[float]:
    """GDP of each following year at base-year prices [10^4 yuan].

    base_gdp_10k_yuan: Nominal GDP of the base year [10^4 yuan].
    yearly_indices: GDP index of each following year, previous year = 100 (e.g. 108.2).
    Returns one value per index; element k is year base+k+1.
    """
    if not base_gdp_10k_yuan > 0:
        raise ValueError(f"base GDP must be > 0, got {base_gdp_10k_yuan}")
    _check_indices(yearly_indices)
    series: list[float] = []
    level = base_gdp_10k_yuan
    for index in yearly_indices:
        # Chained volume: GDP_t (base-year prices) = GDP_{t-1} x index_t / 100.
        level = level * index / 100.0
        series.append(level)
    return series


def comparable_gdp(base_gdp_10k_yuan: float, yearly_indices: Sequence[float]) -> float:
    """GDP of the last year of ``yearly_indices`` at base-year prices [10^4 yuan].

    With no indices, the base GDP itself.
    """
    series = comparable_gdp_series(base_gdp_10k_yuan, yearly_indices)
    return series[-1] if series else base_gdp_10k_yuan


def energy_intensity(energy_tce: float, comparable_gdp_10k_yuan: float) -> float:
    """Energy per unit of GDP at comparable prices [tce/10^4 yuan]."""
    if not comparable_gdp_10k_yuan > 0:
        raise ValueError(f"GDP must be > 0, got {comparable_gdp_10k_yuan}")
    if energy_tce < 0:
        raise ValueError(f"energy must be >= 0, got {energy_tce}")
    # Plan 二: 单位地区生产总值能源消耗 = energy / GDP at comparable prices.
    return energy_tce / comparable_gdp_10k_yuan


def decline_pct(base_level: float, level: float) -> float:
    """Decline of a level against a base level [%]; negative when the level rose."""
    if not base_level > 0:
        raise ValueError(f"base level must be > 0, got {base_level}")
    return (1.0 - level / base_level) * 100.0


@dataclass(frozen=True)
class IntensityDecline:
    """Intensity of a year against the base year, with every intermediate figure.

    base_energy_tce: Base-year energy [tce].
    base_gdp_10k_yuan: Base-year nominal GDP [10^4 yuan].
    base_intensity: Base-year intensity [tce/10^4 yuan].
    energy_tce: Energy of the year [tce].
    gdp_index_product: Product of the yearly indices / 100 since the base year [-].
    comparable_gdp_10k_yuan: GDP of the year at base-year prices [10^4 yuan].
    intensity: Intensity of the year [tce/10^4 yuan].
    decline_pct: Cumulative decline against the base year [%].
    """

    base_energy_tce: float
    base_gdp_10k_yuan: float
    base_intensity: float
    energy_tce: float
    gdp_index_product: float
    comparable_gdp_10k_yuan: float
    intensity: float
    decline_pct: float


def intensity_decline(
    base_energy_tce: float,
    base_gdp_10k_yuan: float,
    energy_tce: float,
    yearly_indices_since_base: Sequence[float],
) -> IntensityDecline:
    """Cumulative intensity decline of a year against the base year (e.g. 2020).

    base_energy_tce: Base-year energy [tce].
    base_gdp_10k_yuan: Base-year nominal GDP [10^4 yuan].
    energy_tce: Energy of the year [tce] (gross or assessed: pass the same kind as the base).
    yearly_indices_since_base: GDP indices of each year after the base up to the year
        (previous year = 100).
    """
    base_intensity = energy_intensity(base_energy_tce, base_gdp_10k_yuan)
    gdp = comparable_gdp(base_gdp_10k_yuan, yearly_indices_since_base)
    intensity = energy_intensity(energy_tce, gdp)
    return IntensityDecline(
        base_energy_tce=base_energy_tce,
        base_gdp_10k_yuan=base_gdp_10k_yuan,
        base_intensity=base_intensity,
        energy_tce=energy_tce,
        gdp_index_product=gdp / base_gdp_10k_yuan,
        comparable_gdp_10k_yuan=gdp,
        intensity=intensity,
        decline_pct=decline_pct(base_intensity, intensity),
    )


@dataclass(frozen=True)
class AssessedConsumption:
    """Gross energy consumption and the consumption counted in the dual-control assessment.

    gross_tce: Total energy consumption [tce].
    raw_material_tce: Energy used as raw material (原料用能) [tce].
    renewable_tce: Renewable energy consumption (可再生能源消费) [tce].
    separately_listed_tce: Consumption of separately listed major projects (重大项目能耗单列) [tce].
    deducted_tce: Sum of the three deductions [tce].
    assessed_tce: Gross minus deductions [tce].
    """

    gross_tce: float
    raw_material_tce: float
    renewable_tce: float
    separately_listed_tce: float
    deducted_tce: float
    assessed_tce: float


def assessed_consumption(
    gross_tce: float,
    *,
    raw_material_tce: float = 0.0,
    renewable_tce: float = 0.0,
    separately_listed_tce: float = 0.0,
) -> AssessedConsumption:
    """Split gross consumption into deductions and the assessed figure.

    All arguments [tce], each >= 0; the deductions together may not exceed the gross figure.
    """
    parts = {
        "gross_tce": gross_tce,
        "raw_material_tce": raw_material_tce,
        "renewable_tce": renewable_tce,
        "separately_listed_tce": separately_listed_tce,
    }
    for name, value in parts.items():
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be finite and >= 0, got {value}")
    deducted = math.fsum((raw_material_tce, renewable_tce, separately_listed_tce))
    if deducted > gross_tce:
        raise ValueError(f"deductions ({deducted} tce) exceed gross consumption ({gross_tce} tce)")
    # Plan 四(一): 原料用能和可再生能源消费不纳入考核; 国家重大项目能耗单列.
    return AssessedConsumption(
        gross_tce=gross_tce,
        raw_material_tce=raw_material_tce,
        renewable_tce=renewable_tce,
        separately_listed_tce=separately_listed_tce,
        deducted_tce=deducted,
        assessed_tce=gross_tce - deducted,
    )


@dataclass(frozen=True)
class DualTarget:
    """A district's two intensity-decline targets (双目标管理, plan 四(一)).

    basic_decline_pct: Basic target, cumulative decline against the base year [%].
    incentive_decline_pct: Incentive target [%]; at least the basic target.
    """

    basic_decline_pct: float
    incentive_decline_pct: float

    def __post_init__(self) -> None:
        if self.incentive_decline_pct < self.basic_decline_pct:
            raise ValueError(
                f"incentive target ({self.incentive_decline_pct} %) is below the basic "
                f"target ({self.basic_decline_pct} %)"
            )


class TargetAttainment(StrEnum):
    """Which of the two targets a district met."""

    INCENTIVE = "incentive"
    BASIC = "basic"
    NONE = "none"

    @property
    def label_zh(self) -> str:
        """Chinese label for pages."""
        return {"incentive": "达到激励目标", "basic": "达到基本目标", "none": "未达到基本目标"}[
            self.value
        ]


@dataclass(frozen=True)
class DualTargetResult:
    """Outcome of a district against its dual target.

    actual_decline_pct: Achieved cumulative intensity decline [%].
    basic_decline_pct: Basic target [%].
    incentive_decline_pct: Incentive target [%].
    gap_to_basic_pct: Actual minus basic target [percentage points].
    gap_to_incentive_pct: Actual minus incentive target [percentage points].
    attainment: Highest target met.
    exempt_from_total_assessment: True when the incentive target is met (plan 四(一)).
    """

    actual_decline_pct: float
    basic_decline_pct: float
    incentive_decline_pct: float
    gap_to_basic_pct: float
    gap_to_incentive_pct: float
    attainment: TargetAttainment
    exempt_from_total_assessment: bool


def assess_dual_target(actual_decline_pct: float, target: DualTarget) -> DualTargetResult:
    """Which target a district met and whether its total consumption is exempt.

    actual_decline_pct: Achieved cumulative intensity decline [%].
    """
    if actual_decline_pct >= target.incentive_decline_pct:
        attainment = TargetAttainment.INCENTIVE
    elif actual_decline_pct >= target.basic_decline_pct:
        attainment = TargetAttainment.BASIC
    else:
        attainment = TargetAttainment.NONE
    return DualTargetResult(
        actual_decline_pct=actual_decline_pct,
        basic_decline_pct=target.basic_decline_pct,
        incentive_decline_pct=target.incentive_decline_pct,
        gap_to_basic_pct=actual_decline_pct - target.basic_decline_pct,
        gap_to_incentive_pct=actual_decline_pct - target.incentive_decline_pct,
        attainment=attainment,
        # Plan 四(一): 达到激励目标的县（区），其能源消费总量在当期考核中免于考核.
        exempt_from_total_assessment=attainment is TargetAttainment.INCENTIVE,
    )


@dataclass(frozen=True)
class EnergyBudget:
    """Annual total-consumption target of a district (年度能源消费总量目标).

    base_intensity: Base-year intensity [tce/10^4 yuan].
    basic_decline_pct: Cumulative basic intensity decline to the budget year [%].
    target_intensity: Intensity allowed in the budget year [tce/10^4 yuan].
    planned_growth_pct: Planned real GDP growth of each year after the base [%].
    planned_gdp_10k_yuan: Planned GDP of the budget year at base-year prices [10^4 yuan].
    budget_tce: Target intensity x planned GDP [tce].
    """

    base_intensity: float
    basic_decline_pct: float
    target_intensity: float
    planned_growth_pct: tuple[float, ...]
    planned_gdp_10k_yuan: float
    budget_tce: float


def _indices(growth_pct: Sequence[float]) -> list[float]:
    return [100.0 + g for g in growth_pct]


def annual_energy_budget(
    base_energy_tce: float,
    base_gdp_10k_yuan: float,
    planned_growth_pct: Sequence[float],
    basic_decline_pct: float,
) -> EnergyBudget:
    """Total-consumption budget of the year reached by ``planned_growth_pct``.

    base_energy_tce: Base-year energy [tce].
    base_gdp_10k_yuan: Base-year nominal GDP [10^4 yuan].
    planned_growth_pct: Planned real GDP growth of each year from the base to the budget
        year [%], e.g. ``[7.5, 7.0]`` for the second year after the base.
    basic_decline_pct: Cumulative basic intensity decline required by the budget year [%].
    """
    base_intensity = energy_intensity(base_energy_tce, base_gdp_10k_yuan)
    target_intensity = base_intensity * (1.0 - basic_decline_pct / 100.0)
    planned_gdp = comparable_gdp(base_gdp_10k_yuan, _indices(planned_growth_pct))
    return EnergyBudget(
        base_intensity=base_intensity,
        basic_decline_pct=basic_decline_pct,
        target_intensity=target_intensity,
        planned_growth_pct=tuple(planned_growth_pct),
        planned_gdp_10k_yuan=planned_gdp,
        # Plan 四(一): 根据地区生产总值增速目标和能耗强度降低基本目标确定年度能源消费总量目标.
        budget_tce=target_intensity * planned_gdp,
    )


@dataclass(frozen=True)
class BudgetAdjustment:
    """A budget recomputed with actual GDP when growth beat the plan.

    planned_gdp_10k_yuan: Planned GDP at base-year prices [10^4 yuan].
    actual_gdp_10k_yuan: Actual GDP at base-year prices [10^4 yuan].
    planned_budget_tce: Budget from planned GDP [tce].
    adjusted: True when actual GDP exceeded planned GDP.
    adjusted_budget_tce: Budget in force [tce].
    adjustment_tce: Adjusted minus planned budget [tce]; 0 when not adjusted.
    """

    planned_gdp_10k_yuan: float
    actual_gdp_10k_yuan: float
    planned_budget_tce: float
    adjusted: bool
    adjusted_budget_tce: float
    adjustment_tce: float


def adjust_energy_budget(
    budget: EnergyBudget,
    base_gdp_10k_yuan: float,
    actual_indices: Sequence[float],
) -> BudgetAdjustment:
    """Recompute a budget with actual GDP if the economy grew faster than planned.

    Rule (plan 四(一)): 经济增速超过预期目标的县（区）可相应调整能源消费总量目标. Growth is
    compared cumulatively, as GDP at base-year prices in the budget year; when it beats the
    plan the budget becomes target intensity x actual GDP. The clause allows only an upward
    adjustment, so slower growth leaves the budget unchanged.

    base_gdp_10k_yuan: Base-year nominal GDP [10^4 yuan], the same as for the budget.
    actual_indices: Actual GDP indices (previous year = 100) of the same years as the plan.
    """
    if len(actual_indices) != len(budget.planned_growth_pct):
        raise ValueError(
            f"{len(actual_indices)} actual indices for "
            f"{len(budget.planned_growth_pct)} planned years"
        )
    actual_gdp = comparable_gdp(base_gdp_10k_yuan, actual_indices)
    adjusted = actual_gdp > budget.planned_gdp_10k_yuan
    new_budget = budget.target_intensity * actual_gdp if adjusted else budget.budget_tce
    return BudgetAdjustment(
        planned_gdp_10k_yuan=budget.planned_gdp_10k_yuan,
        actual_gdp_10k_yuan=actual_gdp,
        planned_budget_tce=budget.budget_tce,
        adjusted=adjusted,
        adjusted_budget_tce=new_budget,
        adjustment_tce=new_budget - budget.budget_tce,
    )


@dataclass(frozen=True)
class TotalConsumptionAssessment:
    """Total-consumption assessment of a district for one period.

    assessed_tce: Assessed consumption (after deductions) [tce].
    budget_tce: Budget in force (after any adjustment) [tce].
    margin_tce: Budget minus assessed consumption [tce]; negative when over budget.
    within_budget: Assessed consumption does not exceed the budget.
    exempt: Exempt because the incentive intensity target was met (plan 四(一)).
    passed: Exempt or within budget.
    """

    assessed_tce: float
    budget_tce: float
    margin_tce: float
    within_budget: bool
    exempt: bool
    passed: bool


def assess_total_consumption(
    consumption: AssessedConsumption,
    budget_tce: float,
    dual_target: DualTargetResult,
) -> TotalConsumptionAssessment:
    """Assess total consumption against the budget, honouring the incentive exemption."""
    within = consumption.assessed_tce <= budget_tce
    exempt = dual_target.exempt_from_total_assessment
    return TotalConsumptionAssessment(
        assessed_tce=consumption.assessed_tce,
        budget_tce=budget_tce,
        margin_tce=budget_tce - consumption.assessed_tce,
        within_budget=within,
        exempt=exempt,
        passed=exempt or within,
    )
