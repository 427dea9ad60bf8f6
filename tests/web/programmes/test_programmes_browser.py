"""The key programmes' pages in headless Chromium at a phone's width (390 px)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ecer.web.catalog.models import Area
from ecer.web.programmes.models import Programme, ProgressEntry, Project
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_library_fits_a_phone_and_a_month_is_reported(
    browser: Any, live_server: Any, loaded_plan: Any, django_user_model: Any
) -> None:
    project = Project.objects.create(
        programme=Programme.objects.get(code="transport_logistics"),
        code="PHONE-1",
        name="港口码头岸电设施改造",
        area=Area.objects.get(code="haicheng"),
        owner_name="示例港务有限公司",
        investment_planned=3800.0,
        start_on=date(2024, 4, 1),
        planned_completion_on=date(2026, 3, 31),
    )
    ProgressEntry.objects.create(
        project=project, month=date(2024, 4, 1), percent=5.0, note="完成岸电箱招标" * 6
    )
    django_user_model.objects.create_superuser("boss", "", "a-long-test-password")
    context = browser.new_context(viewport={"width": 390, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]")
    paths = [
        "/programmes/",
        "/programmes/transport_logistics/",
        f"/programmes/projects/{project.pk}/",
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        # Nothing wider than the phone: wide tables scroll inside their card.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.fill("input[name=month]", "2024-05")
    page.fill("input[name=percent]", "12.5")
    page.fill("input[name=investment_to_date]", "400")
    page.click("form[action$='/progress/'] button[type=submit]")
    assert page.locator("#entries tr[data-month='2024-05']").count() == 1
    screenshot(page, "programmes-project-390")
    context.close()
    assert ProgressEntry.objects.get(month=date(2024, 5, 1)).percent == 12.5
