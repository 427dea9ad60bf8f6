"""Each role signs in and lands on its to-do (待办) with the right counts on the demo data, at
phone width (issue #21, item 1). The demo is the one ``ecer setup --demo`` loads, on
2026-12-05 (after the 2021–2025 plan: what is overdue is the plan's last figures and reports).
Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ecer.web.audit.models import Status
from ecer.web.catalog.models import Target, Task
from ecer.web.enterprises.models import EnergyReport
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def demo(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ECER_REPORTS_INLINE = True
    with time_machine.travel(datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        from django.contrib.auth import get_user_model

        from ecer.web.catalog.setup import run_setup

        list(run_setup(with_demo=True))
        for user in get_user_model().objects.all():
            user.set_password(PASSWORD)
            user.save()
        yield


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def cards(page: Any) -> dict[str, int]:
    found = {}
    for card in page.locator("#todo-counts [data-key]").all():
        found[card.get_attribute("data-key")] = int(card.locator(".n").inner_text())
    return found


def nav_count(page: Any) -> int:
    badge = page.locator("#nav-todo .count")
    return int(badge.inner_text()) if badge.count() else 0


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


def district_tasks() -> int:
    """The tasks of 三 naming the county governments: a district reports on each quarterly."""
    return (
        Task.objects.filter(
            section__clause__startswith="三(", co_departments__code="county_governments"
        )
        .distinct()
        .count()
    )


def test_every_role_lands_on_its_todo_with_the_right_counts(
    phone: Any, live_server: Any, demo: None
) -> None:
    from ecer.web.accounts.scope import Scope
    from ecer.web.home import todo

    base = live_server.url
    submitted = EnergyReport.objects.filter(status=Status.SUBMITTED).count()
    # The demo's five enterprises' 2024 reports wait for the city's review (nothing else does).
    assert submitted == 5
    decomposed = Target.objects.filter(applies_to_districts=True).count()
    expected = {
        # The demo's three ongoing alarms each got a case when the journal judged them
        # (ecer.web.cases): none waits without a handler.
        "admin": {"review": submitted, "findings": 1, "alarms": 0},
        # 海城区 owes each decomposed target's 2025Q4 figure and a 2025Q4 report on each task
        # the districts answer for; nothing of 2026 (the plan has no 2026 period).
        "haicheng": {"to_file": 0, "returned": 0, "overdue": decomposed + district_tasks()},
        # The demo cement works: its 2025 report is missing; its kiln outlet's offline and gap
        # alarms are cases already; its 2024 report disagrees with its meter by 8 % (a finding
        # to rectify).
        "enterprise": {"report": 1, "meter_gaps": 0, "alarms": 0, "rectify": 1},
    }
    from django.contrib.auth import get_user_model

    for username in ("admin", "eeb", "leader", "transport", "haicheng", "enterprise"):
        sign_in(phone, base, username)
        assert phone.url == f"{base}/todo/", f"{username} landed on {phone.url}"
        assert phone.locator("h1").inner_text() == "我的待办"
        user = get_user_model().objects.get(username=username)
        service = todo.for_scope(Scope.for_user(user), user)
        assert service is not None
        shown = cards(phone)
        assert shown == {s.key: s.count for s in service.sections}, username
        for key, count in expected.get(username, {}).items():
            assert shown[key] == count, (username, key, shown)
        assert nav_count(phone) == service.total, username
        if username == "leader":
            items = phone.locator("ol.ranking li")
            assert items.count() == len(service.ranking) > 4
            # Every unit has a one-line reason.
            assert all(r.reason for r in service.ranking)
            assert "逾期" in items.first.inner_text()
        fits_the_phone(phone)
        screenshot(phone, f"todo-{username}-390")
        # The brand and the front page never refuse the role either.
        phone.goto(f"{base}/")
        assert "403" not in phone.title() and phone.locator(".error-code").count() == 0
