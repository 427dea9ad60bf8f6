"""A district files a whole year's figures in Chromium from the list page: the interactions
besides typing the values are counted."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.web.accounts.models import Membership, Role
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Observation, Target
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_district_files_its_year_in_under_ten_interactions(
    page: Any, live_server: Any, loaded_plan: Any, django_user_model: Any
) -> None:
    haicheng = Area.objects.get(code="haicheng")
    user = django_user_model.objects.create_user("hc", "", "a-long-test-password")
    Membership.objects.create(user=user, role=Role.DISTRICT, area=haicheng)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "hc")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]")
    interactions = 0

    def act(what: Any) -> None:
        nonlocal interactions
        interactions += 1
        what()

    page.goto(f"{live_server.url}/observations/")
    act(lambda: page.click("#filing-link"))
    act(lambda: page.select_option("select[name=year]", "2023"))
    page.wait_for_selector("#filing-form")
    inputs = page.locator("#filing-form input[name^=v-]")
    targets = Target.objects.filter(applies_to_districts=True).count()
    assert inputs.count() == targets * 5
    for i in range(inputs.count()):  # typing the values: not counted
        inputs.nth(i).fill(str(10 + i % 5))
    act(lambda: page.click("#filing-submit"))
    page.wait_for_selector(".flash.success")
    assert interactions < 10
    filed = Observation.objects.filter(area=haicheng, year=2023)
    assert filed.count() == targets * 5
    assert set(filed.values_list("status", flat=True)) == {Status.SUBMITTED}
    screenshot(page, "filing-grid-submitted")
