"""Dual control (能耗双控) of the city and its districts: database rows in, ``ecer.core`` out.

This module only gathers rows and hands them to ``ecer.core``; views and templates show what
it returns and compute nothing. Conventions, each a choice written down once:

* Comparable GDP: the base year's GDP at current prices chained with the yearly GDP indices
  (previous year = 100) of each later year (``core.intensity.comparable_gdp_series``).
* Gross consumption is the sum of the carriers converted to tce (``core.energy``), electricity
  at its equivalent value unless the year says otherwise. Assessed consumption is gross minus
  raw-material use, renewables and separately listed major projects
  (``core.intensity.assessed_consumption``, plan 四(一)). The same deductions are applied in the
  base year, so base and assessed year are compared like for like; intensity and decline are
  reported both on assessed and on gross consumption.
* The districts' basic and incentive targets are declines by the plan's target year. For an
  earlier year both are prorated on the even-pace path of ``core.progress`` (constant annual
  decline rate), and attainment, the annual budget and the incentive exemption of that year
  are judged against the prorated targets.
* The annual budget (年度能源消费总量目标) is the base intensity lowered by the prorated basic
  target times the GDP the planned growth rate gives; it is raised with actual GDP when growth
  beat the plan (``core.intensity.annual_energy_budget`` / ``adjust_energy_budget``).
* CO2 (``core.carbon.assess_co2``): fuel combustion per GB/T 32150-2015 Annex A defaults,
  electricity x ``ECER_GRID_CO2_T_PER_MWH``, heat x ``ECER_HEAT_CO2_T_PER_GJ``, the same
  factors for every year. A fuel without combustion parameters (e.g. raw coal) or heat without
  a factor leaves that part and the total unknown, and the page names it. Raw-material use is
  inside the carrier lines without a carrier, so it cannot be deducted: the page says the fuel
  figure is an upper bound. CO2 intensity is against comparable-price GDP, and its decline is
  against the base year, as for energy; it is shown only when both years are complete.
* LMDI: the change in end-use consumption between the base year and the year. Production
  sectors are decomposed with total activity = GDP at comparable prices and structure = each
  sector's share of value added at current prices (sector deflators are not published for
  districts); residential use has no value added, so its change is shown as its own step.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ecer.core import carbon as core_carbon
from ecer.core import energy as core_energy
from ecer.core import intensity as core_intensity
from ecer.core import lmdi as core_lmdi
from ecer.core import progress as core_progress
from ecer.core import projection as core_projection
from ecer.core import warning as core_warning
from ecer.web.catalog.models import Area, Plan
from ecer.web.energy.co2 import co2_notes, co2_of
from ecer.web.energy.models import (
    PRODUCTION_SECTORS,
    SECTOR_LABELS,
    CarrierConsumption,
    DistrictEnergyYear,
    DistrictTarget,
)
from ecer.web.numbers import BadStoredValue, bad_data_text, require_stored_values

logger = logging.getLogger(__name__)

# Sector figures may differ from the carrier total by this much before the page warns [%].
SECTOR_SUM_TOLERANCE_PCT = 0.5


@dataclass(frozen=True)
class YearFigures:
    """One year of an area, every figure from ``ecer.core``.

    tce_by_carrier: Consumption per carrier code [tce].
    consumption: Gross, deductions and assessed consumption [tce].
    comparable_gdp_10k_yuan: GDP at base-year prices [10^4 yuan].
    assessed: Intensity and cumulative decline on assessed consumption.
    gross: Intensity and cumulative decline on gross consumption.
    sector_total_tce: Sum of the sector figures [tce]; None when any sector is missing.
    sector_gap_pct: Sector sum against gross consumption [%]; None without sectors.
    co2: CO2 of the year's carriers, split by source [tCO2].
    co2_intensity: CO2 per comparable-price GDP [tCO2/10^4 yuan]; None when CO2 is incomplete.
    co2_decline: CO2 intensity and its decline against the base year; None unless both
        years' CO2 is complete.
    co2_notes: Why a CO2 figure is missing or only an upper bound (Chinese).
    """

    row: DistrictEnergyYear
    tce_by_carrier: dict[str, float]
    consumption: core_intensity.AssessedConsumption
    comparable_gdp_10k_yuan: float
    assessed: core_intensity.IntensityDecline
    gross: core_intensity.IntensityDecline
    sector_total_tce: float | None
    sector_gap_pct: float | None
    co2: core_carbon.Co2Assessment
    co2_intensity: float | None
    co2_decline: core_carbon.Co2IntensityDecline | None
    co2_notes: tuple[str, ...]

    @property
    def year(self) -> int:
        return int(self.row.year)

    @property
    def sector_mismatch(self) -> bool:
        """The sectors do not add up to the total within the tolerance."""
        return (
            self.sector_gap_pct is not None and abs(self.sector_gap_pct) > SECTOR_SUM_TOLERANCE_PCT
        )


@dataclass(frozen=True)
class WaterfallStep:
    """One bar of the LMDI waterfall [tce]."""

    key: str
    label: str
    value: float
    is_total: bool


@dataclass(frozen=True)
class Decomposition:
    """LMDI of the change in end-use consumption from the base year to the year [tce].

    production: Additive LMDI-I of the production sectors.
    residential_0, residential_t: Residential use in the two years [tce].
    start_tce, end_tce: End-use totals (production + residential) [tce].
    """

    base_year: int
    year: int
    production: core_lmdi.AdditiveDecomposition
    residential_0: float
    residential_t: float
    start_tce: float
    end_tce: float

    @property
    def residential_change(self) -> float:
        return self.residential_t - self.residential_0

    def steps(self) -> list[WaterfallStep]:
        p = self.production
        return [
            WaterfallStep(
                "start", _("%(year)s 年能耗") % {"year": self.base_year}, self.start_tce, True
            ),
            WaterfallStep("activity", _("经济规模效应"), p.activity_effect, False),
            WaterfallStep("structure", _("产业结构效应"), p.structure_effect, False),
            WaterfallStep("intensity", _("能耗强度效应"), p.intensity_effect, False),
            WaterfallStep("residential", _("居民生活用能变化"), self.residential_change, False),
            WaterfallStep("end", _("%(year)s 年能耗") % {"year": self.year}, self.end_tce, True),
        ]


@dataclass(frozen=True)
class DualControl:
    """Dual control of one area at the end of one year.

    Everything that needs data the area lacks is None, and ``problems`` says what is missing.
    interim_basic_pct, interim_incentive_pct: Targets prorated to the year [%].
    dual: Attainment against the prorated targets (decides the exemption of the year).
    final_dual: Decline so far against the targets of the target year.
    """

    area: Area
    plan: Plan
    year: int
    target: DistrictTarget | None
    years: tuple[YearFigures, ...]
    problems: tuple[str, ...]
    intensity_warning: core_warning.WarningAssessment
    total_warning: core_warning.WarningAssessment
    interim_basic_pct: float | None = None
    interim_incentive_pct: float | None = None
    dual: core_intensity.DualTargetResult | None = None
    final_dual: core_intensity.DualTargetResult | None = None
    progress: core_progress.ProgressResult | None = None
    budget: core_intensity.EnergyBudget | None = None
    budget_adjustment: core_intensity.BudgetAdjustment | None = None
    total: core_intensity.TotalConsumptionAssessment | None = None
    outlook: core_projection.IntensityOutlook | None = None
    decomposition: Decomposition | None = None
    decomposition_problem: str | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def current(self) -> YearFigures | None:
        return self.years[-1] if self.years and self.years[-1].year == self.year else None

    @property
    def base(self) -> YearFigures | None:
        return self.years[0] if self.years else None

    @property
    def uses_demo_data(self) -> bool:
        return any(y.row.is_demo for y in self.years) or bool(self.target and self.target.is_demo)


def electricity_options(row: DistrictEnergyYear) -> dict[str, object]:
    if row.electricity_basis == DistrictEnergyYear.ElectricityBasis.EQUAL:
        return {
            "electricity_basis": "equal",
            "equal_value_kgce_per_kwh": row.electricity_equal_kgce_per_kwh,
        }
    return {"electricity_basis": "equivalent"}


def carrier_tce(
    row: DistrictEnergyYear, carriers: Iterable[CarrierConsumption]
) -> dict[str, float]:
    """Consumption per carrier [tce] (GB/T 2589-2020 via ``core.energy``)."""
    return core_energy.tce_by_carrier(
        [c.as_core() for c in carriers],
        **electricity_options(row),  # type: ignore[arg-type]
    )


def gross_tce(row: DistrictEnergyYear, carriers: Iterable[CarrierConsumption]) -> float:
    """Gross consumption [tce]: the sum of the carriers."""
    return math.fsum(carrier_tce(row, carriers).values())


def deduction_error(row: DistrictEnergyYear, gross: float) -> str | None:
    """Chinese message when the deductions are invalid for this gross figure, else None."""
    try:
        core_intensity.assessed_consumption(
            gross,
            raw_material_tce=row.raw_material_tce or 0.0,
            renewable_tce=row.renewable_tce or 0.0,
            separately_listed_tce=row.separately_listed_tce or 0.0,
        )
    except ValueError:
        deducted = math.fsum(
            (
                row.raw_material_tce or 0.0,
                row.renewable_tce or 0.0,
                row.separately_listed_tce or 0.0,
            )
        )
        return _(
            "原料用能、可再生能源和单列项目能耗合计 %(deducted).1f 吨标准煤，超过能源消费总量 "
            "%(gross).1f 吨标准煤"
        ) % {"deducted": deducted, "gross": gross}
    return None


def sector_gap_pct(row: DistrictEnergyYear, gross: float) -> tuple[float | None, float | None]:
    """(sector sum [tce], its difference from gross [%]); (None, None) if a sector is missing."""
    values = list(row.sector_values().values())
    if any(v is None for v in values) or not gross > 0:
        return None, None
    total = math.fsum(v for v in values if v is not None)
    # Relative difference of the sector sum from the carrier total, as a share of the total.
    return total, (total - gross) / gross * 100.0


def sector_warning(row: DistrictEnergyYear) -> str | None:
    """Chinese warning when the sectors do not add up to the carriers' total, else None."""
    _total, gap = sector_gap_pct(row, gross_tce(row, row.carriers.all()))
    if gap is None or abs(gap) <= SECTOR_SUM_TOLERANCE_PCT:
        return None
    return sector_message(row, gap)


