"""District assessment and the mid-term evaluation: database rows in, ``ecer.core`` out.

Inputs of each district's assessment (``ecer.core.assessment.DistrictInput``), all from the
existing services, none recomputed here:

* intensity and total consumption: the dual-control accounts of ``ecer.web.energy.services``
  (the prorated basic and incentive targets, the budget, the incentive exemption and the
  deductions of 四(一)), read through the indicator service's ``FeedContext`` so that the
  assessment scores the very accounts the district's intensity and total targets show;
* pollutant reductions: the district's key reduction projects; the reduction in effect in the
  year that is verified, against the reduction of its completed or verified projects
  (``ecer.core.reductions.ledger``): unverified claims do not count (our choice: the plan
  gives the city targets only, not district shares);
* key tasks and measures: the district's line of the tasks league table for the fourth quarter
  of the year (``ecer.web.tasks.services.district_year_row``): the same computed task statuses
  the league page shows, scored by the same share (``ecer.core.tasks.standing_share``);
* items: those the city administrator recorded, plus a veto for every two-high project in the
  register built or running without an energy review (节能审查), found automatically.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import assessment as core
from ecer.core import progress as core_progress
from ecer.core import reductions as core_reductions
from ecer.core import tasks as core_tasks
from ecer.core import warning as core_warning
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.energy import services as energy_services
from ecer.web.indicators import service as indicators
from ecer.web.indicators.feeds import FeedContext
from ecer.web.projects.models import Project
from ecer.web.reductions import figures as reduction_figures
from ecer.web.reductions import services as reduction_services
from ecer.web.reductions.models import ReductionProject
from ecer.web.reports.models import AssessmentResult, ItemRecord, SchemeVersion
from ecer.web.tasks import services as task_services

TWO_HIGH_VETO = "two_high_violation"


# --- the scheme ----------------------------------------------------------------------------


def current_scheme_version() -> SchemeVersion:
    """The latest scheme version; the default scheme is stored as version 1 when none is."""
    latest = SchemeVersion.objects.order_by("-number").first()
    if latest is not None:
        return latest
    return ensure_default_scheme()


def ensure_default_scheme() -> SchemeVersion:
    """Store the default scheme as version 1 unless a version exists (idempotent)."""
    with transaction.atomic():
        version, _created = SchemeVersion.objects.get_or_create(
            number=1,
            defaults={
                "data": core.DEFAULT_SCHEME.as_dict(),
                "note": "默认考核方案（系统初始化时载入）",
            },
        )
    return version


def save_scheme(data: dict[str, Any], note: str, user: Any) -> SchemeVersion:
    """Validate ``data`` and store it as the next version (:class:`core.SchemeError` if bad)."""
    scheme = core.scheme_from_dict(data)
    with transaction.atomic():
        last = SchemeVersion.objects.select_for_update().order_by("-number").first()
        number = (last.number if last else 0) + 1
        return SchemeVersion.objects.create(
            number=number, data=scheme.as_dict(), note=note, created_by=user
        )


# --- inputs --------------------------------------------------------------------------------


def districts() -> list[Area]:
    return [a for a in energy_services.areas() if not a.is_city]


def pollutant_shares(area: Area, year: int, plan: Plan) -> tuple[core.PollutantShare, ...]:
    """The district's reductions in effect in ``year``: verified of completed-or-verified, for
    each of the plan's reduction targets (against its base year)."""
    projects = list(reduction_services.with_details(ReductionProject.objects.filter(area=area)))
    starts = reduction_figures.base_years(reduction_figures.plan_targets(plan))
    done = [
        core_reductions.ProjectStatus.COMPLETED.value,
        core_reductions.ProjectStatus.VERIFIED.value,
    ]
    due = reduction_services.totals_in_effect(projects, year, starts, counted=done)
    achieved = reduction_services.totals_in_effect(projects, year, starts)
    return tuple(
        core.PollutantShare(p.label_zh, achieved.get((p,), 0.0), due.get((p,), 0.0))
        for p in starts
        if due.get((p,), 0.0) > 0
    )


def task_row(plan: Plan, area: Area, year: int) -> core_tasks.LeagueRow | None:
    """The district's tasks as the league table counts them at the end of ``year`` (or today,
    within it); None when the district answers for no task."""
    row = task_services.district_year_row(plan, area, year, timezone.localdate())
    return row if row.tasks else None


