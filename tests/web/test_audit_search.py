"""The audit-trail search: every matching change, newest first, a page at a time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ecer.web.monitoring.models import MonitoringPoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def point() -> MonitoringPoint:
    return MonitoringPoint.objects.create(
        mn="ECERAUDIT000000000000001", name="留痕测试", medium="water", password="1"
    )


def test_the_pager_keeps_the_filters_and_names_the_page_once(
    admin_client: Any, point: MonitoringPoint
) -> None:
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


def test_every_change_can_be_reached_newest_first(
    admin_client: Any, point: MonitoringPoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ecer.web.audit import views

    # 600 changes of one record (more than were read of any one kind before) and one change
    # of another record in the middle of them.
    [created] = point.history.all()
    history = type(created)
    first = created.history_date
    copies = []
    for n in range(1, 600):
        copy = history.objects.get(pk=created.pk)
        copy.pk = None
        copy.history_date = first + timedelta(minutes=n)
        copy.history_type = "~"
        copies.append(copy)
    history.objects.bulk_create(copies)
    other = MonitoringPoint.objects.create(
        mn="ECERAUDIT000000000000002", name="另一个", medium="gas", password="1"
    )
    other_change = other.history.get()
    other_change.history_date = first + timedelta(minutes=300, seconds=30)
    other_change.save()

    monkeypatch.setattr(views, "SEARCH_PER_PAGE", 100)
    pages = [
        admin_client.get(f"/audit/?model=monitoring.monitoringpoint&page={n}").context
        for n in range(1, 8)
    ]
    times = [row["when"] for context in pages for row in context["rows"]]
    assert pages[0]["page"].paginator.count == len(times) == 601
    assert times == sorted(times, reverse=True)
    assert times[-1] == first
    assert [r["record"].mn for r in pages[2]["rows"] if r["record"].mn.endswith("2")] == [
        other.mn
    ]  # minute 300.5 of 600: the 300th row from the top, on page 3
    # Without a kind chosen, every kind's changes are counted and merged newest first.
    from ecer.web.audit.history import tracked_models

    everything = admin_client.get("/audit/?page=2").context
    assert everything["page"].paginator.count == sum(
        m.history.count() for m in tracked_models().values()
    )
    merged = [row["when"] for row in everything["rows"]]
    assert merged == sorted(merged, reverse=True)


@pytest.mark.django_db
def test_the_history_of_every_tracked_kind_opens(admin_client, loaded_plan):
    """Targets and tasks keep many-to-many changes (departments) in their history."""
    from ecer.web.audit.history import tracked_models
    from ecer.web.catalog.models import Department, Target, Task

    for model in (Target, Task):
        obj = model.objects.first()
        obj.lead_departments.set(Department.objects.all()[:2])
        obj.save()
        obj.lead_departments.set(Department.objects.all()[2:3])
        obj.save()
    opened = 0
    for label, model in tracked_models().items():
        obj = model.objects.first()
        if obj is None:
            continue
        response = admin_client.get(f"/audit/{label}/{obj.pk}/")
        assert response.status_code == 200, label
        opened += 1
    assert opened >= 5
