"""An error-level finding blocks approval on every path; approving anyway records who, when
and why. The demo cement works' 2024 report is 8 % below its meter (tolerance 5 %)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from ecer.web.accounts.scope import Scope
from ecer.web.audit import workflow
from ecer.web.audit.models import Status
from ecer.web.quality import services
from ecer.web.quality.models import Finding, FindingStatus, Override
from tests.web.quality.conftest import CEMENT

pytestmark = pytest.mark.django_db

REVIEW = f"/enterprises/{CEMENT}/reports/2024/review/"
API = f"/api/enterprises/{CEMENT}/reports/2024/approve"


def reconcile(report: Any) -> Finding:
    return services.findings_for(report).get(rule_code="ENT-ONLINE-RECONCILE")


def test_the_demo_report_has_an_open_reconciliation_error_with_its_figures(cement: Any) -> None:
    found = reconcile(cement)
    assert (found.severity, found.status) == ("error", FindingStatus.OPEN)
    # Electricity reported: 21 000 × 0.97 × 10^4 kWh × 0.1229 kgce/kWh = 25 034.73 tce.
    assert found.figures["reported"] == pytest.approx(25_034.73, abs=0.01)
    assert found.figures["online"] == pytest.approx(25_034.73 * 1.08, rel=1e-6)
    assert found.figures["deviation_pct"] == pytest.approx(8.0, abs=1e-6)
    assert found.rule_set == services.active_rule_set()


def test_the_review_button_refuses_approval_without_a_justification(
    cement: Any, reviewer_client: Any
) -> None:
    response = reviewer_client.post(REVIEW, {"decision": "approve"}, follow=True)
    cement.refresh_from_db()
    assert cement.status == Status.SUBMITTED
    page = response.content.decode()
    assert "须说明理由" in page and "相差 8.0%" in page
    assert not Override.objects.exists()


def test_the_review_button_approves_with_a_recorded_justification(
    cement: Any, reviewer_client: Any, city_admin: Any
) -> None:
    reason = "电能表经计量所检定偏快 8%，以年报为准"
    response = reviewer_client.post(
        REVIEW, {"decision": "approve", "justification": reason}, follow=True
    )
    cement.refresh_from_db()
    assert cement.status == Status.APPROVED
    override = Override.objects.get()
    assert (override.approved_by, override.justification) == (city_admin, reason)
    assert override.record == cement
    found = reconcile(cement)
    assert (found.status, found.override) == (FindingStatus.OVERRIDDEN, override)
    # The report page shows who approved it anyway, and why.
    assert reason in response.content.decode()


def test_the_api_refuses_approval_without_a_justification(
    cement: Any, reviewer_client: Any
) -> None:
    response = reviewer_client.post(API, data=json.dumps({}), content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert [f["rule_code"] for f in body["findings"]] == ["ENT-ONLINE-RECONCILE"]
    cement.refresh_from_db()
    assert cement.status == Status.SUBMITTED


def test_the_api_approves_with_a_justification(
    cement: Any, reviewer_client: Any, city_admin: Any
) -> None:
    body = {"justification": "现场核查：在线表计含外供电量"}
    response = reviewer_client.post(API, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.APPROVED
    assert response.json()["findings"][0]["status"] == FindingStatus.OVERRIDDEN
    assert Override.objects.get().approved_by == city_admin


def test_a_blank_justification_counts_as_none(cement: Any, city_admin: Any) -> None:
    with pytest.raises(ValidationError):
        workflow.approve(cement, city_admin, Scope.for_user(city_admin), "   ")
    cement.refresh_from_db()
    assert cement.status == Status.SUBMITTED


def test_a_report_matching_its_meter_is_approved_without_a_justification(
    cement: Any, city_admin: Any
) -> None:
    # Report what the meter measured: 21 000 × 0.97 × 1.08 × 10^4 kWh.
    line = cement.carriers.get(carrier="electricity")
    line.quantity = 21_000 * 0.97 * 1.08
    line.save()
    workflow.approve(cement, city_admin, Scope.for_user(city_admin))
    cement.refresh_from_db()
    assert cement.status == Status.APPROVED
    assert reconcile(cement).status == FindingStatus.RESOLVED
    assert not Override.objects.exists()


def test_observation_approval_goes_through_the_same_check(
    loaded_plan: Any, city_admin: Any, reviewer_client: Any
) -> None:
    from ecer.web.catalog.models import Area, Observation, Target

    target = Target.objects.get(code="energy_intensity_decline")
    area = Area.objects.get(code="hepu")
    # 2023 approved 0.40 t/10^4 yuan, 2024 submitted 0.30: −25 % beyond ±15 %: a warning.
    Observation.objects.create(
        target=target, area=area, year=2023, value=0.40, status=Status.APPROVED
    )
    obs = Observation.objects.create(target=target, area=area, year=2024, value=0.30)
    workflow.submit(obs, city_admin)
    found = services.findings_for(obs).get(rule_code="OBS-INTENSITY-YOY")
    assert found.figures["change_pct"] == pytest.approx(-25.0)
    url = f"/api/observations/{obs.pk}/approve"
    refused = reviewer_client.post(url, data="{}", content_type="application/json")
    assert refused.status_code == 409
    page = reviewer_client.post(f"/observations/{obs.pk}/approve/", {}, follow=True)
    assert "能耗强度同比变化幅度" in page.content.decode()  # the rule, by its name
    obs.refresh_from_db()
    assert obs.status == Status.SUBMITTED
    reviewer_client.post(
        f"/observations/{obs.pk}/approve/", {"justification": "统计口径调整，已附说明"}
    )
    obs.refresh_from_db()
    assert obs.status == Status.APPROVED