def sector_message(row: DistrictEnergyYear, gap: float) -> str:
    return _(
        "%(area)s %(year)s 年分部门能耗合计与能源消费总量相差 %(gap)+.2f%%（允许 ±%(tol)s%%）"
    ) % {"area": row.area.name, "year": row.year, "gap": gap, "tol": SECTOR_SUM_TOLERANCE_PCT}


def _year_figures(
    rows: Sequence[DistrictEnergyYear], base_consumption: core_intensity.AssessedConsumption
) -> list[YearFigures]:
    base_row = rows[0]
    base_gdp = base_row.gdp_current_10k_yuan
    indices = [r.gdp_index for r in rows[1:]]
    gdp_series = [base_gdp, *core_intensity.comparable_gdp_series(base_gdp, indices)]  # type: ignore[arg-type]
    co2s = [co2_of([c.as_core() for c in r.carriers.all()], r.raw_material_tce) for r in rows]
    base_co2 = co2s[0]
    figures = []
    for k, (row, co2) in enumerate(zip(rows, co2s, strict=True)):
        notes = co2_notes(co2)
        co2_decline = None
        if co2.total_co2_t is not None and base_co2.total_co2_t is not None:
            if base_co2.total_co2_t > 0:
                co2_decline = core_carbon.co2_intensity_decline(
                    base_co2.total_co2_t,
                    base_gdp,
                    co2.total_co2_t,
                    indices[:k],  # type: ignore[arg-type]
                )
        elif co2.total_co2_t is not None and k > 0:
            notes.append(
                _("%(year)s 年排放总量无法计算，不能计算二氧化碳强度下降") % {"year": base_row.year}
            )
        if base_co2.includes_raw_material and co2_decline is not None and k > 0:
            notes.append(_("基期年燃料燃烧排放含原料用能，下降率仅供参考"))
        by_carrier = carrier_tce(row, row.carriers.all())
        gross = math.fsum(by_carrier.values())
        consumption = core_intensity.assessed_consumption(
            gross,
            raw_material_tce=row.raw_material_tce,
            renewable_tce=row.renewable_tce,
            separately_listed_tce=row.separately_listed_tce,
        )
        chain = indices[:k]
        assessed = core_intensity.intensity_decline(
            base_consumption.assessed_tce,
            base_gdp,
            consumption.assessed_tce,
            chain,  # type: ignore[arg-type]
        )
        gross_decline = core_intensity.intensity_decline(
            base_consumption.gross_tce,
            base_gdp,
            consumption.gross_tce,
            chain,  # type: ignore[arg-type]
        )
        sector_total, gap = sector_gap_pct(row, gross)
        figures.append(
            YearFigures(
                row=row,
                tce_by_carrier=by_carrier,
                consumption=consumption,
                comparable_gdp_10k_yuan=gdp_series[k],
                assessed=assessed,
                gross=gross_decline,
                sector_total_tce=sector_total,
                sector_gap_pct=gap,
                co2=co2,
                co2_intensity=(
                    core_carbon.co2_intensity(co2.total_co2_t, gdp_series[k])
                    if co2.total_co2_t is not None
                    else None
                ),
                co2_decline=co2_decline,
                co2_notes=tuple(notes),
            )
        )
    return figures