def two_high_violations(area: Area, year: int) -> list[Project]:
    """Two-high projects of the district built or running by ``year`` without an energy
    review: a veto item of plan 五(二) found in the register."""
    return [
        p
        for p in Project.objects.filter(
            area=area,
            two_high=True,
            status__in=[Project.Status.UNDER_CONSTRUCTION, Project.Status.IN_OPERATION],
        )
        if not p.approved and (p.first_full_year is None or p.first_full_year <= year + 1)
    ]


def recorded_items(area: Area, year: int) -> tuple[core.RecordedItem, ...]:
    items = [
        core.RecordedItem(r.code, r.note)
        for r in ItemRecord.objects.filter(area=area, year=year).order_by("code", "pk")
    ]
    violations = two_high_violations(area, year)
    if violations and not any(i.code == TWO_HIGH_VETO for i in items):
        names = "、".join(p.name for p in violations)
        items.append(core.RecordedItem(TWO_HIGH_VETO, _("项目登记：%(names)s") % {"names": names}))
    return tuple(items)


@dataclass(frozen=True)
class DistrictAssessment:
    area: Area
    control: energy_services.DualControl
    input: core.DistrictInput
    result: core.Assessment


def district_input(
    area: Area,
    year: int,
    plan: Plan,
    control: energy_services.DualControl,
) -> core.DistrictInput:
    current = control.current
    return core.DistrictInput(
        area_code=area.code,
        area_name=area.name,
        year=year,
        intensity=control.dual,
        total=control.total,
        consumption=current.consumption if current else None,
        pollutants=pollutant_shares(area, year, plan),
        tasks=task_row(plan, area, year),
        items=recorded_items(area, year),
    )


def assess_year(
    year: int,
    plan: Plan,
    scheme: core.Scheme,
    areas: Sequence[Area] | None = None,
    context: FeedContext | None = None,
    version: str | None = None,
) -> list[DistrictAssessment]:
    """Each district's assessment. The dual-control accounts are the indicator service's
    (``context``): the intensity and total the assessment scores are the ones every page
    shows for the district's targets; its tasks are the league table's line for the year.

    ``version`` (the data version a caller reads its other figures at) is accepted and not
    used: since the tasks line reads the league table, no figure here is read by version."""
    del version
    ctx = context or FeedContext(plan, year)
    out = []
    for area in districts() if areas is None else areas:
        control = ctx.control(area)
        inp = district_input(area, year, plan, control)
        out.append(DistrictAssessment(area, control, inp, core.assess(scheme, inp)))
    return out


@dataclass(frozen=True)
class SchemeComparison:
    """One district's assessment under the scheme in force and under a proposed one: the
    same inputs (one computation of the district's figures), scored twice by ``core.assess``."""

    area: Area
    current: core.Assessment
    proposed: core.Assessment

    @property
    def score_change(self) -> float | None:
        """Proposed minus current score [points]; None when either is unrated."""
        if self.current.score is None or self.proposed.score is None:
            return None
        return self.proposed.score - self.current.score

    @property
    def grade_changed(self) -> bool:
        return self.current.grade is not self.proposed.grade


def compare_schemes(
    year: int, plan: Plan, current: core.Scheme, proposed: core.Scheme
) -> list[SchemeComparison]:
    """Every district's assessment of ``year`` (:func:`assess_year`, as the reports page) under
    ``current`` and under ``proposed``: what saving ``proposed`` would change."""
    return [
        SchemeComparison(a.area, a.result, core.assess(proposed, a.input))
        for a in assess_year(year, plan, current)
    ]


def detail(result: core.Assessment) -> dict[str, Any]:
    """The stored form of a result (JSON)."""
    return {
        "lines": [
            {
                "code": str(line.code),
                "name_zh": line.name_zh,
                "weight": line.weight,
                "points": line.points,
                "status": str(line.status),
                "reason_zh": line.reason_zh,
            }
            for line in result.lines
        ],
        "base_score": result.base_score,
        "bonus": result.bonus,
        "deduction": result.deduction,
        "vetoes": list(result.vetoes),
        "reasons_zh": list(result.reasons_zh),
        "exemptions_zh": list(result.exemptions_zh),
    }


