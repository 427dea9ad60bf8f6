"""Upload of online meter readings by an enterprise-end system (接入端系统).

``POST /api/meters/readings`` with an enterprise user's API key (``Authorization: Bearer
ecer_…``). A batch is checked whole before anything is stored: an unknown meter, a time
without a zone or in the future, a value that is not a finite number, a negative register,
or a time already stored with a different value rejects the batch with every error and its
index: 409 when the only errors are such conflicts, also when a concurrent upload stored
the other value first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from ecer.web.numbers import domain_error

router = Router(tags=["online energy data"])

MAX_BATCH = 10_000
# No online meter of the platform reads before this; earlier times are a reset device clock.
EARLIEST_READING = datetime(2000, 1, 1, tzinfo=UTC)
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


@router.post("/readings", response={200: UploadOut, 400: ErrorsOut, 409: ErrorsOut})
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
        time_error = _time_error(r.time)
        if time_error is not None:
            errors.append(_error(index, "time", time_error))
            continue
        if r.time > latest_allowed:
            errors.append(_error(index, "time", f"{r.time.isoformat()} is in the future"))
            continue
        value_error = domain_error(r.value)
        if value_error is not None:
            errors.append(_error(index, "value", f"value {r.value}: {value_error}"))
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
        already, conflicts = _compare_with_stored(batch)
        errors.extend(conflicts)
    if errors:
        status = 409 if all(e.field == "conflict" for e in errors) else 400
        return Reply(status, ErrorsOut(errors=errors))
    try:
        with transaction.atomic():
            # A concurrent upload of the same meter and time is skipped here by the unique
            # constraint; reading the batch back inside the transaction then shows the value
            # that won, and a difference refuses this whole batch as a conflict.
            MeterReading.objects.bulk_create(
                [MeterReading(meter_id=m, time=t, value=v) for (m, t), (_i, v) in batch.items()],
                ignore_conflicts=True,
            )
            _already, conflicts = _compare_with_stored(batch)
            if conflicts:
                raise _Conflict(conflicts)
    except _Conflict as conflict:
        return Reply(409, ErrorsOut(errors=conflict.errors))
    received = len(body.readings)
    new = len(batch) - already
    return Reply(200, UploadOut(received=received, stored=new, duplicates=received - new))


class _Conflict(Exception):
    def __init__(self, errors: list[ReadingError]):
        super().__init__(f"{len(errors)} conflicting readings")
        self.errors = errors


def _compare_with_stored(
    batch: dict[tuple[int, datetime], tuple[int, float]],
) -> tuple[int, list[ReadingError]]:
    """How many readings of the batch are stored already, and an error for each stored with
    another value."""
    already = 0
    conflicts = []
    stored = MeterReading.objects.filter(
        meter_id__in={k[0] for k in batch}, time__in={k[1] for k in batch}
    ).values_list("meter_id", "time", "value")
    for meter_id, time, value in stored:
        entry = batch.get((meter_id, time))
        if entry is None:
            continue
        already += 1
        if entry[1] != value:
            message = f"{time.isoformat()} is stored with value {value}"
            conflicts.append(_error(entry[0], "conflict", message))
    return already, conflicts


def _time_error(time: datetime) -> str | None:
    """Why a reading's time is implausible (before EARLIEST_READING, or not representable in
    UTC such as year 1 at +14:00), or None."""
    try:
        utc = time.astimezone(UTC)
    except OverflowError:
        return f"{time.isoformat()} lies outside the representable range of times"
    if utc < EARLIEST_READING:
        return f"{time.isoformat()} is before {EARLIEST_READING:%Y-%m-%d}; check the device clock"
    return None


def _error(index: int, field: str, message: str) -> ReadingError:
    return ReadingError(index=index, field=field, message=message)
