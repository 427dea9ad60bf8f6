"""A monitoring point page in headless Chromium: the chart is drawn, the alarm is listed,
and its times are Beijing time whatever the browser's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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


@pytest.fixture
def utc_page(browser: Any) -> Iterator[Any]:
    """A page in a browser whose time zone is UTC, eight hours behind Beijing."""
    context = browser.new_context(
        viewport={"width": 1360, "height": 900}, locale="zh-CN", timezone_id="UTC"
    )
    yield context.new_page()
    context.close()


# The pixel, relative to the chart, of the first point of the first series.
FIRST_POINT = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById("measurement-chart"));
  return chart.convertToPixel({seriesIndex: 0}, chart.getOption().series[0].data[0].value);
}"""


def test_chart_shows_beijing_time_in_a_browser_in_utc(
    utc_page: Any, live_server: Any, loaded_plan: Any, django_user_model: Any
) -> None:
    # Demo data up to 2024-03-05 09:00 Beijing time; the page shows that day from 00:00.
    ensure_demo_points(datetime(2024, 3, 5, 10, 20, tzinfo=ZoneInfo("Asia/Shanghai")))
    page = utc_page
    login(page, live_server, django_user_model)
    power = MonitoringPoint.objects.get(mn="ECERDEMO0000000000000002")
    page.goto(f"{live_server.url}/monitoring/points/{power.pk}/?start=2024-03-05&end=2024-03-05")
    page.wait_for_selector("#measurement-chart[data-rendered=true]")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    chart = page.locator("#measurement-chart")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    x, y = page.evaluate(FIRST_POINT)
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_function(
        "document.getElementById('measurement-chart').innerText.includes('监测值')"
    )
    # Beijing midnight, not 16:00 the day before (the same instant in UTC).
    assert "2024-03-05 00:00:00" in chart.inner_text()
    chart.screenshot(path=str(ARTIFACTS / "screenshots" / "monitoring-point-chart-utc.png"))