def prorated_decline_pct(target_pct: float, base_year: int, target_year: int, year: int) -> float:
    """Cumulative decline due by ``year`` on the even-pace path to ``target_pct`` [%]."""
    return core_progress.prorated_decline_pct(target_pct, base_year, target_year, year)


def decompose(base: YearFigures, current: YearFigures) -> tuple[Decomposition | None, str | None]:
    """LMDI of end-use consumption from ``base`` to ``current`` (see the module docstring)."""
    rows = (base.row, current.row)
    if any(v is None for r in rows for v in r.sector_values().values()):
        return None, _("缺少分部门能耗，无法进行因素分解")
    added = [r.value_added() for r in rows]
    if any(v is None for va in added for v in va.values()):
        return None, _("缺少分行业增加值，无法进行因素分解")
    totals = [math.fsum(v for v in va.values() if v is not None) for va in added]
    if not all(t > 0 for t in totals):
        return None, _("分行业增加值合计必须大于 0")
    gdp = (base.comparable_gdp_10k_yuan, current.comparable_gdp_10k_yuan)
    sectors = []
    for s in PRODUCTION_SECTORS:
        # Sector activity = comparable GDP x current-price value-added share (module docstring).
        activity = [gdp[k] * (added[k][s] or 0.0) / totals[k] for k in (0, 1)]
        energy = [rows[k].sector_values()[s] or 0.0 for k in (0, 1)]
        sectors.append(
            core_lmdi.SectorData(
                str(SECTOR_LABELS[s]), activity[0], energy[0], activity[1], energy[1]
            )
        )
    try:
        production = core_lmdi.lmdi_additive(sectors)
    except ValueError as exc:
        return None, _("分部门数据无法分解：%(reason)s") % {"reason": exc}
    residential = [rows[k].sector_residential_tce or 0.0 for k in (0, 1)]
    return (
        Decomposition(
            base_year=base.year,
            year=current.year,
            production=production,
            residential_0=residential[0],
            residential_t=residential[1],
            start_tce=math.fsum((production.energy_0, residential[0])),
            end_tce=math.fsum((production.energy_t, residential[1])),
        ),
        None,
    )


