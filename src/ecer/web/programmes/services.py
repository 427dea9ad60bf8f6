"""The key programmes' project library: who sees and edits which projects, each project's
computed status and figures, a programme's roll-up, monthly progress with its evidence.

Scope (``ecer.web.accounts.scope``): the city, leaders and departments see every project; a
district user its district's; an enterprise user the projects linked to its enterprise. The
city edits all; a department the projects of the programmes it leads and those it owns; a
district its district's. Leaders and enterprises only read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import programmes as core
from ecer.web.accounts.models import Role
from ecer.web.catalog.models import Area
from ecer.web.numbers import stored_value_problems
from ecer.web.programmes.models import Programme, ProgressEntry, Project
from ecer.web.uploads.evidence import EvidenceRefused, check_evidence

# Evidence: the accepted types, each recognised by its first bytes (not only its name).
# The CSS class of each status on the pages.
STATUS_CLASSES = {
    core.ProjectStatus.NOT_STARTED: "none",
    core.ProjectStatus.ON_SCHEDULE: "ok",
    core.ProjectStatus.BEHIND: "warn",
    core.ProjectStatus.COMPLETED: "ok",
    core.ProjectStatus.OVERDUE: "bad",
}


def status_label(status: core.ProjectStatus | str) -> str:
    return {
        core.ProjectStatus.NOT_STARTED: _("未开工"),
        core.ProjectStatus.ON_SCHEDULE: _("按期推进"),
        core.ProjectStatus.BEHIND: _("进度滞后"),
        core.ProjectStatus.COMPLETED: _("已完成"),
        core.ProjectStatus.OVERDUE: _("逾期未完成"),
    }[core.ProjectStatus(status)]


# --- who sees what -------------------------------------------------------------------------
def can_view(scope: Any) -> bool:
    return bool(scope.has_access)


def projects_in_scope(scope: Any, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    projects = Project.objects.all() if queryset is None else queryset
    if scope.sees_all_areas:
        return projects
    if scope.role == Role.DISTRICT:
        return projects.filter(area_id=scope.area_id)
    if scope.role == Role.ENTERPRISE and scope.enterprise_code:
        return projects.filter(enterprise__credit_code=scope.enterprise_code)
    return projects.none()


def can_view_project(scope: Any, project: Any) -> bool:
    return projects_in_scope(scope, Project.objects.filter(pk=project.pk)).exists()


def leads(scope: Any, programme: Programme) -> bool:
    return bool(
        scope.role == Role.DEPARTMENT
        and programme.lead_departments.filter(pk=scope.department_id).exists()
    )


def can_file(scope: Any, programme: Programme) -> bool:
    """May add projects to ``programme`` (the city; its lead departments; districts)."""
    return bool(scope.is_city_admin or scope.role == Role.DISTRICT or leads(scope, programme))


def can_edit(scope: Any, project: Project) -> bool:
    if scope.is_city_admin:
        return True
    if scope.role == Role.DEPARTMENT:
        return project.owner_department_id == scope.department_id or leads(scope, project.programme)
    if scope.role == Role.DISTRICT:
        return bool(project.area_id == scope.area_id)
    return False


def editable_areas(scope: Any) -> QuerySet[Area]:
    """The areas a user may put a project in: every one for the city and departments, its own
    district for a district user."""
    if scope.is_city_admin or scope.role == Role.DEPARTMENT:
        return Area.objects.all()
    if scope.role == Role.DISTRICT:
        return Area.objects.filter(pk=scope.area_id)
    return Area.objects.none()


# --- figures -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProjectView:
    """A project with what the pages show of it; ``status`` is None when its stored data are
    unusable (``problems`` says why)."""

    project: Project
    status: core.ProjectStatus | None
    latest: ProgressEntry | None
    expected_percent: float | None
    investment_completed: float | None
    problems: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return _("数据异常") if self.status is None else status_label(self.status)

    @property
    def status_class(self) -> str:
        return "bad" if self.status is None else STATUS_CLASSES[self.status]

    @property
    def figures(self) -> core.ProjectFigures | None:
        if self.status is None:
            return None
        return core.ProjectFigures(
            status=self.status,
            investment_planned=self.project.investment_planned,
            investment_completed=self.investment_completed,
            saving_tce=self.project.saving_tce,
            reductions=self.project.reductions(),
        )


def with_entries(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.select_related("programme", "area").prefetch_related(
        Prefetch("entries", queryset=ProgressEntry.objects.order_by("month"))
    )


def view_of(project: Project, on: date | None = None) -> ProjectView:
    """The project's status on ``on`` (default today) from its schedule and reports."""
    on = on or timezone.localdate()
    entries = list(project.entries.all())
    problems = stored_value_problems(project, *entries)
    if problems:
        return ProjectView(project, None, None, None, None, problems)
    try:
        schedule = core.Schedule(
            project.start_on, project.planned_completion_on, project.completed_on
        )
        reports = [core.Progress(e.month, e.percent, e.investment_to_date) for e in entries]
    except ValueError as exc:
        return ProjectView(project, None, None, None, None, (f"{_('数据异常')}：{exc}",))
    known = [e for e in entries if e.month <= on]
    return ProjectView(
        project=project,
        status=core.project_status(schedule, reports, on),
        latest=known[-1] if known else None,
        expected_percent=core.expected_percent(schedule, on),
        investment_completed=core.investment_completed(reports, on),
        problems=(),
    )


