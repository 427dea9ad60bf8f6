"""Uploads of online readings: idempotent, any order, and a bad batch stores nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ecer.web.enterprises.models import MeterReading

pytestmark = pytest.mark.django_db


def send(client: Any, key: str, readings: list[dict[str, Any]], **extra: Any) -> Any:
    return client.post(
        "/api/meters/readings",
        data=json.dumps({"readings": readings, **extra}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def hourly(meter: str, values: list[float], start: str = "2024-11-01T00:00+08:00") -> list[dict]:
    first = datetime.fromisoformat(start)
    return [
        {"meter": meter, "time": (first + timedelta(hours=k)).isoformat(), "value": v}
        for k, v in enumerate(values)
    ]


def test_a_repeated_upload_is_stored_once(client, firm):
    batch = hourly("E-01", [100, 110, 125])
    first = send(client, firm.key, batch)
    assert first.status_code == 200
    assert first.json() == {"received": 3, "stored": 3, "duplicates": 0}
    again = send(client, firm.key, batch + batch[:1])
    assert again.json() == {"received": 4, "stored": 0, "duplicates": 4}
    assert MeterReading.objects.count() == 3


def test_readings_may_arrive_out_of_order(client, firm):
    batch = hourly("E-01", [100, 110, 125, 140])
    assert send(client, firm.key, [batch[3], batch[1]]).status_code == 200
    assert send(client, firm.key, [batch[2], batch[0]]).status_code == 200
    values = list(MeterReading.objects.order_by("time").values_list("value", flat=True))
    assert values == [100, 110, 125, 140]


def test_the_same_instant_in_another_zone_is_the_same_reading(client, firm):
    send(client, firm.key, hourly("E-01", [100]))
    utc = [{"meter": "E-01", "time": "2024-10-31T16:00:00+00:00", "value": 100}]
    assert send(client, firm.key, utc).json()["duplicates"] == 1


@pytest.mark.parametrize(
    ("reading", "field", "message"),
    [
        ({"meter": "X-9"}, "meter", "unknown meter 'X-9' (registered: E-01, G-01)"),
        ({"time": "2024-11-01T05:00:00"}, "time", "time needs a zone offset"),
        ({"value": -1}, "value", "a register value cannot be negative"),
    ],
)
def test_a_bad_reading_rejects_the_whole_batch(client, firm, reading, field, message):
    good = hourly("E-01", [100, 110])
    bad = {**hourly("E-01", [120], "2024-11-01T02:00+08:00")[0], **reading}
    response = send(client, firm.key, [*good, bad])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (2, field)
    assert error["message"].startswith(message)
    assert not MeterReading.objects.exists()


def test_a_reading_in_the_future_is_refused(client, firm):
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    response = send(client, firm.key, [{"meter": "E-01", "time": later, "value": 1}])
    assert response.status_code == 400
    assert "in the future" in response.json()["errors"][0]["message"]


def test_a_changed_value_for_a_stored_time_is_refused_and_the_stored_one_kept(client, firm):
    send(client, firm.key, hourly("E-01", [100, 110]))
    response = send(client, firm.key, hourly("E-01", [100, 111]))
    assert response.status_code == 409
    assert "stored with value 110" in response.json()["errors"][0]["message"]
    assert sorted(MeterReading.objects.values_list("value", flat=True)) == [100, 110]


def test_an_interval_meter_may_not_go_negative_either(client, firm):
    response = send(client, firm.key, hourly("G-01", [5, -2]))
    assert response.status_code == 200  # a negative interval is stored and flagged, not refused
    from ecer.web.enterprises import services

    start = datetime.fromisoformat("2024-11-01T00:00+08:00")
    data = services.meter_data(firm.interval_meter, start, start + timedelta(days=1))
    assert [f.rule for f in data.series.findings] == ["negative_increment"]


def test_an_enterprise_uploads_only_for_itself(client, firm):
    response = send(client, firm.key, hourly("E-01", [1]), enterprise=firm.other.credit_code)
    assert response.status_code == 403
    assert not MeterReading.objects.exists()


def test_a_city_administrator_names_the_enterprise(client, firm, django_user_model):
    from ecer.web.accounts.models import ApiKey, Membership, Role

    admin = django_user_model.objects.create_user("drc", password="pw-for-tests-only")
    Membership.objects.create(user=admin, role=Role.CITY_ADMIN)
    _key, raw = ApiKey.issue(admin, "import")
    assert send(client, raw, hourly("E-01", [1])).status_code == 400
    ok = send(client, raw, hourly("E-01", [1]), enterprise=firm.other.credit_code)
    assert ok.status_code == 200
    assert MeterReading.objects.get().meter.enterprise == firm.other


def test_a_district_user_cannot_upload(client, firm, django_user_model):
    from ecer.web.accounts.models import ApiKey, Membership, Role
    from ecer.web.catalog.models import Area

    user = django_user_model.objects.create_user("hc", password="pw-for-tests-only")
    Membership.objects.create(user=user, role=Role.DISTRICT, area=Area.objects.get(code="haicheng"))
    _key, raw = ApiKey.issue(user, "k")
    assert send(client, raw, hourly("E-01", [1])).status_code == 403


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00+14:00", "1999-12-31T23:00:00+00:00"])
def test_an_implausible_time_is_refused_with_a_clear_error(client, firm, time):
    response = send(client, firm.key, [{"meter": "E-01", "time": time, "value": 1}])
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "time" and time[:10] in error["message"]
    assert not MeterReading.objects.exists()


def test_a_concurrent_upload_of_other_values_is_refused_as_a_conflict(client, firm, monkeypatch):
    """Deterministic interleaving: another upload stores the same times with other values
    after this one's check and before its insert; this one must answer 409, store nothing."""
    from ecer.web.enterprises import api

    original = api._compare_with_stored
    calls = []

    def other_upload_commits_in_between(batch):
        result = original(batch)
        if not calls:
            MeterReading.objects.bulk_create(
                [MeterReading(meter_id=m, time=t, value=v + 1) for (m, t), (_i, v) in batch.items()]
            )
        calls.append(1)
        return result

    monkeypatch.setattr(api, "_compare_with_stored", other_upload_commits_in_between)
    response = send(client, firm.key, hourly("E-01", [100, 110]))
    assert response.status_code == 409
    assert [e["field"] for e in response.json()["errors"]] == ["conflict", "conflict"]
    assert sorted(MeterReading.objects.values_list("value", flat=True)) == [101, 111]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_connections_uploading_different_values_one_wins_one_conflicts(firm):
    import threading

    from django.db import connections
    from django.test import Client

    barrier = threading.Barrier(2)
    statuses: dict[int, int] = {}

    def upload(k: int) -> None:
        try:
            barrier.wait()
            statuses[k] = send(Client(), firm.key, hourly("E-01", [100 + k, 110 + k])).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=upload, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses.values()) == [200, 409]
    winner = next(k for k, s in statuses.items() if s == 200)
    stored = sorted(MeterReading.objects.values_list("value", flat=True))
    assert stored == [100 + winner, 110 + winner]
