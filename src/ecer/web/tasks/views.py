"""Task pages: the list of one's tasks with their computed status, a task with its milestones,
reports and history, filing and correcting a report with evidence, the city's review, and the
league table (issue 20). Access: ``Scope.tasks`` (docs/security.md, "Roles and scopes")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.core import tasks as core_tasks
from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.accounts.scope import Scope
from ecer.web.catalog.models import Plan, Task
from ecer.web.listing import Column, Listing
from ecer.web.tasks import services
from ecer.web.tasks.forms import MilestoneForm, PeriodForm, ReportForm, ReviewForm
from ecer.web.tasks.models import Evidence, ProgressReport, ReportEvent
from ecer.web.uploads.download import attachment
from ecer.web.uploads.registry import import_endpoint


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined,no-any-return]


def _plan() -> Plan:
    plan = Plan.objects.order_by("-target_year", "code").first()
    if plan is None:
        raise Http404("no plan loaded")
    return plan


def _task(request: HttpRequest, code: str) -> Task:
    task = get_object_or_404(services.tasks_with_reports(_plan()), code=code)
    if not _scope(request).can_view_task(task):
        raise Http404("task outside the user's scope")
    return task


def _report(request: HttpRequest, pk: int) -> ProgressReport:
    report = get_object_or_404(ProgressReport.objects.select_related("task"), pk=pk)
    _task(request, report.task.code)
    scope = _scope(request)
    if not scope.can_review and scope.role not in ("leader",):
        unit = services.unit_of(scope)
        if (report.department_id, report.area_id) != (
            unit.get("department_id"),
            unit.get("area_id"),
        ):
            raise Http404("another unit's report")
    return report


def _today() -> date:
    return timezone.localdate()


def _require_task_pages(scope: Scope) -> None:
    """The task pages are for the city, leaders, departments and districts, not enterprises."""
    if not (scope.sees_all_areas or scope.role == "district"):
        raise PermissionDenied("the task pages are for the city, departments and districts")


def _leads(task: Task) -> str:
    return "、".join(d.name for d in task.lead_departments.all())


TASKS = Listing(
    name="tasks",
    title=_lazy("工作任务"),
    columns=(
        Column("clause", _lazy("条款"), lambda r: r[0].section.clause),
        Column("task", _lazy("任务"), lambda r: r[0].name),
        Column("lead", _lazy("牵头部门"), lambda r: _leads(r[0])),
        Column("due", _lazy("完成年份"), lambda r: r[0].due_year, numeric=True),
        Column("status", _lazy("状态"), lambda r: str(r[2])),
    ),
    search_text=lambda r: f"{r[0].section.clause} {r[0].code} {r[0].name} {_leads(r[0])}",
    per_page=100,
)


@scoped
def task_list(request: HttpRequest) -> HttpResponse:
    plan = _plan()
    scope = _scope(request)
    _require_task_pages(scope)
    today = _today()
    rows = []
    for task in scope.tasks(services.tasks_with_reports(plan)):
        status = services.task_status(task, today)
        rows.append((task, status, services.STATUS_LABELS[status], services.STATUS_CLASSES[status]))
    counts = [
        (s, label, services.STATUS_CLASSES[s], sum(1 for row in rows if row[1] is s))
        for s, label in services.STATUS_LABELS.items()
    ]
    listing = TASKS.run(request, rows)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "tasks/list.html",
        {"rows": listing.rows, "counts": counts, "listing": listing, "page": listing.page},
    )


def _own_reports(scope: Scope, task: Task) -> list[ProgressReport]:
    reports = list(task.reports.select_related("department", "area").order_by("-year", "-quarter"))
    if scope.can_review or scope.role == "leader":
        return reports
    unit = services.unit_of(scope)
    return [
        r
        for r in reports
        if (r.department_id, r.area_id) == (unit.get("department_id"), unit.get("area_id"))
    ]


@scoped
def task_detail(request: HttpRequest, code: str) -> HttpResponse:
    task = _task(request, code)
    scope = _scope(request)
    today = _today()
    reports = _own_reports(scope, task)
    events = (
        ReportEvent.objects.filter(report__in=reports)
        .select_related("report", "by")
        .order_by("at", "pk")
    )
    status = services.task_status(task, today)
    return render(
        request,
        "tasks/detail.html",
        {
            "task": task,
            "status": status,
            "status_label": services.STATUS_LABELS[status],
            "status_class": services.STATUS_CLASSES[status],
            "milestones": services.milestone_rows(task),
            "reports": reports,
            "events": events,
            "can_report": scope.reports_on_task(task),
            "milestone_form": MilestoneForm() if scope.is_city_admin else None,
        },
    )


def _whole(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _report_form(request: HttpRequest, report: ProgressReport | None = None) -> ReportForm:
    plan = _plan()
    year, quarter = services.default_period(plan, _today())
    # A reminder names the period it asks for (?year=&quarter=); one outside the plan or not a
    # whole number is ignored here and refused by the form if sent.
    asked_year, asked_quarter = _whole(request.GET.get("year")), _whole(request.GET.get("quarter"))
    if (
        asked_year is not None
        and asked_quarter in (1, 2, 3, 4)
        and plan.base_year < asked_year <= plan.target_year
    ):
        year, quarter = asked_year, asked_quarter
    return ReportForm(
        request.POST or None,
        request.FILES or None,
        instance=report,
        initial={"year": year, "quarter": quarter} if report is None else None,
        first_year=plan.base_year + 1,
        last_year=plan.target_year,
    )


def _save_evidence(report: ProgressReport, checked: Any, name: str, user: Any) -> None:
    evidence = Evidence(
        report=report,
        name=Path(name).name[:200],
        kind=checked.kind,
        size=len(checked.content),
        sha256=checked.sha256,
        uploaded_by=user,
    )
    evidence.file.save(f"{checked.sha256}.{checked.kind}", ContentFile(checked.content), save=False)
    evidence.save()
    # The full hash is on the report page; the history names the file and the hash's head.
    note = f"{evidence.name}（SHA-256 {checked.sha256[:12]}…）"
    services.record(report, ReportEvent.Action.EVIDENCE, user, note)


@import_endpoint("file")
@scoped
def report_new(request: HttpRequest, code: str) -> HttpResponse:
    task = _task(request, code)
    scope = _scope(request)
    if not scope.reports_on_task(task):
        raise PermissionDenied("only the responsible department or district reports")
    form = _report_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                report = form.save(commit=False)
                report.task = task
                for field, value in services.unit_of(scope).items():
                    setattr(report, field, value)
                report.save()
                services.record(report, ReportEvent.Action.CREATED, request.user)
                checked = form.cleaned_data.get("file")
                if checked is not None:
                    _save_evidence(report, checked, request.FILES["file"].name, request.user)
        except IntegrityError:
            form.add_error("quarter", _("本单位该季度已有报告，请在原报告上修改"))
        else:
            messages.success(request, _("已保存草稿"))
            return redirect("tasks:report", pk=report.pk)
    return render(request, "tasks/report_form.html", {"task": task, "form": form})


@import_endpoint("file")
@scoped
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    scope = _scope(request)
    if not scope.reports_on_task(report.task) or not report.is_editable:
        raise PermissionDenied("only the unit's draft or returned report is edited")
    form = _report_form(request, report)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            services.record(report, ReportEvent.Action.EDITED, request.user)
            checked = form.cleaned_data.get("file")
            if checked is not None:
                _save_evidence(report, checked, request.FILES["file"].name, request.user)
        messages.success(request, _("已保存"))
        return redirect("tasks:report", pk=report.pk)
    return render(
        request, "tasks/report_form.html", {"task": report.task, "form": form, "report": report}
    )


@scoped
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    scope = _scope(request)
    return render(
        request,
        "tasks/report.html",
        {
            "report": report,
            "task": report.task,
            "versions": report.versions.select_related("submitted_by"),
            "events": report.events.select_related("by"),
            "can_edit": scope.reports_on_task(report.task) and report.is_editable,
            "can_review": scope.can_review and report.status == "submitted",
        },
    )


@require_POST
@scoped
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if not _scope(request).reports_on_task(report.task):
        raise PermissionDenied("only the responsible unit submits")
    try:
        services.submit(report, request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已提交，等待市级审核"))
    return redirect("tasks:report", pk=report.pk)


@require_POST
@city_admin_required
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择通过或退回"))
        return redirect("tasks:report", pk=report.pk)
    try:
        if form.cleaned_data["decision"] == "accept":
            services.accept(report, request.user, _scope(request))
            messages.success(request, _("已审核通过"))
        else:
            services.return_for_revision(
                report, request.user, _scope(request), form.cleaned_data["reason"]
            )
            messages.success(request, _("已退回"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("tasks:report", pk=report.pk)


@scoped
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    report = _report(request, pk)
    evidence = get_object_or_404(Evidence, report=report, pk=evidence_pk)
    return attachment(evidence.file, evidence.name)


@require_POST
@city_admin_required
def milestone_new(request: HttpRequest, code: str) -> HttpResponse:
    task = _task(request, code)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        milestone = form.save(commit=False)
        milestone.task = task
        milestone.created_by = request.user
        try:
            milestone.full_clean()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            milestone.save()
            messages.success(request, _("已设定任务节点"))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("tasks:detail", code=task.code)


@dataclass(frozen=True)
class LeagueLine:
    """A row of the league table: a lead department's or a district's."""

    kind_label: str
    kind: str  # "department" or "district"
    row: core_tasks.LeagueRow


# Every department and every district on one page (a few dozen rows): departments first,
# each group in its league order, until the user sorts by a column.
LEAGUE = Listing(
    name="task-league",
    title=_lazy("部门任务完成情况"),
    columns=(
        Column("kind", _lazy("类别"), lambda x: x.kind_label),
        Column("unit", _lazy("部门或县区"), lambda x: x.row.unit),
        Column("tasks", _lazy("任务"), lambda x: x.row.tasks, numeric=True),
        Column("done", _lazy("已完成"), lambda x: x.row.done, numeric=True),
        Column("on_time", _lazy("按进度推进"), lambda x: x.row.on_time, numeric=True),
        Column("overdue", _lazy("逾期"), lambda x: x.row.overdue, numeric=True),
        Column("outstanding", _lazy("本季度未报送"), lambda x: x.row.outstanding, numeric=True),
        Column(
            "standing",
            _lazy("按期率（%）"),
            lambda x: None if x.row.standing_percent is None else round(x.row.standing_percent, 1),
            numeric=True,
        ),
    ),
    search_text=lambda x: f"{x.kind_label} {x.row.unit}",
)


@scoped
def league(request: HttpRequest) -> HttpResponse:
    _require_task_pages(_scope(request))
    today = _today()
    form = PeriodForm(request.GET or None)
    plan = _plan()
    year, quarter = services.default_period(plan, today)
    if form.is_valid():
        chosen = form.cleaned_data["year"]
        if chosen is not None and plan.base_year < chosen <= plan.target_year:
            year = chosen
        quarter = form.cleaned_data["quarter"] or quarter
    table = services.league(plan, year, quarter, today)
    lines = [LeagueLine(_("部门"), "department", r) for r in table.departments] + [
        LeagueLine(_("县区"), "district", r) for r in table.districts
    ]
    listing = LEAGUE.run(request, lines, per_page=max(len(lines), 1))
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "tasks/league.html",
        {
            "league": table,
            "lines": listing.rows,
            "listing": listing,
            "page": listing.page,
            "form": form,
            "first_year": plan.base_year + 1,
            "last_year": plan.target_year,
        },
    )
