"""Pages of dual control (能耗双控): the city's comparison of districts, one area's page, its
yearly data form, and the Excel import and export. Every figure comes from ``services``.

Who may do what: everyone who sees all areas (city administrators, leaders, departments)
sees the comparison; a district user sees its own district; yearly data — compiled from the
statistics bureau's figures — is entered and imported by city administrators, and every edit
is kept in the record's history.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ecer.core import warning as core_warning
from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.audit.signals import figures_received
from ecer.web.audit.version import data_version
from ecer.web.catalog.labels import STATUS_LABELS
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.energy import co2, services
from ecer.web.energy import io as energy_io
from ecer.web.energy.forms import CarrierFormSet, EnergyYearForm, ImportForm
from ecer.web.energy.models import DistrictEnergyYear
from ecer.web.energy.status import AreaStatus, area_statuses
from ecer.web.indicators.service import Indicator
from ecer.web.indicators.years import requested_year
from ecer.web.listing import Column, Listing
from ecer.web.sheets import XLSX, SheetImportError
from ecer.web.uploads.errors import listing as error_listing
from ecer.web.uploads.registry import import_endpoint


def _plan_or_404() -> Plan:
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _year(request: HttpRequest, plan: Plan, area: Area | None = None) -> int:
    """The requested year, else the year the pages open on for ``area`` (the city when None)."""
    city = area or Area.objects.get(kind=Area.Kind.CITY)
    return requested_year(request.GET.get("year"), plan, city)


def _visible_area(request: HttpRequest, code: str) -> Area:
    area = get_object_or_404(Area, code=code)
    if not request.scope.can_view_area(area):  # type: ignore[attr-defined]
        raise Http404("area outside the user's scope")
    return area


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _common(plan: Plan, year: int) -> dict[str, object]:
    return {
        "plan": plan,
        "year": year,
        "years": list(range(plan.base_year, plan.target_year + 1)),
        "thresholds": core_warning.WarningThresholds(),
    }


def _indicator_text(item: Indicator | None, light: core_warning.WarningAssessment) -> str:
    """The status and warning light as the cell shows them (the light alone without a target)."""
    if item is None:
        return light.level.label_zh
    return f"{STATUS_LABELS[item.status.value]} {item.level.label_zh}"


def _attainment(row: AreaStatus) -> str | None:
    dual = row.control.dual
    if dual is None:
        return None
    if dual.exempt_from_total_assessment:
        return f"{dual.attainment.label_zh} {_('总量免于考核')}"
    return dual.attainment.label_zh


def _figure(name: str, part: str = "") -> Callable[[AreaStatus], float | None]:
    """A figure of the area's current year (None without data): ``current.<part>.<name>``."""

    def value(row: AreaStatus) -> float | None:
        current = row.control.current
        if current is None:
            return None
        holder = getattr(current, part) if part else current
        return getattr(holder, name)  # type: ignore[no-any-return]

    return value


# The comparison of the city and its districts (a handful of rows: one page).
COMPARISON = Listing(
    name="dual-control",
    title=_lazy("能耗双控"),
    columns=(
        Column("name", _lazy("地区"), lambda r: r.area.name),
        Column(
            "gross",
            _lazy("能源消费总量（吨标准煤）"),
            _figure("gross_tce", "consumption"),
            numeric=True,
        ),
        Column(
            "deducted",
            _lazy("扣除量（吨标准煤）"),
            _figure("deducted_tce", "consumption"),
            numeric=True,
        ),
        Column(
            "assessed",
            _lazy("考核能耗（吨标准煤）"),
            _figure("assessed_tce", "consumption"),
            numeric=True,
        ),
        Column(
            "intensity",
            _lazy("能耗强度（考核口径，吨标准煤/万元）"),
            _figure("intensity", "assessed"),
            numeric=True,
        ),
        Column(
            "gross_intensity",
            _lazy("能耗强度（总量口径，吨标准煤/万元）"),
            _figure("intensity", "gross"),
            numeric=True,
        ),
        Column(
            "decline",
            _lazy("强度累计下降（考核口径，%）"),
            _figure("decline_pct", "assessed"),
            numeric=True,
        ),
        Column(
            "gross_decline",
            _lazy("强度累计下降（总量口径，%）"),
            _figure("decline_pct", "gross"),
            numeric=True,
        ),
        Column(
            "basic",
            _lazy("基本目标（规划期，%）"),
            lambda r: r.control.target.basic_decline_pct if r.control.target else None,
            numeric=True,
        ),
        Column(
            "incentive",
            _lazy("激励目标（规划期，%）"),
            lambda r: r.control.target.incentive_decline_pct if r.control.target else None,
            numeric=True,
        ),
        Column(
            "interim_basic",
            _lazy("当年应降（基本，%）"),
            lambda r: r.control.interim_basic_pct,
            numeric=True,
        ),
        Column(
            "interim_incentive",
            _lazy("当年应降（激励，%）"),
            lambda r: r.control.interim_incentive_pct,
            numeric=True,
        ),
        Column("attainment", _lazy("目标完成情况"), _attainment),
        Column(
            "budget",
            _lazy("年度总量目标（吨标准煤）"),
            lambda r: (
                r.control.budget_adjustment.adjusted_budget_tce
                if r.control.budget_adjustment
                else None
            ),
            numeric=True,
        ),
        Column(
            "intensity_status",
            _lazy("强度状态与预警"),
            lambda r: _indicator_text(r.intensity, r.control.intensity_warning),
        ),
        Column(
            "total_status",
            _lazy("总量状态与预警"),
            lambda r: _indicator_text(r.total, r.control.total_warning),
        ),
    ),
    search_text=lambda r: f"{r.area.name} {r.area.code}",
)


