"""The to-do service and page: counts in one place, the navigation reads them, sign-in lands
there, and no role's navigation leads to a refusal."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from ecer.web.accounts.models import Membership, Role
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Department, Observation
from ecer.web.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"


def _user(django_user_model: Any, name: str, **membership: Any) -> Any:
    user = django_user_model.objects.create_user(name, "", PASSWORD)
    Membership.objects.create(user=user, **membership)
    return user


@pytest.fixture
def people(full_demo: Any, django_user_model: Any) -> dict[str, Any]:
    firm = Enterprise.objects.order_by("pk").first()
    assert firm is not None
    return {
        "city_admin": _user(django_user_model, "city", role=Role.CITY_ADMIN),
        "leader": _user(django_user_model, "lead", role=Role.LEADER),
        "department": _user(
            django_user_model,
            "transport",
            role=Role.DEPARTMENT,
            department=Department.objects.get(code="transport"),
        ),
        "district": _user(
            django_user_model,
            "haicheng",
            role=Role.DISTRICT,
            area=Area.objects.get(code="haicheng"),
        ),
        "enterprise": _user(
            django_user_model, "firm", role=Role.ENTERPRISE, enterprise_code=firm.credit_code
        ),
    }


def test_sign_in_lands_on_the_todo(client: Any, people: dict[str, Any]) -> None:
    for user in people.values():
        client.logout()
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == "/todo/"
        page = client.get("/todo/")
        assert page.status_code == 200
        assert "我的待办" in page.content.decode()


def test_no_navigation_link_refuses_the_role(client: Any, people: dict[str, Any]) -> None:
    for role, user in people.items():
        client.force_login(user)
        page = client.get("/todo/").content.decode()
        nav = page.split('<nav class="side"', 1)[1].split("</nav>", 1)[0]
        links = re.findall(r'href="([^"]+)"', nav)
        assert "/todo/" in links
        for link in links:
            status = client.get(link).status_code
            assert status in (200, 302), f"{role}: {link} answers {status}"
        # The front page and the brand's link too.
        assert client.get("/", follow=True).status_code == 200, role


def test_the_navigation_count_is_the_services(client: Any, people: dict[str, Any]) -> None:
    from ecer.web.accounts.scope import Scope
    from ecer.web.home import todo

    admin = people["city_admin"]
    client.force_login(admin)
    before = todo.for_scope(Scope.for_user(admin), admin)
    assert before is not None
    page = client.get("/todo/").content.decode()
    assert f'<span class="count">{before.total}</span>' in page
    # A figure submitted for review: the home page counts it at once, the nav with it.
    observation = Observation.objects.filter(status=Status.APPROVED).first()
    assert observation is not None
    Observation.objects.filter(pk=observation.pk).update(status=Status.SUBMITTED)
    page = client.get("/todo/").content.decode()
    assert f'<span class="count">{before.total + 1}</span>' in page
    after = todo.for_scope(Scope.for_user(admin), admin)
    assert after is not None
    assert after.counts()["review"] == before.counts()["review"] + 1


def test_a_returned_figure_is_on_the_districts_todo(client: Any, people: dict[str, Any]) -> None:
    district = people["district"]
    figure = Observation.objects.filter(
        target__applies_to_districts=True, area__code="haicheng"
    ).first()
    assert figure is not None
    Observation.objects.filter(pk=figure.pk).update(status=Status.RETURNED)
    client.force_login(district)
    page = client.get("/todo/").content.decode()
    assert re.search(r'data-key="returned">\s*<span class="n">1<', page)
    assert f'href="/observations/{figure.pk}/"' in page


def test_a_refusal_is_a_branded_403_logged_as_info(
    client: Any, people: dict[str, Any], caplog: Any
) -> None:
    client.force_login(people["enterprise"])
    with caplog.at_level(logging.INFO):
        response = client.get("/tasks/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问此页面" in page and 'id="nav-todo"' in page
    assert "Forbidden" not in page
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]
    assert any(r.levelno == logging.INFO and "refused" in r.getMessage() for r in caplog.records)


def test_an_unknown_page_is_a_branded_404(client: Any, people: dict[str, Any]) -> None:
    client.force_login(people["district"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'id="nav-todo"' in page


def test_the_500_page_is_chinese_and_asks_nothing_of_the_database(
    django_assert_num_queries: Any,
) -> None:
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统出错" in page and "返回我的待办" in page
