"""Pages of the registers (台账): the list of registers with their targets' figures, a
register's items (filtered by district, status, and "the items behind the target's figure"
for an area and a year — where a target page links to), an item with its steps, evidence and
history, a new item, the Excel import (all rows checked first) and export.

The figures are the indicator service's; the items behind them come from
``services.counted``, which applies the same rule (``ecer.core.registers``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.web import sheets
from ecer.web.accounts.decorators import scoped
from ecer.web.catalog.models import Area, Plan
from ecer.web.catalog.observations_io import active_plan
from ecer.web.indicators import service as indicators
from ecer.web.listing import Column, Listing
from ecer.web.registers import services
from ecer.web.registers.forms import ImportForm, ItemForm, StepForm
from ecer.web.registers.models import Item, Register, Status, Step
from ecer.web.sheets import XLSX
from ecer.web.uploads.download import attachment
from ecer.web.uploads.errors import listing as error_listing
from ecer.web.uploads.registry import import_endpoint


def _plan(request: HttpRequest) -> Plan:
    if not services.can_view(request.scope):  # type: ignore[attr-defined]
        raise PermissionDenied("registers are for the city, departments and districts")
    try:
        return active_plan()
    except LookupError:
        raise Http404("no plan loaded") from None


def _register(request: HttpRequest, code: str) -> Register:
    return get_object_or_404(
        Register.objects.select_related("section"), plan=_plan(request), code=code
    )


def _item(request: HttpRequest, pk: int) -> Item:
    _plan(request)
    scope = request.scope  # type: ignore[attr-defined]
    item = get_object_or_404(Item.objects.select_related("register", "area"), pk=pk)
    if not scope.can_view_area(item.area):
        raise Http404("no such item in scope")
    return item


def _year(request: HttpRequest, plan: Plan, area: Area) -> int:
    raw = request.GET.get("year", "")
    if raw == "":
        return indicators.default_year(plan, area)
    try:
        year = int(raw)
    except ValueError:
        raise Http404("bad year") from None
    if not plan.base_year <= year <= plan.target_year:
        raise Http404("year outside the plan period")
    return year


@scoped
def index(request: HttpRequest) -> HttpResponse:
    plan = _plan(request)
    scope = request.scope  # type: ignore[attr-defined]
    city = plan.area
    year = _year(request, plan, city)
    rows = []
    for register in plan.registers.select_related("section"):
        target = register.target
        item = None
        if target is not None and scope.can_view_area(city):
            item = indicators.indicator(target, city, year)
        items = services.items_in_scope(scope, register)
        rows.append(
            {
                "register": register,
                "target": target,
                "indicator": item,
                "total": items.count(),
                "by_status": [items.filter(status=s).count() for s in Status],
            }
        )
    return render(
        request,
        "registers/index.html",
        {
            "rows": rows,
            "year": year,
            "years": range(plan.base_year, plan.target_year + 1),
            "statuses": Status.choices,
        },
    )


def items_listing(register: Register) -> Listing:
    """A register's items as a list; the size column is named by the register."""
    return Listing(
        name=f"register-{register.code.replace('_', '-').lower()}"[:60],
        title=register.name,
        columns=(
            Column("identifier", _lazy("编号"), lambda i: i.identifier, ("identifier",)),
            Column("name", _lazy("名称"), lambda i: i.name, ("name",)),
            Column(
                "area", _lazy("县区"), lambda i: i.area.name, ("area__sort_order", "area__code")
            ),
            Column("location", _lazy("位置"), lambda i: i.location, ("location",)),
            Column("owner", _lazy("责任主体"), lambda i: i.owner or None, ("owner",)),
            Column(
                "size",
                f"{register.size_label}（{register.size_unit}）",
                lambda i: i.size,
                ("size",),
                numeric=True,
            ),
            Column("status", _lazy("状态"), lambda i: str(i.get_status_display()), ("status",)),
            Column("registered", _lazy("登记"), lambda i: i.registered_on, ("registered_on",)),
            Column("done", _lazy("完成"), lambda i: i.done_on, ("done_on",)),
            Column("verified", _lazy("核查"), lambda i: i.verified_on, ("verified_on",)),
        ),
        search_fields=("identifier", "name", "location", "owner", "credit_code", "note"),
    )


