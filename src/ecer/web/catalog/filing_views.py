"""One screen per unit and year for all its figures (issue #22): the grid, its workbook and
its import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.web.accounts.decorators import scoped
from ecer.web.catalog import filing, filing_io
from ecer.web.catalog.forms import GridImportForm
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.sheets import XLSX, SheetImportError
from ecer.web.uploads.errors import listing as error_listing
from ecer.web.uploads.registry import import_endpoint


def _areas(scope: Any) -> list[Area]:
    """The areas the user files for: a district its own, the others the city (a city
    administrator also any district)."""
    areas = list(scope.areas(Area.objects.order_by("sort_order")))
    if scope.role == "department":
        areas = [a for a in areas if a.is_city]
    return areas


def _grid(request: HttpRequest) -> tuple[Plan, filing.Grid, list[Area]]:
    scope = request.scope  # type: ignore[attr-defined]
    if not scope.can_submit_anything:
        raise PermissionDenied("read-only role")
    plan = active_plan()
    if plan is None:
        raise Http404("no plan loaded")
    areas = _areas(scope)
    if not areas:
        raise PermissionDenied("no area to file for")
    code = request.GET.get("area")
    area = next((a for a in areas if a.code == code), None) if code else areas[0]
    if area is None:
        raise Http404("area outside the user's scope")
    raw = request.GET.get("year")
    default = min(plan.target_year, timezone.localdate().year)
    try:
        year = int(raw) if raw else default
    except ValueError:
        raise Http404("bad year") from None
    if not plan.base_year <= year <= plan.target_year:
        raise Http404("year outside the plan period")
    return plan, filing.build(plan, area, year, scope), areas


def _page(
    request: HttpRequest, plan: Plan, grid: filing.Grid, areas: list[Area], **extra: Any
) -> HttpResponse:
    return render(
        request,
        "catalog/filing.html",
        {
            "grid": grid,
            "areas": areas,
            "years": range(plan.base_year, plan.target_year + 1),
            "periods": [_(filing.PERIOD_LABELS[q]) for q in filing.ORDER],
            "import_form": extra.pop("import_form", None) or GridImportForm(),
            **extra,
        },
    )


def _here(grid: filing.Grid) -> str:
    return f"{reverse('catalog:filing')}?area={grid.area.code}&year={grid.year}"


@scoped
def filing_grid(request: HttpRequest) -> HttpResponse:
    plan, grid, areas = _grid(request)
    if request.method == "POST":
        filing.fill(grid, filing.typed_values(grid, request.POST))
        if not grid.errors:
            saved, submitted = filing.save(grid, request.user, submit="submit" in request.POST)
            if submitted:
                done = _("已保存 %(s)s 个数值，提交审核 %(n)s 个") % {"s": saved, "n": submitted}
            else:
                done = _("已保存 %(s)s 个数值（草稿）") % {"s": saved}
            messages.success(request, done)
            return redirect(_here(grid))
        problem = _("有 %(n)s 个数值有误，均未保存，请按提示修改") % {"n": len(grid.errors)}
        messages.error(request, problem)
    return _page(request, plan, grid, areas)


@scoped
def filing_export(request: HttpRequest) -> HttpResponse:
    grid = _grid(request)[1]
    response = HttpResponse(
        filing_io.workbook(grid),
        content_type=XLSX,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ecer-filing-{grid.area.code}-{grid.year}.xlsx"'
    )
    return response


@import_endpoint("workbook", template="catalog:filing_export")
@scoped
def filing_import(request: HttpRequest) -> HttpResponse:
    plan, grid, areas = _grid(request)
    if request.method != "POST":
        return redirect(_here(grid))
    form = GridImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, plan, grid, areas, import_form=form)
    upload = form.cleaned_data["file"]
    try:
        filing_io.read(grid, upload.read())
    except SheetImportError as exc:
        listing = error_listing(request, "filing", upload.name, exc.errors)
        fresh = filing.build(plan, grid.area, grid.year, request.scope)  # type: ignore[attr-defined]
        return _page(request, plan, fresh, areas, listing=listing, import_form=form)
    saved, _submitted = filing.save(grid, request.user, submit=False)
    done = _("已从文件导入 %(s)s 个数值（草稿），核对后请点“保存并全部提交”") % {"s": saved}
    messages.success(request, done)
    return redirect(_here(grid))
