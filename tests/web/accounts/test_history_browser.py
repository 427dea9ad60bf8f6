"""A figure entered by a district, corrected by the city: its history page lists each change
with its author (headless Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.accounts.conftest import PASSWORD, World
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_history_shows_each_change_and_its_author(
    page: Any, live_server: Any, world: World
) -> None:
    unit = world.own_target.observation_unit
    # The district user enters a figure and submits it.
    sign_in(page, live_server, "haicheng")
    page.goto(f"{live_server.url}/observations/new/")
    page.select_option("select[name=target]", str(world.own_target.pk))
    page.select_option("select[name=area]", label="海城区")
    page.fill("input[name=year]", "2023")
    page.fill("input[name=value]", "0.266")
    page.fill("input[name=unit]", unit)
    page.click("button[name=submit]")
    page.wait_for_selector("[data-testid=status]")
    assert page.inner_text("[data-testid=status]") == "已提交"
    url = page.url
    page.click("form.inline button[type=submit]")  # sign out
    # The city administrator approves it, then corrects it with a reason.
    sign_in(page, live_server, "cityadmin")
    page.goto(url)
    # 0.266 against the world's 2022 figure of 1.0 is a −73 % change: the data-quality
    # warning (OBS-INTENSITY-YOY) needs the reviewer's justification.
    page.fill("textarea[name=justification]", "2022 年数值为测试占位")
    page.click("button[name=approve]")
    page.wait_for_selector("[data-testid=status]")
    assert page.inner_text("[data-testid=status]") == "已审核"
    page.fill("input[name=value]", "0.271")
    page.fill("textarea[name=reason]", "统计局年报修订")
    page.click("button[name=correct]")
    page.wait_for_selector("[data-testid=value]")
    assert "0.271" in page.inner_text("[data-testid=value]")
    page.click("text=修改历史")
    page.wait_for_selector("#history")
    rows = page.locator("tr.history-entry")
    authors = [rows.nth(i).locator(".who").inner_text() for i in range(rows.count())]
    # Newest first: the correction, the approval (city admin), the submission, the creation.
    assert authors[0] == "cityadmin" and authors[-1] == "haicheng"
    text = page.inner_text("#history")
    assert "0.266" in text and "0.271" in text and "统计局年报修订" in text
    screenshot(page, "observation-history")
