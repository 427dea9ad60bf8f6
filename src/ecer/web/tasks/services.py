"""Plan tasks at work: computed status, the moves of a progress report (each one recorded), and
the league table (部门任务完成情况). Statuses come from ``ecer.core.tasks``; nothing here is typed
by a person except what the reports say.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecer.core import schedule as core_schedule
from ecer.core import tasks as core
from ecer.web.accounts.models import Role
from ecer.web.accounts.scope import Scope
from ecer.web.audit import workflow
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Department, Plan, Task
from ecer.web.tasks.models import ProgressReport, ReportEvent, ReportVersion

STATUS_LABELS = {
    core.TaskStatus.NOT_STARTED: gettext_lazy("未启动"),
    core.TaskStatus.IN_PROGRESS: gettext_lazy("推进中"),
    core.TaskStatus.OVERDUE: gettext_lazy("逾期"),
    core.TaskStatus.DONE: gettext_lazy("已完成"),
}
STATUS_CLASSES = {
    core.TaskStatus.NOT_STARTED: "none",
    core.TaskStatus.IN_PROGRESS: "warn",
    core.TaskStatus.OVERDUE: "bad",
    core.TaskStatus.DONE: "ok",
}


def status_label(status: core.TaskStatus) -> str:
    return str(STATUS_LABELS[status])


# --- milestones and status --------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneRow:
    name: str
    due: date
    percent: float
    from_plan: bool
    reached_on: date | None

    def core(self) -> core.Milestone:
        return core.Milestone(self.due, self.percent)


def plan_milestone(task: Task) -> core.Milestone | None:
    """The plan's own deadline: a task due in a year (到2025年…) is complete by 31 December."""
    if task.due_year is None:
        return None
    return core.Milestone(date(task.due_year, 12, 31), 100.0)


def milestones(task: Task) -> list[core.Milestone]:
    found = [core.Milestone(m.due, m.percent) for m in task.milestones.all()]
    own = plan_milestone(task)
    return sorted([*found, *([own] if own else [])], key=lambda m: (m.due, m.percent))


def accepted(reports: Iterable[ProgressReport]) -> list[core.AcceptedReport]:
    return [
        core.AcceptedReport(timezone.localdate(r.reviewed_at), r.percent)
        for r in reports
        if r.status == Status.APPROVED and r.reviewed_at is not None
    ]


def lead_reports(task: Task) -> list[ProgressReport]:
    """The reports that speak for the whole task: those of its lead departments."""
    leads = {d.pk for d in task.lead_departments.all()}
    return [r for r in task.reports.all() if r.department_id in leads]


def task_status(task: Task, today: date) -> core.TaskStatus:
    """The task's status: its milestones against its lead departments' accepted reports."""
    return core.task_status(milestones(task), accepted(lead_reports(task)), today)


def unit_status(task: Task, reports: Iterable[ProgressReport], today: date) -> core.TaskStatus:
    """A unit's own progress on the task (a district's share of a 三 task)."""
    return core.task_status(milestones(task), accepted(reports), today)


def milestone_rows(task: Task) -> list[MilestoneRow]:
    done = accepted(lead_reports(task))
    rows = [
        MilestoneRow(m.name, m.due, m.percent, False, core.reached_on(m_core, done))
        for m in task.milestones.all()
        for m_core in [core.Milestone(m.due, m.percent)]
    ]
    own = plan_milestone(task)
    if own is not None:
        name = _("方案要求 %(year)s 年完成") % {"year": task.due_year}
        rows.append(MilestoneRow(name, own.due, own.percent, True, core.reached_on(own, done)))
    return sorted(rows, key=lambda r: (r.due, r.percent))


def tasks_with_reports(plan: Plan) -> QuerySet[Task]:
    return (
        plan.tasks.order_by("section__sort_order", "sort_order")
        .select_related("section")
        .prefetch_related("lead_departments", "co_departments", "milestones", "reports")
    )


