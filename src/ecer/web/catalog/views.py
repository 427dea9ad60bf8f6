"""Pages of the plan catalog: the overview dashboard, a target's detail, a district's view,
and the Excel export of the target table."""

from __future__ import annotations

import json
from collections import OrderedDict

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from ecer.core import progress as core_progress
from ecer.web.accounts.decorators import scoped
from ecer.web.audit.version import data_version
from ecer.web.catalog import services
from ecer.web.catalog.exports import target_table_workbook
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.catalog.observations_io import active_plan


def _plan_or_404() -> Plan:
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _year(request: HttpRequest, plan: Plan) -> int:
    raw = request.GET.get("year")
    if raw is None or raw == "":
        return services.latest_year(plan)
    try:
        year = int(raw)
    except ValueError:
        raise Http404("bad year") from None
    if not plan.base_year <= year <= plan.target_year:
        raise Http404("year outside the plan period")
    return year


def _overview_context(request: HttpRequest, area: Area) -> dict[str, object]:
    plan = _plan_or_404()
    year = _year(request, plan)
    items = services.evaluate_targets(plan, area, year, scope=request.scope)  # type: ignore[attr-defined]
    sections: OrderedDict[str, dict[str, object]] = OrderedDict()
    for item in items:
        section = item.target.section
        entry = sections.setdefault(
            section.clause, {"section": section, "items": [], "counts": None}
        )
        entry["items"].append(item)  # type: ignore[attr-defined]
    for entry in sections.values():
        entry["counts"] = services.status_counts(entry["items"])  # type: ignore[arg-type]
    return {
        "plan": plan,
        "area": area,
        "areas": Area.objects.all(),
        "year": year,
        "years": list(range(plan.base_year, plan.target_year + 1)),
        "sections": list(sections.values()),
        "counts": services.status_counts(items),
        "total": len(items),
        "uses_demo_data": any(i.uses_demo_data for i in items),
        "time_progress": core_progress.time_progress(plan.base_year, plan.target_year, (year, None))
        * 100,
    }


def _visible_area(request: HttpRequest, code: str) -> Area:
    area = get_object_or_404(Area, code=code)
    if not request.scope.can_view_area(area):  # type: ignore[attr-defined]
        raise Http404("area outside the user's scope")
    return area


@scoped
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if scope.role == "district":
        return redirect("catalog:area", code=Area.objects.get(pk=scope.area_id).code)
    if not scope.sees_all_areas:
        raise PermissionDenied("no area in scope")
    city = Area.objects.filter(kind=Area.Kind.CITY).first()
    if city is None:
        raise Http404("no city loaded")
    return render(request, "catalog/overview.html", _overview_context(request, city))


@scoped
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = _visible_area(request, code)
    return render(request, "catalog/overview.html", _overview_context(request, area))


@scoped
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = _plan_or_404()
    scope = request.scope  # type: ignore[attr-defined]
    target = get_object_or_404(
        scope.targets(Target.objects.select_related("section")).prefetch_related(
            "lead_departments", "co_departments"
        ),
        plan=plan,
        code=code,
    )
    year = _year(request, plan)
    areas = list(scope.areas(Area.objects.all()))
    if not target.applies_to_districts:
        areas = [a for a in areas if a.is_city]
    rows = [services.evaluate_targets(plan, a, year, targets=[target])[0] for a in areas]
    years = list(range(plan.base_year, plan.target_year + 1))
    series = []
    observations = target.observations.filter(quarter=0, area__in=areas).select_related("area")
    approved = [o for o in observations if o.is_approved]
    for area in areas:
        values = {o.year: o.value for o in approved if o.area_id == area.id}
        series.append({"name": area.name, "data": [values.get(y) for y in years]})
    base = rows[0].result.base if rows else None
    path = (
        core_progress.required_path(services.target_spec(target), base, [(y, None) for y in years])
        if base is not None or target.kind == Target.Kind.CUMULATIVE_INCREASE
        else None
    )
    chart = {
        "years": [str(y) for y in years],
        "series": series,
        "path": path,
        "path_name": gettext("时序进度要求"),
        "unit": target.observation_unit,
    }
    return render(
        request,
        "catalog/target_detail.html",
        {
            "plan": plan,
            "target": target,
            "year": year,
            "years": years,
            "rows": rows,
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "uses_demo_data": any(r.uses_demo_data for r in rows),
            "observations": observations.order_by("area__sort_order", "year"),
        },
    )


@scoped
def export_targets(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    year = _year(request, plan)
    city = Area.objects.filter(kind=Area.Kind.CITY).first()
    area = _visible_area(request, request.GET.get("area") or (city.code if city else ""))
    items = services.evaluate_targets(plan, area, year, scope=request.scope)  # type: ignore[attr-defined]
    content = target_table_workbook(
        plan, area, year, items, generated_at=timezone.now(), version=data_version()
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="ecer-targets-{area.code}-{year}.xlsx"'
    return response
