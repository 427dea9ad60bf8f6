"""The feeds of the indicator service: how each target's figure is obtained.

The plan file names a target's ``feed`` (``ecer.plan.schema``). ``reported`` targets are
judged on their approved observations; every other feed asks the module that keeps the
accounts (dual control, CO2, verified reduction projects, the enterprise registry) and hands
its figures to ``ecer.core.progress``/``ecer.core.warning`` unchanged, so the module's own
page and every other surface show one answer. No formula lives here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecer.core import progress as core_progress
from ecer.core import reductions as core_reductions
from ecer.core import registers as core_registers
from ecer.core import warning as core_warning
from ecer.plan.schema import feed_family
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.energy import services as energy_services
from ecer.web.enterprises import services as enterprise_services
from ecer.web.enterprises.models import Enterprise
from ecer.web.numbers import BadStoredValue
from ecer.web.reductions import services as reduction_services
from ecer.web.reductions.models import ReductionProject
from ecer.web.registers import services as register_services
from ecer.web.registers.models import Register

# Units of the accounts: energy in tce, the plan's total in 万吨标准煤 (10^4 tce).
TCE_PER_10K_TCE = 10_000.0


@dataclass(frozen=True)
class Alternative:
    """The same figure on another legitimate basis (e.g. 总量口径 beside 考核口径).

    label: The basis (Chinese). value: Its value [unit]; None when it cannot be computed.
    decline_pct: For intensities, its decline from the base year [%].
    """

    label: str
    value: float | None
    unit: str
    decline_pct: float | None = None


@dataclass(frozen=True)
class FeedResult:
    """What a feed says about one target in one area at the end of one year.

    result, warning: Progress and warning level, from ``ecer.core`` unchanged.
    basis: The basis the status is judged on (Chinese), e.g. 考核口径.
    target_value: The target applying to this area [target unit] (a district's decomposed
        target where the plan breaks it down); None when not quantified.
    series: (year, value) of each year up to the evaluated one, for charts [indicator unit].
    alternatives: The figure on the other legitimate bases.
    problems: Why a figure is missing (Chinese).
    """

    result: core_progress.ProgressResult
    warning: core_warning.WarningAssessment
    basis: str
    target_value: float | None
    uses_demo_data: bool
    series: tuple[tuple[int, float], ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    problems: tuple[str, ...] = ()


def target_spec(target: Target, target_value: float | None = None) -> core_progress.TargetSpec:
    """The core specification of a target; ``target_value`` overrides the plan's (a
    district's decomposed target)."""
    return core_progress.TargetSpec(
        kind=core_progress.TargetKind(target.kind),
        base_year=target.base_year,
        target_year=target.target_year,
        target_value=target.target_value if target_value is None else target_value,
        base_value=target.base_value,
        strict=target.strict,
        wording=core_progress.Wording(target.wording),
        every_year=target.every_year,
    )


def judge(
    spec: core_progress.TargetSpec, series: list[tuple[int, float]], year: int
) -> tuple[core_progress.ProgressResult, core_warning.WarningAssessment]:
    """Progress and warning of annual values, the way every feed without its own judge does."""
    observations = [core_progress.Observation(y, None, v) for y, v in series]
    result = core_progress.evaluate(spec, observations, as_of=(year, None))
    return result, core_warning.target_warning(result, core_warning.WarningThresholds())


class FeedContext:
    """Figures shared by the targets of one evaluation (one plan, one year): each module's
    accounts are computed once per area however many targets read them."""

    def __init__(self, plan: Plan, year: int):
        self.plan = plan
        self.year = year
        self._controls: dict[int, energy_services.DualControl] = {}
        self._benchmarks: dict[tuple[int, int], enterprise_services.BenchmarkFigure] = {}
        self._registers: dict[int, Register | None] = {}
        self._register_items: dict[tuple[int, int], list[core_registers.Item]] = {}
        self._register_demo: dict[tuple[int, int], bool] = {}

    def control(self, area: Area) -> energy_services.DualControl:
        if area.pk not in self._controls:
            self._controls[area.pk] = energy_services.evaluate(area, self.year, self.plan)
        return self._controls[area.pk]

    @cached_property
    def reduction_projects(self) -> list[core_reductions.Project]:
        # The four targets are the city's: judged on every project of the city.
        projects = reduction_services.with_details(ReductionProject.objects.all())
        return reduction_services.core_projects(projects, strict=True)

    @cached_property
    def reductions_demo(self) -> bool:
        return ReductionProject.objects.filter(is_demo=True).exists()

    def benchmark(self, target: Target, year: int) -> enterprise_services.BenchmarkFigure:
        """The benchmark share of the city's enterprises from their latest counted reports of
        ``year`` or before, judged against ``target``'s share and strictness."""
        key = (target.pk, year)
        if key not in self._benchmarks:
            self._benchmarks[key] = enterprise_services.benchmark_figure(
                Enterprise.objects.all(), year, enterprise_services.ShareTarget.of(target)
            )
        return self._benchmarks[key]

    def register(self, target: Target) -> Register | None:
        if target.pk not in self._registers:
            self._registers[target.pk] = register_services.register_of(target)
        return self._registers[target.pk]

    def register_items(self, register: Register, area: Area) -> list[core_registers.Item]:
        key = (register.pk, area.pk)
        if key not in self._register_items:
            self._register_items[key] = register_services.core_items(register, area)
        return self._register_items[key]

    def register_demo(self, register: Register, area: Area) -> bool:
        key = (register.pk, area.pk)
        if key not in self._register_demo:
            items = register_services.area_items(register, area)
            self._register_demo[key] = items.filter(is_demo=True).exists()
        return self._register_demo[key]