def store_results(
    assessments: Sequence[DistrictAssessment],
    version: SchemeVersion,
    year: int,
    stamp: str | None = None,
) -> list[AssessmentResult]:
    """Record the results with the scheme version and the data version they used."""
    stamp = stamp or data_version()
    return [
        AssessmentResult.objects.create(
            area=a.area,
            year=year,
            scheme=version,
            score=a.result.score,
            grade=str(a.result.grade),
            detail=detail(a.result),
            data_version=stamp,
        )
        for a in assessments
    ]


# --- mid-term evaluation (中期评估) ---------------------------------------------------------


@dataclass(frozen=True)
class MidtermRow:
    """One target of the plan in one area at the evaluated year: its indicator (every figure,
    status and warning level is the indicator service's) with a sentence and the departments
    responsible."""

    indicator: indicators.Indicator
    sentence: str
    departments: str

    @property
    def target(self) -> Target:
        return self.indicator.target

    @property
    def base_value(self) -> float | None:
        """The base-year level the indicator is judged against [indicator unit]."""
        base = self.indicator.result.base
        return self.indicator.target.base_value if base is None else base

    @property
    def latest_value(self) -> float | None:
        return self.indicator.value

    @property
    def latest_year(self) -> int | None:
        latest = self.indicator.result.latest
        return None if latest is None else latest.year

    @property
    def target_value(self) -> float | None:
        """The target applying to this area (a district's decomposed target) [target unit]."""
        return self.indicator.target_value

    @property
    def completion_pct(self) -> float | None:
        return self.indicator.completion_percent

    @property
    def time_progress_pct(self) -> float:
        return self.indicator.time_progress_percent

    @property
    def status(self) -> core_progress.ProgressStatus:
        return self.indicator.status

    @property
    def level(self) -> core_warning.WarningLevel:
        return self.indicator.level


@dataclass(frozen=True)
class MidtermArea:
    area: Area
    rows: tuple[MidtermRow, ...]

    @property
    def behind(self) -> list[MidtermRow]:
        return [r for r in self.rows if r.status is core_progress.ProgressStatus.BEHIND]

    def count(self, status: core_progress.ProgressStatus) -> int:
        return sum(r.status is status for r in self.rows)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{value:,.4g}{unit}"


def sentence(item: indicators.Indicator, year: int) -> str:
    """A short assessment of one target, from its progress and warning (no new figures)."""
    r = item.result
    unit = item.target.indicator_unit or item.target.unit
    if r.status is core_progress.ProgressStatus.NOT_QUANTIFIED:
        return _("未设定量化目标值，按工作进展评估")
    if r.status is core_progress.ProgressStatus.NO_DATA or r.latest is None:
        return _("截至 %(year)s 年尚无已审核数据，无法评估") % {"year": year}
    if r.status is core_progress.ProgressStatus.NO_BASE:
        return _("缺少基期值，无法计算完成进度")
    done = (
        _("完成进度 %(c).0f%%，时序进度 %(t).0f%%")
        % {"c": item.completion_percent, "t": item.time_progress_percent}
        if item.completion_percent is not None
        else _("最新值 %(v)s") % {"v": _fmt(r.latest.value, unit)}
    )
    if r.status is core_progress.ProgressStatus.MET:
        return _("已达到规划目标（%(done)s）") % {"done": done}
    if r.status is core_progress.ProgressStatus.ON_TRACK:
        return _("进度正常，%(done)s") % {"done": done}
    return _("进度滞后，%(done)s，%(level)s，需加快推进") % {
        "done": done,
        "level": item.warning.level.label_zh,
    }


def _departments(target: Target) -> str:
    lead = [d.name for d in target.lead_departments.all()]
    co = [d.name for d in target.co_departments.all()]
    text = "、".join(lead)
    if co:
        text += _("（配合：%(co)s）") % {"co": "、".join(co)}
    return text


def midterm_area(
    plan: Plan,
    area: Area,
    year: int,
    context: FeedContext | None = None,
    version: str | None = None,
) -> MidtermArea:
    items = indicators.evaluate(plan, area, year, context=context, version=version)
    return MidtermArea(
        area,
        tuple(
            MidtermRow(
                indicator=item,
                sentence=sentence(item, year),
                departments=_departments(item.target),
            )
            for item in items
        ),
    )
