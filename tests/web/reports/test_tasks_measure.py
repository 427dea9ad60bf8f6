"""The assessment's key tasks and measures (重点任务与措施落实, plan 五(二)) read the tasks league
table: for every district of the demo, the assessment scores the league page's line for the
fourth quarter of the year, by the share the page shows as 按期率 (``core.tasks.standing_share``).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from ecer.core import assessment as core
from ecer.core import tasks as core_tasks
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Plan
from ecer.web.tasks import services as task_services
from ecer.web.tasks.models import Milestone, ProgressReport

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)


def _report(task: Any, area: str, quarter: int, percent: float, accepted: date | None) -> None:
    ProgressReport.objects.create(
        task=task,
        area=Area.objects.get(code=area),
        year=2024,
        quarter=quarter,
        done_text="按计划推进",
        percent=percent,
        status=Status.APPROVED if accepted else Status.SUBMITTED,
        submitted_at=_moment(accepted or date(2024, 6, 1)),
        reviewed_at=_moment(accepted) if accepted else None,
    )


@pytest.fixture
def clock() -> Iterator[None]:
    """A day after the plan period's 2024: the league and the assessment of 2024 are as of
    31 December 2024 whatever the machine's date."""
    with time_machine.travel(_moment(date(2026, 1, 15)), tick=False):
        yield


@pytest.fixture
def tasks_in_motion(reports_demo: Any) -> Plan:
    """Two district tasks with a mid-2024 milestone (50 %): 银海区 finished both, 海城区 reached
    the milestone on one and missed the other, 合浦县 filed a report the city has not accepted
    (both overdue), 铁山港区 filed nothing (both overdue)."""
    plan = Plan.objects.get()
    first, second = task_services.district_tasks(plan.tasks.order_by("sort_order"))[:2]
    for task in (first, second):
        Milestone.objects.create(task=task, name="年中节点", due=date(2024, 6, 30), percent=50)
        _report(task, "yinhai", 2, 100, date(2024, 6, 20))
    _report(first, "haicheng", 2, 60, date(2024, 6, 25))
    _report(first, "hepu", 2, 55, None)
    return plan


def test_every_districts_assessment_scores_its_league_line(
    tasks_in_motion: Plan, admin_client: Any, clock: None
) -> None:
    from ecer.web.reports import services

    plan = tasks_in_motion
    assert timezone.localdate() == date(2026, 1, 15)
    league = task_services.league(plan, 2024, 4, timezone.localdate())
    rows = {r.unit: r for r in league.districts}
    scheme = services.current_scheme_version().scheme()
    weight = next(i.weight for i in scheme.indicators if i.code is core.IndicatorCode.TASKS)
    assessed = services.assess_year(2024, plan, scheme)
    assert {a.area.name for a in assessed} == set(rows)

    league_page = admin_client.get("/tasks/league/?year=2024&quarter=4").content.decode()
    reports_page = html.unescape(admin_client.get("/reports/?year=2024").content.decode())
    for a in assessed:
        row = rows[a.area.name]
        assert a.input.tasks == row  # the very line of the league table
        share = core_tasks.standing_share(row)
        assert share is not None
        line = a.result.line(core.IndicatorCode.TASKS)
        assert line.points == pytest.approx(weight * share)
        # The league page shows the share; the assessment page the same points and counts.
        cell = f'data-col="standing">{row.standing_percent:.1f}'.rstrip("0").rstrip(".")
        assert cell in league_page.split(f'data-unit="{a.area.name}"', 1)[1].split("</tr>")[0]
        assert line.reason_zh in reports_page

    # Hand-checked (no district task of the plan has a milestone before 2025 but these two):
    # 银海区 is done on both; 海城区 reached 50 % on the first and missed the second; 合浦县's
    # report was never accepted and 铁山港区 filed nothing: both tasks overdue for each.
    n = rows["银海区"].tasks
    assert (rows["银海区"].done, rows["银海区"].overdue) == (2, 0)
    assert (rows["海城区"].done, rows["海城区"].overdue) == (0, 1)
    assert rows["合浦县"].overdue == rows["铁山港区"].overdue == 2
    by_area = {a.area.code: a.result.line(core.IndicatorCode.TASKS).points for a in assessed}
    assert by_area["yinhai"] == pytest.approx(25.0)
    assert by_area["haicheng"] == pytest.approx(25.0 * (n - 1) / n)
    assert by_area["hepu"] == by_area["tieshangang"] == pytest.approx(25.0 * (n - 2) / n)
