"""What-if review of a project against an area's energy budget and dual-control lights.

Plan 四(一): 推动科学有序实行用能预算管理 … 统筹能耗要素指标支持单位能耗产出率高的高质量项目建设
(the "四最" orientation), and 争取国家重大项目能耗单列. Plan 四(三): the 两高一低 work list.
This module answers, for one area (a district or the city) and each year of the plan left
after the latest observed year: what do the assessed consumption, the assessed intensity,
the annual budget and the two warning lights look like without a candidate project, with it
counted in the assessment, and with it separately listed (单列, deducted)?

Numbers are ``float`` (see :mod:`ecer.core.energy`): energy [tce], GDP and value added
[10^4 yuan at base-year prices], intensity [tce/10^4 yuan], declines [%].

The projection of the remaining years is the budget view of 用能预算管理, each assumption
written down once:

* Existing users (存量) keep the assessed consumption of the latest observed year.
* The existing economy grows at the area's planned real growth rate from the latest observed
  comparable GDP: ``GDP_y = GDP_n x (1 + g)^(y - n)``.
* A project (增量) adds, from its first full year of operation, its annual comprehensive
  energy consumption to gross consumption, and to assessed consumption unless it is
  separately listed; and it adds its expected annual value added to GDP (taken at base-year
  prices, on top of the planned growth of the existing economy).
* A release (节能挖潜: a running project ordered to exit, or a rectification that saves
  energy, plan 四(一) 用能预算与节能挖潜, 四(三) 坚决拿下不符合要求的两高一低项目) is a load with
  negative energy (and, for an exit, negative value added) from the first year after its
  deadline.
* The budget of year y is :func:`ecer.core.intensity.annual_energy_budget` with the basic
  target prorated to y on the even-pace path (:func:`ecer.core.progress.prorated_decline_pct`),
  raised with :func:`ecer.core.intensity.adjust_energy_budget` when the projected GDP beats the
  plan — exactly as the dual-control page computes an observed year.
* The intensity light of year y is :func:`ecer.core.warning.intensity_warning` of the series
  observed and projected up to y; the total light is :func:`ecer.core.warning.total_warning`
  of the year's assessed consumption against its budget (a full year, time progress 1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ecer.core import intensity as core_intensity
from ecer.core import progress as core_progress
from ecer.core import warning as core_warning

__all__ = [
    "AreaHistory",
    "AreaReview",
    "Light",
    "LightChange",
    "ProjectLoad",
    "RankedProject",
    "Scenario",
    "YearOutlook",
    "budget_headroom",
    "level_rank",
    "light_changes",
    "project_area",
    "rank_by_value_added_per_tce",
    "review",
    "value_added_per_tce",
]


@dataclass(frozen=True)
class ProjectLoad:
    """What a project adds to its area each year once it runs.

    key: Identifier of the project (any string; used to name it in results).
    energy_tce: Annual comprehensive energy consumption [tce], on the area's electricity basis;
        negative for a release (an exit or an energy saving).
    value_added_10k_yuan: Expected annual value added [10^4 yuan, base-year prices]; negative
        when an exiting project's output is lost.
    first_year: First full year of operation.
    separately_listed: Deducted from the assessment as a separately listed major project (单列).
    """

    key: str
    energy_tce: float
    value_added_10k_yuan: float
    first_year: int
    separately_listed: bool = False

    def __post_init__(self) -> None:
        for name in ("energy_tce", "value_added_10k_yuan"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ValueError(f"{name} of project {self.key!r} must be finite, got {value}")

    @property
    def is_release(self) -> bool:
        return self.energy_tce < 0


@dataclass(frozen=True)
class AreaHistory:
    """An area's observed years and its dual-control targets.

    base_year, target_year: The plan period, e.g. 2020 and 2025.
    assessed_tce: Assessed consumption of each observed year from the base year on [tce].
    base_gdp_10k_yuan: Nominal GDP of the base year [10^4 yuan].
    gdp_indices: GDP index of each observed year after the base (previous year = 100).
    basic_decline_pct, incentive_decline_pct: Targets by the target year [%].
    planned_growth_pct: Planned real GDP growth per year [%].
    """

    base_year: int
    target_year: int
    assessed_tce: tuple[float, ...]
    base_gdp_10k_yuan: float
    gdp_indices: tuple[float, ...]
    basic_decline_pct: float
    incentive_decline_pct: float
    planned_growth_pct: float

    def __post_init__(self) -> None:
        if not self.assessed_tce:
            raise ValueError("an area history needs at least its base year")
        if len(self.gdp_indices) != len(self.assessed_tce) - 1:
            raise ValueError(
                f"{len(self.assessed_tce)} consumption figures need "
                f"{len(self.assessed_tce) - 1} GDP indices, got {len(self.gdp_indices)}"
            )
        if self.latest_year > self.target_year:
            raise ValueError(f"observed years run past the target year {self.target_year}")
        core_intensity.DualTarget(self.basic_decline_pct, self.incentive_decline_pct)

    @property
    def latest_year(self) -> int:
        return self.base_year + len(self.assessed_tce) - 1

    @property
    def comparable_gdp_10k_yuan(self) -> tuple[float, ...]:
        """GDP of each observed year at base-year prices [10^4 yuan]."""
        return (
            self.base_gdp_10k_yuan,
            *core_intensity.comparable_gdp_series(self.base_gdp_10k_yuan, self.gdp_indices),
        )

    @property
    def remaining_years(self) -> tuple[int, ...]:
        return tuple(range(self.latest_year + 1, self.target_year + 1))


class Light(StrEnum):
    """The two lights of dual control."""

    INTENSITY = "intensity"
    TOTAL = "total"


_LEVEL_ORDER = {
    core_warning.WarningLevel.UNKNOWN: -1,
    core_warning.WarningLevel.GREEN: 0,
    core_warning.WarningLevel.YELLOW: 1,
    core_warning.WarningLevel.RED: 2,
}


def level_rank(level: core_warning.WarningLevel) -> int:
    """Severity of a warning level: green 0 < yellow 1 < red 2 (unknown -1)."""
    return _LEVEL_ORDER[level]


@dataclass(frozen=True)
class YearOutlook:
    """One projected year of one scenario.

    year: Calendar year.
    gdp_10k_yuan: Projected GDP at base-year prices [10^4 yuan].
    existing_tce: Assessed consumption of existing users [tce].
    projects_tce: Consumption of the projects running that year, assessed or not [tce].
    released_tce: Consumption given up by exits and savings that year [tce], >= 0.
    separately_listed_tce: Net consumption of separately listed loads, deducted (单列) [tce].
    assessed_tce: existing + projects - released - separately listed [tce].
    intensity: Assessed intensity [tce/10^4 yuan].
    decline_pct: Cumulative decline of the assessed intensity since the base year [%].
    basic_due_pct, incentive_due_pct: Targets prorated to the year [%].
    budget: The year's budget from planned growth.
    adjustment: The budget raised when projected GDP beats the plan.
    headroom_tce: Budget in force minus assessed consumption [tce]; negative when over.
    exempt: The prorated incentive target is met, so the total is exempt (plan 四(一)).
    intensity_warning, total_warning: The two lights.
    """

    year: int
    gdp_10k_yuan: float
    existing_tce: float
    projects_tce: float
    released_tce: float
    separately_listed_tce: float
    assessed_tce: float
    intensity: float
    decline_pct: float
    basic_due_pct: float
    incentive_due_pct: float
    budget: core_intensity.EnergyBudget
    adjustment: core_intensity.BudgetAdjustment
    headroom_tce: float
    exempt: bool
    intensity_warning: core_warning.WarningAssessment
    total_warning: core_warning.WarningAssessment

    @property
    def budget_tce(self) -> float:
        """Budget in force [tce]."""
        return self.adjustment.adjusted_budget_tce

    def level(self, light: Light) -> core_warning.WarningLevel:
        warning = self.intensity_warning if light is Light.INTENSITY else self.total_warning
        return warning.level


def _active(loads: Sequence[ProjectLoad], year: int) -> list[ProjectLoad]:
    return [p for p in loads if p.first_year <= year]


def project_area(
    history: AreaHistory,
    loads: Sequence[ProjectLoad],
    thresholds: core_warning.WarningThresholds | None = None,
) -> tuple[YearOutlook, ...]:
    """Each remaining year of ``history`` with ``loads`` added (module docstring)."""
    thresholds = thresholds or core_warning.WarningThresholds()
    base_year, target_year = history.base_year, history.target_year
    base_energy = history.assessed_tce[0]
    base_gdp = history.base_gdp_10k_yuan
    base_intensity = core_intensity.energy_intensity(base_energy, base_gdp)
    existing = history.assessed_tce[-1]
    observed_gdp = history.comparable_gdp_10k_yuan
    intensities = [
        core_progress.Observation(base_year + k, None, core_intensity.energy_intensity(e, g))
        for k, (e, g) in enumerate(zip(history.assessed_tce, observed_gdp, strict=True))
    ]
    spec = core_progress.TargetSpec(
        core_progress.TargetKind.DECLINE_PCT, base_year, target_year, history.basic_decline_pct
    )
    planned_index = 100.0 + history.planned_growth_pct
    indices = list(history.gdp_indices)
    previous_gdp, previous_added = observed_gdp[-1], 0.0
    years: list[YearOutlook] = []
    for year in history.remaining_years:
        running = _active(loads, year)
        projects = math.fsum(p.energy_tce for p in running if not p.is_release)
        # A separately listed release frees no assessed budget (it was never counted): skipped.
        released = -math.fsum(
            p.energy_tce for p in running if p.is_release and not p.separately_listed
        )
        listed = math.fsum(
            p.energy_tce for p in running if p.separately_listed and not p.is_release
        )
        # GDP_y = GDP_n x (1 + g)^(y - n) + value added of the projects running in y.
        existing_gdp = core_intensity.comparable_gdp(
            observed_gdp[-1], [planned_index] * (year - history.latest_year)
        )
        added = math.fsum(p.value_added_10k_yuan for p in running)
        gdp = existing_gdp + added
        # The index that chains to this GDP (previous year = 100): the planned one while no
        # project adds value, so the budget adjustment compares like with like exactly.
        indices.append(
            planned_index if added == previous_added == 0 else gdp / previous_gdp * 100.0
        )
        previous_gdp, previous_added = gdp, added
        consumption = core_intensity.assessed_consumption(
            existing + projects - released, separately_listed_tce=listed
        )
        intensity = core_intensity.energy_intensity(consumption.assessed_tce, gdp)
        intensities.append(core_progress.Observation(year, None, intensity))
        basic_due = core_progress.prorated_decline_pct(
            history.basic_decline_pct, base_year, target_year, year
        )
        incentive_due = core_progress.prorated_decline_pct(
            history.incentive_decline_pct, base_year, target_year, year
        )
        budget = core_intensity.annual_energy_budget(
            base_energy, base_gdp, [history.planned_growth_pct] * (year - base_year), basic_due
        )
        adjustment = core_intensity.adjust_energy_budget(budget, base_gdp, indices)
        decline = core_intensity.decline_pct(base_intensity, intensity)
        dual = core_intensity.assess_dual_target(
            decline, core_intensity.DualTarget(basic_due, incentive_due)
        )
        progress = core_progress.evaluate(spec, intensities, as_of=(year, None))
        years.append(
            YearOutlook(
                year=year,
                gdp_10k_yuan=gdp,
                existing_tce=existing,
                projects_tce=projects,
                released_tce=released,
                separately_listed_tce=listed,
                assessed_tce=consumption.assessed_tce,
                intensity=intensity,
                decline_pct=decline,
                basic_due_pct=basic_due,
                incentive_due_pct=incentive_due,
                budget=budget,
                adjustment=adjustment,
                headroom_tce=budget_headroom(
                    adjustment.adjusted_budget_tce, consumption.assessed_tce
                ),
                exempt=dual.exempt_from_total_assessment,
                intensity_warning=core_warning.intensity_warning(progress, thresholds),
                total_warning=core_warning.total_warning(
                    consumption.assessed_tce, adjustment.adjusted_budget_tce, 1.0, thresholds
                ),
            )
        )
    return tuple(years)


def budget_headroom(budget_tce: float, committed_tce: float) -> float:
    """Budget left after committed consumption [tce]; negative when over budget.

    budget_tce: The year's budget in force [tce].
    committed_tce: Existing users plus approved projects, assessed [tce].
    """
    # 用能预算 (plan 四(一)): headroom = budget - consumption already committed.
    return budget_tce - committed_tce


@dataclass(frozen=True)
class Scenario:
    """The remaining years of one area under one assumption about the candidate."""

    key: str
    years: tuple[YearOutlook, ...]


@dataclass(frozen=True)
class LightChange:
    """A light that the candidate changes in one year.

    year: The year.
    light: Which light.
    before, after: Level without and with the candidate.
    """

    year: int
    light: Light
    before: core_warning.WarningLevel
    after: core_warning.WarningLevel

    @property
    def worse(self) -> bool:
        return level_rank(self.after) > level_rank(self.before)


@dataclass(frozen=True)
class AreaReview:
    """A candidate's effect on one area.

    baseline: Existing users and the committed projects.
    counted: Baseline plus the candidate counted in the assessment.
    listed: Baseline plus the candidate separately listed (单列, deducted).
    candidate_listed: Whether the candidate is in fact separately listed.
    """

    baseline: Scenario
    counted: Scenario
    listed: Scenario
    candidate_listed: bool

    @property
    def applicable(self) -> Scenario:
        """The scenario matching the candidate's actual 单列 status."""
        return self.listed if self.candidate_listed else self.counted

    @property
    def changes(self) -> tuple[LightChange, ...]:
        return light_changes(self.baseline, self.applicable)