def unknown_warning(reason: str) -> core_warning.WarningAssessment:
    return core_warning.WarningAssessment(
        level=core_warning.WarningLevel.UNKNOWN, reasons=("no_data",), messages_zh=(reason,)
    )


def evaluate(area: Area, year: int, plan: Plan) -> DualControl:
    """Dual control of ``area`` at the end of ``year`` under ``plan``.

    A stored value the domain rules refuse (written before the CHECK constraints or by hand),
    or one the accounting refuses, is a problem of this area-year ("数据异常：…" naming the
    table and field), shown on every page that reads it, never an error page."""
    try:
        return _evaluate(area, year, plan)
    except (ValueError, ArithmeticError, LookupError) as exc:
        reason = bad_data_text(exc)
        logger.warning("dual control %s %s: bad stored data: %s", area.code, year, exc)
        return DualControl(
            area=area,
            plan=plan,
            year=year,
            target=None,
            years=(),
            problems=(reason,),
            intensity_warning=unknown_warning(reason),
            total_warning=unknown_warning(reason),
        )


def _evaluate(area: Area, year: int, plan: Plan) -> DualControl:
    base_year, target_year = plan.base_year, plan.target_year
    target = DistrictTarget.objects.filter(plan=plan, area=area).first()
    require_stored_values(target)
    if target is not None and area.is_city:
        # The city's basic target is the plan's own (plan 二): the plan file is its only home,
        # so a figure stored beside the city's incentive target and growth is not used.
        plan_target = plan.targets.filter(feed="energy.intensity").first()
        require_stored_values(plan_target)
        if plan_target is not None and plan_target.target_value is not None:
            target.basic_decline_pct = plan_target.target_value
    stored = {
        r.year: r
        for r in DistrictEnergyYear.objects.filter(
            area=area, year__gte=base_year, year__lte=year
        ).prefetch_related("carriers")
    }
    problems: list[str] = []
    rows: list[DistrictEnergyYear] = []
    for y in range(base_year, year + 1):
        if y not in stored:
            problems.append(_("缺少 %(year)s 年的能耗与生产总值数据") % {"year": y})
            break
        rows.append(stored[y])
    if target is None:
        problems.append(_("尚未下达能耗强度降低目标"))

    def incomplete(years: Sequence[YearFigures] = ()) -> DualControl:
        reason = "；".join(problems)
        return DualControl(
            area=area,
            plan=plan,
            year=year,
            target=target,
            years=tuple(years),
            problems=tuple(problems),
            intensity_warning=unknown_warning(reason),
            total_warning=unknown_warning(reason),
        )

    if not rows:
        return incomplete()
    try:
        for row in rows:
            require_stored_values(row, *row.carriers.all())
        base_gross = gross_tce(rows[0], rows[0].carriers.all())
        base_consumption = core_intensity.assessed_consumption(
            base_gross,
            raw_material_tce=rows[0].raw_material_tce,
            renewable_tce=rows[0].renewable_tce,
            separately_listed_tce=rows[0].separately_listed_tce,
        )
        figures = _year_figures(rows, base_consumption)
    except BadStoredValue as exc:
        problems.append(str(exc))
        return incomplete()
    except (ValueError, LookupError) as exc:
        problems.append(_("数据无法计算：%(reason)s") % {"reason": exc})
        return incomplete()
    warnings = tuple(
        sector_message(f.row, f.sector_gap_pct)
        for f in figures
        if f.sector_mismatch and f.sector_gap_pct is not None
    )
    if problems or target is None:
        return dataclasses.replace(incomplete(figures), warnings=warnings)

    current = figures[-1]
    thresholds = core_warning.WarningThresholds()
    # Intensity: progress of the assessed intensity against the basic target's even-pace path.
    spec = core_progress.TargetSpec(
        kind=core_progress.TargetKind.DECLINE_PCT,
        base_year=base_year,
        target_year=target_year,
        target_value=target.basic_decline_pct,
    )
    observations = [core_progress.Observation(f.year, None, f.assessed.intensity) for f in figures]
    progress = core_progress.evaluate(spec, observations, as_of=(year, None))
    intensity_light = core_warning.intensity_warning(progress, thresholds)
    final_dual = core_intensity.assess_dual_target(
        current.assessed.decline_pct,
        core_intensity.DualTarget(target.basic_decline_pct, target.incentive_decline_pct),
    )
    outlook = None
    if year < target_year and len(figures) >= 2:
        planned_gdp = core_intensity.comparable_gdp(
            current.comparable_gdp_10k_yuan,
            [100.0 + target.planned_gdp_growth_pct] * (target_year - year),
        )
        outlook = core_projection.intensity_outlook(
            [core_projection.Observation(f.year, f.assessed.intensity) for f in figures],
            base_year=base_year,
            target_decline_pct=target.basic_decline_pct,
            target_year=target_year,
            planned_gdp_10k_yuan=planned_gdp,
        )
    decomposition, decomposition_problem = (
        decompose(figures[0], current) if year > base_year else (None, _("基期年没有变化可分解"))
    )
    common = {
        "area": area,
        "plan": plan,
        "year": year,
        "target": target,
        "years": tuple(figures),
        "problems": (),
        "intensity_warning": intensity_light,
        "final_dual": final_dual,
        "progress": progress,
        "outlook": outlook,
        "decomposition": decomposition,
        "decomposition_problem": decomposition_problem,
        "warnings": warnings,
    }
    if year == base_year:
        return DualControl(
            **common,
            total_warning=unknown_warning(_("基期年不考核能源消费总量")),
        )

    interim_basic = prorated_decline_pct(target.basic_decline_pct, base_year, target_year, year)
    interim_incentive = prorated_decline_pct(
        target.incentive_decline_pct, base_year, target_year, year
    )
    dual = core_intensity.assess_dual_target(
        current.assessed.decline_pct, core_intensity.DualTarget(interim_basic, interim_incentive)
    )
    base = figures[0]
    budget = core_intensity.annual_energy_budget(
        base.consumption.assessed_tce,
        base.row.gdp_current_10k_yuan,
        [target.planned_gdp_growth_pct] * (year - base_year),
        interim_basic,
    )
    adjustment = core_intensity.adjust_energy_budget(
        budget,
        base.row.gdp_current_10k_yuan,
        [f.row.gdp_index for f in figures[1:]],  # type: ignore[misc]
    )
    total = core_intensity.assess_total_consumption(
        current.consumption, adjustment.adjusted_budget_tce, dual
    )
    # A full year of data: the year's budget is measured at time progress 1.
    total_light = core_warning.total_warning(
        current.consumption.assessed_tce, adjustment.adjusted_budget_tce, 1.0, thresholds
    )
    return DualControl(
        **common,
        total_warning=total_light,
        interim_basic_pct=interim_basic,
        interim_incentive_pct=interim_incentive,
        dual=dual,
        budget=budget,
        budget_adjustment=adjustment,
        total=total,
    )


