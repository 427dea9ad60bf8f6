"""Reduction projects: monitored summaries, the checks on the demo, verification and pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ecer.core import reductions as core
from ecer.web.monitoring.models import Measurement, MonitoringPoint
from ecer.web.reductions import figures, services
from ecer.web.reductions.models import ReductionProject

pytestmark = pytest.mark.django_db


def project(name: str) -> ReductionProject:
    return ReductionProject.objects.get(name=name)


def rules_of(checked: services.Checked, p: ReductionProject) -> set[str]:
    return {f.rule.code for f, closed in checked.for_project(p) if not closed}


def test_a_monitored_summary_uses_valid_data_only(loaded_plan: Any) -> None:
    from ecer.web.catalog.models import Area

    point = MonitoringPoint.objects.create(
        mn="ECERTEST0000000000000001", name="测试排口", medium="water", password="x",
        area=Area.objects.get(code="haicheng"), data_cn="2061",
    )  # fmt: skip
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    rows = [
        ("w01018", 30.0, "N"),
        ("w01018", 40.0, "N"),
        ("w01018", 900.0, "D"),  # a flagged value is neither valid nor averaged
        ("w00000", 100.0, "N"),  # L/s
        ("w00000", 140.0, "N"),
    ]
    for k, (code, value, flag) in enumerate(rows):
        Measurement.objects.create(
            point=point, data_time=now - timedelta(hours=k + 1), cn="2061", pollutant=code,
            kind="Avg", value=value, flag=flag,
        )  # fmt: skip
    summary = services.monitored_summary(point, timezone.localdate())
    assert summary.valid_count == 4
    assert summary.mean_concentration == {core.Pollutant.COD: 35.0}
    # Mean 120 L/s x 86.4 = 10,368 m³/d.
    assert summary.mean_flow == pytest.approx(10_368.0)
    assert summary.last_valid_on == timezone.localdate(now - timedelta(hours=1))


def test_the_checks_find_what_the_demo_hides(reductions_demo: Any) -> None:
    checked = services.check_all()
    upgrade = project("海城区污水处理厂提标改造工程")
    network = project("银海区污水管网完善工程")
    assert "RD-DOUBLE-SOURCE" in rules_of(checked, upgrade) & rules_of(checked, network)
    # Claimed effluent COD 40 mg/L; the demo point measures about 62 mg/L (> 10 %).
    assert "RD-MONITOR-CONTRADICTS" in rules_of(checked, project("石化企业废水深度处理工程"))
    assert rules_of(checked, project("石化企业挥发性有机物末端治理")) == {"RD-NO-EVIDENCE"}
    assert rules_of(checked, project("合浦县城第二污水处理厂新建工程")) == set()


def test_the_targets_count_verified_projects(reductions_demo: Any) -> None:
    from ecer.web.catalog.models import Area

    city = Area.objects.get(kind=Area.Kind.CITY)
    targets = figures.plan_targets(reductions_demo)
    shown = {f.pollutant: f for f in figures.official(reductions_demo, city, 2024, targets)}
    # NOx: boilers 20,000 t x 2.94 kg/t = 58.8 t + retrofit 540,000 m³/h x 70 mg/m³ x 7,200 h
    # = 272.16 t, both in full effect in 2024.
    assert shown[core.Pollutant.NOX].indicator.value == pytest.approx(58.8 + 272.16)
    # VOCs: only the verified oil-vapour recovery, 200,000 t x 0.5 kg/t x 0.9 = 90 t, against
    # the plan's 270 t: 1/3 done at time progress 4/5, below half of it -> red.
    vocs = shown[core.Pollutant.VOCS]
    assert vocs.indicator.value == pytest.approx(90.0)
    assert vocs.indicator.target_value == 270
    assert vocs.indicator.level == "red"
    # The preview also counts the completed VOC end treatment; the official figure stays.
    [previewed] = figures.with_preview([vocs], list(ReductionProject.objects.all()), 2024)
    assert previewed.preview is not None
    assert previewed.preview.achieved_t > 90.0
    assert previewed.indicator.value == pytest.approx(90.0)


def test_a_project_with_an_open_finding_cannot_be_verified(
    admin_client: Any, reductions_demo: Any
) -> None:
    voc = project("石化企业挥发性有机物末端治理")
    url = f"/reductions/{voc.pk}/decide/"
    response = admin_client.post(url, {"decision": "verify"}, follow=True)
    assert "不能核定" in response.content.decode()
    voc.refresh_from_db()
    assert voc.status == "completed"
    # Upload the evidence: the finding goes, and the project can be verified.
    upload = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    admin_client.post(f"/reductions/{voc.pk}/evidence/", {"title": "验收报告", "file": upload})
    admin_client.post(url, {"decision": "verify"})
    voc.refresh_from_db()
    assert voc.status == "verified"
    evidence = voc.evidence.get()
    download = admin_client.get(f"/reductions/{voc.pk}/evidence/{evidence.pk}/")
    assert download.content == b"%PDF-1.4 test"
    assert "attachment" in download["Content-Disposition"]


def test_a_reviewer_closes_a_finding_with_a_reason(admin_client: Any, reductions_demo: Any):
    network = project("银海区污水管网完善工程")
    keys = [f.key for f, _c in services.check_all().for_project(network)]
    url = f"/reductions/{network.pk}/close/"
    admin_client.post(url, {"finding_key": keys[0], "reason": ""})
    assert not network.closures.exists()
    for key in keys:
        admin_client.post(url, {"finding_key": key, "reason": "管网与提标分段核算，已核实不重复"})
    assert network.closures.count() == len(keys)
    admin_client.post(f"/reductions/{network.pk}/decide/", {"decision": "verify"})
    network.refresh_from_db()
    assert network.status == "verified"


def test_the_form_refuses_missing_method_inputs(admin_client: Any, reductions_demo: Any):
    from ecer.web.catalog.models import Area

    yinhai = Area.objects.get(code="yinhai").pk
    data = {
        "name": "新项目", "type": "industrial_treatment", "area": yinhai,
        "sector": "食品", "source_name": "示例", "credit_code": "", "permit_number": "",
        "point": "", "status": "planned", "started_on": "", "completed_on": "", "note": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000", "lines-0-pollutant": "w01018",
        "lines-0-method": "water_mass_balance", "lines-0-flow": "1000",
        "lines-0-baseline_concentration": "100",
    }  # fmt: skip
    response = admin_client.post("/reductions/new/", data)
    assert "缺少：实施后浓度" in response.content.decode()
    assert not ReductionProject.objects.filter(name="新项目").exists()
    data["lines-0-post_concentration"] = "20"
    assert admin_client.post("/reductions/new/", data).status_code == 302
    line = ReductionProject.objects.get(name="新项目").lines.get()
    # 1,000 m³/d x 80 mg/L x 365 d x 1e-6 = 29.2 t/a.
    assert line.annual_reduction_t == pytest.approx(29.2)


def test_a_district_sees_and_edits_only_its_own(
    client: Any, reductions_demo: Any, django_user_model: Any
) -> None:
    from ecer.web.accounts.models import Membership, Role
    from ecer.web.catalog.models import Area

    user = django_user_model.objects.create_user("hp", password="pw-x-12345")
    Membership.objects.create(user=user, role=Role.DISTRICT, area=Area.objects.get(code="hepu"))
    client.force_login(user)
    listed = {p.area.code for p, _open in client.get("/reductions/").context["projects"]}
    assert listed == {"hepu"}
    assert (
        client.get(f"/reductions/{project('海城区污水处理厂提标改造工程').pk}/").status_code == 404
    )
    kiln = project("水泥窑尾烟气脱硝提效工程")
    assert client.get(f"/reductions/{kiln.pk}/edit/").status_code == 200
    assert client.post(f"/reductions/{kiln.pk}/decide/", {"decision": "verify"}).status_code == 403
    form = client.get("/reductions/new/").context["form"]
    assert [a.code for a in form.fields["area"].queryset] == ["hepu"]
    assert "verified" not in dict(form.fields["status"].choices)
