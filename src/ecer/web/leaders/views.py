"""Leaders' views: the city on a map (一张图), the light table (红黄绿灯表), the big screen (大屏)
and the leader's phone page. Thin: the figures come from ``services`` (the indicator service)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core.warning import WarningLevel
from ecer.web.accounts.decorators import scoped
from ecer.web.catalog.labels import LEVEL_HEX
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.enterprises.models import Enterprise
from ecer.web.indicators import service as indicators
from ecer.web.indicators.feeds import FeedContext
from ecer.web.indicators.years import requested_year
from ecer.web.leaders import exports, services
from ecer.web.monitoring import journal
from ecer.web.monitoring.models import AlarmKind, AlarmRecord, MonitoringPoint
from ecer.web.sheets import XLSX

LAYERS = ("enterprises", "points")
# The big screen's refresh interval [s]: ?refresh= within these bounds, else the default.
REFRESH_SECONDS = 30
REFRESH_BOUNDS = (2, 3600)
ALARMS_SHOWN = 8


def _context(request: HttpRequest) -> tuple[Any, Plan, list[Area], Area]:
    scope = request.scope  # type: ignore[attr-defined]
    if not (scope.sees_all_areas or scope.role == "district"):
        raise PermissionDenied("leaders' views show areas")
    plan = active_plan()
    if plan is None:
        raise Http404("no plan loaded")
    areas = list(scope.areas(Area.objects.order_by("sort_order")))
    if not areas:
        raise PermissionDenied("no area in scope")
    city = next((a for a in areas if a.is_city), areas[0])
    return scope, plan, areas, city


def _year(request: HttpRequest, plan: Plan, area: Area) -> int:
    return requested_year(request.GET.get("year"), plan, area)


def _column(request: HttpRequest, table: services.LightTable) -> tuple[str, int]:
    """The column the map colours by: ?show=<target code>|assessment; default the first."""
    codes = [t.code for t in table.targets] + ([services.GRADE_COLUMN] if table.with_grade else [])
    if not codes:
        raise Http404("no district target")
    shown = request.GET.get("show") or codes[0]
    if shown not in codes:
        raise Http404("unknown indicator")
    return shown, codes.index(shown)


def _point_states(points: list[MonitoringPoint]) -> dict[int, str]:
    """online / offline / alarm of each point, from the alarm journal's ongoing records (the
    journal the alarm list reads)."""
    states = {p.pk: "online" for p in points}
    for point_id, kind in AlarmRecord.objects.filter(point__in=points, ongoing=True).values_list(
        "point_id", "kind"
    ):
        if kind == AlarmKind.OFFLINE:
            states[point_id] = "offline"
        elif states[point_id] != "offline":
            states[point_id] = "alarm"
    return states


def _sites(scope: Any, layers: set[str]) -> list[tuple[str, str, float, float, str, str, str]]:
    sites: list[tuple[str, str, float, float, str, str, str]] = []
    if "enterprises" in layers and scope.has_access:
        for e in services.located(scope.enterprises(Enterprise.objects.select_related("area"))):
            sites.append(
                (
                    "enterprise",
                    e.name,
                    e.longitude,
                    e.latitude,
                    "site",
                    reverse("enterprises:detail", args=[e.credit_code]),
                    f"{e.area.name} · {e.industry_name}",
                )
            )
    if "points" in layers and scope.can_view_monitoring:
        points = list(services.located(scope.monitoring_points(MonitoringPoint.objects.all())))
        journal.ensure_fresh(timezone.now())
        states = _point_states(points)
        for p in points:
            sites.append(
                (
                    "point",
                    p.name,
                    p.longitude,
                    p.latitude,
                    states[p.pk],
                    reverse("monitoring:point", args=[p.pk]),
                    p.enterprise_name,
                )
            )
    return sites


def _map(
    table: services.LightTable, column: int, areas: list[Area], scope: Any, layers: set[str]
) -> services.CityMap:
    lights = {row.area.code: row.cells[column] for row in table.rows}
    return services.city_map(
        lights, {a.name: a for a in areas if not a.is_city}, _sites(scope, layers)
    )


def _columns(table: services.LightTable) -> list[tuple[str, str]]:
    columns = [(t.code, t.name) for t in table.targets]
    if table.with_grade:
        columns.append((services.GRADE_COLUMN, _("目标责任评价考核")))
    return columns


@scoped
def city_map(request: HttpRequest) -> HttpResponse:
    scope, plan, areas, city = _context(request)
    year = _year(request, plan, city)
    table = services.light_table(plan, areas, year, scope)
    shown, column = _column(request, table)
    chosen = request.GET.getlist("layer") if "layers" in request.GET else list(LAYERS)
    layers = {layer for layer in chosen if layer in LAYERS}
    drawn = _map(table, column, areas, scope, layers)
    return render(
        request,
        "leaders/map.html",
        {
            "plan": plan,
            "year": year,
            "years": range(plan.base_year, plan.target_year + 1),
            "columns": _columns(table),
            "shown": shown,
            "column": column,
            "map": drawn,
            "rows": [(row.area, row.cells[column]) for row in table.rows],
            "layers": layers,
            "level_hex": LEVEL_HEX,
            "levels": [(level, LEVEL_HEX[level.value]) for level in WarningLevel],
            "sites_by_kind": {
                layer: sum(1 for s in drawn.sites if s.kind == kind)
                for layer, kind in (("enterprises", "enterprise"), ("points", "point"))
            },
        },
    )


def _sort(request: HttpRequest) -> str:
    return "red" if request.GET.get("sort") == "red" else ""


@scoped
def lights(request: HttpRequest) -> HttpResponse:
    scope, plan, areas, city = _context(request)
    year = _year(request, plan, city)
    sort = _sort(request)
    table = services.light_table(plan, areas, year, scope, sort=sort)
    return render(
        request,
        "leaders/lights.html",
        {
            "plan": plan,
            "year": year,
            "years": range(plan.base_year, plan.target_year + 1),
            "table": table,
            "columns": _columns(table),
            "rows": [
                (row, list(zip(_columns(table), row.cells, strict=True))) for row in table.rows
            ],
            "sort": sort,
        },
    )


@scoped
def lights_export(request: HttpRequest) -> HttpResponse:
    scope, plan, areas, city = _context(request)
    year = _year(request, plan, city)
    table = services.light_table(plan, areas, year, scope, sort=_sort(request))
    response = HttpResponse(
        exports.light_table_workbook(table, _columns(table), timezone.now()),
        content_type=XLSX,
    )
    response["Content-Disposition"] = f'attachment; filename="ecer-lights-{year}.xlsx"'
    return response


def _headline(plan: Plan, city: Area, year: int, scope: Any) -> list[indicators.Indicator]:
    """The city's computed targets (dual control, CO2, reductions, the registers…): the
    headline figures of the screen and the phone page."""
    targets = [t for t in indicators.plan_targets(plan, city, scope) if t.is_computed]
    return indicators.evaluate(plan, city, year, targets=targets, context=FeedContext(plan, year))


def _alarms(scope: Any) -> tuple[list[AlarmRecord], dict[str, int]]:
    if not scope.can_view_monitoring:
        return [], {}
    points = list(scope.monitoring_points(MonitoringPoint.objects.all()))
    journal.ensure_fresh(timezone.now())
    states = _point_states(points)
    counts = {state: 0 for state in ("online", "offline", "alarm")}
    for state in states.values():
        counts[state] += 1
    ongoing = list(
        AlarmRecord.objects.filter(point__in=points, ongoing=True)
        .select_related("point", "pollutant")
        .order_by("-start", "-pk")[:ALARMS_SHOWN]
    )
    return ongoing, counts


def _trend(item: indicators.Indicator | None, years: range) -> dict[str, Any] | None:
    """The polyline of a target's yearly series in a 300×120 box (for the screen)."""
    if item is None or not item.series:
        return None
    values = dict(item.series)
    known = [(y, v) for y, v in sorted(values.items()) if y in years]
    if len(known) < 2:
        return None
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = (high - low) or 1.0
    step = 300 / max(1, len(years) - 1)
    points = [
        (round((y - years[0]) * step, 1), round(110 - (v - low) / span * 100, 1)) for y, v in known
    ]
    return {
        "points": " ".join(f"{x},{y}" for x, y in points),
        "dots": [
            {"x": x, "y": y, "year": yr, "value": v}
            for (x, y), (yr, v) in zip(points, known, strict=True)
        ],
        "unit": item.target.indicator_unit or item.target.unit,
        "name": item.target.name,
    }


