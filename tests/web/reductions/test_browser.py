"""The reduction overview and a project with a finding, in headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_targets_and_a_contradicted_claim_in_chromium(
    page: Any, live_server: Any, reductions_demo: Any, django_user_model: Any
) -> None:
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/reductions/?year=2024")
    page.wait_for_selector("#progress-chart[data-rendered=true]")
    assert page.locator("#targets tr[data-pollutant]").count() == 4
    vocs = page.locator("#targets tr[data-pollutant=a24088]")
    assert vocs.locator("[data-status=behind][data-level=red] .status.bad").count() == 1
    screenshot(page, "reductions-overview")
    page.click("#projects a:has-text('石化企业废水深度处理工程')")
    finding = page.locator("#findings [data-rule=RD-MONITOR-CONTRADICTS]")
    assert "监测均值" in finding.inner_text()
    assert page.locator("#blocked").count() == 1
    screenshot(page, "reductions-project-finding")
