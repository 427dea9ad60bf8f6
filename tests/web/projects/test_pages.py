"""Register, budget, review and work-list pages on the demo data."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from ecer.core import whatif
from ecer.web.catalog.models import Area
from ecer.web.projects import services
from ecer.web.projects.models import Project
from tests.web.energy.test_pages import login
from tests.web.projects.conftest import refinery

pytestmark = pytest.mark.django_db


def test_demo_classification_cites_its_rule(projects_demo: Any) -> None:
    coking = Project.objects.get(name__startswith="北海某焦化厂")
    assert coking.two_high and coking.two_high_rule == "two_high_industry_at_threshold"
    electronics = Project.objects.get(name__startswith="合浦某电子")
    assert not electronics.two_high and electronics.two_high_rule == "other_industry"
    # 1,800 x 10^4 kWh x 1.229 tce + 150 x 10^4 m3 x 12.143 tce = 2,212.2 + 1,821.45 = 4,033.65 tce
    food = Project.objects.get(name__startswith="海城某食品")
    assert food.energy_equivalent_tce == pytest.approx(4033.65)
    assert food.energy_equal_tce is None  # no equal-value factor given


def test_the_refinery_turns_tieshangang_red_in_2025(projects_demo: Any) -> None:
    plan = projects_demo
    with translation.override("zh-hans"):
        review = services.review_project(refinery(), plan)
    changes = {(c.light, c.before, c.after) for c in review.district.review.changes}
    assert (whatif.Light.INTENSITY, "yellow", "red") in changes
    assert review.worse
    assert review.verdict[0] == "批准该项目将使铁山港区 2025 年能耗强度预警由黄色变为红色"
    # Without the exit and the rectification, 2025 would already be red: they are in the baseline.
    [baseline] = review.district.review.baseline.years
    assert baseline.released_tce == pytest.approx(307_380 + 160_000, abs=1)


def test_budget_page_shows_headroom_and_ranks_candidates(
    client: Any, django_user_model: Any, projects_demo: Any
) -> None:
    login(client, django_user_model, "leader")
    budget = services.area_budget(Area.objects.get(code="tieshangang"), projects_demo)
    [y2025] = budget.years
    # Headroom is the budget in force minus existing, committed and released use.
    assert y2025.headroom_tce == pytest.approx(
        y2025.budget_tce
        - (
            y2025.existing_tce
            + y2025.projects_tce
            - y2025.released_tce
            - y2025.separately_listed_tce
        )
    )
    names = [e.project.name for e in budget.pending]
    assert names[0].startswith(
        "国家重大项目"
    )  # 90,000 / 170,884 = 0.527 > 100,000 / 394,038 = 0.254 (10^4 yuan/tce)
    html = client.get("/projects/budget/tieshangang/").content.decode()
    assert 'id="budget-years"' in html and 'data-year="2025"' in html
    assert "北海某焦化厂" in html  # listed under the releases


def test_review_page_lights_and_chart(
    client: Any, django_user_model: Any, projects_demo: Any
) -> None:
    login(client, django_user_model, "leader")
    html = client.get(f"/projects/{refinery().pk}/").content.decode()
    assert 'data-worse="true"' in html
    assert "批准该项目将使铁山港区 2025 年能耗强度预警由黄色变为红色" in html
    assert 'id="district-chart"' in html and 'id="city-chart"' in html
    assert "示例数据" in html


def test_district_user_sees_only_its_district(
    client: Any, django_user_model: Any, projects_demo: Any
) -> None:
    login(client, django_user_model, "district", area="hepu")
    html = client.get("/projects/").content.decode()
    assert "合浦某水泥粉磨站" in html and "北海某石化" not in html
    assert client.get(f"/projects/{refinery().pk}/").status_code == 404
    assert client.get("/projects/budget/tieshangang/").status_code == 404


def test_worklist_holds_the_two_high_projects(
    client: Any, django_user_model: Any, projects_demo: Any
) -> None:
    login(client, django_user_model, "leader")
    response = client.get("/projects/worklist.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert sheet["A1"].value == "“两高一低”项目工作清单"
    assert "示例数据" in sheet["A2"].value
    assert len(rows) == Project.objects.filter(two_high=True).count() == 5
    coking = next(r for r in rows if r[2].startswith("北海某焦化厂"))
    assert coking[18] == "关停退出" and coking[19] == "2024-12-31"
    assert "环环评〔2021〕45号" in coking[17]


def test_admin_creates_a_project_and_it_is_classified(
    client: Any, django_user_model: Any, projects_demo: Any
) -> None:
    login(client, django_user_model, "city_admin")
    data = {
        "name": "北海某玻璃项目",
        "enterprise_name": "北海某玻璃有限公司",
        "enterprise_code": "91450500MA5KD011X5",
        "area": Area.objects.get(code="yinhai").pk,
        "industry_code": "3041",
        "industry_name": "平板玻璃制造",
        "status": "planned",
        "first_full_year": "2025",
        "new_coal_t": "0",
        "value_added_10k_yuan": "5000",
        "rectification_saving_tce": "0",
        "follow_up": "not_started",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-carrier": "natural_gas",
        "lines-0-quantity": "5000",
        "lines-0-unit": "10^4 m3",
    }
    response = client.post("/projects/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    glass = Project.objects.get(name="北海某玻璃项目")
    # 5,000 x 10^4 m3 x 12.143 tce = 60,715 tce >= 5,000 in division 30 -> two-high
    assert glass.energy_equivalent_tce == pytest.approx(60_715)
    assert glass.two_high and glass.two_high_rule == "two_high_industry_at_threshold"
    data["enterprise_code"] = "91450500MA5KD011X6"
    data["name"] = "校验码错误"
    html = client.post("/projects/new/", data).content.decode()
    assert "统一社会信用代码不符合 GB 32100-2015" in html
    assert not Project.objects.filter(name="校验码错误").exists()
