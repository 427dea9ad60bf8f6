"""The rule-set text editor (the forms: test_rule_form.py), the findings list with filters
and export, the per-district and per-enterprise pages, notifications, the on-demand run."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ecer.web.quality import services
from ecer.web.quality.defaults import as_text, default_rule_data
from ecer.web.quality.models import Notification, RuleSetVersion
from tests.web.quality.conftest import CEMENT

pytestmark = pytest.mark.django_db


def test_a_broken_rule_is_refused_with_where_it_is(loaded_plan: Any, reviewer_client: Any) -> None:
    data = default_rule_data()
    data["rules"][0]["severity"] = "fatal"
    response = reviewer_client.post("/quality/rules/text/", {"text": as_text(data)})
    page = response.content.decode()
    assert "第 1 条规则（DIST-REQ-ENERGY）的“级别”" in page and "fatal" in page
    assert RuleSetVersion.objects.count() == 1


def test_bad_yaml_is_refused_with_its_line(loaded_plan: Any, reviewer_client: Any) -> None:
    response = reviewer_client.post(
        "/quality/rules/text/", {"text": "rules:\n  - code: [unclosed\n"}
    )
    assert "第 3 行" in response.content.decode()


def test_every_edit_is_a_new_version_and_findings_name_theirs(
    cement: Any, reviewer_client: Any
) -> None:
    data = default_rule_data()
    for rule in data["rules"]:
        if rule["code"] == "ENT-ONLINE-RECONCILE":
            rule["condition"]["tolerance_pct"] = 10  # the demo's 8 % now passes
    response = reviewer_client.post(
        "/quality/rules/text/", {"text": as_text(data), "note": "放宽到 10%"}, follow=True
    )
    assert "默认规则集 第 2 版" in response.content.decode()
    assert list(RuleSetVersion.objects.values_list("version", flat=True)) == [2, 1]
    assert services.active_rule_set().version == 2
    services.check_record(cement)
    found = services.findings_for(cement).get(rule_code="ENT-ONLINE-RECONCILE")
    assert (found.status, found.rule_set.version) == ("resolved", 1)
    # The old version is still readable.
    old = reviewer_client.get("/quality/rules/1/").content.decode()
    assert "上报能耗与在线监测数据一致" in old and "允许偏差（%）：5" in old


# Pages name a rule in Chinese; the export keeps its stable code.
RECONCILE_NAME = "上报能耗与在线监测数据一致"


def test_findings_are_listed_with_filters_and_exported(cement: Any, reviewer_client: Any) -> None:
    page = reviewer_client.get("/quality/?kind=enterprise_energy_report&severity=error")
    assert RECONCILE_NAME in page.content.decode()
    none = reviewer_client.get("/quality/?kind=target_observation").content.decode()
    assert RECONCILE_NAME not in none
    other = reviewer_client.get("/quality/?area=haicheng").content.decode()
    assert RECONCILE_NAME not in other
    export = reviewer_client.get(f"/quality/export.xlsx?enterprise={CEMENT}")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][5] == "规则" and rows[1][5] == "ENT-ONLINE-RECONCILE"
    assert "相差 8.0%" in rows[1][8]


def test_other_districts_do_not_see_the_finding(
    cement: Any, client: Any, django_user_model: Any
) -> None:
    from ecer.web.accounts.models import Membership, Role
    from ecer.web.catalog.models import Area

    for code, sees in (("hepu", True), ("haicheng", False)):
        user = django_user_model.objects.create_user(code, "", "pw")
        Membership.objects.create(user=user, role=Role.DISTRICT, area=Area.objects.get(code=code))
        client.force_login(user)
        page = client.get("/quality/").content.decode()
        assert (RECONCILE_NAME in page) is sees


def test_findings_show_on_the_report_and_the_quality_pages(
    cement: Any, reviewer_client: Any
) -> None:
    report = reviewer_client.get(f"/enterprises/{CEMENT}/reports/2024/").content.decode()
    assert 'id="quality-findings"' in report and "相差 8.0%" in report
    assert 'name="justification"' in report
    firm = reviewer_client.get(f"/quality/enterprises/{CEMENT}/").content.decode()
    assert "相差 8.0%" in firm
    district = reviewer_client.get("/quality/districts/hepu/").content.decode()
    assert "相差 8.0%" in district and 'id="submitted-share"' in district


def test_district_energy_findings_show_on_the_district_page(
    loaded_plan: Any, reviewer_client: Any
) -> None:
    from ecer.web.catalog.models import Area
    from ecer.web.energy.models import DistrictEnergyYear

    row = DistrictEnergyYear.objects.create(
        area=Area.objects.get(code="hepu"), year=2023, gdp_current_10k_yuan=4e6, gdp_index=121.0
    )
    services.check_record(row)
    page = reviewer_client.get("/energy/hepu/?year=2023").content.decode()
    assert "GDP指数（上年=100）为 121" in page


def test_the_run_button_checks_everything(cement: Any, reviewer_client: Any) -> None:
    response = reviewer_client.post("/quality/run/", follow=True)
    assert "数据质量检查（规则集 默认规则集 第 1 版）" in response.content.decode()


def test_notifications_show_in_the_top_bar_and_are_read_on_opening(
    loaded_plan: Any, reviewer_client: Any, city_admin: Any
) -> None:
    item = Notification.objects.create(
        user=city_admin, title="报送提醒：测试", url="/quality/overdue/"
    )

    def link(page: str) -> str:  # the 通知 link of the top bar
        return page.split('id="notifications-link"', 1)[1].split("</a>", 1)[0]

    top = reviewer_client.get("/quality/overdue/").content.decode()
    assert '<span class="count">1</span>' in link(top)
    # The old address leads to the notification centre, which lists it as unread.
    listing = reviewer_client.get("/quality/notifications/", follow=True).content.decode()
    assert "报送提醒：测试" in listing and 'class="unread"' in listing
    opened = reviewer_client.get(f"/notifications/{item.pk}/open/")
    assert opened["Location"] == "/quality/overdue/"
    again = reviewer_client.get("/quality/overdue/").content.decode()
    assert '<span class="count">' not in link(again)
