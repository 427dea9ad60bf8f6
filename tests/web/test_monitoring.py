"""Monitoring pages on the demo points at a fixed time: status, data, alarms, validity, scope.

The clock stands at 2024-03-05 10:20 Beijing time. The demo's newest hourly data are those
of 09:00; the list, alarm and validity pages cover 2024-02-28 to 2024-03-05 (2024 is a leap
year): six whole days and today's ten complete hours (00:00–09:00) = 154 hourly values
expected per factor.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department
from ecer.web.monitoring.demo import DEMO_ENTERPRISE_CODE, SEWAGE_CODE, ensure_demo_points
from ecer.web.monitoring.models import MonitoringPoint, PointPollutant

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 3, 5, 10, 20, tzinfo=BEIJING)
WWTP, POWER, CHEMICAL, KILN = (f"ECERDEMO{n:016d}" for n in range(1, 5))


@pytest.fixture
def demo_points(loaded_plan: Any) -> Iterator[dict[str, MonitoringPoint]]:
    with time_machine.travel(NOW, tick=False):
        ensure_demo_points(NOW)
        yield {p.mn: p for p in MonitoringPoint.objects.all()}


def login_as(client: Any, django_user_model: Any, name: str, **membership: Any) -> Any:
    user = django_user_model.objects.create_user(name, "", "pw-for-tests-only")
    if membership:
        Membership.objects.create(user=user, **membership)
    client.force_login(user)
    return client


def rows(html: str, attribute: str) -> list[str]:
    """Values of ``attribute`` in the page, in order (e.g. data-point of each row)."""
    values = []
    for part in html.split(f'{attribute}="')[1:]:
        values.append(part.split('"', 1)[0])
    return values


def test_demo_setup_runs_once(demo_points: Any) -> None:
    assert len(demo_points) == 4
    assert ensure_demo_points(NOW) == "monitoring demo: already loaded"
    assert MonitoringPoint.objects.count() == 4
    assert all(p.is_demo for p in demo_points.values())


def test_point_list_shows_status_latest_data_validity_and_open_alarms(
    admin_client: Any, demo_points: Any
) -> None:
    response = admin_client.get("/monitoring/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "示例数据" in html
    status = {s.point.mn: s for s in response.context["statuses"]}
    assert set(status) == {WWTP, POWER, CHEMICAL, KILN}
    # Only the kiln is offline: its last frame came at 06:00:30, 4 h 20 min before now.
    assert [mn for mn, s in status.items() if s.connection.offline] == [KILN]
    assert html.count('data-testid="offline"') == 1
    assert status[KILN].latest_data_time == datetime(2024, 3, 5, 5, tzinfo=BEIJING)
    assert status[POWER].latest_data_time == datetime(2024, 3, 5, 9, tzinfo=BEIJING)
    # Chemical plant: 3 factors × 154 hours = 462 expected; 6 hours missing → 3 × 148 = 444.
    assert (status[CHEMICAL].validity.valid, status[CHEMICAL].validity.expected) == (444, 462)
    assert "96.1%" in html
    # Open alarms: the power plant's NOx exceedance; the kiln's offline state and its gap.
    assert status[POWER].ongoing_alarms == 1
    assert status[KILN].ongoing_alarms == 2
    assert status[WWTP].ongoing_alarms == 0


def test_point_page_has_chart_with_limit_loads_and_alarm(
    admin_client: Any, demo_points: Any
) -> None:
    power = demo_points[POWER]
    response = admin_client.get(f"/monitoring/points/{power.pk}/")
    assert response.status_code == 200
    assert response.context["selected"].pollutant == "a21002"  # NOx, a limit and a load
    chart = json.loads(response.context["chart_json"])
    assert chart["limits"] == [{"name": "排放限值", "value": 50.0}]
    assert [s["name"] for s in chart["series"]] == ["监测值", "折算值"]
    # Default period: the last three days, 2024-03-03 00:00 to 09:00 today = 58 hours.
    assert len(chart["series"][0]["data"]) == 58
    html = response.content.decode()
    assert 'id="measurement-chart"' in html
    [alarm] = response.context["status"].alarms
    assert alarm.kind == "exceedance" and alarm.ongoing
    assert (alarm.start, alarm.end) == (
        datetime(2024, 3, 5, 7, tzinfo=BEIJING),
        datetime(2024, 3, 5, 9, tzinfo=BEIJING),
    )
    assert 'data-alarm="exceedance"' in html
    # Daily loads for the three factors with a mass concentration, three days each.
    days, table = response.context["daily_table"]
    assert [r.pollutant.pollutant for r in table] == ["a21002", "a21026", "a34013"]
    assert len(days) == 3 and all(c is not None for r in table for c in r.cells)
    # 3 March is a whole day: 24 hourly loads summed.
    assert table[0].cells[0].intervals == 24


def test_hourly_load_is_concentration_times_volume(admin_client: Any, demo_points: Any) -> None:
    wwtp = demo_points[WWTP]
    response = admin_client.get(
        f"/monitoring/points/{wwtp.pk}/?pollutant=w01018&start=2024-03-04&end=2024-03-04"
    )
    loads = response.context["selected_loads"]
    first = loads.hourly[0]
    # mg/L × m³ × 10⁻³ = kg, with the flow's Cou as the volume of the hour.
    assert first.load_kg == pytest.approx(first.concentration * first.volume_m3 / 1000)
    # The COD of 2024-03-03 17:00 (40 hours before 09:00) is flagged D: no load that hour.
    assert len(loads.hourly) == 24
    fault = admin_client.get(
        f"/monitoring/points/{wwtp.pk}/?pollutant=w01018&start=2024-03-03&end=2024-03-03"
    )
    assert len(fault.context["selected_loads"].hourly) == 23


def test_flagged_values_are_not_exceedances(admin_client: Any, demo_points: Any) -> None:
    wwtp = demo_points[WWTP]
    response = admin_client.get(
        f"/monitoring/points/{wwtp.pk}/?pollutant=w01018&start=2024-03-03&end=2024-03-03"
    )
    # The fault hour's value (180 mg/L, flag D) is far above the 50 mg/L limit …
    values = {(v, f) for _, v, f in json.loads(response.context["chart_json"])["series"][0]["data"]}
    assert (180.0, "D") in values
    # … and yet no exceedance: only valid data (flag N) are judged.
    assert response.context["status"].alarms == []


def test_alarm_list_filters(admin_client: Any, demo_points: Any) -> None:
    def alarms(query: str = "") -> list[tuple[str, str]]:
        response = admin_client.get(f"/monitoring/alarms/{query}")
        assert response.status_code == 200
        return [(a.kind, a.point.mn) for a in response.context["alarms"]]

    assert sorted(alarms()) == sorted(
        [("exceedance", POWER), ("gap", CHEMICAL), ("gap", KILN), ("offline", KILN)]
    )
    assert alarms("?kind=gap") == [("gap", KILN), ("gap", CHEMICAL)]  # newest first
    assert alarms("?kind=offline") == [("offline", KILN)]
    assert sorted(alarms("?area=hepu")) == [("gap", KILN), ("offline", KILN)]
    assert alarms("?medium=water") == [("gap", CHEMICAL)]
    # The chemical plant's gap (3 March 22:00 – 4 March 03:00) is over.
    assert ("gap", CHEMICAL) not in alarms("?ongoing=1")
    # Only 5 March: the gap of 3–4 March is outside the period.
    assert ("gap", CHEMICAL) not in alarms("?start=2024-03-05&end=2024-03-05")


def test_alarm_list_is_paged_newest_first_with_the_total(
    admin_client: Any, demo_points: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecer.web.monitoring import views

    everything = admin_client.get("/monitoring/alarms/").context["alarms"]
    monkeypatch.setattr(views, "ALARMS_PER_PAGE", 3)
    first = admin_client.get("/monitoring/alarms/")
    second = admin_client.get("/monitoring/alarms/?page=2")
    assert list(first.context["alarms"]) + list(second.context["alarms"]) == list(everything)
    html = first.content.decode()
    assert "共 4 条报警" in html
    assert 'href="?page=2"' in html
    # The filters stay in the pager's links.
    monkeypatch.setattr(views, "ALARMS_PER_PAGE", 2)
    html = admin_client.get("/monitoring/alarms/?medium=gas&page=1").content.decode()
    assert "共 3 条报警" in html and 'href="?medium=gas&amp;page=2"' in html


def test_gap_row_says_how_many_values_are_missing(admin_client: Any, demo_points: Any) -> None:
    html = admin_client.get("/monitoring/alarms/?kind=gap&medium=water").content.decode()
    assert "2024-03-03 22:00" in html and "2024-03-04 03:00" in html
    assert "缺 6 个数据" in html


@pytest.mark.parametrize(
    "query",
    ["?kind=nope", "?start=2024-13-01", "?start=2024-03-05&end=2024-03-01", "?medium=air",
     "?start=2023-01-01&end=2024-03-05"],
)  # fmt: skip
def test_bad_filters_are_404(admin_client: Any, demo_points: Any, query: str) -> None:
    assert admin_client.get(f"/monitoring/alarms/{query}").status_code == 404


def test_unknown_pollutant_or_data_type_is_404(admin_client: Any, demo_points: Any) -> None:
    wwtp = demo_points[WWTP]
    assert admin_client.get(f"/monitoring/points/{wwtp.pk}/?pollutant=a21002").status_code == 404
    assert admin_client.get(f"/monitoring/points/{wwtp.pk}/?cn=9999").status_code == 404


def test_validity_per_enterprise(admin_client: Any, demo_points: Any) -> None:
    response = admin_client.get("/monitoring/validity/")
    assert response.status_code == 200
    rates = {
        e.code: (e.validity.valid, e.validity.expected) for e in response.context["enterprises"]
    }
    assert rates == {
        # Treatment plant: 4 × 154 = 616; one COD flagged D → 615.
        SEWAGE_CODE: (615, 616),
        # Power plant: 5 × 154 = 770, all valid.
        "91450512MA5TG0050F": (770, 770),
        "91450512MA5TG0034R": (444, 462),
        # Kiln: nothing in the last 4 hours → 5 × 150 = 750.
        DEMO_ENTERPRISE_CODE: (750, 770),
    }
    # All: (615 + 770 + 444 + 750) / (616 + 770 + 462 + 770) = 2579 / 2618 = 98.51 %.
    total = response.context["total"]
    assert (total.valid, total.expected) == (2579, 2618)
    assert "98.51%" in response.content.decode()


def test_an_enterprise_with_two_points_is_weighted_by_records(
    admin_client: Any, demo_points: Any
) -> None:
    MonitoringPoint.objects.filter(mn=CHEMICAL).update(enterprise_code=SEWAGE_CODE)
    response = admin_client.get("/monitoring/validity/")
    [both] = [e for e in response.context["enterprises"] if e.code == SEWAGE_CODE]
    # (615 + 444) / (616 + 462) = 1059 / 1078 = 98.24 %, not the mean of 99.84 % and 96.10 %.
    assert (both.validity.valid, both.validity.expected) == (1059, 1078)
    assert len(both.points) == 2


def test_district_sees_its_points_only(
    client: Any, django_user_model: Any, demo_points: Any
) -> None:
    login_as(
        client, django_user_model, "tsg", role=Role.DISTRICT,
        area=Area.objects.get(code="tieshangang"),
    )  # fmt: skip
    response = client.get("/monitoring/")
    assert sorted(rows(response.content.decode(), "data-point")) == sorted([POWER, CHEMICAL])
    assert client.get(f"/monitoring/points/{demo_points[POWER].pk}/").status_code == 200
    assert client.get(f"/monitoring/points/{demo_points[WWTP].pk}/").status_code == 404
    assert {a.point.mn for a in client.get("/monitoring/alarms/").context["alarms"]} == {
        POWER,
        CHEMICAL,
    }


def test_enterprise_sees_its_own_points_only(
    client: Any, django_user_model: Any, demo_points: Any
) -> None:
    login_as(
        client, django_user_model, "firm", role=Role.ENTERPRISE,
        enterprise_code=DEMO_ENTERPRISE_CODE,
    )  # fmt: skip
    response = client.get("/monitoring/validity/")
    assert [e.code for e in response.context["enterprises"]] == [DEMO_ENTERPRISE_CODE]
    assert client.get(f"/monitoring/points/{demo_points[KILN].pk}/").status_code == 200
    assert client.get(f"/monitoring/points/{demo_points[WWTP].pk}/").status_code == 404


def test_ecology_department_sees_every_point_other_departments_none(
    client: Any, django_user_model: Any, demo_points: Any
) -> None:
    login_as(
        client, django_user_model, "eeb", role=Role.DEPARTMENT,
        department=Department.objects.get(code="ecology_environment"),
    )  # fmt: skip
    assert len(client.get("/monitoring/").context["statuses"]) == 4
    login_as(
        client, django_user_model, "dot", role=Role.DEPARTMENT,
        department=Department.objects.get(code="transport"),
    )  # fmt: skip
    assert client.get("/monitoring/").status_code == 403
    assert "/monitoring/" not in client.get("/?year=2022").content.decode()


def test_limits_must_suit_the_pollutant(demo_points: Any) -> None:
    from django.core.exceptions import ValidationError

    wwtp, power = demo_points[WWTP], demo_points[POWER]
    for point, fields, field in [
        (wwtp, {"pollutant": "a21002"}, "pollutant"),  # a gas factor at a water outlet
        (wwtp, {"pollutant": "w21011", "reference_o2": 6.0}, "reference_o2"),
        (power, {"pollutant": "a21003", "reference_o2": 21.0}, "reference_o2"),
        (power, {"pollutant": "a21003", "limit_unit": "%"}, "limit_unit"),
        (power, {"pollutant": "a21003", "upper_limit": 1.0, "lower_limit": 2.0}, "lower_limit"),
    ]:
        with pytest.raises(ValidationError) as caught:
            PointPollutant(point=point, **fields).full_clean()
        assert field in caught.value.message_dict, fields
    PointPollutant(
        point=power, pollutant="a21003", upper_limit=0.1, limit_unit="μg/m³"
    ).full_clean()


def test_pages_in_english(admin_client: Any, demo_points: Any) -> None:
    html = admin_client.get("/en/monitoring/alarms/").content.decode()
    assert "Alarms" in html and "Exceedance" in html and "Offline" in html


def test_admin_edits_limits_inline(admin_client: Any, demo_points: Any) -> None:
    power = demo_points[POWER]
    response = admin_client.get(f"/admin/monitoring/monitoringpoint/{power.pk}/change/")
    assert response.status_code == 200
    assert "基准氧含量" in response.content.decode()


def test_point_list_pages_through_many_points(admin_client: Any, demo_points: Any) -> None:
    MonitoringPoint.objects.bulk_create(
        MonitoringPoint(
            mn=f"ECERPAGE{n:016d}",
            name=f"分页 {n}",
            medium="water",
            password="1",
            enterprise_name=f"分页企业 {n}",
        )
        for n in range(60)
    )
    first = admin_client.get("/monitoring/")
    assert len(first.context["statuses"]) == 50
    assert "第 1 / 2 页，共 64 项" in first.content.decode()
    second = admin_client.get("/monitoring/?medium=water&page=2")
    mns = [s.point.mn for s in second.context["statuses"]]
    # The filter stays in the page links; page 2 holds the water points after the first 50.
    water = MonitoringPoint.objects.filter(medium="water").count()
    assert len(mns) == water - 50
    assert 'href="?medium=water&amp;page=1"' in second.content.decode()
    assert admin_client.get("/monitoring/?page=99").context["page"].number == 2
    # The validity page: enterprises, worst first over all of them, 50 a page; the total
    # covers every point.
    validity = admin_client.get("/monitoring/validity/?page=2")
    all_enterprises = validity.context["page"].paginator.count
    assert len(validity.context["enterprises"]) == all_enterprises - 50
    first_page = admin_client.get("/monitoring/validity/")
    assert first_page.context["total"] == validity.context["total"]
    rates = [e.validity.rate for e in first_page.context["enterprises"]]
    assert rates[0] is not None and rates[0] <= min(r for r in rates if r is not None)
