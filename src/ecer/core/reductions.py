"""Pollutant reductions of key projects (重点工程减排量): accounting, totals and checks.

Pure functions: projects (frozen dataclasses) in, tonnes, ledgers, progress and findings out.

Number type: ``float`` throughout, as in :mod:`ecer.core.progress`. Inputs are operating
figures with three or four significant digits and results are shown in whole or tenth
tonnes; comparisons allow ``EPSILON`` (absolute, in tonnes or in the figure's own unit).

Pollutants (:class:`Pollutant`) carry the HJ 212-2017 Annex B factor codes used by
:mod:`ecer.hj212.pollutants`: COD ``w01018``, NH3-N ``w21003``, NOx ``a21002``. VOCs have
no HJ 212 code of their own; online monitoring measures them as non-methane hydrocarbons
(非甲烷总烃, ``a24088``), so that code stands for VOCs here (our choice).

Accounting methods (one per kind of project; :func:`annual_reduction_t` picks by input):

- Mass balance (:class:`WaterMassBalance`, :class:`GasMassBalance`): flow × (baseline
  concentration − post-project concentration) × operating time. For a new sewage plant
  the baseline is the influent (untreated) concentration and the post value the effluent;
  for an upgrade, the old and the new effluent concentrations. Flue-gas figures are the
  measured concentration and the dry standard flow of the same point (not the
  O2-corrected 折算浓度), as the actual-emission formula ``E = C × Q × t × 10^-9`` uses them.
- Emission factor (:class:`EmissionFactorMethod`): activity × generation factor ×
  removal efficiency; an efficiency improvement counts ``η_post − η_base``. VOC source
  substitution uses it with ``η = 1 − content_post / content_base``.
- Eliminated capacity (:class:`EliminatedCapacity`, :class:`RecordedBaseline`): the
  eliminated capacity × its baseline emission intensity, or the closed source's
  recorded baseline annual emission.

A method gives the *annual* reduction [t/a] at normal operation. A negative difference
(post worse than baseline) is not a reduction and counts as 0; an increase in emissions
is accounted elsewhere (新增量), not here.

Timing (our convention, see :func:`effect_fraction`): a project takes effect the day
after its completion date; in its completion year it counts for the share of the year's
days after that date (actual days, 365 or 366), in later years in full. The reduction of
year ``Y`` is the reduction in effect in ``Y`` against the base year, so the figure for the
target year is what the plan's "by 2025" targets compare with; the ledger also shows the
part added in each year (当年新增), which sums over the years to the figure in effect. Only
projects completed after the base year count: earlier ones are in the base.

The targets, the base year and the target year are the plan's (plan 二): callers pass them
from the plan file; this module holds no plan value.
The 12th FYP rules counted end-of-pipe projects "from the second month after stable
operation"; a day count is the finer form of the same idea and is what we use.

Totals count only projects whose status is in ``COUNTED_STATUSES`` (``verified``), unless
a caller names other statuses explicitly (e.g. a preview counting ``completed`` too).

Verification rules (:data:`RULES`, each with a stable code, a Chinese title and an
explanation for the reviewer) look for double counting, a reduction above the source's
baseline emission, claims contradicted by HJ 212 monitoring, a completed project whose
point has no valid data, a closed source still transmitting, missing evidence and a
source without a permit. A project with an open finding cannot be marked verified
(:func:`may_mark_verified`); a reviewer closes a finding by its :attr:`Finding.key`.

References
----------
北海市“十四五”节能减排综合工作方案 (the plan), 二、主要目标 (the four reduction
targets) and 四、（二） (accounting linked to permits and EIA; checking for double
counting and false reporting of reductions and their sources).
国务院《“十四五”节能减排综合工作方案》(国发〔2021〕33号): key-project reductions of
COD, NH3-N, NOx and VOCs as the 14th FYP total-emission indicators.
《“十二五”主要污染物总量减排核算细则》(环境保护部, 2011年12月), the last national
accounting rules we found in public (third-party copies only, e.g.
https://bdocx.com/doc/6067789.html and an excerpt at
http://www.sfmzp.com/article-5225-6.html): closures counted from the source's
previous-year emission in the environmental-statistics database; end-of-pipe and
management measures counted "from the second month after stable operation". We did not
read its sewage-plant clause in full; the mass balance on the treated volume is the
standard load formula ``E = Q × C × 10^-6`` (water) and ``E = C × Q × t × 10^-9``
(flue gas) used for actual emissions under discharge permits.
The 14th FYP technical guidance (《“十四五”主要污染物总量减排核算技术指南》 and the
重点减排工程 information-system manual) is distributed to authorities and was not found
in public; every convention above not taken from the sources named here is our choice.
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from ecer.core.progress import (
    Observation,
    ProgressResult,
    TargetKind,
    TargetSpec,
    evaluate,
    required_path,
)
from ecer.core.warning import WarningAssessment, WarningThresholds, target_warning

EPSILON = 1e-9
"""Absolute tolerance of comparisons in this module [unit of the compared figure]."""

DEFAULT_TOLERANCE = 0.10
"""Relative tolerance of claimed figures against monitored ones [-] (configurable)."""


# --- vocabularies ------------------------------------------------------------------------


class Pollutant(StrEnum):
    """The four pollutants of the plan's reduction targets, by HJ 212-2017 code."""

    COD = "w01018"
    NH3_N = "w21003"
    NOX = "a21002"
    VOCS = "a24088"  # 非甲烷总烃 (NMHC), the monitored surrogate for VOCs

    @property
    def label_zh(self) -> str:
        return _POLLUTANT_ZH[self]

    @property
    def medium(self) -> Literal["water", "air"]:
        return "water" if self.value.startswith("w") else "air"


