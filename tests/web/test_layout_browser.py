"""Every main page for each role at 1440×900 and at 390×844 (issue #22, item 1): the page body
never scrolls sideways on a phone, the current page is highlighted in the navigation, the
console stays clean, and axe-core finds no serious or critical violation. Screenshots go to
test-artifacts/screenshots/layout/.

axe-core (MPL-2.0) is shipped in tests/web/assets/ from the npm package axe-core 4.10.2; it is
evaluated in the page through the DevTools protocol, which the page's Content-Security-Policy
does not govern, so the policy stays as strict as in production.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department
from ecer.web.enterprises.models import Enterprise
from ecer.web.monitoring.models import MonitoringPoint
from ecer.web.navigation import NAVIGATION
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.crawl, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "assets" / "axe.min.js").read_text(encoding="utf-8")
PASSWORD = "pw-for-tests-only-1"
VIEWPORTS = {"desktop": (1440, 900), "phone": (390, 844)}
# Pages that are not in the navigation but are main pages of their own.
DETAIL_PAGES = {
    "city_admin": ["/areas/hepu/", "/targets/energy_intensity_decline/", "/energy/hepu/"],
    "leader": ["/areas/tieshangang/", "/monitoring/points/{point}/"],
    "department": ["/targets/cod_reduction/"],  # a target the ecology department leads
    "district": ["/areas/haicheng/", "/energy/haicheng/"],
    "enterprise": ["/enterprises/{enterprise}/"],
}


def users(django_user_model: Any) -> dict[str, Any]:
    firm = rights_holder()
    memberships = {
        "city_admin": {"role": Role.CITY_ADMIN},
        "leader": {"role": Role.LEADER},
        "department": {
            "role": Role.DEPARTMENT,
            "department": Department.objects.get(code="ecology_environment"),
        },
        "district": {"role": Role.DISTRICT, "area": Area.objects.get(code="haicheng")},
        "enterprise": {"role": Role.ENTERPRISE, "enterprise_code": firm.credit_code},
    }
    made = {}
    for role, membership in memberships.items():
        user = django_user_model.objects.create_user(f"ui-{role}", "", PASSWORD)
        Membership.objects.create(user=user, **membership)
        made[role] = user
    return made


def rights_holder() -> Enterprise:
    """A demo enterprise that also holds rights: every page of its navigation opens."""
    from ecer.web.rights.demo import load_demo
    from ecer.web.rights.models import Account

    list(load_demo())
    firm = (
        Enterprise.objects.filter(credit_code__in=Account.objects.values("code"))
        .order_by("pk")
        .first()
    )
    assert firm is not None, "the demo has an enterprise with a rights account"
    return firm


def axe_violations(page: Any) -> list[dict[str, Any]]:
    page.evaluate(AXE + "\n;true")
    return page.evaluate(  # type: ignore[no-any-return]
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
        }"""
    )


def check_page(page: Any, url: str, name: str, errors: list[str]) -> dict[str, Any]:
    errors.clear()
    response = page.goto(url)
    page.wait_for_load_state("load")
    found = {
        "url": url,
        "status": response.status if response else None,
        "body_width": page.evaluate("document.documentElement.scrollWidth"),
        "viewport": page.viewport_size["width"],
        "current": page.locator("nav.side a.current").count(),
        "errors": list(errors),
        "axe": axe_violations(page),
    }
    screenshot(page, f"layout/{name}")
    return found


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_main_page_for_each_role(
    browser: Any, live_server: Any, full_demo: Any, django_user_model: Any, viewport: str
) -> None:
    accounts = users(django_user_model)
    point = MonitoringPoint.objects.order_by("pk").first()
    firm = rights_holder()
    assert point is not None and firm is not None
    problems = []
    visited = 0
    for role, user in accounts.items():
        width, height = VIEWPORTS[viewport]
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        # The pages of this role's navigation, read from the page itself: what the role sees.
        page.goto(f"{live_server.url}{reverse('quality:findings')}")
        links = page.eval_on_selector_all("nav.side a", "els => els.map(a => a.pathname)")
        assert links, role
        details = [
            p.format(point=point.pk, enterprise=firm.credit_code) for p in DETAIL_PAGES[role]
        ]
        for path in [*links, *details]:
            if path.startswith("/admin/"):
                continue  # Django's own admin pages are not ours to lay out
            name = f"{role}-{viewport}-{path.strip('/').replace('/', '_') or 'home'}"
            found = check_page(page, f"{live_server.url}{path}", name, errors)
            visited += 1
            if found["status"] != 200:
                problems.append(f"{name}: HTTP {found['status']}")
            if found["body_width"] > found["viewport"]:
                problems.append(f"{name}: the page is {found['body_width']} px wide")
            if path in links and found["current"] != 1:
                problems.append(f"{name}: {found['current']} highlighted navigation items")
            if found["errors"]:
                problems.append(f"{name}: console {found['errors']}")
            if found["axe"]:
                problems.append(f"{name}: axe {found['axe']}")
        context.close()
    assert visited >= 40
    assert not problems, "\n".join(problems)


def test_the_menu_folds_on_a_phone_and_opens_without_script(
    browser: Any, live_server: Any, demo_data: Any, django_user_model: Any
) -> None:
    django_user_model.objects.create_superuser("boss", "", PASSWORD)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('monitoring:alarms')}")
    assert not page.locator("nav.side").is_visible()
    page.click("label.nav-toggle-label")
    assert page.locator("nav.side").is_visible()
    current = page.locator("nav.side a.current")
    assert current.inner_text() == "超标与异常报警"
    assert current.get_attribute("aria-current") == "page"
    groups = page.locator("nav.side details > summary").all_inner_texts()
    assert groups == [str(g.label) for g in NAVIGATION]
    crumbs = page.locator("nav.crumbs li").all_inner_texts()
    assert crumbs == ["首页", "企业与监测", "超标与异常报警"]
    screenshot(page, "layout/phone-menu-open")
    # The district switcher is a list of links.
    page.click("#district-switcher summary")
    page.click("#district-switcher a:has-text('合浦县')")
    assert page.url.endswith("/areas/hepu/")
    context.close()
