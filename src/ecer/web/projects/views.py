"""Pages of the project register, the area budgets and the what-if review.

City administrators edit; leaders and departments read every district; a district user sees
its own district's projects and budget; enterprise users see none of them (their page is the
rights ledger). Every figure comes from ``services``.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ecer.core import warning as core_warning
from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.listing import Column, Listing
from ecer.web.projects import io as projects_io
from ecer.web.projects import services
from ecer.web.projects.forms import EnergyLineFormSet, ProjectForm
from ecer.web.projects.models import Project
from ecer.web.sheets import XLSX


def _plan_or_404() -> Plan:
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _visible_projects(request: HttpRequest):  # type: ignore[no-untyped-def]
    scope = request.scope  # type: ignore[attr-defined]
    if not (scope.sees_all_areas or scope.role == "district"):
        raise PermissionDenied("projects are shown to city, department and district users")
    areas = scope.areas(Area.objects.all())
    return (
        Project.objects.filter(area__in=areas)
        .select_related("area")
        .prefetch_related("lines")
        .order_by("area__sort_order", "name")
    )


def _visible_project(request: HttpRequest, pk: int) -> Project:
    project = get_object_or_404(Project.objects.select_related("area"), pk=pk)
    if not request.scope.can_view_area(project.area):  # type: ignore[attr-defined]
        raise Http404("project outside the user's scope")
    return project


def _disposal(p: Project) -> str:
    text = str(p.get_disposal_display())
    if p.disposal_deadline:
        text += f"（{_lazy('期限')} {p.disposal_deadline:%Y-%m-%d}）"
    return text


def _yes_no(value: bool) -> str:
    return str(_lazy("是") if value else _lazy("否"))


PROJECTS = Listing(
    name="projects",
    title=_lazy("项目登记"),
    columns=(
        Column("area", _lazy("县区"), lambda p: p.area.name),
        Column("name", _lazy("项目名称"), lambda p: p.name),
        Column("enterprise", _lazy("企业名称"), lambda p: p.enterprise_name),
        Column("industry", _lazy("行业"), lambda p: f"{p.industry_code} {p.industry_name}".strip()),
        Column("status", _lazy("项目状态"), lambda p: str(p.get_status_display())),
        Column(
            "tce",
            _lazy("年综合能耗（当量值，吨标准煤）"),
            lambda p: p.energy_equivalent_tce,
            numeric=True,
        ),
        Column("review", _lazy("节能审查"), lambda p: p.energy_review_doc or None),
        Column("separate", _lazy("能耗单列"), lambda p: _yes_no(p.separately_listed)),
        Column(
            "two-high", _lazy("两高"), lambda p: str(_lazy("两高") if p.two_high else _lazy("否"))
        ),
        Column("disposal", _lazy("处置意见"), _disposal),
        Column("follow-up", _lazy("整改跟踪"), lambda p: str(p.get_follow_up_display())),
    ),
    search_text=lambda p: " ".join(
        (p.name, p.enterprise_name, p.industry_code, p.industry_name, p.area.name)
    ),
    per_page=100,
)


@scoped
def register(request: HttpRequest) -> HttpResponse:
    projects = list(_visible_projects(request))
    area_code = request.GET.get("area", "")
    if area_code:
        projects = [p for p in projects if p.area.code == area_code]
    listing = PROJECTS.run(request, projects)
    if listing.wants_export:
        return listing.xlsx()
    scope = request.scope  # type: ignore[attr-defined]
    areas = scope.areas(Area.objects.exclude(kind=Area.Kind.CITY)).order_by("sort_order")
    return render(
        request,
        "projects/register.html",
        {
            "projects": listing.rows,
            "listing": listing,
            "page": listing.page,
            "areas": areas,
            "area_code": area_code,
            "all_projects": len(projects),
            "two_high_count": sum(p.two_high for p in projects),
            "uses_demo_data": any(p.is_demo for p in projects),
        },
    )


@scoped
def export_worklist(request: HttpRequest) -> HttpResponse:
    projects = [p for p in _visible_projects(request) if p.two_high]
    content = projects_io.worklist_workbook(projects, timezone.now(), data_version())
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="ecer-two-high-worklist.xlsx"'
    return response


@scoped
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible_project(request, pk)
    plan = _plan_or_404()
    review = services.review_project(project, plan)
    return render(
        request,
        "projects/detail.html",
        {
            "p": project,
            "r": review,
            "plan": plan,
            "classification": project.classification(),
            "effects": [review.district, review.city],
            "district_chart_json": json.dumps(
                services.review_chart(review.district), ensure_ascii=False
            ),
            "city_chart_json": json.dumps(services.review_chart(review.city), ensure_ascii=False),
            "uses_demo_data": review.uses_demo_data,
        },
    )


@scoped
def budget(request: HttpRequest, area_code: str) -> HttpResponse:
    area = get_object_or_404(Area, code=area_code)
    if not request.scope.can_view_area(area):  # type: ignore[attr-defined]
        raise Http404("area outside the user's scope")
    plan = _plan_or_404()
    result = services.area_budget(area, plan)
    return render(
        request,
        "projects/budget.html",
        {
            "area": area,
            "plan": plan,
            "b": result,
            "c": result.control,
            "thresholds": core_warning.WarningThresholds(),
            "uses_demo_data": result.uses_demo_data,
        },
    )


@city_admin_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Project, pk=pk) if pk is not None else Project()
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=instance, scope=request.scope)  # type: ignore[attr-defined]
        formset = EnergyLineFormSet(request.POST, instance=instance, prefix="lines")
        if form.is_valid() and formset.is_valid():
            with transaction.atomic():
                project = form.save(commit=False)
                project.is_demo = False
                project.save()
                formset.instance = project
                formset.save()
                project.reclassify()
                project.save(update_fields=["two_high", "two_high_rule"])
            messages.success(request, _("已保存项目 %(name)s") % {"name": project.name})
            return redirect("projects:detail", pk=project.pk)
    else:
        form = ProjectForm(instance=instance, scope=request.scope)  # type: ignore[attr-defined]
        formset = EnergyLineFormSet(instance=instance, prefix="lines")
    return render(
        request,
        "projects/form.html",
        {"form": form, "formset": formset, "is_new": instance.pk is None, "p": instance},
    )
