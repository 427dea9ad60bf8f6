"""Pages of online monitoring: the points with their status, a point's data, the alarms and
the validity rate per enterprise. Every figure comes from ``services`` (ecer.core.monitoring);
the views only read the request, check the scope and pick rows."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from ecer.web.accounts.decorators import scoped
from ecer.web.catalog.models import Area
from ecer.web.listing import Column, Listing
from ecer.web.monitoring import journal, services
from ecer.web.monitoring.models import Command, Medium, MonitoringPoint

# A page shows at most this many days at once (hourly data: 92 × 24 values per factor).
MAX_DAYS = 92
POINT_DAYS = 3
POINTS_PER_PAGE = 50
ENTERPRISES_PER_PAGE = 50
ALARMS_PER_PAGE = 50


def _rate(validity: Any) -> float | None:
    return None if validity.percent is None else round(validity.percent, 2)


POINTS = Listing(
    name="monitoring-points",
    title=_lazy("污染源在线监控"),
    columns=(
        Column("name", _lazy("监测点"), lambda s: s.point.name, ("name",)),
        Column("mn", "MN", lambda s: s.point.mn, ("mn",)),
        Column(
            "enterprise", _lazy("企业"), lambda s: s.point.enterprise_name, ("enterprise_name",)
        ),
        Column(
            "area",
            _lazy("县区"),
            lambda s: s.point.area.name if s.point.area else None,
            ("area__sort_order", "area__code"),
        ),
        Column("medium", _lazy("介质"), lambda s: s.point.get_medium_display(), ("medium",)),
        Column(
            "online",
            _lazy("状态"),
            lambda s: str(_lazy("离线")) if s.connection.offline else str(_lazy("在线")),
        ),
        Column("latest", _lazy("最新数据时间"), lambda s: s.latest_data_time),
        Column("validity", _lazy("有效传输率（%）"), lambda s: _rate(s.validity), numeric=True),
        Column("alarms", _lazy("未结束报警"), lambda s: s.ongoing_alarms, numeric=True),
    ),
    default_sort="name",
    search_fields=("name", "mn", "enterprise_name", "enterprise_code", "outlet"),
    per_page=POINTS_PER_PAGE,
)


def _alarm_note(a: Any) -> str:
    if a.exceedance:
        e = a.exceedance
        return str(_lazy("%(n)s 个有效数据超标，最大 %(peak)s %(unit)s")) % {
            "n": e.count,
            "peak": f"{e.peak:.3f}",
            "unit": e.limit.unit,
        }
    if a.gap:
        return ngettext("缺 %(n)s 个数据", "缺 %(n)s 个数据", a.gap.missing) % {"n": a.gap.missing}
    return str(_lazy("超过离线阈值未收到任何报文"))


ALARMS = Listing(
    name="alarms",
    title=_lazy("报警"),
    columns=(
        Column("kind", _lazy("类型"), lambda a: a.kind_label, ("kind",)),
        Column("point", _lazy("监测点"), lambda a: a.point.name, ("point__name",)),
        Column(
            "pollutant",
            _lazy("监测因子"),
            lambda a: a.pollutant.name if a.pollutant else None,
            ("pollutant__pollutant",),
        ),
        Column("start", _lazy("开始"), lambda a: a.start, ("start",)),
        Column("end", _lazy("结束"), lambda a: None if a.ongoing else a.end, ("end",)),
        Column("note", _lazy("说明"), _alarm_note, sortable=False),
    ),
    search_fields=("point__name", "point__mn", "point__enterprise_name", "pollutant__pollutant"),
    per_page=ALARMS_PER_PAGE,
)

VALIDITY = Listing(
    name="validity",
    title=_lazy("有效传输率"),
    columns=(
        Column("enterprise", _lazy("企业"), lambda e: e.name or None),
        Column("code", _lazy("统一社会信用代码"), lambda e: e.code or None),
        Column("points", _lazy("监测点"), lambda e: len(e.points), numeric=True),
        Column("valid", _lazy("有效数据"), lambda e: e.validity.valid, numeric=True),
        Column("expected", _lazy("应传输"), lambda e: e.validity.expected, numeric=True),
        Column("rate", _lazy("有效传输率（%）"), lambda e: _rate(e.validity), numeric=True),
    ),
    search_text=lambda e: " ".join(
        [e.name, e.code] + [f"{s.point.name} {s.point.mn}" for s in e.points]
    ),
    per_page=ENTERPRISES_PER_PAGE,
)

# A point's data of the chosen factor, data type and period (the chart's values), newest
# first; the flag says whether a value is valid (N) and so judged against the limit.
READINGS = Listing(
    name="monitoring-data",
    title=_lazy("监测数据"),
    columns=(
        Column("time", _lazy("数据时间"), lambda r: r.time),
        Column("value", _lazy("监测值"), lambda r: r.value, numeric=True),
        Column("converted", _lazy("折算值"), lambda r: r.converted, numeric=True),
        Column("flag", _lazy("数据标记"), lambda r: r.flag or None),
        Column("valid", _lazy("有效数据"), lambda r: r.valid),
    ),
    default_sort="-time",
    search_text=lambda r: f"{timezone.localtime(r.time):%Y-%m-%d %H:%M} {r.flag}",
)


def _points(request: HttpRequest) -> QuerySet[MonitoringPoint]:
    scope = request.scope  # type: ignore[attr-defined]
    if not scope.can_view_monitoring:
        raise PermissionDenied("no monitoring points in scope")
    queryset = MonitoringPoint.objects.select_related("area").prefetch_related("pollutants")
    return scope.monitoring_points(queryset)  # type: ignore[no-any-return]


def _filtered(request: HttpRequest, points: QuerySet[MonitoringPoint]) -> QuerySet[MonitoringPoint]:
    area = request.GET.get("area")
    if area:
        points = points.filter(area__code=area)
    medium = request.GET.get("medium")
    if medium:
        if medium not in Medium.values:
            raise Http404("unknown medium")
        points = points.filter(medium=medium)
    return points


def _date(request: HttpRequest, name: str) -> date | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Http404(f"bad {name} date") from None


def _period(request: HttpRequest, days: int) -> services.Period:
    last = _date(request, "end") or timezone.localdate()
    first = _date(request, "start") or last - timedelta(days=days - 1)
    if first > last or (last - first).days >= MAX_DAYS:
        raise Http404("period out of range")
    return services.Period(first, last)


def _filter_context(request: HttpRequest, period: services.Period) -> dict[str, Any]:
    scope = request.scope  # type: ignore[attr-defined]
    return {
        "period": period,
        "areas": scope.areas(Area.objects.exclude(kind=Area.Kind.CITY)),
        "area": request.GET.get("area", ""),
        "media": Medium.choices,
        "medium": request.GET.get("medium", ""),
    }


@scoped
def point_list(request: HttpRequest) -> HttpResponse:
    # A province has thousands of points: the status of a page of them at a time (of every
    # point only when sorted by a status column).
    now = timezone.now()
    period = services.Period.recent(now, services.STATUS_DAYS)
    listing = POINTS.run(
        request,
        _filtered(request, _points(request)),
        prepare=lambda points: services.point_statuses(points, period, now),
        per_page=POINTS_PER_PAGE,
    )
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "monitoring/point_list.html",
        {
            **_filter_context(request, period),
            "statuses": listing.rows,
            "listing": listing,
            "page": listing.page,
            "days": services.STATUS_DAYS,
            "offline_hours": services.OFFLINE_AFTER.total_seconds() / 3600,
            "uses_demo_data": any(s.point.is_demo for s in listing.rows),
        },
    )


@scoped
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(_points(request), pk=pk)
    pollutants = list(point.pollutants.all())
    code = request.GET.get("pollutant")
    if code:
        selected = next((p for p in pollutants if p.pollutant == code), None)
        if selected is None:
            raise Http404("pollutant not monitored at this point")
    else:
        selected = services.default_pollutant(point)
    cn = request.GET.get("cn") or point.data_cn
    if cn not in Command.values:
        raise Http404("unknown data type")
    now = timezone.now()
    period = _period(request, POINT_DAYS)
    until = period.until(now)
    [status] = services.point_statuses([point], period, now)
    series = (
        services.pollutant_series(point, selected, cn, period.start, until) if selected else None
    )
    listing = READINGS.run(request, series.rows() if series else [])
    if listing.wants_export:
        return listing.xlsx()
    loads = services.point_loads(point, period.start, until)
    return render(
        request,
        "monitoring/point_detail.html",
        {
            "readings": listing.rows,
            "listing": listing,
            "page": listing.page,
            "point": point,
            "pollutants": pollutants,
            "selected": selected,
            "cn": cn,
            "commands": Command.choices,
            "period": period,
            "status": status,
            "series": series,
            "chart_json": json.dumps(series.chart(), ensure_ascii=False) if series else "",
            "loads": loads,
            "selected_loads": next(
                (item for item in loads if selected and item.pollutant.pk == selected.pk), None
            ),
            "daily_table": services.daily_load_table(loads),
            "uses_demo_data": point.is_demo,
        },
    )


@scoped
def alarm_list(request: HttpRequest) -> HttpResponse:
    points = _filtered(request, _points(request))
    now = timezone.now()
    period = _period(request, services.STATUS_DAYS)
    kind = request.GET.get("kind", "")
    if kind and kind not in services.ALARM_KINDS:
        raise Http404("unknown alarm kind")
    ongoing_only = request.GET.get("ongoing") == "1"
    # Judged by a job and kept (journal): a province's list is one paged query, newest first.
    run = journal.ensure_fresh(now)
    alarms = journal.records(points, period, kind=kind or None, ongoing_only=ongoing_only)
    listing = ALARMS.run(request, alarms, per_page=ALARMS_PER_PAGE)
    if listing.wants_export:
        return listing.xlsx()
    page = listing.page
    first_day = journal.first_day_judged()
    return render(
        request,
        "monitoring/alarm_list.html",
        {
            **_filter_context(request, period),
            "alarms": listing.rows,
            "listing": listing,
            "page": page,
            "kinds": list(services.ALARM_KINDS.items()),
            "kind": kind,
            "ongoing_only": ongoing_only,
            "run": run,
            "judged_from": first_day if first_day and period.first_day < first_day else None,
            "uses_demo_data": points.filter(is_demo=True).exists(),
        },
    )


@scoped
def validity(request: HttpRequest) -> HttpResponse:
    # Rows of every point, but only a page shown: no areas, and pollutants only as needed.
    points = list(_filtered(request, _points(request)).select_related(None).prefetch_related(None))
    now = timezone.now()
    period = _period(request, services.STATUS_DAYS)
    statuses = services.point_validities(points, period, now)
    listing = VALIDITY.run(
        request, services.enterprise_validity(statuses), per_page=ENTERPRISES_PER_PAGE
    )
    if listing.wants_export:
        return listing.xlsx()
    page = listing.page
    return render(
        request,
        "monitoring/validity.html",
        {
            **_filter_context(request, period),
            # Worst first over all points; a page of enterprises at a time.
            "enterprises": listing.rows,
            "listing": listing,
            "page": page,
            "total": services.total_validity(statuses),
            "uses_demo_data": any(p.is_demo for p in points),
        },
    )