@dataclass(frozen=True)
class ProgrammeView:
    programme: Programme
    projects: list[ProjectView]
    summary: core.ProgrammeSummary
    unusable: int  # projects left out of the summary: their stored data are unusable

    @property
    def status_counts(self) -> list[int]:
        """Projects by status, in the order of ``core.ProjectStatus``."""
        return [self.summary.counts[status] for status in core.ProjectStatus]


def summarise(programme: Programme, views: Iterable[ProjectView]) -> ProgrammeView:
    views = list(views)
    figures = [v.figures for v in views]
    usable = [f for f in figures if f is not None]
    return ProgrammeView(programme, views, core.summarise(usable), len(figures) - len(usable))


# --- progress ------------------------------------------------------------------------------
class ProgressError(ValueError):
    pass


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def progress_problems(
    project: Project, month: date, percent: float, investment: float | None
) -> list[tuple[str, str]]:
    """(field, message) for each rule a month's report breaks against the project's schedule
    and its other months: not before the start month nor after this month; work done and
    investment to date never fall from one month to the next."""
    problems: list[tuple[str, str]] = []
    if month < first_of_month(project.start_on):
        problems.append(("month", _("早于开工月份（%(m)s）") % {"m": f"{project.start_on:%Y-%m}"}))
    if month > first_of_month(timezone.localdate()):
        problems.append(("month", _("不能填报未来月份")))
    for other in project.entries.exclude(month=month):
        before = other.month < month
        for field, mine, theirs in (
            ("percent", percent, other.percent),
            ("investment_to_date", investment, other.investment_to_date),
        ):
            if mine is None or theirs is None:
                continue
            if (before and mine < theirs) or (not before and mine > theirs):
                problems.append(
                    (
                        field,
                        _("与 %(m)s 的填报不一致：累计数不能随月份减少（%(v)s）")
                        % {"m": f"{other.month:%Y-%m}", "v": f"{theirs:g}"},
                    )
                )
    return problems


def record_progress(
    project: Project,
    month: date,
    percent: float,
    user: Any,
    scope: Any,
    *,
    investment_to_date: float | None = None,
    note: str = "",
    evidence: Any = None,
    source: str = "",
) -> ProgressEntry:
    """Record (or correct) a month's report; history keeps what it replaced."""
    if not can_edit(scope, project):
        raise ProgressError(_("无权填报该项目"))
    month = first_of_month(month)
    problems = progress_problems(project, month, percent, investment_to_date)
    if problems:
        raise ProgressError("；".join(message for _field, message in problems))
    entry = project.entries.filter(month=month).first() or ProgressEntry(
        project=project, month=month
    )
    entry.percent = percent
    entry.investment_to_date = investment_to_date
    entry.note = note
    entry.recorded_by = user
    entry.source = source
    if evidence is not None:
        try:
            content, digest = check_evidence(evidence)
        except EvidenceRefused as exc:
            raise ProgressError(str(exc)) from None
        entry.evidence.save(evidence.name, ContentFile(content), save=False)
        entry.evidence_sha256, entry.evidence_size = digest, len(content)
    with transaction.atomic():
        entry.save()
    return entry
