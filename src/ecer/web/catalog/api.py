"""JSON API for target observations: the same validation, scope and workflow as the pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError

from ecer.web.audit import workflow
from ecer.web.audit.models import Status
from ecer.web.catalog.forms import ObservationForm
from ecer.web.catalog.models import ANNUAL, Observation
from ecer.web.catalog.observation_views import scoped_observations
from ecer.web.quality import api as quality_api

router = Router(tags=["observations"])


class ObservationIn(Schema):
    target: str
    area: str
    year: int
    quarter: int = ANNUAL
    value: float
    unit: str
    source: str = ""
    note: str = ""
    submit: bool = False


class ObservationOut(Schema):
    id: int
    target: str
    area: str
    year: int
    quarter: int
    value: float
    unit: str
    status: str
    source: str
    note: str


class CorrectionIn(Schema):
    value: float
    reason: str


class ApiError(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


def _out(obj: Observation) -> dict[str, Any]:
    return {
        "id": obj.pk,
        "target": obj.target.code,
        "area": obj.area.code,
        "year": obj.year,
        "quarter": obj.quarter,
        "value": obj.value,
        "unit": obj.target.observation_unit,
        "status": obj.status,
        "source": obj.source,
        "note": obj.note,
    }


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _visible(request: HttpRequest, pk: int) -> Observation:
    obj = scoped_observations(_scope(request)).filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise HttpError(404, "observation not found")
    return obj


def _form_data(payload: ObservationIn) -> dict[str, Any]:
    from ecer.web.catalog.models import Area, Target

    target = Target.objects.filter(code=payload.target).first()
    area = Area.objects.filter(code=payload.area).first()
    return {
        "target": target.pk if target else "",
        "area": area.pk if area else "",
        "year": payload.year,
        "quarter": payload.quarter,
        "value": payload.value,
        "unit": payload.unit,
        "source": payload.source,
        "note": payload.note,
    }


def _errors(form: ObservationForm) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


@router.get("", response=list[ObservationOut])
def list_observations(request: HttpRequest, status: str = "") -> list[dict[str, Any]]:
    queryset = scoped_observations(_scope(request))
    if status:
        queryset = queryset.filter(status=status)  # type: ignore[attr-defined]
    return [_out(o) for o in queryset.order_by("pk")[:1000]]  # type: ignore[attr-defined]


@router.post("", response={201: ObservationOut, 400: ApiError, 403: ApiError})
def create_observation(request: HttpRequest, payload: ObservationIn) -> Any:
    scope = _scope(request)
    if not scope.can_submit_anything:
        return Reply(403, {"detail": "this role cannot report figures"})
    form = ObservationForm(_form_data(payload), scope=scope)
    if not form.is_valid():
        return Reply(400, {"detail": "invalid observation", "errors": _errors(form)})
    obj = form.save(commit=False)
    if Observation.objects.filter(
        target=obj.target, area=obj.area, year=obj.year, quarter=obj.quarter
    ).exists():
        return Reply(400, {"detail": "a value for this target, area and period exists; update it"})
    obj.save()
    if payload.submit:
        workflow.submit(obj, request.user)
    return Reply(201, _out(obj))


@router.put("/{pk}", response={200: ObservationOut, 400: ApiError, 403: ApiError, 409: ApiError})
def update_observation(request: HttpRequest, pk: int, payload: ObservationIn) -> Any:
    obj = _visible(request, pk)
    scope = _scope(request)
    if not scope.can_submit(obj.target, obj.area):
        return Reply(403, {"detail": "not allowed to change this figure"})
    if obj.status == Status.APPROVED:
        return Reply(409, {"detail": "approved: change it through a correction (POST …/correct)"})
    if obj.status == Status.SUBMITTED:
        return Reply(409, {"detail": "submitted for review: it cannot change until it is returned"})
    form = ObservationForm(_form_data(payload), instance=obj, scope=scope)
    if not form.is_valid():
        return Reply(400, {"detail": "invalid observation", "errors": _errors(form)})
    form.save()
    if payload.submit:
        workflow.submit(obj, request.user)
    return Reply(200, _out(obj))


@router.post("/{pk}/correct", response={200: ObservationOut, 400: ApiError, 403: ApiError})
def correct_observation(request: HttpRequest, pk: int, payload: CorrectionIn) -> Any:
    obj = _visible(request, pk)
    try:
        workflow.correct(
            obj, request.user, _scope(request), {"value": payload.value}, payload.reason
        )
    except PermissionDenied:
        return Reply(403, {"detail": "only city administrators correct approved figures"})
    except ValidationError as exc:
        return Reply(400, {"detail": " ".join(exc.messages)})
    return Reply(200, _out(obj))


@router.post(
    "/{pk}/approve",
    response={
        200: quality_api.ApprovalOut,
        400: quality_api.ApprovalRefused,
        403: quality_api.ApprovalRefused,
        409: quality_api.ApprovalRefused,
    },
)
def approve_observation(request: HttpRequest, pk: int, body: quality_api.ApprovalIn) -> Any:
    """Approve a submitted figure; open error- or warning-level data-quality findings need a
    ``justification`` (409 with the findings otherwise)."""
    return quality_api.approve(request, _visible(request, pk), body)
