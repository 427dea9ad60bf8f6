"""填报值与核算值不一致: an approved figure reported for a computed target (the energy intensity
of a district) against the figure the dual-control accounts give, on the full demo."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.web.accounts.scope import Scope
from ecer.web.audit import workflow
from ecer.web.audit.models import Status
from ecer.web.catalog.models import ANNUAL, Area, Observation, Target
from ecer.web.env import ConfigError, env_non_negative_float
from ecer.web.indicators import service as indicators
from ecer.web.quality import services
from ecer.web.quality.models import Finding, FindingStatus
from tests.web.reports.conftest import reports_demo  # noqa: F401  (the full demo)

pytestmark = pytest.mark.django_db

RULE = "OBS-RECONCILE"


def _report(target: Target, area: Area, year: int, value: float) -> Observation:
    """The approved figure 市统计局 reports for the year (none in the demo for a district)."""
    assert not Observation.objects.filter(target=target, area=area, year=year).exists()
    return Observation.objects.create(
        target=target,
        area=area,
        year=year,
        quarter=ANNUAL,
        value=value,
        status=Status.APPROVED,
        source="市统计局",
    )


@pytest.fixture
def hepu_intensity(reports_demo: Any) -> tuple[Target, Area, int, float]:  # noqa: F811
    """The intensity target, 合浦县, its default year and the computed intensity [tce/万元]."""
    target = Target.objects.get(plan=reports_demo, feed="energy.intensity")
    area = Area.objects.get(code="hepu")
    year = indicators.default_year(reports_demo, area)
    item = indicators.indicator(target, area, year)
    assert item.is_computed and item.value is not None and item.result.latest is not None
    assert item.result.latest.year == year  # computed for that very year
    return target, area, year, item.value


def _findings(obs: Observation) -> list[Finding]:
    return list(services.findings_for(obs).filter(rule_code=RULE, status=FindingStatus.OPEN))


def test_a_reported_figure_5_percent_off_the_computed_one_is_a_finding(
    hepu_intensity: tuple[Target, Area, int, float], admin_client: Any
) -> None:
    target, area, year, computed = hepu_intensity
    reported = computed * 1.05  # 5 % above: beyond the default 2 %
    obs = _report(target, area, year, reported)

    services.check_reconciliations()

    [finding] = _findings(obs)
    reconciliation = indicators.indicator(target, area, year).reconciliation
    assert reconciliation is not None and reconciliation.beyond_tolerance
    # The finding's numbers are the reconciliation's (the target page's).
    assert finding.figures["reported"] == pytest.approx(reconciliation.reported)
    assert finding.figures["computed"] == pytest.approx(computed)
    assert finding.figures["difference"] == pytest.approx(reported - computed)
    assert finding.figures["difference_pct"] == pytest.approx(5.0)
    assert finding.figures["tolerance_pct"] == 2.0
    assert (finding.target_id, finding.area_id, finding.severity) == (target.pk, area.pk, "warning")
    # The message names the target, the area, the year, both values and the difference.
    for text in (
        "填报值与核算值不一致",
        target.name,
        "合浦县",
        f"{year}年",
        f"{reported:.6g}",
        f"{computed:.6g}",
        f"{reported - computed:+.6g}",
        "+5.0%",
        "±2%",
    ):
        assert text in finding.message

    assert finding.get_record_kind_display() == "填报值与核算值核对"
    listed = admin_client.get("/quality/").content.decode()
    assert "填报值与核算值核对" in listed and finding.message in listed

    page = admin_client.get(f"/targets/{target.code}/?year={year}").content.decode()
    assert 'id="reconciliation"' in page
    assert "合浦县" in page.split('id="reconciliation"')[1].split("</section>")[0]


def test_within_1_percent_there_is_no_finding_and_an_old_one_is_resolved(
    hepu_intensity: tuple[Target, Area, int, float], django_user_model: Any
) -> None:
    target, area, year, computed = hepu_intensity
    obs = _report(target, area, year, computed * 1.05)
    services.check_reconciliations()
    assert len(_findings(obs)) == 1

    # The bureau corrects its figure to 1 % below the computed one: within 2 %.
    admin = django_user_model.objects.create_superuser("boss", "", "pw-for-tests-only")
    workflow.correct(obs, admin, Scope.for_user(admin), {"value": computed * 0.99}, "年报修订")
    services.check_reconciliations()

    assert _findings(obs) == []
    assert services.findings_for(obs).get(rule_code=RULE).status == FindingStatus.RESOLVED


def test_the_tolerance_is_the_setting(
    hepu_intensity: tuple[Target, Area, int, float], settings: Any
) -> None:
    target, area, year, computed = hepu_intensity
    settings.ECER_RECONCILE_TOLERANCE_PCT = 6.0
    obs = _report(target, area, year, computed * 1.05)  # 5 % < 6 %
    services.check_reconciliations()
    assert _findings(obs) == []


def test_the_nightly_run_checks_reconciliations(
    hepu_intensity: tuple[Target, Area, int, float],
) -> None:
    target, area, year, computed = hepu_intensity
    obs = _report(target, area, year, computed * 0.95)
    summary = services.run_all()
    assert summary.reconciliations >= 1
    [finding] = _findings(obs)
    assert finding.figures["difference_pct"] == pytest.approx(-5.0)


@pytest.mark.parametrize("raw", ["-1", "abc", "nan", "inf"])
def test_the_tolerance_setting_rejects_what_is_not_a_share(monkeypatch: Any, raw: str) -> None:
    monkeypatch.setenv("ECER_RECONCILE_TOLERANCE_PCT", raw)
    with pytest.raises(ConfigError, match="ECER_RECONCILE_TOLERANCE_PCT"):
        env_non_negative_float("ECER_RECONCILE_TOLERANCE_PCT", 2.0)


def test_the_tolerance_setting_reads_a_number(monkeypatch: Any) -> None:
    monkeypatch.delenv("ECER_RECONCILE_TOLERANCE_PCT", raising=False)
    assert env_non_negative_float("ECER_RECONCILE_TOLERANCE_PCT", 2.0) == 2.0
    monkeypatch.setenv("ECER_RECONCILE_TOLERANCE_PCT", "0")
    assert env_non_negative_float("ECER_RECONCILE_TOLERANCE_PCT", 2.0) == 0.0
    monkeypatch.setenv("ECER_RECONCILE_TOLERANCE_PCT", "1.5")
    assert env_non_negative_float("ECER_RECONCILE_TOLERANCE_PCT", 2.0) == 1.5
