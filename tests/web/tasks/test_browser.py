"""End to end in headless Chromium at phone width (390 px): a department files a quarterly
report with an attachment, the city returns it with a reason, the department corrects and
resubmits, the city accepts; the task's status and the league table change; the history shows
each step (issue 20). Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Department
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-1"
TASK = "vehicle_inspection_maintenance"  # 三(四), led by 市交通运输局
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def in_2025q4(settings: Any) -> Iterator[None]:
    # The plan's last quarter; sessions end with the browser, so the browser's own clock does
    # not expire the cookie the travelled server sets.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    with time_machine.travel(datetime(2025, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        yield


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


def league_cells(page: Any, base: str) -> dict[str, str]:
    page.goto(f"{base}/tasks/league/?year=2025&quarter=4")
    row = page.locator("#league tr[data-kind=department][data-unit=市交通运输局]")
    return {
        c: row.locator(f"[data-col={c}]").inner_text()
        for c in ("overdue", "on_time", "outstanding")
    }


def test_a_report_goes_round_and_is_accepted(
    phone: Any,
    live_server: Any,
    loaded_plan: Any,
    django_user_model: Any,
    settings: Any,
    tmp_path: Path,
    in_2025q4: None,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    for name, membership in (
        ("city", {"role": Role.CITY_ADMIN}),
        (
            "transport",
            {"role": Role.DEPARTMENT, "department": Department.objects.get(code="transport")},
        ),
    ):
        user = django_user_model.objects.create_user(name, "", PASSWORD)
        Membership.objects.create(user=user, **membership)
    base = live_server.url
    evidence = tmp_path / "检验维护制度.pdf"
    evidence.write_bytes(PDF)
    page = phone

    # The city sets a milestone already missed: the task is overdue.
    sign_in(page, base, "city")
    page.goto(f"{base}/tasks/{TASK}/")
    page.fill("input[name=name]", "制度建设方案印发")
    page.fill("input[name=due]", "2025-11-15")
    page.fill("input[name=percent]", "50")
    with page.expect_navigation():
        page.click("form[action$='/milestones/'] button[type=submit]")
    assert page.get_attribute("#task-status", "data-status") == "overdue"
    before = league_cells(page, base)
    assert int(before["overdue"]) >= 1

    # The department files its 2025Q4 report with an attachment and submits it.
    sign_in(page, base, "transport")
    page.goto(f"{base}/tasks/")
    page.click(f"tr[data-task={TASK}] a")
    page.click("#new-report")
    page.fill("input[name=year]", "2025")
    page.select_option("select[name=quarter]", "4")
    page.fill("textarea[name=done_text]", "起草了汽车排放检验与维护制度")
    page.fill("input[name=percent]", "40")
    page.set_input_files("input[name=file]", str(evidence))
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    assert "检验维护制度.pdf" in page.inner_text("#evidence")
    fits_the_phone(page)
    screenshot(page, "task-report-draft-390")
    with page.expect_navigation():
        page.click("#submit-report")
    assert page.get_attribute("#review-status", "data-review") == "submitted"
    report_url = page.url

    # The city returns it with a reason.
    sign_in(page, base, "city")
    page.goto(report_url)
    page.fill("#review textarea[name=reason]", "进度未达到节点要求的50%，请补充印发文件")
    with page.expect_navigation():
        page.click("#return")
    assert page.get_attribute("#review-status", "data-review") == "returned"

    # The department sees the reason, corrects and resubmits.
    sign_in(page, base, "transport")
    page.goto(report_url)
    assert "请补充印发文件" in page.inner_text("#return-reason")
    page.click("#edit-report")
    page.fill("input[name=percent]", "60")
    page.fill("textarea[name=done_text]", "制度已印发实施")
    with page.expect_navigation():
        page.click("#report-form button[type=submit]")
    with page.expect_navigation():
        page.click("#submit-report")

    # The city accepts: the milestone is reached, the task is no longer overdue.
    sign_in(page, base, "city")
    page.goto(report_url)
    with page.expect_navigation():
        page.click("#accept")
    assert page.get_attribute("#review-status", "data-review") == "approved"
    fits_the_phone(page)
    assert page.locator("#versions tbody tr").count() == 2
    steps = page.locator("#history li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert steps == [
        "created",
        "evidence",
        "submitted",
        "returned",
        "edited",
        "submitted",
        "accepted",
    ]
    page.goto(f"{base}/tasks/{TASK}/")
    assert page.get_attribute("#task-status", "data-status") == "in_progress"
    history = page.inner_text("#history")
    assert "退回" in history and "审核通过" in history and "请补充印发文件" in history
    fits_the_phone(page)
    screenshot(page, "task-detail-390")
    after = league_cells(page, base)
    assert int(after["overdue"]) == int(before["overdue"]) - 1
    assert int(after["on_time"]) == int(before["on_time"]) + 1
    assert int(after["outstanding"]) == int(before["outstanding"]) - 1
    fits_the_phone(page)
    screenshot(page, "task-league-390")