def _screen_context(request: HttpRequest) -> dict[str, Any]:
    scope, plan, areas, city = _context(request)
    year = _year(request, plan, city)
    table = services.light_table(plan, areas, year, scope, sort="red")
    headline = _headline(plan, city, year, scope)
    alarms, point_counts = _alarms(scope)
    energy = next((i for i in headline if i.target.feed == "energy.total"), None)
    return {
        "plan": plan,
        "city": city,
        "year": year,
        "table": table,
        "columns": _columns(table),
        "map": _map(table, 0, areas, scope, set(LAYERS)),
        "rings": [i for i in headline if not i.target.feed.startswith("reductions.")],
        "reductions": [i for i in headline if i.target.feed.startswith("reductions.")],
        "alarms": alarms,
        "point_counts": point_counts,
        "trend": _trend(energy, range(plan.base_year, plan.target_year + 1)),
        "level_hex": LEVEL_HEX,
        "now": timezone.localtime(),
    }


def _refresh(request: HttpRequest) -> int:
    try:
        seconds = int(request.GET.get("refresh", REFRESH_SECONDS))
    except ValueError:
        return REFRESH_SECONDS
    low, high = REFRESH_BOUNDS
    return seconds if low <= seconds <= high else REFRESH_SECONDS


@scoped
def screen(request: HttpRequest) -> HttpResponse:
    context = _screen_context(request)
    query = request.GET.copy()
    query.pop("refresh", None)
    return render(
        request,
        "leaders/screen.html",
        {
            **context,
            "refresh": _refresh(request),
            "panels_url": reverse("leaders:screen_panels")
            + ("?" + query.urlencode() if query else ""),
        },
    )


@scoped
def screen_panels(request: HttpRequest) -> HttpResponse:
    return render(request, "leaders/_screen_panels.html", _screen_context(request))


@scoped
def phone(request: HttpRequest) -> HttpResponse:
    scope, plan, areas, city = _context(request)
    year = _year(request, plan, city)
    table = services.light_table(plan, areas, year, scope, sort="red")
    alarms, point_counts = _alarms(scope)
    return render(
        request,
        "leaders/phone.html",
        {
            "plan": plan,
            "year": year,
            "table": table,
            "columns": _columns(table),
            "headline": _headline(plan, city, year, scope),
            "alarms": alarms,
            "point_counts": point_counts,
        },
    )
