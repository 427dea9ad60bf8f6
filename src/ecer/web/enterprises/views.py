"""Pages of the key energy-consuming units: the registry with filters, an enterprise's page
(reports, efficiency position, online data and its findings), a report with its review, the
report form and import, and the benchmark overview. Figures come from ``services``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.web.accounts.decorators import scoped
from ecer.web.audit import workflow
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.catalog.rules import key_unit_threshold
from ecer.web.energy import co2
from ecer.web.enterprises import io as reports_io
from ecer.web.enterprises import services
from ecer.web.enterprises.forms import CarrierFormSet, ImportForm, OutputFormSet, ReportForm
from ecer.web.enterprises.models import EnergyReport, Enterprise
from ecer.web.enterprises.scope import can_report_for, can_view_enterprise, visible_enterprises
from ecer.web.indicators import service as indicators
from ecer.web.indicators.years import requested_year
from ecer.web.listing import Column, Listing
from ecer.web.sheets import XLSX, SheetImportError
from ecer.web.uploads.errors import listing as error_listing
from ecer.web.uploads.registry import import_endpoint

ENTERPRISES_PER_PAGE = 50


def _enterprise(request: HttpRequest, code: str) -> Enterprise:
    enterprise = get_object_or_404(Enterprise.objects.select_related("area"), credit_code=code)
    if not can_view_enterprise(request.scope, enterprise):  # type: ignore[attr-defined]
        raise Http404("enterprise outside the user's scope")
    return enterprise


def _can_import(request: HttpRequest) -> bool:
    scope = request.scope  # type: ignore[attr-defined]
    return bool(scope.is_city_admin or (scope.role == "enterprise" and scope.enterprise_code))


def _flags(row: services.EnterpriseRow) -> str:
    flags = []
    if row.is_key_unit:
        flags.append(str(_lazy("重点用能单位")))
    if row.below_baseline:
        flags.append(str(_lazy("未达基准")))
    return " ".join(flags)


def _latest_report(row: services.EnterpriseRow) -> str | None:
    if row.latest is None:
        return None
    return f"{row.latest.report.year} {row.latest.report.get_status_display()}"


ENTERPRISES = Listing(
    name="enterprises",
    title=_lazy("重点用能单位"),
    columns=(
        Column("name", _lazy("单位名称"), lambda r: r.enterprise.name, ("name",)),
        Column(
            "code",
            _lazy("统一社会信用代码"),
            lambda r: r.enterprise.credit_code,
            ("credit_code",),
        ),
        Column(
            "area",
            _lazy("县区"),
            lambda r: r.enterprise.area.name,
            ("area__sort_order", "area__code"),
        ),
        Column(
            "industry",
            _lazy("行业"),
            lambda r: f"{r.enterprise.industry_code} {r.enterprise.industry_name}".strip(),
            ("industry_code",),
        ),
        Column("park", _lazy("园区"), lambda r: r.enterprise.park or None, ("park",)),
        Column("latest", _lazy("最近报告"), _latest_report),
        Column(
            "tce",
            _lazy("综合能源消费量（吨标准煤）"),
            lambda r: r.latest.gross_tce if r.latest else None,
            numeric=True,
        ),
        Column("flags", _lazy("标记"), _flags),
    ),
    default_sort="name",
    search_fields=("name", "credit_code", "industry_code", "industry_name", "park", "area__name"),
    search_text=lambda r: " ".join(
        (
            r.enterprise.name,
            r.enterprise.credit_code,
            r.enterprise.industry_code,
            r.enterprise.industry_name,
            r.enterprise.park,
            r.enterprise.area.name,
        )
    ),
    per_page=ENTERPRISES_PER_PAGE,
)


@scoped
def enterprise_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    queryset = visible_enterprises(scope, Enterprise.objects.all())
    area = request.GET.get("area", "")
    industry = request.GET.get("industry", "").strip()
    if area:
        queryset = queryset.filter(area__code=area)
    if industry:
        queryset = queryset.filter(industry_code__startswith=industry)
    queryset = queryset.select_related("area")
    key = request.GET.get("key", "")
    below = request.GET.get("below") == "1"
    threshold = key_unit_threshold()

    def prepare(enterprises: list[Enterprise]) -> list[services.EnterpriseRow]:
        return services.enterprise_rows(enterprises, threshold=threshold)

    # A province registers thousands of units: a page of them at a time, whose figures are
    # all that is computed unless a filter or the sorted column needs every unit's.
    source: Any = queryset
    if key in ("yes", "no") or below:
        rows = prepare(list(queryset))
        if key in ("yes", "no"):
            rows = [r for r in rows if r.is_key_unit is (key == "yes")]
        if below:
            rows = [r for r in rows if r.below_baseline]
        source = rows
    listing = ENTERPRISES.run(
        request,
        source,
        prepare=None if source is not queryset else prepare,
        per_page=ENTERPRISES_PER_PAGE,
    )
    if listing.wants_export:
        return listing.xlsx()
    shown = listing.rows
    page = listing.page
    return render(
        request,
        "enterprises/list.html",
        {
            "rows": shown,
            "page": page,
            "listing": listing,
            "areas": scope.areas(Area.objects.all()),
            "filters": {
                "area": area,
                "industry": industry,
                "key": key,
                "below": request.GET.get("below", ""),
            },
            "can_import": _can_import(request),
            "threshold": threshold,
            "co2_factor_note": co2.co2_factor_note(),
            "uses_demo_data": any(r.enterprise.is_demo for r in shown),
        },
    )


def _month(request: HttpRequest, enterprise: Enterprise) -> datetime:
    raw = request.GET.get("month", "")
    tz = timezone.get_default_timezone()
    if raw:
        try:
            start = datetime.strptime(raw, "%Y-%m").replace(tzinfo=tz)
        except ValueError:
            raise Http404("month must be YYYY-MM") from None
        return start
    latest = services.latest_reading_time(enterprise)
    # A reading at 00:00 closes the previous day: the month of the latest data ends there.
    local = (latest - timedelta(minutes=1) if latest else timezone.now()).astimezone(tz)
    return datetime(local.year, local.month, 1, tzinfo=tz)


def _next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)


@scoped
def enterprise_detail(request: HttpRequest, code: str) -> HttpResponse:
    enterprise = _enterprise(request, code)
    reports = list(
        enterprise.reports.order_by("year").prefetch_related("carriers", "outputs__unit")
    )
    threshold = key_unit_threshold()
    figures = [services.report_figures(r, threshold) for r in reports]
    counted = [f for f in figures if f.report.status in services.COUNTED]
    latest = counted[-1] if counted else None
    positions = services.unit_positions([latest]) if latest else []
    start = _month(request, enterprise)
    end = _next_month(start)
    month_data = [services.meter_data(m, start, end) for m in enterprise.meters.all()]
    findings = [f for d in month_data for f in d.series.findings]
    findings += services.completeness_findings(month_data, start, end)
    mismatches = []
    if latest is not None:
        year_data = services.online_year(enterprise, latest.report.year)
        if any(d.series.intervals for d in year_data):
            mismatches = services.report_mismatches(latest, year_data)
    history_chart = services.history_chart(figures)
    daily_chart = services.daily_chart(month_data)
    return render(
        request,
        "enterprises/detail.html",
        {
            "enterprise": enterprise,
            "figures": figures,
            "latest": latest,
            "positions": positions,
            "units": enterprise.units.all(),
            "month": start,
            "month_data": month_data,
            "findings": findings,
            "mismatches": mismatches,
            "history_json": json.dumps(history_chart, ensure_ascii=False),
            "daily_json": json.dumps(daily_chart, ensure_ascii=False),
            "can_report": can_report_for(request.scope, enterprise),  # type: ignore[attr-defined]
            "threshold": threshold,
            "co2_factor_note": co2.co2_factor_note(),
            # Reports are made for the year just ended.
            "report_year": timezone.localdate().year - 1,
            "uses_demo_data": enterprise.is_demo,
        },
    )


@scoped
def report_detail(request: HttpRequest, code: str, year: int) -> HttpResponse:
    enterprise = _enterprise(request, code)
    report = get_object_or_404(
        EnergyReport.objects.prefetch_related("carriers", "outputs__unit"),
        enterprise=enterprise,
        year=year,
    )
    figures = services.report_figures(report)
    lines = [(c, figures.tce_by_carrier.get(c.carrier, 0.0)) for c in report.carriers.all()]
    return render(
        request,
        "enterprises/report.html",
        {
            "enterprise": enterprise,
            "report": report,
            "figures": figures,
            "lines": lines,
            "positions": services.unit_positions([figures]),
            "can_report": can_report_for(request.scope, enterprise),  # type: ignore[attr-defined]
            "uses_demo_data": report.is_demo,
        },
    )


@scoped
def report_edit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    enterprise = _enterprise(request, code)
    if not can_report_for(request.scope, enterprise):  # type: ignore[attr-defined]
        raise PermissionDenied("only the enterprise and city administrators enter reports")
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404("year out of range")
    report = EnergyReport.objects.filter(enterprise=enterprise, year=year).first()
    if report is not None and not report.is_editable:
        messages.error(request, _("报告已提交或已审核，不能直接修改"))
        return redirect("enterprises:report", code=code, year=year)
    report = report or EnergyReport(enterprise=enterprise, year=year)
    if request.method == "POST":
        form = ReportForm(request.POST, instance=report)
        carriers = CarrierFormSet(request.POST, instance=report, prefix="carriers")
        outputs = OutputFormSet(
            request.POST,
            instance=report,
            prefix="outputs",
            enterprise=enterprise,
            scope=request.scope,  # type: ignore[attr-defined]
        )
        if form.is_valid() and carriers.is_valid() and outputs.is_valid():
            with transaction.atomic():
                saved = form.save()
                carriers.instance = outputs.instance = saved
                carriers.save()
                outputs.save()
            messages.success(request, _("已保存报告草稿"))
            return redirect("enterprises:report", code=code, year=year)
    else:
        form = ReportForm(instance=report)
        carriers = CarrierFormSet(instance=report, prefix="carriers")
        outputs = OutputFormSet(
            instance=report,
            prefix="outputs",
            enterprise=enterprise,
            scope=request.scope,  # type: ignore[attr-defined]
        )
    return render(
        request,
        "enterprises/report_form.html",
        {
            "enterprise": enterprise,
            "year": year,
            "form": form,
            "carriers": carriers,
            "outputs": outputs,
        },
    )


@require_POST
@scoped
def report_submit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    enterprise = _enterprise(request, code)
    report = get_object_or_404(EnergyReport, enterprise=enterprise, year=year)
    if not can_report_for(request.scope, enterprise):  # type: ignore[attr-defined]
        raise PermissionDenied("only the enterprise and city administrators submit reports")
    if not report.carriers.exists():
        messages.error(request, _("报告没有分品种能源消费，不能提交"))
    else:
        try:
            workflow.submit(report, request.user)
            messages.success(request, _("已提交审核"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("enterprises:report", code=code, year=year)


@require_POST
@scoped
def report_review(request: HttpRequest, code: str, year: int) -> HttpResponse:
    enterprise = _enterprise(request, code)
    report = get_object_or_404(EnergyReport, enterprise=enterprise, year=year)
    scope = request.scope  # type: ignore[attr-defined]
    if not scope.can_review:
        raise PermissionDenied("city administrators review reports")
    try:
        if request.POST.get("decision") == "approve":
            workflow.approve(report, request.user, scope, request.POST.get("justification", ""))
            messages.success(request, _("已审核通过"))
        else:
            workflow.return_for_revision(
                report, request.user, scope, request.POST.get("reason", "")
            )
            messages.success(request, _("已退回"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("enterprises:report", code=code, year=year)


@import_endpoint("workbook", template="enterprises:import_template")
@scoped
def import_reports(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise PermissionDenied("enterprises and city administrators import reports")
    listing = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = reports_io.import_workbook(
                    upload.read(),
                    request.user,
                    reports_io.credit_codes_for(request.scope),  # type: ignore[attr-defined]
                )
            except SheetImportError as exc:
                listing = error_listing(request, "enterprise-reports", upload.name, exc.errors)
            else:
                messages.success(request, str(summary))
                return redirect("enterprises:list")
    else:
        form = ImportForm()
    return render(request, "enterprises/import.html", {"form": form, "listing": listing})


@scoped
def import_template(request: HttpRequest) -> HttpResponse:
    if not _can_import(request):
        raise PermissionDenied("enterprises and city administrators import reports")
    response = HttpResponse(reports_io.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="ecer-energy-report-template.xlsx"'
    return response


def _plan_or_404() -> Plan:
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _year(request: HttpRequest, plan: Plan) -> int:
    return requested_year(request.GET.get("year"), plan, plan.area)


def _unit_of(p: services.UnitPosition) -> Any:
    unit = p.output.unit
    assert unit is not None  # unit_positions keeps only outputs of a unit
    return unit


# Each production unit of the visible enterprises against its benchmark line (the year's
# reports): the rows behind the per-industry shares.
POSITIONS = Listing(
    name="benchmark-units",
    title=_lazy("各装置对照"),
    columns=(
        Column("enterprise", _lazy("单位名称"), lambda p: _unit_of(p).enterprise.name),
        Column("unit", _lazy("装置/生产线"), lambda p: _unit_of(p).name),
        Column("line", _lazy("对照行"), lambda p: f"{p.line.industry} · {p.line.product}"),
        Column("capacity", _lazy("产能"), lambda p: _unit_of(p).capacity, numeric=True),
        Column("capacity_unit", _lazy("产能单位"), lambda p: p.line.capacity_unit),
        Column("value", _lazy("单位产品能耗"), lambda p: p.value, numeric=True),
        Column("benchmark", _lazy("标杆水平"), lambda p: p.line.benchmark, numeric=True),
        Column("baseline", _lazy("基准水平"), lambda p: p.line.baseline, numeric=True),
        Column("value_unit", _lazy("能耗单位"), lambda p: p.line.unit),
        Column("position", _lazy("位置"), lambda p: p.position.label_zh),
    ),
    default_sort="enterprise",
    search_text=lambda p: " ".join(
        (_unit_of(p).enterprise.name, _unit_of(p).name, p.line.industry, p.line.product)
    ),
)


@scoped
def benchmarks(request: HttpRequest) -> HttpResponse:
    """The benchmark-share target (plan 三(一)) as the indicator service judges it, beside the
    per-industry table of the visible enterprises, both from reports of the year or before and
    against the target's share and strictness."""
    plan = _plan_or_404()
    target = indicators.by_feed(plan, "enterprises.benchmark_share")
    if target is None:
        raise Http404("the plan has no target fed by enterprises.benchmark_share")
    year = _year(request, plan)
    [indicator] = indicators.evaluate(plan, plan.area, year, targets=[target])
    queryset = visible_enterprises(request.scope, Enterprise.objects.all())  # type: ignore[attr-defined]
    rows = services.enterprise_rows(queryset.select_related("area"), year)
    share, rectification = services.benchmark_overview(rows, services.ShareTarget.of(target))
    positions = [p for r in rows for p in r.positions]
    listing = POSITIONS.run(request, positions)
    if listing.wants_export:
        return listing.xlsx()
    chart = services.share_chart(share) if share is not None else None
    return render(
        request,
        "enterprises/benchmarks.html",
        {
            "plan": plan,
            "target": target,
            "indicator": indicator,
            "year": year,
            "years": list(range(plan.base_year, plan.target_year + 1)),
            "share": share,
            "rectification": rectification,
            "positions": listing.rows,
            "listing": listing,
            "page": listing.page,
            "chart_json": json.dumps(chart, ensure_ascii=False) if chart else "",
            "status_approved": Status.APPROVED,
            "uses_demo_data": indicator.uses_demo_data
            or any(r.enterprise.is_demo for r in rows if r.latest),
        },
    )
