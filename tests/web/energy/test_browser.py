"""The dual-control pages in headless Chromium; screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dual_control_lights_and_waterfall_in_chromium(
    page: Any, live_server: Any, energy_demo: Any, django_user_model: Any
) -> None:
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/energy/?year=2024")
    page.wait_for_selector("#comparison-chart[data-rendered=true]")
    assert page.locator("#comparison tr[data-area]").count() == 5
    assert page.locator("#comparison tr[data-area=tieshangang] .light.red").count() == 2
    assert page.locator("#comparison tr[data-area=hepu] .light.yellow").count() == 2
    assert page.locator("#comparison tr[data-area=haicheng] .light.green").count() == 2
    screenshot(page, "energy-overview")

    page.click("#comparison tr[data-area=tieshangang] a")
    page.wait_for_selector("#waterfall-chart[data-rendered=true]")
    assert "铁山港区" in page.inner_text("h1")
    assert page.get_attribute("#lights [data-kind=intensity]", "data-level") == "red"
    assert page.get_attribute("#lights [data-kind=total]", "data-level") == "red"
    # Start, four effects and end: at least six visible bars drawn in the waterfall.
    assert page.locator("#waterfall-chart svg path").count() >= 6
    assert page.locator("#lmdi tr[data-step]").count() == 6
    assert "单列重大项目能耗" in page.inner_text("#gross-assessed")
    screenshot(page, "energy-district-tieshangang")


def test_a_broken_workbook_is_refused_in_chromium(
    page: Any, live_server: Any, energy_demo: Any, django_user_model: Any, tmp_path: Any
) -> None:
    from ecer.web.energy.io import rows_workbook

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(
        rows_workbook(
            [{"area": "hepu", "year": 2024, "gdp_current_10k_yuan": "很多", "gdp_index": 106}],
            [{"area": "hepu", "year": 2024, "carrier": "diesel", "quantity": 10, "unit": "kWh"}],
        )
    )
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/energy/import/")
    page.set_input_files("input[type=file]", str(broken))
    page.click("main button[type=submit]")
    page.wait_for_selector("#import-errors")
    text = page.inner_text("#import-errors")
    assert "必须是数字，收到 “很多”" in text
    assert "单位 “kWh” 不适用于柴油" in text
    screenshot(page, "energy-import-errors")