_POLLUTANT_ZH = {
    Pollutant.COD: "化学需氧量",
    Pollutant.NH3_N: "氨氮",
    Pollutant.NOX: "氮氧化物",
    Pollutant.VOCS: "挥发性有机物",
}


class ProjectCategory(StrEnum):
    ENGINEERING = "engineering"  # 工程减排
    STRUCTURAL = "structural"  # 结构减排
    MANAGEMENT = "management"  # 管理减排


class ProjectType(StrEnum):
    SEWAGE_PLANT_NEW = "sewage_plant_new"
    SEWAGE_PLANT_UPGRADE = "sewage_plant_upgrade"
    SEWAGE_NETWORK = "sewage_network"
    INDUSTRIAL_TREATMENT = "industrial_treatment"
    ULTRA_LOW_EMISSION = "ultra_low_emission"
    VOC_SOURCE_SUBSTITUTION = "voc_source_substitution"
    VOC_END_TREATMENT = "voc_end_treatment"
    OIL_VAPOUR_RECOVERY = "oil_vapour_recovery"
    CLOSURE = "closure"
    MANAGEMENT = "management"

    @property
    def category(self) -> ProjectCategory:
        if self is ProjectType.CLOSURE:
            return ProjectCategory.STRUCTURAL
        if self is ProjectType.MANAGEMENT:
            return ProjectCategory.MANAGEMENT
        return ProjectCategory.ENGINEERING

    @property
    def label_zh(self) -> str:
        return _TYPE_ZH[self]


_TYPE_ZH = {
    ProjectType.SEWAGE_PLANT_NEW: "污水处理厂新建",
    ProjectType.SEWAGE_PLANT_UPGRADE: "污水处理厂提标改造",
    ProjectType.SEWAGE_NETWORK: "污水管网建设",
    ProjectType.INDUSTRIAL_TREATMENT: "工业污染治理",
    ProjectType.ULTRA_LOW_EMISSION: "超低排放改造",
    ProjectType.VOC_SOURCE_SUBSTITUTION: "挥发性有机物源头替代",
    ProjectType.VOC_END_TREATMENT: "挥发性有机物末端治理",
    ProjectType.OIL_VAPOUR_RECOVERY: "油气回收",
    ProjectType.CLOSURE: "关停淘汰（含燃煤锅炉）",
    ProjectType.MANAGEMENT: "管理减排",
}


class ProjectStatus(StrEnum):
    PLANNED = "planned"
    UNDER_CONSTRUCTION = "under_construction"
    COMPLETED = "completed"
    VERIFIED = "verified"
    REJECTED = "rejected"

    @property
    def label_zh(self) -> str:
        return _STATUS_ZH[self]


_STATUS_ZH = {
    ProjectStatus.PLANNED: "计划",
    ProjectStatus.UNDER_CONSTRUCTION: "在建",
    ProjectStatus.COMPLETED: "已建成",
    ProjectStatus.VERIFIED: "已核定",
    ProjectStatus.REJECTED: "不予认定",
}

COUNTED_STATUSES: frozenset[ProjectStatus] = frozenset({ProjectStatus.VERIFIED})
"""Statuses whose reductions count toward the totals by default: verified only."""

_DONE = frozenset({ProjectStatus.COMPLETED, ProjectStatus.VERIFIED})


# --- accounting methods ------------------------------------------------------------------


def _check_non_negative(**figures: float) -> None:
    for name, value in figures.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value}")


def _check_share(**figures: float) -> None:
    for name, value in figures.items():
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be within [0, 1], got {value}")


@dataclass(frozen=True)
class WaterMassBalance:
    """Waste-water mass balance.

    flow_m3_per_d: Treated or discharged water volume [m³/d].
    baseline_mg_per_l: Concentration before the project [mg/L] (influent for a new plant).
    post_mg_per_l: Concentration after the project [mg/L] (effluent).
    operating_days: Operating days per year [d/a].
    """

    flow_m3_per_d: float
    baseline_mg_per_l: float
    post_mg_per_l: float
    operating_days: float = 365.0

    def __post_init__(self) -> None:
        _check_non_negative(
            flow_m3_per_d=self.flow_m3_per_d,
            baseline_mg_per_l=self.baseline_mg_per_l,
            post_mg_per_l=self.post_mg_per_l,
            operating_days=self.operating_days,
        )
        if self.operating_days > 366:
            raise ValueError(f"operating_days must be <= 366, got {self.operating_days}")


