"""Energy budgets and the what-if review of projects: database rows in, ``ecer.core`` out.

Conventions, each written down once (the formulas are in ``ecer.core.whatif``):

* An area's observed years and targets are those of the dual-control page
  (``ecer.web.energy.services.evaluate`` at the latest year with data).
* A project's energy on the area's basis: its carriers through ``ecer.core.energy`` with the
  electricity basis (and equal-value factor) of the area's latest year, so project and area add
  up like with like.
* Committed (已批在建): under construction, or planned with an energy review (节能审查) passed,
  and not ordered to stop or exit. Pending (待审): planned without one. In operation: already
  in the area's statistics.
* Released (节能挖潜): a running project ordered to exit gives up its energy and value added,
  one ordered to rectify its stated saving, from the year after the disposal deadline.
* The city's review adds the project to the city's figures; its committed projects are those
  of every district.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecer.core import energy as core_energy
from ecer.core import warning as core_warning
from ecer.core import whatif
from ecer.web.catalog.models import Area, Plan
from ecer.web.energy import services as energy_services
from ecer.web.energy.services import DualControl
from ecer.web.indicators import service as indicators
from ecer.web.projects.models import Project

CITY_CODE = "beihai"


def city() -> Area:
    return Area.objects.filter(kind=Area.Kind.CITY).order_by("sort_order").first() or (
        Area.objects.get(code=CITY_CODE)
    )


def area_history(control: DualControl) -> whatif.AreaHistory | None:
    """The observed years and targets of a dual-control evaluation; None when incomplete."""
    if control.problems or control.target is None or not control.years:
        return None
    years = control.years
    return whatif.AreaHistory(
        base_year=control.plan.base_year,
        target_year=control.plan.target_year,
        assessed_tce=tuple(f.consumption.assessed_tce for f in years),
        base_gdp_10k_yuan=years[0].row.gdp_current_10k_yuan,
        gdp_indices=tuple(float(f.row.gdp_index or 0.0) for f in years[1:]),
        basic_decline_pct=control.target.basic_decline_pct,
        incentive_decline_pct=control.target.incentive_decline_pct,
        planned_growth_pct=control.target.planned_gdp_growth_pct,
    )


def project_tce(project: Project, control: DualControl | None) -> float:
    """Annual energy of a project on the electricity basis of the area's latest year [tce]."""
    options: dict[str, object] = {"electricity_basis": "equivalent"}
    if control is not None and control.years:
        options = energy_services.electricity_options(control.years[-1].row)
    return core_energy.total_tce(
        [line.as_core() for line in project.lines.all()],
        **options,  # type: ignore[arg-type]
    )


def load(project: Project, control: DualControl | None) -> whatif.ProjectLoad:
    return whatif.ProjectLoad(
        key=str(project.pk),
        energy_tce=project_tce(project, control),
        value_added_10k_yuan=project.value_added_10k_yuan,
        first_year=project.first_full_year,
        separately_listed=project.separately_listed,
    )


def release(project: Project, control: DualControl | None) -> whatif.ProjectLoad | None:
    """The negative load of an exit or a rectification (节能挖潜), or None."""
    year = project.release_year
    if year is None:
        return None
    if project.disposal == Project.Disposal.EXIT:
        energy, added = project_tce(project, control), project.value_added_10k_yuan
    else:
        energy, added = project.rectification_saving_tce, 0.0
    return whatif.ProjectLoad(
        key=str(project.pk),
        energy_tce=-energy,
        value_added_10k_yuan=-added,
        first_year=year,
        separately_listed=project.separately_listed,
    )


def projects_in(area: Area) -> QuerySet[Project]:
    qs = Project.objects.prefetch_related("lines").select_related("area")
    return qs if area.is_city else qs.filter(area=area)