Feed = Callable[[Target, Area, "FeedContext"], FeedResult]


def _no_data(
    target: Target,
    year: int,
    reason: str,
    target_value: float | None = None,
    usable_target: bool = True,
) -> tuple[core_progress.ProgressResult, core_warning.WarningAssessment]:
    spec = target_spec(target, target_value)
    if not usable_target:
        # The target's stored values are refused by its domain: judge against no target.
        spec = dataclasses.replace(spec, target_value=None, base_value=None)
    result = core_progress.evaluate(spec, [], as_of=(year, None))
    return result, core_warning.WarningAssessment(
        level=core_warning.WarningLevel.UNKNOWN, reasons=("no_data",), messages_zh=(reason,)
    )


def _basic_target(target: Target, area: Area, control: energy_services.DualControl) -> float | None:
    if area.is_city:
        return target.target_value
    return control.target.basic_decline_pct if control.target else None


ASSESSED = gettext_lazy("考核口径")
GROSS = gettext_lazy("总量口径")


def energy_intensity(target: Target, area: Area, ctx: FeedContext) -> FeedResult:
    """Energy intensity on assessed consumption against the basic target (plan 四(一)): the
    progress and warning of ``ecer.web.energy.services.evaluate`` itself."""
    control = ctx.control(area)
    basic = _basic_target(target, area, control)
    if control.progress is None:
        result, warning = _no_data(target, ctx.year, "；".join(control.problems), basic)
        warning = control.intensity_warning
    else:
        result, warning = control.progress, control.intensity_warning
    current = control.current
    alternatives = ()
    if current is not None:
        alternatives = (
            Alternative(
                GROSS, current.gross.intensity, target.indicator_unit, current.gross.decline_pct
            ),
        )
    return FeedResult(
        result=result,
        warning=warning,
        basis=str(ASSESSED),
        target_value=basic,
        uses_demo_data=control.uses_demo_data,
        series=tuple((f.year, f.assessed.intensity) for f in control.years),
        alternatives=alternatives,
        problems=control.problems,
    )


def energy_total(target: Target, area: Area, ctx: FeedContext) -> FeedResult:
    """Assessed total consumption against the year's (adjusted) budget, honouring the
    incentive exemption (plan 四(一)); the warning is the one of the dual-control page."""
    control = ctx.control(area)
    series = tuple((f.year, f.consumption.assessed_tce / TCE_PER_10K_TCE) for f in control.years)
    current = control.current
    if control.total is None or current is None:
        reason = "；".join(control.problems) or _("基期年不考核能源消费总量")
        result, _warning = _no_data(target, ctx.year, reason)
        return FeedResult(
            result=result,
            warning=control.total_warning,
            basis=str(ASSESSED),
            target_value=None,
            uses_demo_data=control.uses_demo_data,
            series=series,
            problems=control.problems,
        )
    total = control.total
    result = core_progress.against_budget(
        base_year=target.base_year,
        target_year=target.target_year,
        year=ctx.year,
        value=total.assessed_tce / TCE_PER_10K_TCE,
        budget=total.budget_tce / TCE_PER_10K_TCE,
        passed=total.passed,
    )
    return FeedResult(
        result=result,
        warning=control.total_warning,
        basis=str(ASSESSED),
        target_value=total.budget_tce / TCE_PER_10K_TCE,
        uses_demo_data=control.uses_demo_data,
        series=series,
        alternatives=(
            Alternative(str(GROSS), current.consumption.gross_tce / TCE_PER_10K_TCE, target.unit),
        ),
    )