@dataclass(frozen=True)
class GasMassBalance:
    """Flue-gas mass balance.

    flow_m3_per_h: Dry flue-gas flow at standard conditions [m³/h].
    baseline_mg_per_m3: Measured concentration before the project [mg/m³].
    post_mg_per_m3: Measured concentration after the project [mg/m³].
    operating_hours: Operating hours per year [h/a].
    """

    flow_m3_per_h: float
    baseline_mg_per_m3: float
    post_mg_per_m3: float
    operating_hours: float

    def __post_init__(self) -> None:
        _check_non_negative(
            flow_m3_per_h=self.flow_m3_per_h,
            baseline_mg_per_m3=self.baseline_mg_per_m3,
            post_mg_per_m3=self.post_mg_per_m3,
            operating_hours=self.operating_hours,
        )
        if self.operating_hours > 8784:
            raise ValueError(f"operating_hours must be <= 8784, got {self.operating_hours}")


@dataclass(frozen=True)
class EmissionFactorMethod:
    """Activity × generation factor × removal efficiency (产排污系数法).

    activity: Annual activity [unit/a], e.g. coating used [t/a] or fuel throughput [t/a].
    factor_kg_per_unit: Generation factor before treatment [kg/unit].
    efficiency_post: Removal efficiency after the project [0..1].
    efficiency_base: Removal efficiency before the project [0..1]; 0 for a new facility.
    """

    activity: float
    factor_kg_per_unit: float
    efficiency_post: float
    efficiency_base: float = 0.0

    def __post_init__(self) -> None:
        _check_non_negative(activity=self.activity, factor_kg_per_unit=self.factor_kg_per_unit)
        _check_share(efficiency_post=self.efficiency_post, efficiency_base=self.efficiency_base)


@dataclass(frozen=True)
class EliminatedCapacity:
    """Eliminated capacity × its baseline emission intensity.

    capacity: Eliminated capacity or activity [unit/a], e.g. coal burnt [t/a].
    intensity_kg_per_unit: Baseline emission per unit [kg/unit].
    """

    capacity: float
    intensity_kg_per_unit: float

    def __post_init__(self) -> None:
        _check_non_negative(
            capacity=self.capacity, intensity_kg_per_unit=self.intensity_kg_per_unit
        )


@dataclass(frozen=True)
class RecordedBaseline:
    """A closed source's recorded baseline emission.

    emission_t_per_a: The source's annual emission in the base record [t/a]
        (environmental statistics or the permit's annual execution report).
    """

    emission_t_per_a: float

    def __post_init__(self) -> None:
        _check_non_negative(emission_t_per_a=self.emission_t_per_a)


Method = (
    WaterMassBalance | GasMassBalance | EmissionFactorMethod | EliminatedCapacity | RecordedBaseline
)


def water_load_t(flow_m3_per_d: float, concentration_mg_per_l: float, days: float) -> float:
    """Pollutant mass carried by a water flow [t].

    flow_m3_per_d: Flow [m³/d]. concentration_mg_per_l: Concentration [mg/L].
    days: Duration [d].
    """
    # m³/d × mg/L × d × 10^3 L/m³ × 10^-9 t/mg = × 10^-6 (E = Q × C × 10^-6, Q in m³).
    return flow_m3_per_d * concentration_mg_per_l * days * 1e-6


def gas_load_t(flow_m3_per_h: float, concentration_mg_per_m3: float, hours: float) -> float:
    """Pollutant mass carried by a flue-gas flow [t].

    flow_m3_per_h: Dry standard flow [m³/h]. concentration_mg_per_m3: [mg/m³].
    hours: Duration [h].
    """
    # m³/h × mg/m³ × h × 10^-9 t/mg (actual emission = C × Q × hours × 10^-9).
    return flow_m3_per_h * concentration_mg_per_m3 * hours * 1e-9


def annual_reduction_t(method: Method) -> float:
    """Annual reduction at normal operation [t/a], never negative."""
    match method:
        case WaterMassBalance():
            # Load difference on the treated volume: Q × (C_base − C_post) × days × 10^-6.
            reduction = water_load_t(
                method.flow_m3_per_d,
                method.baseline_mg_per_l - method.post_mg_per_l,
                method.operating_days,
            )
        case GasMassBalance():
            # Same mass balance on the flue gas: Q × (C_base − C_post) × hours.
            reduction = gas_load_t(
                method.flow_m3_per_h,
                method.baseline_mg_per_m3 - method.post_mg_per_m3,
                method.operating_hours,
            )
        case EmissionFactorMethod():
            # 产排污系数法: activity × factor × (η_post − η_base) × 10^-3 t/kg.
            reduction = (
                method.activity
                * method.factor_kg_per_unit
                * (method.efficiency_post - method.efficiency_base)
                * 1e-3
            )
        case EliminatedCapacity():
            # Eliminated capacity × its baseline intensity × 10^-3 t/kg (our reading of (c)).
            reduction = method.capacity * method.intensity_kg_per_unit * 1e-3
        case RecordedBaseline():
            # 12th FYP 细则 (关停): the closed source's previous-year recorded emission.
            reduction = method.emission_t_per_a
    return max(0.0, reduction)