def review(
    history: AreaHistory,
    committed: Sequence[ProjectLoad],
    candidate: ProjectLoad,
    thresholds: core_warning.WarningThresholds | None = None,
) -> AreaReview:
    """The candidate's effect on an area, with and without the 单列 deduction.

    committed: Projects already approved or under construction in the area (not the
        candidate, not those in operation, whose use is in the observed figures).
    """
    counted = ProjectLoad(
        candidate.key,
        candidate.energy_tce,
        candidate.value_added_10k_yuan,
        candidate.first_year,
        separately_listed=False,
    )
    listed = ProjectLoad(
        candidate.key,
        candidate.energy_tce,
        candidate.value_added_10k_yuan,
        candidate.first_year,
        separately_listed=True,
    )
    return AreaReview(
        baseline=Scenario("baseline", project_area(history, committed, thresholds)),
        counted=Scenario("counted", project_area(history, [*committed, counted], thresholds)),
        listed=Scenario("listed", project_area(history, [*committed, listed], thresholds)),
        candidate_listed=candidate.separately_listed,
    )


def light_changes(baseline: Scenario, scenario: Scenario) -> tuple[LightChange, ...]:
    """Every (year, light) whose level differs between two scenarios, in year order."""
    changes = []
    for before, after in zip(baseline.years, scenario.years, strict=True):
        for light in Light:
            if before.level(light) != after.level(light):
                changes.append(
                    LightChange(before.year, light, before.level(light), after.level(light))
                )
    return tuple(changes)


