"""Pages of dual control (能耗双控): the city's comparison of districts, one area's page, its
yearly data form, and the Excel import and export. Every figure comes from ``services``.

Who may do what: everyone who sees all areas (city administrators, leaders, departments)
sees the comparison; a district user sees its own district; yearly data — compiled from the
statistics bureau's figures — is entered and imported by city administrators, and every edit
is kept in the record's history.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import warning as core_warning
from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.audit.signals import figures_received
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.energy import co2, services
from ecer.web.energy import io as energy_io
from ecer.web.energy.forms import CarrierFormSet, EnergyYearForm, ImportForm
from ecer.web.energy.models import DistrictEnergyYear
from ecer.web.energy.status import area_statuses
from ecer.web.indicators.years import requested_year
from ecer.web.sheets import SheetImportError
from ecer.web.uploads.errors import listing as error_listing
from ecer.web.uploads.registry import import_endpoint

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


@scoped
def overview(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if scope.role == "district":
        return redirect("energy:district", area_code=Area.objects.get(pk=scope.area_id).code)
    if not scope.sees_all_areas:
        raise PermissionDenied("no area in scope")
    plan = _plan_or_404()
    year = _year(request, plan)
    rows = area_statuses(plan, year, services.areas())
    controls = [r.control for r in rows]
    chart = services.comparison_chart(controls)
    return render(
        request,
        "energy/overview.html",
        {
            **_common(plan, year),
            "rows": rows,
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
