"""The assessment scheme and the data-quality rules edited on a phone (390 px) in headless
Chromium: the page never scrolls sideways, a wrong weight is shown beside its field, the
preview appears and the save makes a new version; axe-core finds nothing serious.
Screenshots in test-artifacts/screenshots/editors/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.test_layout_browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def phone(browser: Any, live_server: Any, django_user_model: Any) -> Any:
    django_user_model.objects.create_superuser("boss", "", PASSWORD)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    yield page
    context.close()


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []


def test_the_scheme_on_a_phone(phone: Any, live_server: Any, full_demo: Any) -> None:
    from ecer.web.reports.models import SchemeVersion

    phone.goto(f"{live_server.url}/reports/scheme/")
    _fits(phone)
    phone.fill("input[name=ind-0-weight]", "45")
    phone.click("button[value=preview]")
    assert "合计须为 100 分" in phone.inner_text("#scheme-indicators")
    _fits(phone)
    screenshot(phone, "editors/scheme-error-phone")
    phone.fill("input[name=ind-1-weight]", "10")
    phone.click("button[value=preview]")
    phone.wait_for_selector("#scheme-preview")
    _fits(phone)
    screenshot(phone, "editors/scheme-preview-phone")
    phone.fill("input[name=note]", "强度 45 分")
    phone.click("#scheme-save")
    phone.wait_for_selector(".flash")
    assert SchemeVersion.objects.latest("number").note == "强度 45 分"


def test_the_rules_on_a_phone(phone: Any, live_server: Any, full_demo: Any) -> None:
    from ecer.web.quality import services

    phone.goto(f"{live_server.url}/quality/rules/")
    _fits(phone)
    tolerance = "#rule-form input[name$=-tolerance_pct]"
    phone.locator(tolerance).first.fill("-1")
    phone.click("button[value=preview]")
    assert "不能为负数" in phone.inner_text("#rule-form")
    _fits(phone)
    phone.locator(tolerance).first.fill("1")
    phone.click("button[value=preview]")
    phone.wait_for_selector("#rule-preview")
    _fits(phone)
    screenshot(phone, "editors/rules-preview-phone")
    phone.click("#rule-save")
    phone.wait_for_selector(".flash")
    assert services.active_rule_set().version == 2