def effect_fraction(completed_on: date, year: int) -> float:
    """Share of ``year`` in which a project completed on ``completed_on`` is in effect [0..1].

    Convention (ours): effect starts the day after completion; the completion year
    counts the days after ``completed_on`` up to 31 December over the days of the year
    (365, or 366 in a leap year); earlier years 0, later years 1. Completed on
    31 December: 0 that year, 1 from the next.
    """
    if year < completed_on.year:
        return 0.0
    if year > completed_on.year:
        return 1.0
    days_in_year = 366 if calendar.isleap(year) else 365
    # Actual/actual day count: (31 Dec − completion date) / days in the year.
    return (date(year, 12, 31) - completed_on).days / days_in_year


# --- projects ----------------------------------------------------------------------------


def _norm(identifier: str | None) -> str:
    return "".join((identifier or "").split()).upper()


@dataclass(frozen=True)
class Source:
    """The pollution source a project acts on.

    name: Name shown to people, e.g. ``XX污水处理厂 总排口``.
    credit_code: Enterprise's unified social credit code (统一社会信用代码), if any.
    permit_number: Discharge permit number (排污许可证编号), if any.
    point_id: Monitoring point (HJ 212 MN) of the outlet, if monitored.
    """

    name: str
    credit_code: str | None = None
    permit_number: str | None = None
    point_id: str | None = None


def same_source(a: Source, b: Source) -> bool:
    """True if two sources may be the same emissions.

    Same monitoring point; or the same enterprise (credit code or permit number) where
    at least one of the two names no point (it covers the whole enterprise). Two
    different points of one enterprise are different sources. Identifiers compare
    without whitespace and case.
    """
    point_a, point_b = _norm(a.point_id), _norm(b.point_id)
    if point_a and point_a == point_b:
        return True
    same_enterprise = (
        _norm(a.credit_code) != "" and _norm(a.credit_code) == _norm(b.credit_code)
    ) or (_norm(a.permit_number) != "" and _norm(a.permit_number) == _norm(b.permit_number))
    return same_enterprise and (not point_a or not point_b)


@dataclass(frozen=True)
class ReductionLine:
    """One pollutant of a project.

    pollutant: The pollutant.
    method: Its accounting inputs.
    baseline_emission_t_per_a: The source's baseline emission of this pollutant [t/a]
        (environmental statistics or the permit's execution report); ``None`` if unknown.
    """

    pollutant: Pollutant
    method: Method
    baseline_emission_t_per_a: float | None = None

    @property
    def annual_reduction_t(self) -> float:
        return annual_reduction_t(self.method)


@dataclass(frozen=True)
class Project:
    """A key reduction project (重点减排工程).

    id: Stable identifier. name: Chinese name. type: :class:`ProjectType`.
    district: Area code of the district (e.g. ``haicheng``). sector: Sector or industry.
    source: The source it acts on (a project on several sources is several projects).
    lines: One :class:`ReductionLine` per pollutant, at most one each.
    status: :class:`ProjectStatus`; ``completed`` and ``verified`` need ``completed_on``.
    completed_on: Date the project was completed (closure date for a closure).
    evidence: Names of the evidence files (acceptance report, monitoring report, ...).
    """

    id: str
    name: str
    type: ProjectType
    district: str
    sector: str
    source: Source
    lines: tuple[ReductionLine, ...]
    status: ProjectStatus
    completed_on: date | None = None
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        pollutants = [line.pollutant for line in self.lines]
        if len(set(pollutants)) != len(pollutants):
            raise ValueError(f"project {self.id}: a pollutant appears in two lines")
        if self.status in _DONE and self.completed_on is None:
            raise ValueError(f"project {self.id}: status {self.status} needs completed_on")

    def line(self, pollutant: Pollutant) -> ReductionLine | None:
        return next((line for line in self.lines if line.pollutant is pollutant), None)


def reduction_in_year_t(project: Project, pollutant: Pollutant, year: int, base_year: int) -> float:
    """Reduction of ``pollutant`` in effect in ``year`` against the base year [t].

    Annual reduction × :func:`effect_fraction`; 0 without that pollutant, without a
    completion date, or when completed in or before ``base_year``. Status is not
    looked at here (see :func:`ledger`).
    """
    line = project.line(pollutant)
    done = project.completed_on
    if line is None or done is None or done.year <= base_year:
        return 0.0
    return line.annual_reduction_t * effect_fraction(done, year)


@dataclass(frozen=True)
class LedgerRow:
    """One project, pollutant and year of the reduction ledger (减排量台账).

    annual_reduction_t: Full-year reduction [t/a]. fraction: Share in effect [0..1].
    reduction_t: Reduction in effect in the year against the base year [t].
    new_reduction_t: Part added in this year (this year's minus last year's) [t].
    """

    project_id: str
    district: str
    sector: str
    pollutant: Pollutant
    year: int
    annual_reduction_t: float
    fraction: float
    reduction_t: float
    new_reduction_t: float