def committed_loads(
    area: Area, control: DualControl | None, exclude: Project | None = None
) -> list[whatif.ProjectLoad]:
    """Committed projects and releases of the area (the candidate excluded)."""
    loads: list[whatif.ProjectLoad] = []
    for p in projects_in(area):
        if exclude is not None and p.pk == exclude.pk:
            continue
        if p.committed:
            loads.append(load(p, control))
        freed = release(p, control)
        if freed is not None:
            loads.append(freed)
    return loads


def latest_control(area: Area, plan: Plan) -> DualControl:
    """The area's dual control in the year every page opens on for the city."""
    city = Area.objects.get(kind=Area.Kind.CITY)
    return energy_services.evaluate(area, indicators.default_year(plan, city), plan)


# --- The budget of an area ---------------------------------------------------------------


@dataclass(frozen=True)
class CandidateEffect:
    """What a pending project does to the area's last plan year."""

    project: Project
    energy_tce: float
    value_added_per_tce: float | None
    rank: int | None
    headroom_before_tce: float
    headroom_after_tce: float
    changes: tuple[whatif.LightChange, ...]


@dataclass(frozen=True)
class AreaBudget:
    """An area's budget: the latest observed year and the plan years left.

    control: Dual control of the latest year (its budget, assessed use and margin).
    years: The remaining years with existing users and committed projects (baseline).
    committed: Projects whose use is committed; released: exits and rectifications that free
        budget; pending: candidates with their effect.
    problem: Why there is no projection, or "".
    """

    area: Area
    control: DualControl
    years: tuple[whatif.YearOutlook, ...]
    committed: tuple[Project, ...]
    released: tuple[Project, ...]
    pending: tuple[CandidateEffect, ...]
    problem: str

    @property
    def uses_demo_data(self) -> bool:
        return self.control.uses_demo_data or any(
            p.is_demo for p in (*self.committed, *self.released, *(c.project for c in self.pending))
        )


def area_budget(area: Area, plan: Plan) -> AreaBudget:
    control = latest_control(area, plan)
    projects = list(projects_in(area))
    committed = tuple(p for p in projects if p.committed)
    released = tuple(p for p in projects if p.release_year is not None)
    history = area_history(control)
    if history is None:
        problem = "；".join(control.problems) or _("缺少能耗数据或目标")
        return AreaBudget(area, control, (), committed, released, (), problem)
    committed_loads_ = committed_loads(area, control)
    baseline = whatif.project_area(history, committed_loads_)
    if not baseline:
        return AreaBudget(
            area, control, (), committed, released, (), _("规划期已结束，没有剩余年份")
        )
    pending = [p for p in projects if p.pending]
    loads = {p.pk: load(p, control) for p in pending}
    ranks = {r.key: r for r in whatif.rank_by_value_added_per_tce(list(loads.values()))}
    effects = []
    for p in pending:
        result = whatif.review(history, committed_loads_, loads[p.pk])
        effects.append(
            CandidateEffect(
                project=p,
                energy_tce=loads[p.pk].energy_tce,
                value_added_per_tce=ranks[str(p.pk)].value_added_per_tce,
                rank=ranks[str(p.pk)].rank,
                headroom_before_tce=result.baseline.years[-1].headroom_tce,
                headroom_after_tce=result.applicable.years[-1].headroom_tce,
                changes=result.changes,
            )
        )
    effects.sort(key=lambda e: (e.rank is None, e.rank or 0, e.project.name))
    return AreaBudget(area, control, baseline, committed, released, tuple(effects), "")


# --- The review of one project -----------------------------------------------------------


@dataclass(frozen=True)
class AreaEffect:
    area: Area
    control: DualControl
    review: whatif.AreaReview | None
    problem: str


@dataclass(frozen=True)
class Comparison:
    """Value added per tce of the project against averages [10^4 yuan/tce]."""

    label: str
    value: float | None