def value_added_per_tce(value_added_10k_yuan: float, energy_tce: float) -> float | None:
    """Value added per tonne of standard coal [10^4 yuan/tce]; None when no energy is used.

    The inverse of energy intensity: 单位能耗产出 (plan 四(一) 单位能耗产出率高的高质量项目).
    """
    if not energy_tce > 0:
        return None
    return value_added_10k_yuan / energy_tce


@dataclass(frozen=True)
class RankedProject:
    """A project's place in the ranking by value added per tce.

    key: The project's key.
    value_added_per_tce: [10^4 yuan/tce]; None when the project uses no energy.
    rank: 1 for the highest; equal values share a rank (1, 2, 2, 4); None when unrankable.
    """

    key: str
    value_added_per_tce: float | None
    rank: int | None


def rank_by_value_added_per_tce(projects: Sequence[ProjectLoad]) -> list[RankedProject]:
    """Pending projects ranked by value added per tce, highest first ("四最" 用能导向).

    Ties share a rank and keep the order given; projects using no energy come last, unranked.
    """
    scored = [(p.key, value_added_per_tce(p.value_added_10k_yuan, p.energy_tce)) for p in projects]
    ranked = sorted(
        (item for item in scored if item[1] is not None), key=lambda item: -(item[1] or 0.0)
    )
    result: list[RankedProject] = []
    for position, (key, score) in enumerate(ranked, start=1):
        same = result and result[-1].value_added_per_tce == score
        rank = result[-1].rank if same else position
        result.append(RankedProject(key, score, rank))
    result.extend(RankedProject(key, None, None) for key, score in scored if score is None)
    return result
