"""Upload of online meter readings by an enterprise-end system (接入端系统).

``POST /api/meters/readings`` with an enterprise user's API key (``Authorization: Bearer
ecer_…``). A batch is checked whole before anything is stored: an unknown meter, a time
without a zone or in the future, a value that is not a finite number, a negative register,
or a time already stored with a different value rejects the batch with every error and its
index. Readings may come in any order; the same meter and time sent again is stored once.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError
from pydantic import Field

from ecer.web.accounts.models import Role
from ecer.web.enterprises.models import Enterprise, Meter, MeterReading
from ecer.web.enterprises.scope import can_report_for

router = Router(tags=["online energy data"])

MAX_BATCH = 10_000
# Clocks of field devices drift; a reading up to this far ahead of the server is accepted.
CLOCK_SKEW = timedelta(minutes=5)


class ReadingIn(Schema):
    meter: str = Field(description="计量器具编号 (meter code registered for the enterprise)")
    time: datetime = Field(description="ISO 8601 with a zone offset, e.g. 2024-03-01T08:00+08:00")
    value: float = Field(description="register value (cumulative) or interval consumption")


class UploadIn(Schema):
    enterprise: str | None = Field(
        None, description="统一社会信用代码; only city administrators need to give it"
    )
    readings: list[ReadingIn] = Field(max_length=MAX_BATCH)


class UploadOut(Schema):
    received: int
    stored: int
    duplicates: int


class ReadingError(Schema):
    index: int
    field: str
    message: str


class ErrorsOut(Schema):
    errors: list[ReadingError]


def _enterprise(request: HttpRequest, body: UploadIn) -> Enterprise:
    scope = request.scope  # type: ignore[attr-defined]
    if scope.role == Role.ENTERPRISE:
        code = scope.enterprise_code
        if body.enterprise and body.enterprise != code:
            raise HttpError(403, "an enterprise uploads only its own readings")
    elif scope.is_city_admin:
        if not body.enterprise:
            raise HttpError(400, "enterprise (统一社会信用代码) is required")
        code = body.enterprise
    else:
        raise HttpError(403, "only enterprises and city administrators upload readings")
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None or not can_report_for(scope, enterprise):
        raise HttpError(404, f"no enterprise with credit code {code!r}")
    return enterprise


@router.post("/readings", response={200: UploadOut, 400: ErrorsOut})
def upload_readings(request: HttpRequest, body: UploadIn) -> Reply:
    enterprise = _enterprise(request, body)
    meters = {m.code: m for m in Meter.objects.filter(enterprise=enterprise)}
    latest_allowed = timezone.now() + CLOCK_SKEW
    errors: list[ReadingError] = []
    batch: dict[tuple[int, datetime], tuple[int, float]] = {}
    for index, r in enumerate(body.readings):
        meter = meters.get(r.meter)
        if meter is None:
            known = ", ".join(sorted(meters)) or "none"
            errors.append(
                _error(index, "meter", f"unknown meter {r.meter!r} (registered: {known})")
            )
            continue
        if r.time.tzinfo is None:
            errors.append(_error(index, "time", "time needs a zone offset, e.g. +08:00"))
            continue
        if r.time > latest_allowed:
            errors.append(_error(index, "time", f"{r.time.isoformat()} is in the future"))
            continue
        if not math.isfinite(r.value):
            errors.append(_error(index, "value", "value must be a finite number"))
            continue
        if meter.kind == Meter.Kind.CUMULATIVE and r.value < 0:
            errors.append(_error(index, "value", "a register value cannot be negative"))
            continue
        key = (meter.pk, r.time)
        if key in batch and batch[key][1] != r.value:
            errors.append(
                _error(
                    index,
                    "value",
                    f"differs from reading {batch[key][0]} of the same meter and time",
                )
            )
            continue
        batch.setdefault(key, (index, r.value))
    already = 0
    if not errors and batch:
        stored = MeterReading.objects.filter(
            meter_id__in={k[0] for k in batch}, time__in={k[1] for k in batch}
        ).values_list("meter_id", "time", "value")
        for meter_id, time, value in stored:
            entry = batch.get((meter_id, time))
            if entry is None:
                continue
            already += 1
            if entry[1] != value:
                errors.append(
                    _error(entry[0], "value", f"{time.isoformat()} is stored with value {value}")
                )
    if errors:
        return Reply(400, ErrorsOut(errors=errors))
    with transaction.atomic():
        # A concurrent upload of the same reading is skipped by the unique constraint.
        MeterReading.objects.bulk_create(
            [MeterReading(meter_id=m, time=t, value=v) for (m, t), (_i, v) in batch.items()],
            ignore_conflicts=True,
        )
    received = len(body.readings)
    new = len(batch) - already
    return Reply(200, UploadOut(received=received, stored=new, duplicates=received - new))


def _error(index: int, field: str, message: str) -> ReadingError:
    return ReadingError(index=index, field=field, message=message)
