"""The dashboard and a target page in headless Chromium; screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, live_server: Any, django_user_model: Any) -> None:
    django_user_model.objects.create_superuser("leader", "", "a-long-test-password")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]")


def test_dashboard_in_chromium(
    page: Any, live_server: Any, demo_data: Any, django_user_model: Any
) -> None:
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/?year=2024")
    assert "示例数据" in page.inner_text(".demo-banner")
    assert page.locator("tr[data-target]").count() >= 40
    assert int(page.inner_text("[data-testid=count-behind]")) > 0
    assert page.locator(".status.bad").count() > 0
    screenshot(page, "dashboard")
    # Follow a target from the dashboard to its page.
    page.click("tr[data-target=energy_intensity_decline] a")
    page.wait_for_selector("#history-chart[data-rendered=true]")
    assert page.locator("#history-chart svg path").count() > 5
    assert "铁山港区" in page.inner_text("table.targets")
    screenshot(page, "target-energy-intensity")


def test_district_view_and_english(
    page: Any, live_server: Any, full_demo: Any, django_user_model: Any
) -> None:
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/areas/tieshangang/?year=2024")
    assert "铁山港区" in page.inner_text("h1")
    assert page.locator("tr[data-target=energy_intensity_decline] .status.bad").count() == 1
    screenshot(page, "district-tieshangang")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert "Plan overview" in page.inner_text("nav.side")
    screenshot(page, "district-tieshangang-en")