def ledger(
    projects: Iterable[Project],
    years: Iterable[int],
    *,
    base_year: int,
    counted: Collection[ProjectStatus] = COUNTED_STATUSES,
) -> tuple[LedgerRow, ...]:
    """The ledger rows of the counted projects for ``years`` (rows in effect only).

    base_year: The plan's base year; projects completed in or before it are in the base.
    """
    rows: list[LedgerRow] = []
    year_list = sorted(set(years))
    for project in projects:
        if project.status not in counted:
            continue
        for line in project.lines:
            for year in year_list:
                now = reduction_in_year_t(project, line.pollutant, year, base_year)
                if now <= 0.0:
                    continue
                before = reduction_in_year_t(project, line.pollutant, year - 1, base_year)
                assert project.completed_on is not None  # implied by now > 0
                rows.append(
                    LedgerRow(
                        project_id=project.id,
                        district=project.district,
                        sector=project.sector,
                        pollutant=line.pollutant,
                        year=year,
                        annual_reduction_t=line.annual_reduction_t,
                        fraction=effect_fraction(project.completed_on, year),
                        reduction_t=now,
                        new_reduction_t=now - before,
                    )
                )
    return tuple(rows)


class Dimension(StrEnum):
    DISTRICT = "district"
    SECTOR = "sector"
    POLLUTANT = "pollutant"
    YEAR = "year"


def totals(rows: Iterable[LedgerRow], *by: Dimension) -> dict[tuple[str | int, ...], float]:
    """Sum of ``reduction_t`` grouped by the given dimensions (keys in their order) [t]."""
    sums: dict[tuple[str | int, ...], float] = defaultdict(float)
    for row in rows:
        key = tuple(getattr(row, Dimension(d).value) for d in by)
        sums[key] += row.reduction_t
    return dict(sums)


# --- progress against the plan -----------------------------------------------------------


@dataclass(frozen=True)
class PollutantProgress:
    """The city's reduction of one pollutant against its target.

    target_t: Target [t].
    by_year_t: (year, counted reduction in effect that year) for each year after the base
        year up to ``as_of_year`` [t]: the observations the progress is judged on.
    result: Progress from :func:`ecer.core.progress.evaluate`.
    warning: Warning level from :func:`ecer.core.warning.target_warning`.
    path_t: Even-pace path for ``base_year..target_year`` [t].
    """

    pollutant: Pollutant
    target_t: float
    by_year_t: tuple[tuple[int, float], ...]
    result: ProgressResult
    warning: WarningAssessment
    path_t: tuple[float, ...]

    @property
    def achieved_t(self) -> float:
        """Counted reduction in effect in ``as_of_year`` [t] (0 before any year counts)."""
        return self.by_year_t[-1][1] if self.by_year_t else 0.0


def target_spec(
    pollutant: Pollutant, targets: Mapping[Pollutant, float], *, base_year: int, target_year: int
) -> TargetSpec:
    """A reduction target as a cumulative increase from 0 in the base year.

    targets: The plan's targets by pollutant [t]. base_year, target_year: The plan's years.
    """
    return TargetSpec(TargetKind.CUMULATIVE_INCREASE, base_year, target_year, targets[pollutant])


def progress_by_pollutant(
    projects: Sequence[Project],
    as_of_year: int,
    targets: Mapping[Pollutant, float],
    *,
    base_year: int,
    target_year: int,
    counted: Collection[ProjectStatus] = COUNTED_STATUSES,
    thresholds: WarningThresholds | None = None,
) -> dict[Pollutant, PollutantProgress]:
    """Progress and warning level of each target pollutant at the end of ``as_of_year``.

    targets: The plan's targets by pollutant [t] (plan 二); only these pollutants are judged.
    base_year, target_year: The targets' base and target years (the plan's).
    counted: Project statuses counted (default: verified only).

    One annual observation per year ``base_year+1..as_of_year``: the counted reduction in
    effect that year. Progress and warning come from :mod:`ecer.core.progress` and
    :mod:`ecer.core.warning` unchanged.
    """
    thresholds = thresholds or WarningThresholds()
    years = range(base_year + 1, as_of_year + 1)
    rows = ledger(projects, years, base_year=base_year, counted=counted)
    by_year = totals(rows, Dimension.POLLUTANT, Dimension.YEAR)
    out: dict[Pollutant, PollutantProgress] = {}
    for pollutant in targets:
        spec = target_spec(pollutant, targets, base_year=base_year, target_year=target_year)
        observations = [Observation(y, None, by_year.get((pollutant, y), 0.0)) for y in years]
        result = evaluate(spec, observations)
        out[pollutant] = PollutantProgress(
            pollutant=pollutant,
            target_t=targets[pollutant],
            by_year_t=tuple((o.year, o.value) for o in observations),
            result=result,
            warning=target_warning(result, thresholds),
            path_t=tuple(required_path(spec, None)),
        )
    return out


