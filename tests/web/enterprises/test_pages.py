"""The registry, an enterprise's page with its online data and findings, and the benchmarks."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE

pytestmark = pytest.mark.django_db
REFINERY = "91450512MA5TG0034R"


def codes(response: Any) -> list[str]:
    return [r.enterprise.credit_code for r in response.context["rows"]]


def test_the_list_filters_by_key_unit_district_and_baseline(admin_client, enterprise_demo):
    everyone = codes(admin_client.get("/enterprises/"))
    assert len(everyone) == 5
    key = codes(admin_client.get("/enterprises/?key=yes"))
    assert sorted(key) == sorted([REFINERY, "91450512MA5TG0050F", DEMO_ENTERPRISE_CODE])
    assert codes(admin_client.get("/enterprises/?key=no")) == [c for c in everyone if c not in key]
    assert codes(admin_client.get("/enterprises/?area=hepu")) == [DEMO_ENTERPRISE_CODE]
    # 2024 refining 8.7 kgoe/(t·factor) > baseline 8.5: below baseline.
    assert codes(admin_client.get("/enterprises/?below=1")) == [REFINERY]
    assert codes(admin_client.get("/enterprises/?industry=30")) == [DEMO_ENTERPRISE_CODE]


def test_the_enterprise_page_shows_online_data_and_its_findings(admin_client, enterprise_demo):
    response = admin_client.get(f"/enterprises/{DEMO_ENTERPRISE_CODE}/")
    html = response.content.decode()
    assert response.context["month"].strftime("%Y-%m") == "2024-12"  # the latest data
    [data] = response.context["month_data"]
    assert data.meter.code == "E-01" and data.total > 0
    rules = {f.rule for f in response.context["findings"]}
    assert {"gap", "spike"} <= rules
    [mismatch] = response.context["mismatches"]
    # The demo meter adds up to 8 % more electricity than the 2024 report.
    assert mismatch.figures["difference"] == pytest.approx(0.08, abs=1e-6)
    assert 'data-rule="report_mismatch"' in html
    assert "data-chart" in html and "data-bars" in html
    november = admin_client.get(f"/enterprises/{DEMO_ENTERPRISE_CODE}/?month=2024-11")
    assert not {f.rule for f in november.context["findings"]} & {"gap", "spike"}


def test_the_benchmark_page_gives_the_share_at_benchmark(admin_client, enterprise_demo):
    share = admin_client.get("/enterprises/benchmarks/?year=2024").context["share"]
    by_industry = {i.industry: i for i in share.by_industry}
    # Clinker: line 1 (4,000 t/d) at 98.5 <= 100; line 2 (2,500 t/d) at 112: 4,000 / 6,500.
    assert by_industry["水泥"].share == pytest.approx(4000 / 6500)
    assert by_industry["水泥"].meets_target
    assert by_industry["炼油"].share == 0 and not by_industry["炼油"].meets_target


def test_users_see_only_their_enterprises(client, enterprise_demo, django_user_model):
    from ecer.web.accounts.models import Membership, Role
    from ecer.web.catalog.models import Area

    district = django_user_model.objects.create_user("hepu-user", password="pw-x-12345")
    Membership.objects.create(user=district, role=Role.DISTRICT, area=Area.objects.get(code="hepu"))
    client.force_login(district)
    assert codes(client.get("/enterprises/")) == [DEMO_ENTERPRISE_CODE]
    assert client.get(f"/enterprises/{REFINERY}/").status_code == 404
    firm = django_user_model.objects.create_user("firm-user", password="pw-x-12345")
    Membership.objects.create(user=firm, role=Role.ENTERPRISE, enterprise_code=DEMO_ENTERPRISE_CODE)
    client.force_login(firm)
    assert codes(client.get("/enterprises/")) == [DEMO_ENTERPRISE_CODE]
    assert client.get(f"/enterprises/{REFINERY}/reports/2023/").status_code == 404
    assert client.get(f"/enterprises/{DEMO_ENTERPRISE_CODE}/reports/2023/").status_code == 200


def test_registering_an_enterprise_checks_its_credit_code(admin_client, loaded_plan):
    from ecer.web.catalog.models import Area
    from ecer.web.enterprises.models import Enterprise

    form = {
        "name": "新单位",
        "area": Area.objects.get(code="hepu").pk,
        "industry_code": "3011",
        "industry_name": "水泥制造",
        "park": "",
        "contact_name": "",
        "contact_phone": "",
        **{
            f"{p}-{k}": v
            for p in ("units", "meters")
            for k, v in (
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            )
        },
    }
    bad = admin_client.post(
        "/admin/enterprises/enterprise/add/", {**form, "credit_code": "91450521MA5HP0040F"}
    )
    assert "统一社会信用代码无效" in bad.content.decode()
    assert "expected &#x27;E&#x27;, got &#x27;F&#x27;" in bad.content.decode()
    assert not Enterprise.objects.exists()
    good = admin_client.post(
        "/admin/enterprises/enterprise/add/", {**form, "credit_code": "91450521ma5hp0040e"}
    )
    assert good.status_code == 302
    assert Enterprise.objects.get().credit_code == "91450521MA5HP0040E"


def test_the_list_is_paged_and_keeps_its_filters(admin_client, loaded_plan, monkeypatch):
    from ecer.web.catalog.models import Area
    from ecer.web.enterprises import views
    from ecer.web.enterprises.models import Enterprise

    hepu = Area.objects.get(code="hepu")
    for n in range(7):
        Enterprise.objects.create(
            credit_code=f"91450521PAGE{n:06d}", name=f"分页测试 {n}", area=hepu,
            industry_code="3011", industry_name="水泥制造",
        )  # fmt: skip
    monkeypatch.setattr(views, "ENTERPRISES_PER_PAGE", 3)
    first = admin_client.get("/enterprises/?area=hepu")
    last = admin_client.get("/enterprises/?area=hepu&page=3")
    assert len(codes(first)) == 3 and len(codes(last)) == 1
    pages = [codes(admin_client.get(f"/enterprises/?area=hepu&page={n}")) for n in (1, 2, 3)]
    listed = sorted(code for page in pages for code in page)
    assert listed == sorted(e.credit_code for e in Enterprise.objects.all())
    html = first.content.decode()
    assert "共 7 项" in html and 'href="?area=hepu&amp;page=2"' in html
