"""Entering, submitting, reviewing and correcting target observations."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.audit import workflow
from ecer.web.audit.models import Status
from ecer.web.catalog.forms import CorrectionForm, ImportForm, ObservationForm, ReturnForm
from ecer.web.catalog.models import Area, Observation, Target
from ecer.web.catalog.observations_io import (
    ObservationImportError,
    active_plan,
    import_observations,
    read_table,
)
from ecer.web.listing import Column, Listing
from ecer.web.uploads.errors import listing as error_listing
from ecer.web.uploads.registry import import_endpoint


def scoped_observations(scope: object) -> object:
    return Observation.objects.filter(
        area__in=scope.areas(Area.objects.all()),  # type: ignore[attr-defined]
        target__in=scope.targets(Target.objects.all()),  # type: ignore[attr-defined]
    ).select_related("target", "area", "submitted_by", "reviewed_by")


def _get_visible(request: HttpRequest, pk: int) -> Observation:
    obj = scoped_observations(request.scope).filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404("observation outside the user's scope")
    return obj


def _require_submitter(request: HttpRequest, obj: Observation) -> None:
    if not request.scope.can_submit(obj.target, obj.area):  # type: ignore[attr-defined]
        raise PermissionDenied("not allowed to change this figure")


def _period(o: Observation) -> str:
    return f"{o.year}Q{o.quarter}" if o.quarter else str(o.year)


OBSERVATIONS = Listing(
    name="observations",
    title=_lazy("数据填报"),
    columns=(
        Column("target", _lazy("目标"), lambda o: o.target.name, ("target__name",)),
        Column("area", _lazy("地区"), lambda o: o.area.name, ("area__sort_order", "area__code")),
        Column("period", _lazy("时期"), _period, ("year", "quarter")),
        Column("value", _lazy("数值"), lambda o: o.value, ("value",), numeric=True),
        Column("unit", _lazy("单位"), lambda o: o.target.observation_unit, sortable=False),
        Column("status", _lazy("审核状态"), lambda o: o.get_status_display(), ("status",)),
        Column("updated", _lazy("更新时间"), lambda o: o.updated_at, ("updated_at",)),
    ),
    default_sort="-updated",
    search_fields=("target__name", "target__code", "area__name", "source", "note"),
)

# The figures awaiting review, oldest submission first.
REVIEW_QUEUE = Listing(
    name="review-queue",
    title=_lazy("待审核数据"),
    columns=(
        OBSERVATIONS.columns_by_key["target"],
        OBSERVATIONS.columns_by_key["area"],
        OBSERVATIONS.columns_by_key["period"],
        OBSERVATIONS.columns_by_key["value"],
        OBSERVATIONS.columns_by_key["unit"],
        Column(
            "submitter",
            _lazy("提交人"),
            lambda o: o.submitted_by.get_username() if o.submitted_by else None,
            ("submitted_by__username",),
        ),
        Column("submitted", _lazy("提交时间"), lambda o: o.submitted_at, ("submitted_at",)),
    ),
    default_sort="submitted",
    search_fields=(*OBSERVATIONS.search_fields, "submitted_by__username"),
)


@scoped
def observation_list(request: HttpRequest) -> HttpResponse:
    queryset = scoped_observations(request.scope)  # type: ignore[attr-defined]
    status = request.GET.get("status", "")
    if status in Status.values:
        queryset = queryset.filter(status=status)  # type: ignore[attr-defined]
    listing = OBSERVATIONS.run(request, queryset)  # type: ignore[arg-type]
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "catalog/observation_list.html",
        {
            "observations": listing.rows,
            "listing": listing,
            "page": listing.page,
            "statuses": Status.choices,
            "status": status,
            "uses_demo_data": False,
        },
    )


def _whole(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _asked_period(request: HttpRequest) -> dict[str, object]:
    """The figure a reminder asks for (``?target=&area=&year=&quarter=``), as the form's
    initial values; the scope middleware has checked the target and area are the user's, and a
    value that is not a whole number is left out (the form then asks for it)."""
    if request.method != "GET":
        return {}
    initial: dict[str, object] = {}
    target = Target.objects.filter(code=request.GET.get("target", "")).first()
    if target is not None:
        initial["target"] = target
        initial["unit"] = target.observation_unit
    area = Area.objects.filter(code=request.GET.get("area", "")).first()
    if area is not None:
        initial["area"] = area
    for name in ("year", "quarter"):
        value = _whole(request.GET.get(name))
        if value is not None:
            initial[name] = value
    return initial


@scoped
def observation_create(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if not scope.can_submit_anything:
        raise PermissionDenied("read-only role")
    form = ObservationForm(request.POST or None, scope=scope, initial=_asked_period(request))
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        if Observation.objects.filter(
            target=obj.target, area=obj.area, year=obj.year, quarter=obj.quarter
        ).exists():
            form.add_error(None, _("该目标、地区、时期已有数值，请在原记录上修改"))
        else:
            obj.save()
            if "submit" in request.POST:
                workflow.submit(obj, request.user)
            messages.success(request, _("已保存"))
            return redirect("catalog:observation", pk=obj.pk)
    return render(request, "catalog/observation_form.html", {"form": form, "object": None})


@scoped
def observation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get_visible(request, pk)
    scope = request.scope  # type: ignore[attr-defined]
    can_edit = obj.is_editable and scope.can_submit(obj.target, obj.area)
    form = None
    if can_edit:
        form = ObservationForm(request.POST or None, instance=obj, scope=scope)
        if request.method == "POST" and form.is_valid():
            form.save()
            if "submit" in request.POST:
                workflow.submit(obj, request.user)
            messages.success(request, _("已保存"))
            return redirect("catalog:observation", pk=obj.pk)
    elif request.method == "POST":
        raise PermissionDenied("this figure cannot be edited in its state")
    return render(
        request,
        "catalog/observation_detail.html",
        {
            "object": obj,
            "form": form,
            "can_edit": can_edit,
            "can_review": scope.can_review and obj.status == Status.SUBMITTED,
            "can_correct": scope.can_review and obj.is_approved,
            "return_form": ReturnForm(),
            "correction_form": CorrectionForm(initial={"value": obj.value}),
            "uses_demo_data": obj.is_demo,
        },
    )


@require_POST
@scoped
def observation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get_visible(request, pk)
    _require_submitter(request, obj)
    try:
        workflow.submit(obj, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("catalog:observation", pk=pk)


@require_POST
@city_admin_required
def observation_approve(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get_visible(request, pk)
    try:
        workflow.approve(
            obj,
            request.user,
            request.scope,  # type: ignore[attr-defined]
            request.POST.get("justification", ""),
        )
        messages.success(request, _("已审核通过"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("catalog:observation", pk=pk)


@require_POST
@city_admin_required
def observation_return(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get_visible(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回必须说明理由"))
        return redirect("catalog:observation", pk=pk)
    try:
        workflow.return_for_revision(
            obj,
            request.user,
            request.scope,
            form.cleaned_data["reason"],  # type: ignore[attr-defined]
        )
        messages.success(request, _("已退回"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("catalog:observation", pk=pk)


@require_POST
@city_admin_required
def observation_correct(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _get_visible(request, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            workflow.correct(
                obj,
                request.user,
                request.scope,  # type: ignore[attr-defined]
                {"value": form.cleaned_data["value"]},
                form.cleaned_data["reason"],
            )
            messages.success(request, _("已更正并留痕"))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("更正必须填写新数值和理由"))
    return redirect("catalog:observation", pk=pk)


@city_admin_required
def review_queue(request: HttpRequest) -> HttpResponse:
    pending = scoped_observations(request.scope).filter(status=Status.SUBMITTED)  # type: ignore[attr-defined]
    listing = REVIEW_QUEUE.run(request, pending)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "catalog/review_queue.html",
        {"observations": listing.rows, "listing": listing, "page": listing.page},
    )


@import_endpoint("table")
@scoped
def observation_import(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if not scope.can_submit_anything:
        raise PermissionDenied("read-only role")
    form = ImportForm(request.POST or None, request.FILES or None)
    listing = None
    summary = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = import_observations(
                upload.name,
                read_table(upload.name, upload.read()),
                plan=active_plan(),
                scope=scope,
                user=request.user,
            )
        except ObservationImportError as exc:
            listing = error_listing(request, "observations", upload.name, exc.errors)
    return render(
        request,
        "catalog/observation_import.html",
        {"form": form, "listing": listing, "summary": summary},
    )
