"""The audit-trail search: its pages keep the query and name the page once."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.web.monitoring.models import MonitoringPoint

pytestmark = pytest.mark.django_db


def test_the_pager_keeps_the_filters_and_names_the_page_once(admin_client: Any) -> None:
    point = MonitoringPoint.objects.create(
        mn="ECERAUDIT000000000000001", name="留痕测试", medium="water", password="1"
    )
    for n in range(60):  # 61 history rows: two pages of 50
        point.name = f"留痕测试 {n}"
        point.save()

    html = admin_client.get("/audit/?model=monitoring.monitoringpoint").content.decode()
    assert 'href="?model=monitoring.monitoringpoint&amp;page=2"' in html
    second = admin_client.get("/audit/?model=monitoring.monitoringpoint&page=2")
    html = second.content.decode()
    assert len(second.context["rows"]) == 11
    assert 'href="?model=monitoring.monitoringpoint&amp;page=1"' in html
    assert "page=2&amp;page" not in html