def areas() -> list[Area]:
    """The city first, then its districts."""
    return sorted(Area.objects.all(), key=lambda a: (not a.is_city, a.sort_order, a.code))


def evaluate_all(year: int, plan: Plan) -> list[DualControl]:
    return [evaluate(area, year, plan) for area in areas()]


# --- What the pages draw. Every number is computed here; the templates and charts.js only
# --- place them.


@dataclass(frozen=True)
class CarrierLine:
    code: str
    name: str
    quantity: float
    unit: str
    tce: float
    share_pct: float


def carrier_lines(control: DualControl) -> list[CarrierLine]:
    """The latest year's carriers with their tce and share of gross consumption."""
    current = control.current
    if current is None:
        return []
    gross = current.consumption.gross_tce
    lines = []
    for c in current.row.carriers.all():
        tce = current.tce_by_carrier.get(c.carrier, 0.0)
        lines.append(
            CarrierLine(
                code=c.carrier,
                name=core_energy.CARRIERS[c.carrier].name_zh,
                quantity=c.quantity,
                unit=c.unit,
                tce=tce,
                share_pct=tce / gross * 100.0 if gross > 0 else 0.0,
            )
        )
    return sorted(lines, key=lambda line: -line.tce)


def comparison_chart(controls: Sequence[DualControl]) -> dict[str, object]:
    """Bars per area: cumulative decline so far against the prorated basic and incentive
    targets of the year [%]."""

    def pct(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return {
        "categories": [c.area.name for c in controls],
        "unit": "%",
        "series": [
            {
                "name": _("强度累计下降（考核口径）"),
                "data": [
                    pct(c.current.assessed.decline_pct if c.current else None) for c in controls
                ],
                "levels": [str(c.intensity_warning.level) for c in controls],
            },
            {
                "name": _("当年应降（基本目标）"),
                "data": [pct(c.interim_basic_pct) for c in controls],
            },
            {
                "name": _("当年应降（激励目标）"),
                "data": [pct(c.interim_incentive_pct) for c in controls],
            },
        ],
    }


def waterfall_chart(control: DualControl) -> dict[str, object] | None:
    """The LMDI steps as a waterfall: an invisible base bar and a visible bar per step [tce]."""
    if control.decomposition is None:
        return None
    labels, base, rise, fall, total = [], [], [], [], []
    running = 0.0
    for step in control.decomposition.steps():
        labels.append(str(step.label))
        if step.is_total:
            running = step.value
            base.append(0.0)
            total.append(round(step.value, 1))
            rise.append(None)
            fall.append(None)
            continue
        # A rise stands on the running total; a fall hangs from it.
        low = running + min(step.value, 0.0)
        running += step.value
        base.append(round(low, 1))
        total.append(None)
        rise.append(round(step.value, 1) if step.value >= 0 else None)
        fall.append(round(-step.value, 1) if step.value < 0 else None)
    return {
        "categories": labels,
        "base": base,
        "total": total,
        "rise": rise,
        "fall": fall,
        "names": [_("能耗"), _("增加"), _("减少")],
        "unit": _("吨标准煤"),
    }


def trend_chart(control: DualControl) -> dict[str, object] | None:
    """Intensity per year on both bases, and the even-pace path of the basic target
    [tce/10^4 yuan]."""
    if not control.years:
        return None
    plan = control.plan
    years = list(range(plan.base_year, plan.target_year + 1))
    by_year = {f.year: f for f in control.years}
    base = control.years[0].assessed.base_intensity
    path = None
    if control.target is not None:
        path = [
            round(
                base
                * (
                    1
                    - prorated_decline_pct(
                        control.target.basic_decline_pct, plan.base_year, plan.target_year, y
                    )
                    / 100
                ),
                4,
            )
            for y in years
        ]
    return {
        "years": [str(y) for y in years],
        "unit": _("吨标准煤/万元"),
        "series": [
            {
                "name": _("能耗强度（考核口径）"),
                "data": [
                    round(by_year[y].assessed.intensity, 4) if y in by_year else None for y in years
                ],
            },
            {
                "name": _("能耗强度（总量口径）"),
                "data": [
                    round(by_year[y].gross.intensity, 4) if y in by_year else None for y in years
                ],
            },
        ],
        "path": path,
        "path_name": _("基本目标时序进度要求"),
    }
