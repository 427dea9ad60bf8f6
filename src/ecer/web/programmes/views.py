"""Pages of the key programmes' project library (重点工程项目库, plan 三(一)…三(十)): the ten
programmes with their projects' roll-up, a programme with its targets (read from the
indicator service) and projects, a project with its monthly progress, evidence and history,
the project form, the Excel import (all rows checked first) and export.

Every figure a page shows is computed by ``ecer.core.programmes`` (status, roll-up) or the
indicator service (targets); the views only choose and pass.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.core.programmes import ProjectStatus
from ecer.web import sheets
from ecer.web.accounts.decorators import scoped
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.indicators import service as indicators
from ecer.web.listing import Column, Listing
from ecer.web.programmes import io, services
from ecer.web.programmes.forms import ImportForm, ProgressForm, ProjectForm
from ecer.web.programmes.models import Programme, ProgressEntry, Project
from ecer.web.sheets import XLSX
from ecer.web.uploads.download import attachment
from ecer.web.uploads.errors import listing as error_listing
from ecer.web.uploads.registry import import_endpoint


def _plan(request: HttpRequest) -> Plan:
    if not services.can_view(request.scope):  # type: ignore[attr-defined]
        raise PermissionDenied("no role")
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _programme(request: HttpRequest, code: str) -> Programme:
    return get_object_or_404(
        Programme.objects.select_related("section").prefetch_related("lead_departments"),
        plan=_plan(request),
        code=code,
    )


def _project(request: HttpRequest, pk: int) -> Project:
    _plan(request)
    scope = request.scope  # type: ignore[attr-defined]
    project = get_object_or_404(
        Project.objects.select_related(
            "programme", "area", "owner_department", "enterprise", "reduction", "two_high"
        ),
        pk=pk,
    )
    if not services.can_view_project(scope, project):
        raise Http404("no such project in scope")
    return project


def _latest_percent(view: Any) -> Any:
    return view.latest.percent if view.latest else None


PROJECTS = Listing(
    name="programme-projects",
    title=_lazy("重点工程项目"),
    columns=(
        Column("code", _lazy("项目编号"), lambda v: v.project.code),
        Column("name", _lazy("项目名称"), lambda v: v.project.name),
        Column("area", _lazy("县区"), lambda v: v.project.area.name),
        Column("owner", _lazy("项目业主"), lambda v: v.project.owner_name or None),
        Column(
            "planned",
            _lazy("计划总投资（万元）"),
            lambda v: v.project.investment_planned,
            numeric=True,
        ),
        Column("percent", _lazy("完成进度（%）"), _latest_percent, numeric=True),
        Column(
            "completed",
            _lazy("累计完成投资（万元）"),
            lambda v: v.investment_completed,
            numeric=True,
        ),
        Column("due", _lazy("计划完成"), lambda v: v.project.planned_completion_on),
        Column("status", _lazy("状态"), lambda v: str(v.status_label)),
    ),
    default_sort="code",
    search_text=lambda v: " ".join(
        (v.project.code, v.project.name, v.project.area.name, v.project.owner_name or "")
    ),
)


def _statuses() -> list[tuple[str, str]]:
    return [(s.value, services.status_label(s)) for s in ProjectStatus]


@scoped
def index(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    scope = request.scope  # type: ignore[attr-defined]
    visible = services.with_entries(services.projects_in_scope(scope))
    by_programme: dict[int, list[Project]] = {}
    for project in visible:
        by_programme.setdefault(project.programme_id, []).append(project)
    rows = [
        services.summarise(p, (services.view_of(x) for x in by_programme.get(p.pk, [])))
        for p in plan.programmes.select_related("section").prefetch_related("lead_departments")
    ]
    return render(
        request,
        "programmes/index.html",
        {
            "rows": rows,
            "statuses": _statuses(),
            "import_form": ImportForm(),
            "can_import": _can_import(scope, plan),
        },
    )


def _can_import(scope: Any, plan: Plan) -> bool:
    return any(services.can_file(scope, p) for p in plan.programmes.all())


def _targets(request: HttpRequest, programme: Programme) -> list[dict[str, Any]]:
    """The programme's targets, each with its indicator where the user may read it: the
    city's figure, or a district user's own district's for a target decomposed to districts."""
    scope = request.scope  # type: ignore[attr-defined]
    plan = programme.plan
    city = plan.area
    area = city
    if not scope.can_view_area(city):
        area = Area.objects.filter(pk=scope.area_id).first() if scope.area_id else None
    year = indicators.default_year(plan, area) if area is not None else plan.base_year
    readable = set(scope.targets(plan.targets.all()).values_list("pk", flat=True))
    rows = []
    for target in programme.targets.select_related("section").order_by("sort_order"):
        item = None
        if (
            area is not None
            and target.pk in readable
            and (area.is_city or target.applies_to_districts)
        ):
            item = indicators.indicator(target, area, year)
        rows.append({"target": target, "indicator": item})
    return rows


