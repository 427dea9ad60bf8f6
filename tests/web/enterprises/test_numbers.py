"""Every stored float is finite and inside its domain, on every write path (issue #19)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.apps import apps
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from ecer.hj212.codec import MAX_VALUE_MAGNITUDE
from ecer.web.numbers import MAX_MAGNITUDE, FiniteFloatField, domain_error

NOT_NUMBERS = [math.nan, math.inf, -math.inf, 1e308, -1e308]


def _float_fields() -> list[Any]:
    return [
        field
        for model in apps.get_models()
        if model.__module__.startswith("ecer.")
        for field in model._meta.local_fields
        if isinstance(field, FiniteFloatField)
    ]


FIELDS = _float_fields()


def test_no_ecer_model_declares_a_plain_float_field() -> None:
    assert not [e for e in checks.run_checks() if e.id == "ecer.E001"]
    assert len(FIELDS) > 50


def test_the_codec_and_the_fields_share_one_bound() -> None:
    assert MAX_MAGNITUDE == MAX_VALUE_MAGNITUDE


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f"{f.model._meta.label}.{f.name}")
@pytest.mark.parametrize("value", NOT_NUMBERS, ids=repr)
def test_every_float_field_refuses_non_numbers_on_every_path(field: Any, value: float) -> None:
    with pytest.raises(ValidationError):
        field.formfield().clean(value)
    with pytest.raises(ValidationError):
        field.clean(value, None)
    with pytest.raises(ValidationError):
        field.get_db_prep_save(value, connection)


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f"{f.model._meta.label}.{f.name}")
def test_every_float_field_refuses_values_outside_its_domain(field: Any) -> None:
    for outside in (field.min_value - 1, field.max_value + 1):
        if abs(outside) > MAX_MAGNITUDE + 1:
            continue
        with pytest.raises(ValidationError):
            field.clean(outside, None)
        with pytest.raises(ValidationError):
            field.get_db_prep_save(outside, connection)
    field.clean((field.min_value + field.max_value) / 2, None)  # the middle is fine
    assert "CHECK" not in field.db_check(connection)  # a bare condition Django wraps
    assert "BETWEEN" in field.db_check(connection)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_domain_error_accepts_exactly_the_finite_numbers_in_bounds(value: float) -> None:
    inside = math.isfinite(value) and -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE
    assert (domain_error(value) is None) == inside


@pytest.mark.django_db
def test_the_database_refuses_infinity_past_the_model_layer(loaded_plan: Any) -> None:
    from django.db import IntegrityError, transaction

    from ecer.web.catalog.models import Target

    target = Target.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_target SET base_value = %s WHERE id = %s", [math.inf, target.pk]
        )


# --- the JSON API: every endpoint whose body holds a number ---------------------------------

API_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/observations"): {
        "target": "non_fossil_energy_share",
        "area": "beihai",
        "year": 2022,
        "value": 60.0,
        "unit": "%",
    },
    ("put", "/api/observations/{pk}"): {
        "target": "non_fossil_energy_share",
        "area": "beihai",
        "year": 2022,
        "value": 60.0,
        "unit": "%",
    },
    ("post", "/api/observations/{pk}/correct"): {"value": 60.0, "reason": "复核"},
    ("post", "/api/meters/readings"): {
        "readings": [{"meter": "E-01", "time": "2024-11-01T00:00+08:00", "value": 1.0}]
    },
}


def _numeric_endpoints() -> list[tuple[str, str]]:
    from ecer.web.api import api

    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]

    def has_number(ref_or_schema: Any) -> bool:
        text = json.dumps(ref_or_schema)
        if '"type": "number"' in text:
            return True
        return any(
            has_number(components[ref.rsplit("/", 1)[-1]])
            for ref in set(__import__("re").findall(r'"\$ref": "([^"]+)"', text))
        )

    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {})
            if body and has_number(body):
                found.append((method, path))
    return found


def test_every_api_endpoint_taking_a_number_is_fed_bad_numbers_here() -> None:
    assert set(_numeric_endpoints()) == set(API_BODIES)


def _with_value(body: dict[str, Any], value: float) -> dict[str, Any]:
    if "readings" in body:
        return {"readings": [{**body["readings"][0], "value": value}]}
    return {**body, "value": value}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", sorted(API_BODIES))
@pytest.mark.parametrize("value", [*NOT_NUMBERS, -1.0, 100.5], ids=repr)
def test_the_api_refuses_bad_numbers_and_stores_nothing(
    endpoint: tuple[str, str], value: float, client: Any, firm: Any, django_user_model: Any
) -> None:
    from ecer.web.accounts.models import ApiKey, Membership, Role
    from ecer.web.audit.models import Status
    from ecer.web.catalog.models import Area, Observation, Target
    from ecer.web.enterprises.models import MeterReading

    method, path = endpoint
    if path.startswith("/api/meters"):
        key = firm.key
        if value == 100.5:
            value = -1.0  # the register's domain has no upper bound below 1e15
    else:
        admin = django_user_model.objects.create_user("drc", password="pw-for-tests-only")
        Membership.objects.create(user=admin, role=Role.CITY_ADMIN)
        _key, key = ApiKey.issue(admin, "k")
        obs = Observation.objects.create(
            target=Target.objects.get(code="non_fossil_energy_share"),
            area=Area.objects.get(code="beihai"),
            year=2022,
            value=60.0,
            status=Status.APPROVED if path.endswith("correct") else Status.DRAFT,
        )
        path = path.replace("{pk}", str(obs.pk))
        if method == "post" and path == "/api/observations":
            obs.delete()
    before = sorted(Observation.objects.values_list("value", flat=True))
    readings = MeterReading.objects.count()
    body = json.dumps(_with_value(API_BODIES[endpoint], value))
    response = getattr(client, method)(
        path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert 400 <= response.status_code < 500, response.content
    assert sorted(Observation.objects.values_list("value", flat=True)) == before
    assert MeterReading.objects.count() == readings