@dataclass(frozen=True)
class ProjectReview:
    project: Project
    energy_tce: float
    district: AreaEffect
    city: AreaEffect
    comparisons: tuple[Comparison, ...]
    rank: int | None
    pending_count: int
    verdict: tuple[str, ...]
    worse: bool

    @property
    def uses_demo_data(self) -> bool:
        return self.project.is_demo or self.district.control.uses_demo_data


def _area_effect(area: Area, plan: Plan, project: Project) -> AreaEffect:
    control = latest_control(area, plan)
    history = area_history(control)
    if history is None:
        problem = "；".join(control.problems) or _("缺少能耗数据或目标")
        return AreaEffect(area, control, None, problem)
    if not history.remaining_years:
        return AreaEffect(area, control, None, _("规划期已结束，没有剩余年份"))
    result = whatif.review(
        history, committed_loads(area, control, exclude=project), load(project, control)
    )
    return AreaEffect(area, control, result, "")


def _averages(project: Project, district: AreaEffect) -> list[Comparison]:
    comparisons = []
    current = district.control.current
    if current is not None:
        comparisons.append(
            Comparison(
                _("%(area)s全社会平均") % {"area": district.area.name},
                whatif.value_added_per_tce(
                    current.comparable_gdp_10k_yuan, current.consumption.gross_tce
                ),
            )
        )
        row = current.row
        if row.value_added_industry_10k_yuan is not None and row.sector_industry_tce:
            comparisons.append(
                Comparison(
                    _("%(area)s工业平均") % {"area": district.area.name},
                    whatif.value_added_per_tce(
                        row.value_added_industry_10k_yuan, row.sector_industry_tce
                    ),
                )
            )
    peers = [
        p
        for p in Project.objects.prefetch_related("lines").filter(
            industry_code__startswith=project.industry_code[:2]
        )
        if p.pk != project.pk
    ]
    if peers:
        energy = math.fsum(project_tce(p, district.control) for p in peers)
        comparisons.append(
            Comparison(
                _("同行业登记项目平均（%(n)s 个）") % {"n": len(peers)},
                whatif.value_added_per_tce(
                    math.fsum(p.value_added_10k_yuan for p in peers), energy
                ),
            )
        )
    return comparisons


LIGHT_NAMES = {
    whatif.Light.INTENSITY: gettext_lazy("能耗强度"),
    whatif.Light.TOTAL: gettext_lazy("能源消费总量"),
}
LEVEL_NAMES = {
    core_warning.WarningLevel.RED: gettext_lazy("红色"),
    core_warning.WarningLevel.YELLOW: gettext_lazy("黄色"),
    core_warning.WarningLevel.GREEN: gettext_lazy("绿色"),
    core_warning.WarningLevel.UNKNOWN: gettext_lazy("无法判断"),
}


def headroom_text(tce: float) -> str:
    """Budget headroom in words, the sign said once: 余量 12,000 吨标准煤 or 缺口 9 吨标准煤."""
    if tce < 0:
        return _("缺口 %(tce)s 吨标准煤") % {"tce": f"{-tce:,.0f}"}
    return _("余量 %(tce)s 吨标准煤") % {"tce": f"{tce:,.0f}"}


def _no_level_change(reviewed: Sequence[AreaEffect]) -> str:
    """No warning level moves; say so, and say what the budget loses all the same (an
    unchanged red light can hide a budget gap growing by 275,000 tce)."""
    areas = "、".join(e.area.name for e in reviewed)
    lost = 0.0
    for effect in reviewed:
        assert effect.review is not None
        before = effect.review.baseline.years[-1].headroom_tce
        after = effect.review.applicable.years[-1].headroom_tce
        lost = max(lost, before - after)
    if lost >= 0.5:
        return _("批准该项目不改变%(areas)s的预警等级，但用能预算余量最多减少 %(tce)s 吨标准煤") % {
            "areas": areas,
            "tce": f"{lost:,.0f}",
        }
    return _("批准该项目不改变%(areas)s的预警等级") % {"areas": areas}


