"""The registry applies the loaded plan's values: the key-unit threshold (三(一)), the benchmark
share target (三(一), 超过30%) and the parks (三(二)). Each test edits a copy of the plan file,
loads it again and finds the new value in effect."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ecer.plan.loader import default_plan_path, load_plan_file
from ecer.web.catalog.loading import load_catalog_into_db
from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE

pytestmark = pytest.mark.django_db
REFINERY = "91450512MA5TG0034R"
ALUMINIUM = "91450512MA5TG0050F"
COLD_STORE = "91450502MA5HC00155"  # demo: 4,636.3 tce in 2024


def reload_plan(tmp_path: Path, old: str, new: str, *, after: str = "") -> None:
    """Load a copy of the plan file with ``old`` replaced by ``new`` (the first occurrence
    after ``after``)."""
    text = default_plan_path().read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path = tmp_path / "plan.yaml"
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    load_catalog_into_db(load_plan_file(path))


def codes(response: Any) -> list[str]:
    return sorted(r.enterprise.credit_code for r in response.context["rows"])


def test_the_key_unit_filter_follows_the_plans_threshold(admin_client, enterprise_demo, tmp_path):
    # 三(一) 5000 tce: the refinery, the aluminium smelter and the cement works (2024 reports:
    # 567,808, 431,702 and 387,024 tce); the cold store (4,636 tce) is below.
    assert codes(admin_client.get("/enterprises/?key=yes")) == sorted(
        [REFINERY, ALUMINIUM, DEMO_ENTERPRISE_CODE]
    )
    reload_plan(
        tmp_path,
        "threshold_tce_per_year: 5000",
        "threshold_tce_per_year: 4500",
        after="code: key_energy_unit_threshold",
    )
    # 4,636 >= 4,500: the cold store is now a key unit; the list says 4500 tce.
    response = admin_client.get("/enterprises/?key=yes")
    assert codes(response) == sorted([REFINERY, ALUMINIUM, DEMO_ENTERPRISE_CODE, COLD_STORE])
    assert "4,500" in response.content.decode() or "4500" in response.content.decode()
    detail = admin_client.get(f"/enterprises/{COLD_STORE}/")
    assert detail.context["latest"].is_key_unit


def test_the_two_high_rules_take_the_plans_threshold(loaded_plan, tmp_path):
    from ecer.web.projects.models import two_high_rules

    assert two_high_rules().rules[0].min_energy_tce == 5000.0
    reload_plan(
        tmp_path,
        "threshold_tce_per_year: 5000",
        "threshold_tce_per_year: 8000",
        after="code: key_energy_unit_threshold",
    )
    rule = two_high_rules().rules[0]
    assert rule.min_energy_tce == 8000.0 and "8000" in rule.name


def _benchmark_target(tmp_path: Path, value: str, strict: str) -> None:
    text = default_plan_path().read_text(encoding="utf-8")
    start = text.index("code: efficiency_benchmark_capacity_share")
    end = text.index("\n\n", start)
    block = re.sub(r"target_value: 30\n", f"target_value: {value}\n", text[start:end])
    block = block.replace("strict: true", f"strict: {strict}")
    path = tmp_path / "plan.yaml"
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")
    load_catalog_into_db(load_plan_file(path))


def test_the_benchmark_page_shows_the_indicator_and_its_table(admin_client, enterprise_demo):
    response = admin_client.get("/enterprises/benchmarks/?year=2024")
    indicator = response.context["indicator"]
    share = response.context["share"]
    by_industry = {i.industry: i for i in share.by_industry}
    # Clinker: line 1 (4,000 t/d) at 98.5 <= 100; line 2 (2,500 t/d) at 112: 4,000 / 6,500;
    # refining and aluminium have no capacity at the benchmark: the lowest share is 0 %.
    assert by_industry["水泥"].share == pytest.approx(4000 / 6500)
    assert indicator.value == 0.0 and indicator.target_value == 30
    assert (share.target_share, share.strict) == (0.30, True)
    # 0 % does not exceed 30 %: not met, judged by the indicator service.
    assert indicator.status != "met"
    html = response.content.decode()
    assert 'id="indicator"' in html and f'data-status="{indicator.status}"' in html
    assert "超过 30%" in html


def test_the_benchmark_page_opens_on_the_indicator_services_default_year(
    admin_client, enterprise_demo
):
    from ecer.web.catalog.models import Plan
    from ecer.web.indicators import service as indicators

    plan = Plan.objects.get()
    response = admin_client.get("/enterprises/benchmarks/")
    assert response.context["year"] == indicators.default_year(plan, plan.area)
    assert admin_client.get("/enterprises/benchmarks/?year=1999").status_code == 404


def test_the_benchmark_status_follows_the_plans_target(admin_client, enterprise_demo, tmp_path):
    # 水泥 4,000 / 6,500 = 61.54 %: above a 61 % target, below a 62 % one.
    _benchmark_target(tmp_path, "61", "true")
    share = admin_client.get("/enterprises/benchmarks/?year=2024").context["share"]
    assert {i.industry: i.meets_target for i in share.by_industry}["水泥"]
    _benchmark_target(tmp_path, "62", "true")
    share = admin_client.get("/enterprises/benchmarks/?year=2024").context["share"]
    assert not {i.industry: i.meets_target for i in share.by_industry}["水泥"]
    # The lowest share is 0 %: a target of 0 % is met when reaching it is enough ...
    _benchmark_target(tmp_path, "0", "false")
    response = admin_client.get("/enterprises/benchmarks/?year=2024")
    assert response.context["indicator"].status == "met"
    assert all(i.meets_target for i in response.context["share"].by_industry)
    # ... and not when it must be exceeded (超过): table and indicator agree.
    _benchmark_target(tmp_path, "0", "true")
    response = admin_client.get("/enterprises/benchmarks/?year=2024")
    assert response.context["indicator"].status != "met"
    meets = {i.industry: i.meets_target for i in response.context["share"].by_industry}
    assert meets == {"炼油": False, "电解铝": False, "水泥": True}


def test_the_benchmark_figure_reads_reports_of_the_year_or_before(enterprise_demo):
    from ecer.web.catalog.models import Area, Plan
    from ecer.web.indicators import service as indicators

    plan = Plan.objects.get()
    target = indicators.by_feed(plan, "enterprises.benchmark_share")
    city = Area.objects.get(code="beihai")
    # No report before 2022: no figure in 2021; from 2022 on one per year.
    [early] = indicators.evaluate(plan, city, 2021, targets=[target])
    assert early.value is None and early.status == "no_data"
    [late] = indicators.evaluate(plan, city, 2024, targets=[target])
    assert [y for y, _v in late.series] == [2022, 2023, 2024]


def _register(admin_client: Any, park: str) -> Any:
    from ecer.web.catalog.models import Area

    form = {
        "credit_code": "91450521MA5HP0040E",
        "name": "新单位",
        "area": Area.objects.get(code="hepu").pk,
        "industry_code": "3011",
        "industry_name": "水泥制造",
        "park": park,
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
    return admin_client.post("/admin/enterprises/enterprise/add/", form)


def test_a_park_must_be_one_the_plan_names(admin_client, loaded_plan, tmp_path):
    from ecer.web.enterprises.models import Enterprise

    bad = _register(admin_client, "北海工业园")
    html = bad.content.decode()
    assert "园区“北海工业园”不是方案三(二)点名的园区" in html
    assert "铁山港（临海）工业区、北海铁山东港产业园、合浦工业园区" in html
    assert not Enterprise.objects.exists()
    reload_plan(
        tmp_path, "合浦工业园区]", "合浦工业园区, 北海工业园]", after="code: industrial_parks"
    )
    assert _register(admin_client, "北海工业园").status_code == 302
    assert Enterprise.objects.get().park == "北海工业园"


def test_a_park_dropped_from_the_plan_is_refused(admin_client, loaded_plan, tmp_path):
    from ecer.web.catalog.rules import industrial_parks

    assert industrial_parks() == ("铁山港（临海）工业区", "北海铁山东港产业园", "合浦工业园区")
    reload_plan(tmp_path, ", 合浦工业园区]", "]", after="code: industrial_parks")
    assert industrial_parks() == ("铁山港（临海）工业区", "北海铁山东港产业园")
    html = _register(admin_client, "合浦工业园区").content.decode()
    assert "园区“合浦工业园区”不是方案三(二)点名的园区" in html
    assert _register(admin_client, "").status_code == 302  # not in a park
