"""Pages of the plan catalog: the overview dashboard, a target's detail, a district's view,
and the Excel export of the target table."""

from __future__ import annotations

import json
from collections import OrderedDict

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from ecer.core import progress as core_progress
from ecer.plan.schema import feed_register
from ecer.web.accounts.decorators import scoped
from ecer.web.audit.version import data_version
from ecer.web.catalog.exports import target_table_workbook
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.catalog.observations_io import active_plan
from ecer.web.indicators import service as indicators
from ecer.web.indicators.feeds import FeedContext, target_spec
from ecer.web.indicators.years import requested_year
from ecer.web.sheets import XLSX


def _plan_or_404() -> Plan:
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _year(request: HttpRequest, plan: Plan, area: Area) -> int:
    return requested_year(request.GET.get("year"), plan, area)


def _overview_context(request: HttpRequest, area: Area) -> dict[str, object]:
    plan = _plan_or_404()
    year = _year(request, plan, area)
    items = indicators.evaluate(plan, area, year, scope=request.scope)  # type: ignore[attr-defined]
    sections: OrderedDict[str, dict[str, object]] = OrderedDict()
    for item in items:
        section = item.target.section
        entry = sections.setdefault(
            section.clause, {"section": section, "items": [], "counts": None}
        )
        entry["items"].append(item)  # type: ignore[attr-defined]
    for entry in sections.values():
        entry["counts"] = indicators.status_counts(entry["items"])  # type: ignore[arg-type]
    return {
        "plan": plan,
        "area": area,
        "areas": Area.objects.all(),
        "year": year,
        "years": list(range(plan.base_year, plan.target_year + 1)),
        "sections": list(sections.values()),
        "counts": indicators.status_counts(items),
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
        # An enterprise has no area figures: its start page is its to-do, not a refusal.
        return redirect("home:todo")
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
    areas = list(scope.areas(Area.objects.all()))
    if not target.applies_to_districts:
        areas = [a for a in areas if a.is_city]
    city = next((a for a in areas if a.is_city), areas[0] if areas else None)
    if city is None:
        raise Http404("no area in scope")
    year = _year(request, plan, city)
    context = FeedContext(plan, year)
    version = data_version()
    rows = [indicators.indicator(target, a, year, context=context, version=version) for a in areas]
    years = list(range(plan.base_year, plan.target_year + 1))
    series = []
    for row in rows:
        values = dict(row.series)
        series.append({"name": row.area.name, "data": [values.get(y) for y in years]})
    observations = target.observations.filter(quarter=0, area__in=areas).select_related("area")
    first = rows[0]
    spec = target_spec(target, first.target_value)
    base = first.result.base
    path = (
        core_progress.required_path(spec, base, [(y, None) for y in years])
        if spec.effective_target_value is not None
        and (base is not None or target.kind == Target.Kind.CUMULATIVE_INCREASE)
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
            "reconciliations": [r for r in rows if r.reconciliation is not None],
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "uses_demo_data": any(r.uses_demo_data for r in rows),
            "observations": observations.order_by("area__sort_order", "year"),
            "register_code": feed_register(target.feed),
        },
    )


@scoped
def export_targets(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    city = Area.objects.filter(kind=Area.Kind.CITY).first()
    area = _visible_area(request, request.GET.get("area") or (city.code if city else ""))
    year = _year(request, plan, area)
    version = data_version()
    items = indicators.evaluate(plan, area, year, scope=request.scope, version=version)  # type: ignore[attr-defined]
    content = target_table_workbook(
        plan, area, year, items, generated_at=timezone.now(), version=version
    )
    response = HttpResponse(
        content,
        content_type=XLSX,
    )
    response["Content-Disposition"] = f'attachment; filename="ecer-targets-{area.code}-{year}.xlsx"'
    return response


@login_required
def terms(request: HttpRequest) -> HttpResponse:
    """The plan's accounting terms and what each means (hover text everywhere links here)."""
    from ecer.web.catalog.terms import TERMS

    return render(request, "catalog/terms.html", {"terms": TERMS})
