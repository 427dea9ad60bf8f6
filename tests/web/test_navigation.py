"""The navigation is data (ecer.web.navigation): grouped, filtered by role, the current item
found from the resolved view, breadcrumbs from the same data, a district switcher."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department
from ecer.web.navigation import NAVIGATION, Group, Item, current_item

pytestmark = pytest.mark.django_db

GROUPS = ["规划与目标", "能耗双控", "企业与监测", "减排与项目", "考核与报告", "系统"]


def login(client: Any, django_user_model: Any, role: str, **membership: Any) -> Any:
    user = django_user_model.objects.create_user(f"nav-{role}", "", "pw-for-tests-only-1")
    Membership.objects.create(user=user, role=role, **membership)
    client.force_login(user)
    return client


def menu(response: Any) -> dict[str, list[str]]:
    return {str(g.label): [str(i.label) for i in g.items] for g in response.context["nav_groups"]}


def test_the_city_sees_every_group_in_order(loaded_plan: Any, admin_client: Any) -> None:
    shown = menu(admin_client.get("/quality/"))
    assert list(shown) == GROUPS
    assert shown["企业与监测"] == [
        "重点用能单位",
        "在线监控",
        "超标与异常报警",
        "数据有效率",
        "闭环处置",
    ]
    assert shown["规划与目标"][:2] == ["我的待办", "一张图"]
    assert "后台管理" in shown["系统"]


def test_each_role_sees_only_the_pages_it_may_open(
    loaded_plan: Any, client: Any, django_user_model: Any
) -> None:
    login(client, django_user_model, Role.ENTERPRISE, enterprise_code="91450521MA5HP0040E")
    shown = menu(client.get("/quality/"))
    assert "能耗双控" not in shown and "规划总览" not in shown.get("规划与目标", [])
    assert shown["减排与项目"] == ["重点工程", "用能权与排污权"]  # its own projects only
    assert shown["系统"] == ["API 密钥"]
    for group in shown.values():
        for label in group:
            assert label not in ("操作留痕", "后台管理", "待审核", "数据填报")


def test_a_department_is_not_shown_the_rights_ledger_it_may_not_open(
    loaded_plan: Any, client: Any, django_user_model: Any
) -> None:
    transport = Department.objects.get(code="transport")
    login(client, django_user_model, Role.DEPARTMENT, department=transport)
    shown = menu(client.get("/quality/"))
    assert "用能权与排污权" not in shown.get("减排与项目", [])
    assert client.get("/rights/").status_code == 403


def test_the_current_page_is_highlighted_once_with_breadcrumbs(
    loaded_plan: Any, admin_client: Any
) -> None:
    html = admin_client.get("/monitoring/alarms/").content.decode()
    side = html[html.index('<nav class="side"') :]
    side = side[: side.index("</nav>")]
    assert side.count('class="current"') == 1
    assert '<a href="/monitoring/alarms/" class="current" aria-current="page">' in html
    crumbs = admin_client.get("/monitoring/alarms/").context["breadcrumbs"]
    assert [str(c["label"]) for c in crumbs] == ["企业与监测", "超标与异常报警"]
    # A page under an item highlights the item, which is then a link, not the current page.
    response = admin_client.get("/targets/energy_intensity_decline/")
    assert '<a href="/" class="current">' in response.content.decode()
    assert [str(c["label"]) for c in response.context["breadcrumbs"]] == ["规划与目标", "规划总览"]


def test_the_own_page_wins_over_a_covering_item() -> None:
    assert current_item("monitoring:alarms").url_name == "monitoring:alarms"  # type: ignore[union-attr]
    assert current_item("monitoring:point").url_name == "monitoring:points"  # type: ignore[union-attr]
    assert current_item("enterprises:api_keys").url_name == "enterprises:api_keys"  # type: ignore[union-attr]
    assert current_item("enterprises:detail").url_name == "enterprises:list"  # type: ignore[union-attr]
    assert current_item("login") is None


def test_a_badge_is_one_callable_on_an_item(rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from ecer.web.accounts.scope import Scope
    from ecer.web.navigation import menu as build

    groups = (
        Group(
            "g",
            (Item("待办", "quality:findings", badge=lambda request: 3), Item("x", "audit:search")),
        ),
    )
    request = rf.get("/")
    request.user = AnonymousUser()
    request.scope = Scope(role=Role.CITY_ADMIN)
    [group] = build(request, groups)
    assert [i.badge for i in group.items] == [3, None]


def test_the_district_switcher_keeps_the_kind_of_page(loaded_plan: Any, admin_client: Any) -> None:
    response = admin_client.get("/energy/hepu/?year=2023")
    links = {d.name: d.url for d in response.context["districts"]}
    assert links["铁山港区"] == "/energy/tieshangang/?year=2023"
    assert response.context["current_district"].name == "合浦县"
    links = {d.name: d.url for d in admin_client.get("/quality/").context["districts"]}
    assert links["海城区"] == "/areas/haicheng/"
    assert "北海市" not in links


def test_a_district_user_switches_only_within_its_district(
    loaded_plan: Any, client: Any, django_user_model: Any
) -> None:
    login(client, django_user_model, Role.DISTRICT, area=Area.objects.get(code="haicheng"))
    names = [d.name for d in client.get("/quality/").context["districts"]]
    assert names == ["海城区"]


def test_every_item_names_a_route() -> None:
    from django.urls import reverse

    for group in NAVIGATION:
        for item in group.items:
            assert reverse(item.url_name)
