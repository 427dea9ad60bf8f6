"""The review page of the demo refinery in headless Chromium; screenshot in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_review_shows_the_light_turning_red_in_chromium(
    page: Any, live_server: Any, energy_demo: Any, django_user_model: Any
) -> None:
    from ecer.web.projects.demo import load_demo
    from ecer.web.projects.models import Project

    list(load_demo())
    refinery = Project.objects.get(name__startswith="北海某石化")
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/projects/")
    page.click(f"#projects tr[data-project='{refinery.pk}'] a")
    page.wait_for_selector("#district-chart[data-rendered=true]")
    assert "批准该项目将使铁山港区 2025 年能耗强度预警由黄色变为红色" in page.inner_text("#verdict")
    row = "#review-lights tr[data-area=tieshangang][data-year='2025']"
    before = page.get_attribute(
        f"{row}[data-scenario=baseline] [data-light=intensity]", "data-level"
    )
    after = page.get_attribute(f"{row}[data-scenario=counted] [data-light=intensity]", "data-level")
    assert (before, after) == ("yellow", "red")
    # Observed, three scenarios and the target path: lines drawn in the chart.
    assert page.locator("#district-chart svg path").count() >= 5
    assert "示例数据" in page.inner_text(".demo-banner")
    screenshot(page, "project-review-refinery")
