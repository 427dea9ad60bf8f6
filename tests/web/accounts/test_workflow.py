"""Draft → submitted → approved/returned; approved figures change only through a correction,
whichever path tries (model, form/UI, import)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ecer.web.accounts.scope import Scope
from ecer.web.audit import workflow
from ecer.web.audit.models import ApprovedRecordError, Correction, Status
from ecer.web.catalog.models import Observation
from ecer.web.catalog.observations_io import ObservationImportError, import_observation_file
from tests.web.accounts.conftest import World

pytestmark = pytest.mark.django_db


def approved(world: World) -> Observation:
    obs = world.own_obs
    workflow.approve(obs, world.users["city_admin"], Scope.for_user(world.users["city_admin"]))
    obs.refresh_from_db()
    return obs


def test_it_moves_through_the_workflow(world: World) -> None:
    obs = world.own_obs
    admin = world.users["city_admin"]
    workflow.return_for_revision(obs, admin, Scope.for_user(admin), "来源缺失")
    assert obs.status == Status.RETURNED and obs.return_reason == "来源缺失"
    workflow.submit(obs, world.users["district"])
    assert obs.status == Status.SUBMITTED and obs.return_reason == ""
    workflow.approve(obs, admin, Scope.for_user(admin))
    assert obs.status == Status.APPROVED and obs.reviewed_by == admin


def test_returning_needs_a_reason(world: World) -> None:
    admin = world.users["city_admin"]
    with pytest.raises(ValidationError):
        workflow.return_for_revision(world.own_obs, admin, Scope.for_user(admin), "  ")


def test_only_reviewers_approve(world: World) -> None:
    district = world.users["district"]
    with pytest.raises(PermissionDenied):
        workflow.approve(world.own_obs, district, Scope.for_user(district))


def test_an_approved_value_cannot_be_saved_directly(world: World) -> None:
    obs = approved(world)
    obs.value = 9.9
    with pytest.raises(ApprovedRecordError):
        obs.save()
    with pytest.raises(ApprovedRecordError):
        Observation.objects.get(pk=obs.pk).delete()
    assert Observation.objects.get(pk=obs.pk).value == 1.0


def test_a_correction_records_who_when_why_old_and_new(world: World) -> None:
    obs = approved(world)
    admin = world.users["city_admin"]
    workflow.correct(obs, admin, Scope.for_user(admin), {"value": 1.25}, "统计局年报修订")
    obs.refresh_from_db()
    assert obs.value == 1.25 and obs.status == Status.APPROVED
    [c] = Correction.objects.all()
    assert (c.field_name, c.old_value, c.new_value, c.reason) == (
        "value",
        "1.0",
        "1.25",
        "统计局年报修订",
    )
    assert c.corrected_by == admin and c.corrected_at is not None
    latest = obs.history.first()
    assert latest.history_change_reason == "统计局年报修订"


def test_the_ui_form_cannot_change_an_approved_value(world: World, client: Any) -> None:
    obs = approved(world)
    client.force_login(world.users["city_admin"])
    response = client.post(
        f"/observations/{obs.pk}/",
        {
            "target": obs.target_id,
            "area": obs.area_id,
            "year": 2022,
            "quarter": 0,
            "value": 7,
            "unit": obs.target.observation_unit,
            "save": "1",
        },
    )
    assert response.status_code == 403
    assert Observation.objects.get(pk=obs.pk).value == 1.0


def test_the_ui_correction_changes_it_with_a_record(world: World, client: Any) -> None:
    obs = approved(world)
    client.force_login(world.users["city_admin"])
    response = client.post(f"/observations/{obs.pk}/correct/", {"value": "3", "reason": "复核"})
    assert response.status_code == 302
    assert Observation.objects.get(pk=obs.pk).value == 3.0
    assert Correction.objects.filter(object_id=obs.pk).count() == 1


def test_an_import_cannot_change_an_approved_value(world: World, tmp_path: Path) -> None:
    obs = approved(world)
    path = tmp_path / "obs.csv"
    path.write_text(
        "target,area,year,value,unit\n"
        f"energy_intensity_decline,haicheng,2022,5.0,{obs.target.observation_unit}\n",
        encoding="utf-8",
    )
    with pytest.raises(ObservationImportError, match="更正"):
        import_observation_file(path)
    assert Observation.objects.get(pk=obs.pk).value == 1.0


def test_district_import_outside_its_scope_is_refused(world: World, tmp_path: Path) -> None:
    from ecer.web.catalog.observations_io import import_observations, read_table

    content = (
        "target,area,year,value,unit\n"
        f"energy_intensity_decline,tieshangang,2023,5.0,{world.own_target.observation_unit}\n"
    ).encode()
    with pytest.raises(ObservationImportError, match="无权"):
        import_observations(
            "obs.csv", read_table("obs.csv", content), scope=Scope.for_user(world.users["district"])
        )


def test_the_dashboard_counts_only_approved_figures(world: World) -> None:
    from ecer.web.catalog.models import Target
    from ecer.web.indicators import service as indicators

    # A reported target: its figure is the district's approved observation.
    target = Target.objects.get(code="medical_waste_collection_coverage")
    area = world.own_obs.area
    obs = Observation.objects.create(
        target=target, area=area, year=2022, value=80.0, status=Status.SUBMITTED
    )
    [before] = indicators.evaluate(target.plan, area, 2022, targets=[target])
    assert before.result.latest is None  # submitted, not approved
    admin = world.users["city_admin"]
    workflow.approve(obs, admin, Scope.for_user(admin))
    [after] = indicators.evaluate(target.plan, area, 2022, targets=[target])
    assert after.result.latest is not None and after.result.latest.value == 80.0


def _bearer(world: World, role: str) -> dict[str, str]:
    from ecer.web.accounts.models import ApiKey

    _, raw = ApiKey.issue(world.users[role], "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_cannot_change_an_approved_value(world: World, client: Any) -> None:
    obs = approved(world)
    body = {
        "target": obs.target.code,
        "area": obs.area.code,
        "year": obs.year,
        "quarter": 0,
        "value": 9.0,
        "unit": obs.target.observation_unit,
    }
    response = client.put(
        f"/api/observations/{obs.pk}",
        data=json.dumps(body),
        content_type="application/json",
        **_bearer(world, "city_admin"),
    )
    assert response.status_code == 409
    assert "correction" in response.json()["detail"]
    assert Observation.objects.get(pk=obs.pk).value == 1.0
    corrected = client.post(
        f"/api/observations/{obs.pk}/correct",
        data=json.dumps({"value": 1.1, "reason": "年报修订"}),
        content_type="application/json",
        **_bearer(world, "city_admin"),
    )
    assert corrected.status_code == 200 and corrected.json()["value"] == 1.1
    assert Correction.objects.get(object_id=obs.pk).reason == "年报修订"


def test_the_api_reports_with_a_key_and_validates_like_the_form(world: World, client: Any) -> None:
    headers = _bearer(world, "district")
    body = {
        "target": "energy_intensity_decline",
        "area": "haicheng",
        "year": 2023,
        "value": 0.26,
        "unit": "万吨标准煤",
        "submit": True,
    }
    bad = client.post(
        "/api/observations", data=json.dumps(body), content_type="application/json", **headers
    )
    assert bad.status_code == 400 and "unit" in bad.json()["errors"]
    body["unit"] = world.own_target.observation_unit
    good = client.post(
        "/api/observations", data=json.dumps(body), content_type="application/json", **headers
    )
    assert good.status_code == 201 and good.json()["status"] == "submitted"
    assert client.get("/api/observations", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
