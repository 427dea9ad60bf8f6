"""The leaders' views in headless Chromium: the big screen refreshes its panels again and
again without console errors or heap growth, every panel filled; the map, the light table and
the phone page fit a 390 px phone.

The issue asks for 30 minutes at a 30 s refresh; by default this runs 15 refreshes at 2 s.
The long run: ``ECER_SCREEN_REFRESHES=60 ECER_SCREEN_SECONDS=30 .venv/bin/python -m pytest
tests/web/leaders/test_leaders_browser.py -k screen`` (60 × 30 s = 30 minutes)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import login
from tests.web.test_layout_browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFRESHES = int(os.environ.get("ECER_SCREEN_REFRESHES", "15"))
SECONDS = int(os.environ.get("ECER_SCREEN_SECONDS", "2"))
PANELS = ("targets", "map", "ranking", "monitoring", "reductions", "trend")


def _heap(cdp: Any) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize"))


def _wait_for(page: Any, count: int, wait: dict[str, int]) -> None:
    # A selector, not wait_for_function: the CSP forbids evaluating strings (no unsafe-eval).
    page.wait_for_selector(f'#panels[data-refreshed="{count}"]', state="attached", **wait)


def _refreshed(page: Any) -> int:
    return int(page.get_attribute("#panels", "data-refreshed"))


def test_the_big_screen_refreshes_without_errors_or_heap_growth(
    browser: Any, live_server: Any, full_demo: Any, django_user_model: Any
) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/leaders/screen/?year=2024&refresh={SECONDS}")
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    wait = {"timeout": (SECONDS * 10 + 120) * 1000}
    # Warm up: the first refreshes allocate what every later one reuses.
    _wait_for(page, 2, wait)
    before = _heap(cdp)
    target = _refreshed(page) + REFRESHES
    while _refreshed(page) < target:
        _wait_for(page, _refreshed(page) + 1, wait)
    after = _heap(cdp)
    assert not errors, errors
    assert after < before * 1.2, (before, after)
    assert "stale" not in (page.get_attribute("body", "class") or "")
    for panel in PANELS:
        text = page.inner_text(f"[data-panel={panel}]")
        assert len(text.strip()) > 6, panel
    assert page.locator("[data-panel=map] path.district").count() == 4
    assert page.locator("[data-panel=targets] svg.ring").count() >= 4
    size = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size == [1920, 1080], size  # one screen, no scrolling
    assert not axe_violations(page)
    screenshot(page, "leaders-big-screen")
    context.close()


@pytest.mark.parametrize("path", ["/leaders/phone/", "/leaders/map/", "/leaders/lights/"])
def test_the_leaders_pages_fit_a_phone(
    browser: Any, live_server: Any, full_demo: Any, django_user_model: Any, path: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server, django_user_model)
    response = page.goto(f"{live_server.url}{path}?year=2024")
    assert response is not None and response.status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    assert not axe_violations(page), path  # the checks every page passes (test_layout_browser)
    screenshot(page, "leaders-phone-" + path.strip("/").replace("/", "-"))
    context.close()
