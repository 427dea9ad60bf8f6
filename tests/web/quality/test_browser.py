"""The blocked approval and its justification in headless Chromium; screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.quality.conftest import CEMENT
from tests.web.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_contradicting_its_meter_needs_a_justification_in_chromium(
    page: Any, live_server: Any, cement: Any, django_user_model: Any
) -> None:
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/enterprises/{CEMENT}/reports/2024/")
    assert "相差 8.0%" in page.inner_text("#quality-findings")
    page.click(".approve-form button[name=approve]")
    page.wait_for_selector("p.flash.error")
    assert "须说明理由" in page.inner_text("p.flash.error")
    assert page.inner_text("#status") == "已提交"
    screenshot(page, "quality-approval-blocked")

    page.fill(".approve-form textarea[name=justification]", "电能表经检定偏快，以年报为准")
    page.click(".approve-form button[name=approve]")
    page.wait_for_selector("p.override")
    assert page.inner_text("#status") == "已审核"
    assert "电能表经检定偏快，以年报为准" in page.inner_text("p.override")
    assert "已说明理由通过" in page.inner_text("#quality-findings")
    screenshot(page, "quality-approval-justified")