@scoped
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    scope = request.scope  # type: ignore[attr-defined]
    projects = services.projects_in_scope(scope, programme.projects.all())
    areas = list(scope.areas(Area.objects.all()))
    area = None
    if request.GET.get("area"):
        area = next((a for a in areas if a.code == request.GET["area"]), None)
        if area is None:
            raise Http404("area not in scope")
        projects = projects.filter(area=area)
    views = [services.view_of(p) for p in services.with_entries(projects)]
    summary = services.summarise(programme, views)
    status = request.GET.get("status", "")
    shown = views
    if status in {s.value for s in ProjectStatus}:
        shown = [v for v in views if v.status is not None and v.status.value == status]
    elif status == "bad":
        shown = [v for v in views if v.status is None]
    listing = PROJECTS.run(request, shown)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "programmes/programme.html",
        {
            "programme": programme,
            "summary": summary,
            "projects": listing.rows,
            "listing": listing,
            "page": listing.page,
            "targets": _targets(request, programme),
            "areas": areas,
            "area": area,
            "status": status,
            "statuses": _statuses(),
            "can_file": services.can_file(scope, programme),
        },
    )


@scoped
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    scope = request.scope  # type: ignore[attr-defined]
    can_edit = services.can_edit(scope, project)
    view = services.view_of(project)
    return render(
        request,
        "programmes/project.html",
        {
            "project": project,
            "view": view,
            "entries": project.entries.select_related("recorded_by").order_by("-month"),
            "can_edit": can_edit,
            # A link is shown only to those who may open what it names.
            "show_enterprise": project.enterprise_id is not None
            and scope.can_view_enterprise(project.enterprise),
            "show_reduction": project.reduction_id is not None
            and scope.can_name(project.reduction),
            "show_two_high": project.two_high_id is not None and scope.can_name(project.two_high),
            "form": ProgressForm() if can_edit else None,
            "history": project.history.select_related("history_user").order_by("-history_date")[
                :50
            ],
        },
    )


@scoped
def project_new(request: HttpRequest, code: str) -> HttpResponse:
    programme = _programme(request, code)
    scope = request.scope  # type: ignore[attr-defined]
    if not services.can_file(scope, programme):
        raise PermissionDenied("only the city, the lead departments and districts add projects")
    form = ProjectForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        project = form.save(commit=False)
        project.programme = programme
        project.save()
        messages.success(request, _("已登记"))
        return redirect("programmes:project", pk=project.pk)
    return render(request, "programmes/project_form.html", {"programme": programme, "form": form})


@scoped
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    scope = request.scope  # type: ignore[attr-defined]
    if not services.can_edit(scope, project):
        raise PermissionDenied("not the project's editor")
    form = ProjectForm(request.POST or None, instance=project, scope=scope)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("已保存"))
        return redirect("programmes:project", pk=project.pk)
    return render(
        request,
        "programmes/project_form.html",
        {"programme": project.programme, "form": form, "project": project},
    )


@import_endpoint("file", field="evidence")
@require_POST
@scoped
def add_progress(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    scope = request.scope  # type: ignore[attr-defined]
    if not services.can_edit(scope, project):
        raise PermissionDenied("not the project's editor")
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("programmes:project", pk=pk)
    data = form.cleaned_data
    try:
        services.record_progress(
            project,
            data["month"],
            data["percent"],
            request.user,
            scope,
            investment_to_date=data["investment_to_date"],
            note=data["note"],
            evidence=data["evidence"],
        )
    except services.ProgressError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录"))
    return redirect("programmes:project", pk=pk)


@scoped
def evidence_file(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    project = _project(request, pk)
    entry = get_object_or_404(ProgressEntry, project=project, pk=entry_pk)
    return attachment(entry.evidence)


@import_endpoint("workbook", template="programmes:template")
@require_POST
@scoped
def import_view(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    scope = request.scope  # type: ignore[attr-defined]
    if not _can_import(scope, plan):
        raise PermissionDenied("only the city, the lead departments and districts import")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "programmes/import_errors.html", {"form": form})
    upload = form.cleaned_data["file"]
    try:
        summary = io.import_projects(plan, upload.read(), scope, request.user)
    except sheets.SheetImportError as exc:
        return render(
            request,
            "programmes/import_errors.html",
            {"listing": error_listing(request, "programmes", upload.name, exc.errors)},
        )
    messages.success(
        request,
        _("已导入：新增项目 %(c)s 个，更新 %(u)s 个，记录月度进展 %(e)s 条")
        % {"c": summary.created, "u": summary.updated, "e": summary.entries},
    )
    return redirect("programmes:index")


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response


@scoped
def import_template(request: HttpRequest) -> HttpResponse:
    """The import's layout with no project: sheets 项目 and 月度进展 with their columns."""
    _plan(request)
    return _xlsx(io.export_projects([]), "programmes-template.xlsx")


@scoped
def export_view(request: HttpRequest) -> HttpResponse:
    """The user's projects (of one programme with ``?programme=<code>``) and their progress."""
    plan = _plan(request)
    scope = request.scope  # type: ignore[attr-defined]
    projects = services.projects_in_scope(scope).select_related(
        "programme", "area", "owner_department", "enterprise"
    )
    code = request.GET.get("programme", "")
    if code:
        projects = projects.filter(programme=_programme(request, code))
    projects = projects.filter(programme__plan=plan).prefetch_related("entries")
    return _xlsx(io.export_projects(projects), f"{code or 'programmes'}.xlsx")