# --- verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """A verification rule: stable code, Chinese title and explanation for the reviewer."""

    code: str
    title_zh: str
    explanation_zh: str


DOUBLE_COUNT_SOURCE = Rule(
    "RD-DOUBLE-SOURCE",
    "同一污染源被多个项目重复计算",
    "两个项目作用于同一污染源（同一监测点位，或同一企业/排污许可证而至少一方未指明点位），"
    "并对同一污染物计算减排量。同一吨减排量只能计入一个项目；确属前后衔接的不同削减"
    "（如新建后再提标），由审核人说明后关闭。",
)
DOUBLE_COUNT_YEARS = Rule(
    "RD-DOUBLE-YEARS",
    "同一项目减排量跨年度重复申报",
    "一个项目对同一污染物各核算年度申报的新增减排量之和超过其全年减排量。关停淘汰等"
    "结构减排是一次性的，已计入的减排量不能在下一年度再次申报。",
)
ABOVE_BASELINE = Rule(
    "RD-ABOVE-BASELINE",
    "减排量超过污染源基准排放量",
    "项目的全年减排量大于该污染源该污染物的基准年排放量（环境统计或排污许可执行报告），"
    "削减量不可能超过原有排放量。",
)
CONTRADICTED_BY_MONITORING = Rule(
    "RD-MONITOR-CONTRADICTS",
    "申报数据与在线监测数据不符",
    "项目申报的治理后浓度或水量/烟气量与同一监测点位建成后在线监测（HJ 212）的有效数据"
    "均值相差超过允许的相对偏差。",
)
NO_VALID_DATA = Rule(
    "RD-NO-VALID-DATA",
    "已建成项目的监测点位无有效数据",
    "项目已建成，但其监测点位在核查期内没有有效在线监测数据，无法证实减排效果。",
)
CLOSED_STILL_TRANSMITS = Rule(
    "RD-CLOSED-TRANSMITS",
    "已关停污染源的监测点位仍在传输数据",
    "项目申报关停，但关停日期之后该点位仍有有效在线监测数据，污染源可能仍在排放。",
)
MISSING_EVIDENCE = Rule(
    "RD-NO-EVIDENCE",
    "缺少佐证材料",
    "项目已建成或已核定，但未上传任何佐证材料（验收报告、监测报告、关停证明等）。",
)
NO_PERMIT = Rule(
    "RD-NO-PERMIT",
    "污染源无排污许可证",
    "项目所涉污染源未填报排污许可证编号，减排核算须与排污许可衔接（方案 四（二））。",
)

RULES: tuple[Rule, ...] = (
    DOUBLE_COUNT_SOURCE,
    DOUBLE_COUNT_YEARS,
    ABOVE_BASELINE,
    CONTRADICTED_BY_MONITORING,
    NO_VALID_DATA,
    CLOSED_STILL_TRANSMITS,
    MISSING_EVIDENCE,
    NO_PERMIT,
)

Figures = Mapping[str, float | int | str]


@dataclass(frozen=True)
class Finding:
    """A rule a project (or a pair of projects) breaks.

    rule: The rule. project_ids: The projects concerned (sorted).
    message_zh: Chinese sentence with the figures.
    figures: The figures that triggered it.
    pollutant: The pollutant concerned, if one. year: The year concerned, if one.
    """

    rule: Rule
    project_ids: tuple[str, ...]
    message_zh: str
    figures: Figures = field(default_factory=dict)
    pollutant: Pollutant | None = None
    year: int | None = None

    @property
    def key(self) -> str:
        """Stable identity of the finding, by which a reviewer closes it."""
        pollutant = self.pollutant.value if self.pollutant else "-"
        year = str(self.year) if self.year is not None else "-"
        return f"{self.rule.code}:{'+'.join(self.project_ids)}:{pollutant}:{year}"


