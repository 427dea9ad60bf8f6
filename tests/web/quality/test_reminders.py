"""Reminders escalate from the responsible user to the district head to the city
administrator, once per level, on a clock the test controls (time_machine)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from ecer.web.accounts.models import Membership, Role
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area
from ecer.web.enterprises.models import EnergyReport, Enterprise
from ecer.web.notifications.outbox import deliver_due
from ecer.web.quality import reminders
from ecer.web.quality.models import Notification, ReminderSent, UnitHead

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
CODE = "91450521MA5HP0040E"


@pytest.fixture
def firm(loaded_plan: Any, django_user_model: Any, settings: Any) -> dict[str, Any]:
    settings.ECER_DUE_ENTERPRISE_REPORT = "03-31"
    settings.ECER_SCHEDULE_LOOKBACK_DAYS = 40  # the test's items only: a fast run
    hepu = Area.objects.get(code="hepu")
    enterprise = Enterprise.objects.create(
        credit_code=CODE, name="合浦测试水泥", area=hepu, industry_code="3011", industry_name="水泥"
    )

    def user(name: str, **membership: Any) -> Any:
        created = django_user_model.objects.create_user(name, f"{name}@example.org", "pw")
        if membership:
            Membership.objects.create(user=created, **membership)
        return created

    people = {
        "clerk": user("clerk", role=Role.ENTERPRISE, enterprise_code=CODE),
        "head": user("hepu-head", role=Role.DISTRICT, area=hepu),
        "admin": user("city", role=Role.CITY_ADMIN),
    }
    UnitHead.objects.create(user=people["head"], area=hepu)
    return {"enterprise": enterprise, **people}


def told(user: Any) -> list[str]:
    """Reminders about the firm's 2025 report that reached ``user``."""
    return [
        n.body for n in Notification.objects.filter(user=user, title__contains="合浦测试水泥 2025")
    ]


def run_on(day: date) -> None:
    with time_machine.travel(datetime(day.year, day.month, day.day, 9, tzinfo=BEIJING)):
        reminders.remind()


def test_an_unsent_report_escalates_from_clerk_to_head_to_city(firm: dict[str, Any]) -> None:
    run_on(date(2026, 3, 30))  # the day before the due date: nothing yet
    assert told(firm["clerk"]) == []

    run_on(date(2026, 3, 31))  # due today: the enterprise's own user
    assert len(told(firm["clerk"])) == 1 and "截止日" in told(firm["clerk"])[0]
    assert told(firm["head"]) == [] and told(firm["admin"]) == []
    deliver_due()  # e-mail leaves through the notification outbox, after the run
    assert any(m.to == ["clerk@example.org"] for m in mail.outbox)

    run_on(date(2026, 3, 31))  # run again the same day: nothing twice
    run_on(date(2026, 4, 6))
    assert len(told(firm["clerk"])) == 1 and told(firm["head"]) == []

    run_on(date(2026, 4, 7))  # 7 days late: the district head (合浦县)
    assert len(told(firm["head"])) == 1 and "逾期 7 天" in told(firm["head"])[0]
    assert told(firm["admin"]) == []

    run_on(date(2026, 4, 14))  # 14 days late: the city administrator
    assert len(told(firm["admin"])) == 1 and "逾期 14 天" in told(firm["admin"])[0]
    run_on(date(2026, 4, 20))
    assert [len(told(firm[k])) for k in ("clerk", "head", "admin")] == [1, 1, 1]
    levels = ReminderSent.objects.filter(item_key=f"ent:{CODE}:2025").values_list(
        "level", flat=True
    )
    assert sorted(levels) == [1, 2, 3]


def test_a_report_submitted_after_the_head_was_told_stops_the_escalation(
    firm: dict[str, Any],
) -> None:
    run_on(date(2026, 3, 31))
    run_on(date(2026, 4, 8))
    with time_machine.travel(datetime(2026, 4, 10, 10, tzinfo=BEIJING)):
        from django.utils import timezone

        EnergyReport.objects.create(
            enterprise=firm["enterprise"],
            year=2025,
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
    run_on(date(2026, 4, 20))
    assert [len(told(firm[k])) for k in ("clerk", "head", "admin")] == [1, 1, 0]


def test_a_missed_run_catches_up_every_level_once(firm: dict[str, Any]) -> None:
    run_on(date(2026, 4, 15))  # the server was down since before the due date
    assert [len(told(firm[k])) for k in ("clerk", "head", "admin")] == [1, 1, 1]


def test_overdue_items_are_listed_with_their_days(firm: dict[str, Any], client: Any) -> None:
    client.force_login(firm["clerk"])
    with time_machine.travel(datetime(2026, 4, 10, 9, tzinfo=BEIJING)):
        page = client.get("/quality/overdue/").content.decode()
        late = reminders.overdue_items(date(2026, 4, 10))
    assert "合浦测试水泥 2025 年能源利用状况报告" in page
    entry = next(e for e in late if e.item.key == f"ent:{CODE}:2025")
    assert entry.item.due == date(2026, 3, 31)
    # An enterprise user sees only its own items.
    assert "能耗与生产总值数据" not in page


def test_the_cli_sends_reminders_for_a_given_date(firm: dict[str, Any], capsys: Any) -> None:
    from ecer.web.cli import _quality_remind

    class Args:
        date = "2026-04-07"

    assert _quality_remind(Args()) == 0  # type: ignore[arg-type]
    assert "报送提醒" in capsys.readouterr().out
    assert len(told(firm["head"])) == 1
