"""A monitoring point page in headless Chromium: the chart is drawn, the alarm is listed."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from ecer.web.monitoring.demo import ensure_demo_points
from ecer.web.monitoring.models import MonitoringPoint
from tests.web.conftest import ARTIFACTS, screenshot
from tests.web.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_point_page_draws_the_chart_and_lists_the_exceedance(
    page: Any, live_server: Any, loaded_plan: Any, django_user_model: Any
) -> None:
    ensure_demo_points(timezone.now())
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/monitoring/")
    assert page.locator("tr[data-point]").count() == 4
    assert page.locator("[data-testid=offline]").count() == 1
    screenshot(page, "monitoring-points")
    power = MonitoringPoint.objects.get(mn="ECERDEMO0000000000000002")
    page.click(f"tr[data-point={power.mn}] a")
    page.wait_for_selector("#measurement-chart[data-rendered=true]")
    canvas = page.locator("#measurement-chart canvas")
    assert canvas.count() >= 1
    box = canvas.first.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 300
    alarm = page.locator("tr[data-alarm=exceedance]")
    assert alarm.count() == 1
    assert "氮氧化物" in alarm.inner_text() and "未结束" in alarm.inner_text()
    assert "示例数据" in page.inner_text(".demo-banner")
    screenshot(page, "monitoring-point-exceedance")
    page.locator("#measurement-chart").screenshot(
        path=str(ARTIFACTS / "screenshots" / "monitoring-point-chart.png")
    )