@dataclass(frozen=True)
class MonitoredSummary:
    """Valid HJ 212 data of one monitoring point over the period after completion.

    point_id: The point (MN). period_start, period_end: The period summarised.
    valid_count: Number of valid values in the period.
    last_valid_on: Date of the latest valid value, if any (not limited to the period).
    mean_flow: Mean flow of valid values in the unit of the project's method
        ([m³/d] for water, [m³/h] dry standard for flue gas); ``None`` if not measured.
    mean_concentration: Mean concentration of valid values by pollutant
        ([mg/L] water, [mg/m³] measured, not O2-corrected, for flue gas).
    """

    point_id: str
    period_start: date
    period_end: date
    valid_count: int
    last_valid_on: date | None = None
    mean_flow: float | None = None
    mean_concentration: Mapping[Pollutant, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ReductionClaim:
    """New reduction a district declared for a project in an accounting year [t]."""

    project_id: str
    pollutant: Pollutant
    year: int
    tonnes: float


def _f(value: float) -> str:
    return f"{value:.2f}"


def check_double_source(projects: Sequence[Project]) -> list[Finding]:
    """RD-DOUBLE-SOURCE for every pair of non-rejected projects on one source and pollutant.

    ``year`` is the first year both are in effect (the later completion year), or
    ``None`` when either has no completion date yet.
    """
    live = [p for p in projects if p.status is not ProjectStatus.REJECTED]
    findings: list[Finding] = []
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            if not same_source(a.source, b.source):
                continue
            for line in a.lines:
                if b.line(line.pollutant) is None:
                    continue
                year = (
                    max(a.completed_on.year, b.completed_on.year)
                    if a.completed_on and b.completed_on
                    else None
                )
                ids = tuple(sorted((a.id, b.id)))
                findings.append(
                    Finding(
                        DOUBLE_COUNT_SOURCE,
                        ids,
                        f"项目 {ids[0]} 与 {ids[1]} 均对污染源“{a.source.name}”的"
                        f"{line.pollutant.label_zh}计算减排量",
                        {"source": a.source.name, "first_common_year": year or "-"},
                        line.pollutant,
                        year,
                    )
                )
    return findings


def check_double_years(
    projects: Sequence[Project], claims: Iterable[ReductionClaim]
) -> list[Finding]:
    """RD-DOUBLE-YEARS: claims of one project and pollutant summing above its annual reduction."""
    by_id = {p.id: p for p in projects}
    claimed: dict[tuple[str, Pollutant], dict[int, float]] = defaultdict(dict)
    for claim in claims:
        years = claimed[(claim.project_id, claim.pollutant)]
        years[claim.year] = years.get(claim.year, 0.0) + claim.tonnes
    findings: list[Finding] = []
    for (project_id, pollutant), years in sorted(claimed.items()):
        project = by_id.get(project_id)
        line = project.line(pollutant) if project else None
        if line is None:
            continue
        total, annual = sum(years.values()), line.annual_reduction_t
        if total <= annual + EPSILON:
            continue
        listed = "、".join(f"{y}年 {_f(t)} 吨" for y, t in sorted(years.items()))
        findings.append(
            Finding(
                DOUBLE_COUNT_YEARS,
                (project_id,),
                f"{pollutant.label_zh}各年度申报 {listed}，合计 {_f(total)} 吨，"
                f"超过全年减排量 {_f(annual)} 吨",
                {"claimed_total_t": total, "annual_reduction_t": annual, "years": len(years)},
                pollutant,
                max(years),
            )
        )
    return findings


def check_above_baseline(project: Project) -> list[Finding]:
    """RD-ABOVE-BASELINE for each line whose annual reduction exceeds the known baseline."""
    findings: list[Finding] = []
    for line in project.lines:
        baseline = line.baseline_emission_t_per_a
        reduction = line.annual_reduction_t
        if baseline is None or reduction <= baseline + EPSILON:
            continue
        findings.append(
            Finding(
                ABOVE_BASELINE,
                (project.id,),
                f"{line.pollutant.label_zh}全年减排量 {_f(reduction)} 吨，"
                f"大于基准排放量 {_f(baseline)} 吨",
                {"annual_reduction_t": reduction, "baseline_emission_t": baseline},
                line.pollutant,
            )
        )
    return findings


def _relative_deviation(claimed: float, monitored: float) -> float:
    if abs(claimed) <= EPSILON:
        return 0.0 if abs(monitored) <= EPSILON else math.inf
    # Deviation of the monitored value from the claimed one, relative to the claim.
    return abs(monitored - claimed) / abs(claimed)


def check_monitoring(
    project: Project, summary: MonitoredSummary | None, tolerance: float = DEFAULT_TOLERANCE
) -> list[Finding]:
    """RD-MONITOR-CONTRADICTS for mass-balance lines of a completed project.

    Compares the claimed post-project concentration and flow with the monitored means
    (either direction) and reports when ``|monitored − claimed| / claimed > tolerance``.
    Silent without valid data (that is RD-NO-VALID-DATA) or without a monitored mean.
    """
    if project.status not in _DONE or summary is None or summary.valid_count <= 0:
        return []
    findings: list[Finding] = []
    for line in project.lines:
        method = line.method
        if isinstance(method, WaterMassBalance):
            claimed_c, claimed_q, units = (
                method.post_mg_per_l,
                method.flow_m3_per_d,
                ("mg/L", "m³/d"),
            )
        elif isinstance(method, GasMassBalance):
            claimed_c, claimed_q, units = (
                method.post_mg_per_m3,
                method.flow_m3_per_h,
                ("mg/m³", "m³/h"),
            )
        else:
            continue
        figures: dict[str, float | int | str] = {"tolerance": tolerance}
        parts: list[str] = []
        monitored_c = summary.mean_concentration.get(line.pollutant)
        if monitored_c is not None and _relative_deviation(claimed_c, monitored_c) > tolerance:
            figures |= {"claimed_concentration": claimed_c, "monitored_concentration": monitored_c}
            parts.append(
                f"治理后浓度申报 {claimed_c:g} {units[0]}，监测均值 {monitored_c:g} {units[0]}"
            )
        monitored_q = summary.mean_flow
        if monitored_q is not None and _relative_deviation(claimed_q, monitored_q) > tolerance:
            figures |= {"claimed_flow": claimed_q, "monitored_flow": monitored_q}
            parts.append(f"流量申报 {claimed_q:g} {units[1]}，监测均值 {monitored_q:g} {units[1]}")
        if parts:
            findings.append(
                Finding(
                    CONTRADICTED_BY_MONITORING,
                    (project.id,),
                    f"{line.pollutant.label_zh}：{'；'.join(parts)}"
                    f"（点位 {summary.point_id}，允许偏差 {tolerance * 100:g}%）",
                    figures,
                    line.pollutant,
                )
            )
    return findings


def check_no_valid_data(project: Project, summary: MonitoredSummary | None) -> list[Finding]:
    """RD-NO-VALID-DATA for a completed, monitored, non-closure project without valid data.

    No summary for its point counts as no data.
    """
    point = project.source.point_id
    if project.status not in _DONE or not point or project.type is ProjectType.CLOSURE:
        return []
    if summary is not None and summary.valid_count > 0:
        return []
    return [
        Finding(
            NO_VALID_DATA,
            (project.id,),
            f"监测点位 {point} 在核查期内无有效数据",
            {"point_id": point, "valid_count": summary.valid_count if summary else 0},
        )
    ]


def check_closed_transmits(project: Project, summary: MonitoredSummary | None) -> list[Finding]:
    """RD-CLOSED-TRANSMITS for a closure whose point has valid data after the closure date."""
    done = project.completed_on
    if project.type is not ProjectType.CLOSURE or done is None or summary is None:
        return []
    last = summary.last_valid_on
    if last is None or last <= done:
        return []
    return [
        Finding(
            CLOSED_STILL_TRANSMITS,
            (project.id,),
            f"关停日期 {done.isoformat()} 之后，点位 {summary.point_id} 仍有有效数据"
            f"（最近 {last.isoformat()}）",
            {"closed_on": done.isoformat(), "last_valid_on": last.isoformat()},
        )
    ]


def check_evidence(project: Project) -> list[Finding]:
    """RD-NO-EVIDENCE for a completed or verified project without evidence files."""
    if project.status not in _DONE or any(name.strip() for name in project.evidence):
        return []
    return [Finding(MISSING_EVIDENCE, (project.id,), "未上传佐证材料", {"evidence_files": 0})]


def check_permit(project: Project) -> list[Finding]:
    """RD-NO-PERMIT for a project whose source has no permit number."""
    if _norm(project.source.permit_number):
        return []
    return [
        Finding(
            NO_PERMIT,
            (project.id,),
            f"污染源“{project.source.name}”未填报排污许可证编号",
            {"source": project.source.name},
        )
    ]


def check_projects(
    projects: Sequence[Project],
    monitored: Mapping[str, MonitoredSummary] | None = None,
    claims: Iterable[ReductionClaim] = (),
    tolerance: float = DEFAULT_TOLERANCE,
) -> list[Finding]:
    """All findings of all rules for the non-rejected projects.

    monitored: Summaries by point id (see :class:`MonitoredSummary`).
    claims: Declared yearly new reductions (for RD-DOUBLE-YEARS).
    tolerance: Relative tolerance of RD-MONITOR-CONTRADICTS [-].
    """
    if not tolerance >= 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    monitored = monitored or {}
    live = [p for p in projects if p.status is not ProjectStatus.REJECTED]
    findings = check_double_source(live) + check_double_years(live, claims)
    for project in live:
        summary = monitored.get(project.source.point_id or "")
        findings += check_above_baseline(project)
        findings += check_monitoring(project, summary, tolerance)
        findings += check_no_valid_data(project, summary)
        findings += check_closed_transmits(project, summary)
        findings += check_evidence(project)
        findings += check_permit(project)
    return findings


@dataclass(frozen=True)
class VerificationDecision:
    """Whether a project may be marked verified, and what blocks it.

    allowed: True when nothing blocks. blocking: Its open findings.
    reasons_zh: Blocks that are not findings (status, completion date).
    """

    allowed: bool
    blocking: tuple[Finding, ...]
    reasons_zh: tuple[str, ...] = ()


def may_mark_verified(
    project: Project, findings: Iterable[Finding], closed_keys: Collection[str] = frozenset()
) -> VerificationDecision:
    """A project may be marked verified when it is completed and has no open finding.

    findings: Findings of :func:`check_projects` (any project; this one's are picked).
    closed_keys: :attr:`Finding.key` of findings a reviewer has closed with a reason.
    """
    blocking = tuple(
        f for f in findings if project.id in f.project_ids and f.key not in closed_keys
    )
    reasons: list[str] = []
    if project.status not in _DONE:
        reasons.append(f"项目状态为“{project.status.label_zh}”，建成后方可核定")
    return VerificationDecision(not blocking and not reasons, blocking, tuple(reasons))