@scoped
def register_detail(request: HttpRequest, code: str) -> HttpResponse:
    register = _register(request, code)
    plan = register.plan
    scope = request.scope  # type: ignore[attr-defined]
    areas = list(scope.areas(Area.objects.all()))
    area = None
    if request.GET.get("area"):
        area = next((a for a in areas if a.code == request.GET["area"]), None)
        if area is None:
            raise Http404("area not in scope")
    year = _year(request, plan, area or plan.area)
    target = register.target
    items = services.items_in_scope(scope, register)
    indicator = None
    counted = request.GET.get("counted") == "1" and target is not None and area is not None
    if counted:
        assert target is not None and area is not None
        items = services.counted(target, register, area, year).select_related("area")
        if target.applies_to_districts or area.is_city:
            indicator = indicators.indicator(target, area, year)
    elif area is not None and not area.is_city:
        items = items.filter(area=area)
    status = request.GET.get("status", "")
    if status in Status.values:
        items = items.filter(status=status)
    items = items.order_by("area__sort_order", "identifier")
    listing = items_listing(register).run(request, items)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "registers/register.html",
        {
            "register": register,
            "target": target,
            "indicator": indicator,
            "counted": counted,
            "items": listing.rows,
            "listing": listing,
            "page": listing.page,
            "areas": areas,
            "area": area,
            "year": year,
            "years": range(plan.base_year, plan.target_year + 1),
            "status": status,
            "statuses": Status.choices,
            "can_register": services.editable_areas(scope).exists(),
            "import_form": ImportForm(),
            "columns": services.COLUMNS,
            "sheet": services.SHEET,
        },
    )


@scoped
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    scope = request.scope  # type: ignore[attr-defined]
    can_edit = services.can_edit(scope, item.area)
    following = item.next_status
    if following == Status.VERIFIED and not scope.can_review:
        following = None
    return render(
        request,
        "registers/item.html",
        {
            "item": item,
            "register": item.register,
            "steps": item.steps.select_related("recorded_by"),
            "history": item.history.select_related("history_user").order_by("-history_date"),
            "next": following,
            "form": StepForm(initial={"status": following}) if can_edit and following else None,
        },
    )


@import_endpoint("file", field="evidence")
@require_POST
@scoped
def add_step(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    scope = request.scope  # type: ignore[attr-defined]
    if not services.can_edit(scope, item.area):
        raise PermissionDenied("only the city and the item's district move it on")
    form = StepForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("registers:item", pk=pk)
    try:
        services.advance(
            item,
            form.cleaned_data["status"],
            form.cleaned_data["date"],
            request.user,
            scope,
            note=form.cleaned_data["note"],
            evidence=form.cleaned_data["evidence"],
        )
    except services.StepError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已记录"))
    return redirect("registers:item", pk=pk)


@scoped
def evidence_file(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    item = _item(request, pk)
    step = get_object_or_404(Step, item=item, pk=step_pk)
    return attachment(step.evidence)


@scoped
def item_new(request: HttpRequest, code: str) -> HttpResponse:
    register = _register(request, code)
    scope = request.scope  # type: ignore[attr-defined]
    if not services.editable_areas(scope).exists():
        raise PermissionDenied("only the city and districts register items")
    form = ItemForm(request.POST or None, scope=scope, register=register)
    if request.method == "POST" and form.is_valid():
        item = form.save(commit=False)
        item.register = register
        item.status = Status.REGISTERED
        item.save()
        Step.objects.create(
            item=item, status=Status.REGISTERED, date=item.registered_on, recorded_by=request.user
        )
        messages.success(request, _("已登记"))
        return redirect("registers:item", pk=item.pk)
    return render(request, "registers/item_form.html", {"register": register, "form": form})


@import_endpoint("workbook", template="registers:template")
@require_POST
@scoped
def import_view(request: HttpRequest, code: str) -> HttpResponse:
    register = _register(request, code)
    scope = request.scope  # type: ignore[attr-defined]
    if not services.editable_areas(scope).exists():
        raise PermissionDenied("only the city and districts import items")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        # The file's own problem (missing, too large, not .xlsx), on the page that says why.
        return render(
            request,
            "registers/import_errors.html",
            {"register": register, "form": form},
        )
    upload = form.cleaned_data["file"]
    try:
        summary = services.import_register(register, upload.read(), scope, request.user)
    except sheets.SheetImportError as exc:
        return render(
            request,
            "registers/import_errors.html",
            {
                "register": register,
                "listing": error_listing(request, "registers", upload.name, exc.errors),
            },
        )
    messages.success(
        request,
        _("已导入：新增 %(c)s 条，更新 %(u)s 条，记录步骤 %(s)s 个")
        % {"c": summary.created, "u": summary.updated, "s": summary.steps},
    )
    return redirect("registers:register", code=code)


@scoped
def import_template(request: HttpRequest) -> HttpResponse:
    """The import's layout with no item: one sheet 台账 with the columns the import reads."""
    plan = _plan(request)
    register = plan.registers.order_by("pk").first()
    if register is None:
        raise Http404("the plan has no register")
    content = services.export_registers([(register, [])], single=True)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="register-template.xlsx"
    )
    return response


@scoped
def export_view(request: HttpRequest) -> HttpResponse:
    """One register (``?register=<code>``, the import's layout) or every register, one sheet
    each named by its code; the user's districts only."""
    plan = _plan(request)
    scope = request.scope  # type: ignore[attr-defined]
    code = request.GET.get("register", "")
    registers = [_register(request, code)] if code else list(plan.registers.all())
    content = services.export_registers(
        [
            (r, services.items_in_scope(scope, r).order_by("area__sort_order", "identifier"))
            for r in registers
        ],
        single=bool(code),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{code or 'registers'}.xlsx"
    )
    return response
