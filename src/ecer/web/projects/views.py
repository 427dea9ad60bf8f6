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

from ecer.core import warning as core_warning
from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.projects import io as projects_io
from ecer.web.projects import services
from ecer.web.projects.forms import EnergyLineFormSet, ProjectForm
from ecer.web.projects.models import Project

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


@scoped
def register(request: HttpRequest) -> HttpResponse:
    projects = list(_visible_projects(request))
    area_code = request.GET.get("area", "")
    if area_code:
        projects = [p for p in projects if p.area.code == area_code]
    scope = request.scope  # type: ignore[attr-defined]
    areas = scope.areas(Area.objects.exclude(kind=Area.Kind.CITY)).order_by("sort_order")
    return render(
        request,
        "projects/register.html",
        {
            "projects": projects,
            "areas": areas,
            "area_code": area_code,
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