@scoped
def overview(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if scope.role == "district":
        return redirect("energy:district", area_code=Area.objects.get(pk=scope.area_id).code)
    if not scope.sees_all_areas:
        raise PermissionDenied("no area in scope")
    plan = _plan_or_404()
    year = _year(request, plan)
    statuses = area_statuses(plan, year, services.areas())
    listing = COMPARISON.run(request, statuses, per_page=max(len(statuses), 1))
    if listing.wants_export:
        return listing.xlsx()
    rows = listing.rows
    controls = [r.control for r in statuses]
    chart = services.comparison_chart(controls)
    return render(
        request,
        "energy/overview.html",
        {
            **_common(plan, year),
            "rows": rows,
            "listing": listing,
            "page": listing.page,
            "controls": controls,
            "co2_target": co2.co2_target(plan),
            "co2_factor_note": co2.co2_factor_note(),
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "uses_demo_data": any(c.uses_demo_data for c in controls),
        },
    )


@scoped
def export_overview(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    year = _year(request, plan)
    visible = set(request.scope.areas(Area.objects.all()).values_list("pk", flat=True))  # type: ignore[attr-defined]
    if not visible:
        raise PermissionDenied("no area in scope")
    version = data_version()
    rows = area_statuses(plan, year, [a for a in services.areas() if a.pk in visible], version)
    content = energy_io.overview_workbook(rows, year, generated_at=timezone.now(), version=version)
    return _xlsx(content, f"ecer-dual-control-{year}.xlsx")


@scoped
def district(request: HttpRequest, area_code: str) -> HttpResponse:
    area = _visible_area(request, area_code)
    plan = _plan_or_404()
    year = _year(request, plan, area)
    [row] = area_statuses(plan, year, [area])
    control = row.control
    return render(
        request,
        "energy/district.html",
        {
            **_common(plan, year),
            "area": area,
            "row": row,
            "c": control,
            "co2_target": co2.co2_target(plan),
            "co2_factor_note": co2.co2_factor_note(),
            "carriers": services.carrier_lines(control),
            "waterfall_json": json.dumps(services.waterfall_chart(control), ensure_ascii=False),
            "trend_json": json.dumps(services.trend_chart(control), ensure_ascii=False),
            "uses_demo_data": control.uses_demo_data,
            "year_row": DistrictEnergyYear.objects.filter(area=area, year=year).first(),
        },
    )


@city_admin_required
def edit_year(request: HttpRequest, area_code: str, year: int) -> HttpResponse:
    area = get_object_or_404(Area, code=area_code)
    plan = _plan_or_404()
    if not plan.base_year <= year <= plan.target_year:
        raise Http404("year outside the plan period")
    instance = DistrictEnergyYear.objects.filter(area=area, year=year).first() or (
        DistrictEnergyYear(area=area, year=year)
    )
    if request.method == "POST":
        form = EnergyYearForm(request.POST, instance=instance)
        formset = CarrierFormSet(request.POST, instance=instance, prefix="carriers")
        if form.is_valid() and formset.is_valid() and form.check_deductions(formset):
            with transaction.atomic():
                saved = form.save(commit=False)
                saved.is_demo = False
                saved.save()
                formset.instance = saved
                formset.save()
                figures_received.send(sender=DistrictEnergyYear, records=[saved])
            messages.success(
                request, _("已保存 %(area)s %(year)s 年数据") % {"area": area.name, "year": year}
            )
            warning = services.sector_warning(saved)
            if warning:
                messages.warning(request, warning)
            url = reverse("energy:district", kwargs={"area_code": area.code})
            return redirect(f"{url}?year={year}")
    else:
        form = EnergyYearForm(instance=instance)
        formset = CarrierFormSet(instance=instance, prefix="carriers")
    return render(
        request,
        "energy/year_form.html",
        {
            "plan": plan,
            "area": area,
            "year": year,
            "form": form,
            "formset": formset,
            "is_new": instance.pk is None,
        },
    )


@import_endpoint("workbook", template="energy:import_template")
@city_admin_required
def import_data(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    listing = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                summary = energy_io.import_workbook(upload.read(), plan)
            except SheetImportError as exc:
                listing = error_listing(request, "energy", upload.name, exc.errors)
            else:
                messages.success(request, str(summary))
                for warning in summary.warnings:
                    messages.warning(request, warning)
                return redirect("energy:overview")
    else:
        form = ImportForm()
    return render(request, "energy/import.html", {"plan": plan, "form": form, "listing": listing})


@city_admin_required
def import_template(request: HttpRequest) -> HttpResponse:
    return _xlsx(energy_io.template_workbook(), "ecer-energy-template.xlsx")
