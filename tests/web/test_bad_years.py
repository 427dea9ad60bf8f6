"""No page answers 500 for any year in the query string (issue #21, item 5): every page a role
reaches from its start pages is asked for years before, after and far outside the plan, negative,
fractional and not a number, as each role; and the observation form is sent the same years."""

from __future__ import annotations

import re
import sys
import traceback
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core.signals import got_request_exception
from django.urls import Resolver404, resolve

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department, Target

pytestmark = [pytest.mark.django_db, pytest.mark.crawl]

BAD_YEARS = ["1900", "2026", "2099", "-1", "99999999999", "abc", "2020.5"]
START = ("/todo/", "/", "/energy/", "/projects/", "/reductions/", "/reports/", "/enterprises/")
HREF = re.compile(r'href="(/[^"#?]*)')
SKIP = ("/logout/", "/admin/", "/i18n/", "/static/", "/media/", "/en/", "/api/")


def _users(django_user_model: Any) -> dict[str, Any]:
    from ecer.web.enterprises.models import Enterprise

    def user(name: str, **membership: Any) -> Any:
        made = django_user_model.objects.create_user(name, "", "pw-for-tests-only")
        Membership.objects.create(user=made, **membership)
        return made

    firm = Enterprise.objects.order_by("pk").first()
    assert firm is not None
    return {
        "city_admin": user("cityadmin", role=Role.CITY_ADMIN),
        "leader": user("leader", role=Role.LEADER),
        "department": user(
            "transport", role=Role.DEPARTMENT, department=Department.objects.get(code="transport")
        ),
        "district": user("haicheng", role=Role.DISTRICT, area=Area.objects.get(code="haicheng")),
        "enterprise": user("firm", role=Role.ENTERPRISE, enterprise_code=firm.credit_code),
    }


def _pages(client: Any) -> list[str]:
    """The start pages and every page they link to, one per route, two links deep."""
    seen: dict[str, int] = {}
    routes: set[str] = set()
    queue = list(START)
    depth = {path: 0 for path in queue}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if depth[path] >= 2 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in HREF.findall(response.content.decode()):
            link = urlparse(link).path
            if link in depth or link.startswith(SKIP):
                continue
            try:
                route = resolve(link).route
            except Resolver404:
                continue
            if route in routes:
                continue
            routes.add(route)
            depth[link] = depth[path] + 1
            queue.append(link)
    return [path for path, status in seen.items() if status == 200]


@pytest.fixture
def crashes() -> Any:
    errors: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        exc = sys.exc_info()[1]
        frames = traceback.extract_tb(exc.__traceback__)[-3:] if exc else []
        where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
        errors.append(f"{request.get_full_path()}: {exc!r} at {where}")

    got_request_exception.connect(record)
    yield errors
    got_request_exception.disconnect(record)


# One test per role (the walks are long: so they spread over the suite's workers).
@pytest.mark.parametrize("role", ["city_admin", "leader", "department", "district", "enterprise"])
def test_no_page_answers_500_for_any_year(
    full_demo: Any, client: Any, django_user_model: Any, crashes: list[str], role: str
) -> None:
    client.raise_request_exception = False
    failures = []
    client.force_login(_users(django_user_model)[role])
    pages = _pages(client)
    assert len(pages) > 3, (role, pages)
    for path in pages:
        for year in BAD_YEARS:
            response = client.get(path, {"year": year, "quarter": year})
            if response.status_code >= 500:
                failures.append(f"{role} {path}?year={year}: {response.status_code}")
    assert len(pages) * len(BAD_YEARS) > 100
    assert not failures, "\n".join(failures + crashes)


@pytest.mark.parametrize("year", BAD_YEARS)
def test_the_observation_form_names_a_year_outside_the_plan(
    demo_data: Any, client: Any, django_user_model: Any, year: str
) -> None:
    user = django_user_model.objects.create_user("haicheng", "", "pw-for-tests-only")
    area = Area.objects.get(code="haicheng")
    Membership.objects.create(user=user, role=Role.DISTRICT, area=area)
    client.force_login(user)
    target = Target.objects.filter(applies_to_districts=True).order_by("sort_order").first()
    assert target is not None
    response = client.post(
        "/observations/new/",
        {
            "target": target.pk,
            "area": area.pk,
            "year": year,
            "quarter": 1,
            "value": 1,
            "unit": target.observation_unit,
            "source": "test",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_year_error"' in page
    assert any(text in page for text in ("不在规划期", "输入整数", "输入一个整数", "确保该值")), (
        page
    )