def verdict(project: Project, effects: Sequence[AreaEffect]) -> tuple[tuple[str, ...], bool]:
    """Plain-language sentences on what approving the project does; and whether it worsens."""
    lines: list[str] = []
    worse = False
    for effect in effects:
        if effect.review is None:
            continue
        for change in effect.review.changes:
            worse = worse or change.worse
            lines.append(
                _("批准该项目将使%(area)s %(year)s 年%(light)s预警由%(before)s变为%(after)s")
                % {
                    "area": effect.area.name,
                    "year": change.year,
                    "light": str(LIGHT_NAMES[change.light]),
                    "before": str(LEVEL_NAMES[change.before]),
                    "after": str(LEVEL_NAMES[change.after]),
                }
            )
    reviewed = [e for e in effects if e.review is not None]
    if reviewed and not lines:
        lines.append(_no_level_change(reviewed))
    for effect in reviewed:
        assert effect.review is not None
        before = effect.review.baseline.years[-1]
        after = effect.review.applicable.years[-1]
        lines.append(
            _("%(area)s %(year)s 年用能预算由%(before)s变为%(after)s")
            % {
                "area": effect.area.name,
                "year": after.year,
                "before": headroom_text(before.headroom_tce),
                "after": headroom_text(after.headroom_tce),
            }
        )
    if project.separately_listed:
        lines.append(_("该项目能耗单列，不计入县区能耗双控考核，但计入能源消费总量统计"))
    return tuple(lines), worse


def review_project(project: Project, plan: Plan) -> ProjectReview:
    district = _area_effect(project.area, plan, project)
    city_effect = _area_effect(city(), plan, project)
    energy = project_tce(project, district.control)
    pending = [p for p in Project.objects.prefetch_related("lines") if p.pending]
    if project.pending:
        loads = [load(p, district.control) for p in pending]
        ranks = {r.key: r.rank for r in whatif.rank_by_value_added_per_tce(loads)}
        rank = ranks.get(str(project.pk))
    else:
        rank = None
    own = Comparison(_("本项目"), whatif.value_added_per_tce(project.value_added_10k_yuan, energy))
    lines, worse = verdict(project, [district, city_effect])
    return ProjectReview(
        project=project,
        energy_tce=energy,
        district=district,
        city=city_effect,
        comparisons=(own, *_averages(project, district)),
        rank=rank,
        pending_count=len(pending),
        verdict=lines,
        worse=worse,
    )


def review_chart(effect: AreaEffect) -> dict[str, object] | None:
    """Assessed intensity per year: observed, and each scenario over the remaining years,
    with the even-pace path of the basic target [tce/10^4 yuan]."""
    if effect.review is None or effect.control.target is None:
        return None
    plan = effect.control.plan
    years = list(range(plan.base_year, plan.target_year + 1))
    observed = {f.year: f.assessed.intensity for f in effect.control.years}
    latest = max(observed)

    def series(scenario: whatif.Scenario) -> list[float | None]:
        values = {y.year: y.intensity for y in scenario.years}
        # The scenario line starts at the latest observed point so it joins the history.
        values[latest] = observed[latest]
        return [round(values[y], 4) if y in values else None for y in years]

    review = effect.review
    base = effect.control.years[0].assessed.base_intensity
    target = effect.control.target
    path = [
        round(
            base
            * (
                1
                - energy_services.prorated_decline_pct(
                    target.basic_decline_pct, plan.base_year, plan.target_year, y
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
                "name": _("实际（考核口径）"),
                "data": [round(observed[y], 4) if y in observed else None for y in years],
            },
            {"name": _("不含该项目"), "data": series(review.baseline)},
            {"name": _("计入该项目"), "data": series(review.counted)},
            {"name": _("该项目单列扣除"), "data": series(review.listed)},
        ],
        "path": path,
        "path_name": _("基本目标时序进度要求"),
    }