def district_tasks(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """The tasks the districts answer for: the one rule of ``Scope.tasks``."""
    return Scope(role=Role.DISTRICT).tasks(queryset)


# --- periods ------------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def default_period(plan: Plan, today: date) -> tuple[int, int]:
    """The quarter a new report or the league table is for: today's, within the plan period."""
    year, quarter = quarter_of(today)
    if year > plan.target_year:
        return plan.target_year, 4
    if year <= plan.base_year:
        return plan.base_year + 1, 1
    return year, quarter


def period_end(year: int, quarter: int) -> date:
    return core_schedule.quarter_end(year, quarter)


# --- the moves of a report ----------------------------------------------------------------


def unit_of(scope: Scope) -> dict[str, Any]:
    """The unit a user reports for: its department or its district."""
    if scope.role == Role.DEPARTMENT:
        return {"department_id": scope.department_id}
    if scope.role == Role.DISTRICT:
        return {"area_id": scope.area_id}
    raise ValueError("only department and district users file task reports")


def record(report: ProgressReport, action: str, user: Any, note: str = "") -> None:
    ReportEvent.objects.create(
        report=report, action=action, by=user, version=report.version, note=note
    )


@transaction.atomic
def submit(report: ProgressReport, user: Any) -> ReportVersion:
    """Submit, keeping what the report says now as its next version."""
    workflow.submit(report, user)
    report.version += 1
    report.save(update_fields=["version"])
    version = ReportVersion.objects.create(
        report=report,
        number=report.version,
        done_text=report.done_text,
        percent=report.percent,
        problems=report.problems,
        next_steps=report.next_steps,
        evidence=[{"name": e.name, "sha256": e.sha256} for e in report.evidence.all()],
        submitted_by=user,
        submitted_at=report.submitted_at or timezone.now(),
    )
    record(report, ReportEvent.Action.SUBMITTED, user)
    return version


@transaction.atomic
def accept(report: ProgressReport, user: Any, scope: Scope) -> None:
    workflow.approve(report, user, scope)
    record(report, ReportEvent.Action.ACCEPTED, user)


@transaction.atomic
def return_for_revision(report: ProgressReport, user: Any, scope: Scope, reason: str) -> None:
    workflow.return_for_revision(report, user, scope, reason)
    record(report, ReportEvent.Action.RETURNED, user, report.return_reason)


# --- the league table ---------------------------------------------------------------------


@dataclass(frozen=True)
class League:
    year: int
    quarter: int
    as_of: date
    departments: list[core.LeagueRow]
    districts: list[core.LeagueRow]


def _submitted(reports: Sequence[ProgressReport], year: int, quarter: int) -> bool:
    return any(
        r.year == year and r.quarter == quarter and r.submitted_at is not None for r in reports
    )


def league(plan: Plan, year: int, quarter: int, today: date) -> League:
    """Per lead department and per district: its tasks done, overdue and on time as of the end
    of the chosen quarter (or today, within it), and the reports of that quarter not submitted
    by a unit that answers for a task not yet done."""
    as_of = min(today, period_end(year, quarter))
    tasks = list(tasks_with_reports(plan))
    by_department: dict[int, list[core.TaskStatus]] = {}
    outstanding: dict[int, int] = {}
    for task in tasks:
        status = task_status(task, as_of)
        reports = list(task.reports.all())
        for department in task.lead_departments.all():
            by_department.setdefault(department.pk, []).append(status)
            own = [r for r in reports if r.department_id == department.pk]
            if status is not core.TaskStatus.DONE and not _submitted(own, year, quarter):
                outstanding[department.pk] = outstanding.get(department.pk, 0) + 1
    names = {d.pk: d.name for d in Department.objects.filter(pk__in=by_department)}
    departments = [
        core.league_row(names[pk], statuses, outstanding.get(pk, 0))
        for pk, statuses in by_department.items()
    ]
    shared = _shared(plan, tasks)
    districts = [
        _district_row(area, shared, year, quarter, as_of)
        for area in Area.objects.exclude(kind=Area.Kind.CITY)
    ]
    return League(
        year, quarter, as_of, core.league_order(departments), core.league_order(districts)
    )


def _shared(plan: Plan, tasks: Sequence[Task]) -> list[Task]:
    shared_pks = set(district_tasks(plan.tasks.all()).values_list("pk", flat=True))
    return [t for t in tasks if t.pk in shared_pks]


def _district_row(
    area: Area, shared: Sequence[Task], year: int, quarter: int, as_of: date
) -> core.LeagueRow:
    statuses = []
    missing = 0
    for task in shared:
        own = [r for r in task.reports.all() if r.area_id == area.pk]
        status = unit_status(task, own, as_of)
        statuses.append(status)
        if status is not core.TaskStatus.DONE and not _submitted(own, year, quarter):
            missing += 1
    return core.league_row(area.name, statuses, missing)


def district_year_row(plan: Plan, area: Area, year: int, today: date) -> core.LeagueRow:
    """The district's line of the league table for the fourth quarter of ``year`` — what the
    district assessment of that year scores its tasks and measures by (plan 五(二)); the league
    page for that quarter shows the same line (one computation, ``_district_row``)."""
    as_of = min(today, period_end(year, 4))
    return _district_row(area, _shared(plan, list(tasks_with_reports(plan))), year, 4, as_of)