def co2_intensity(target: Target, area: Area, ctx: FeedContext) -> FeedResult:
    """CO2 per comparable-price GDP from the carbon accounts of the dual-control data."""
    control = ctx.control(area)
    series = [(f.year, f.co2_intensity) for f in control.years if f.co2_intensity is not None]
    spec = target_spec(target)
    result, warning = judge(spec, series, ctx.year)
    current = control.current
    problems = tuple(current.co2_notes) if current else control.problems
    return FeedResult(
        result=result,
        warning=warning,
        basis=_("核算值"),
        target_value=target.target_value,
        uses_demo_data=control.uses_demo_data,
        series=tuple(series),
        problems=problems,
    )


def reduction(pollutant: core_reductions.Pollutant) -> Feed:
    def feed(target: Target, area: Area, ctx: FeedContext) -> FeedResult:
        """The reduction in effect each year of the verified key projects (plan 二, 四(二))."""
        if target.target_value is None:  # a cumulative_increase target is quantified
            raise BadStoredValue(_("%(name)s 缺少目标值") % {"name": target.name})
        progress = core_reductions.progress_by_pollutant(
            ctx.reduction_projects,
            ctx.year,
            {pollutant: target.target_value},
            base_year=target.base_year,
            target_year=target.target_year,
        )[pollutant]
        return FeedResult(
            result=progress.result,
            warning=progress.warning,
            basis=_("已核查项目"),
            target_value=target.target_value,
            uses_demo_data=ctx.reductions_demo,
            series=progress.by_year_t,
        )

    return feed


def benchmark_share(target: Target, area: Area, ctx: FeedContext) -> FeedResult:
    """Share of the key industries' capacity at the benchmark level (plan 三(一)): the lowest
    industry's share (``enterprise_services.BenchmarkFigure`` says why), judged against the
    target's value and strictness ("超过"), the same figures the benchmark page's table uses.

    Each year's figure is the stock of capacity as the enterprises' latest counted reports of
    that year or before describe it (a report of a later year never reaches back); the series
    runs from the year after the base year to the evaluated year.
    """
    figure = ctx.benchmark(target, ctx.year)
    series = []
    for year in range(target.base_year + 1, ctx.year + 1):
        share = figure.share_pct if year == ctx.year else ctx.benchmark(target, year).share_pct
        if share is not None:
            series.append((year, share))
    result, warning = judge(target_spec(target), series, ctx.year)
    return FeedResult(
        result=result,
        warning=warning,
        basis=_("企业能源利用状况报告"),
        target_value=target.target_value,
        uses_demo_data=figure.uses_demo_data,
        series=tuple(series),
        problems=figure.problems,
    )


def register_count(target: Target, area: Area, ctx: FeedContext) -> FeedResult:
    """The register's count (台账, plan 三(四), 三(五), 三(八), 三(十)): the items remaining, or the
    items (sizes) built, that the city has verified by the end of each year
    (``ecer.core.registers``); the count including items done but not yet verified is given
    beside. The city's figure is all districts' items; a district's, its own."""
    register = ctx.register(target)
    items = ctx.register_items(register, area) if register is not None else []
    if register is None or not items:
        reason = _("台账尚无条目") if register is not None else _("未找到台账")
        result, warning = _no_data(target, ctx.year, reason)
        return FeedResult(
            result=result,
            warning=warning,
            basis=_("台账（已核查）"),
            target_value=target.target_value,
            uses_demo_data=False,
            problems=(reason,),
        )
    series = register_services.series(target, register, items, ctx.year)
    result, warning = judge(target_spec(target), series, ctx.year)
    with_done = register_services.figure(target, register, items, ctx.year, include_done=True)
    return FeedResult(
        result=result,
        warning=warning,
        basis=_("台账（已核查）"),
        target_value=target.target_value,
        uses_demo_data=ctx.register_demo(register, area),
        series=tuple(series),
        alternatives=(Alternative(_("含已完成待核查"), with_done, target.indicator_unit),),
    )


COMPUTED: dict[str, Feed] = {
    "energy.intensity": energy_intensity,
    "energy.total": energy_total,
    "carbon.intensity": co2_intensity,
    **{feed: reduction(pollutant) for pollutant, feed in reduction_services.FEEDS.items()},
    "enterprises.benchmark_share": benchmark_share,
    "registers": register_count,
}
"""Every computed feed the plan schema knows (``ecer.plan.schema.FEED_KINDS``); a register
feed ``registers.<register>`` by its family (``ecer.plan.schema.feed_family``)."""


def feed_of(target: Target) -> Feed:
    """The computed feed of a target (``COMPUTED`` by the feed's family)."""
    return COMPUTED[feed_family(target.feed)]
