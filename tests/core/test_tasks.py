"""Task status from milestones and accepted reports; the league tally (hand-worked)."""

from __future__ import annotations

from datetime import date

import pytest

from ecer.core.tasks import (
    AcceptedReport,
    Milestone,
    TaskStatus,
    league_order,
    league_row,
    reached_on,
    standing_share,
    task_status,
)

PLAN = (Milestone(date(2024, 6, 30), 50), Milestone(date(2025, 12, 31), 100))


def test_it_is_not_started_without_reports() -> None:
    assert task_status(PLAN, [], date(2024, 6, 30)) is TaskStatus.NOT_STARTED


def test_it_is_overdue_the_day_after_a_missed_milestone() -> None:
    reports = [AcceptedReport(date(2024, 4, 10), 30)]
    assert task_status(PLAN, reports, date(2024, 6, 30)) is TaskStatus.IN_PROGRESS
    assert task_status(PLAN, reports, date(2024, 7, 1)) is TaskStatus.OVERDUE


def test_a_late_milestone_stops_being_overdue_once_reached() -> None:
    reports = [AcceptedReport(date(2024, 4, 10), 30), AcceptedReport(date(2024, 8, 2), 55)]
    assert reached_on(PLAN[0], reports) == date(2024, 8, 2)
    assert task_status(PLAN, reports, date(2024, 8, 1)) is TaskStatus.OVERDUE
    assert task_status(PLAN, reports, date(2024, 8, 2)) is TaskStatus.IN_PROGRESS


def test_it_is_done_at_100_percent_even_after_a_late_milestone() -> None:
    reports = [AcceptedReport(date(2024, 9, 1), 100)]
    assert task_status(PLAN, reports, date(2024, 9, 1)) is TaskStatus.DONE


def test_the_latest_accepted_report_counts() -> None:
    # A later report lowering the figure (a correction) lowers the status too.
    reports = [AcceptedReport(date(2024, 3, 1), 100), AcceptedReport(date(2024, 5, 1), 80)]
    assert task_status(PLAN, reports, date(2024, 5, 2)) is TaskStatus.IN_PROGRESS
    # Reports accepted after today do not count yet.
    assert task_status(PLAN, reports, date(2024, 4, 1)) is TaskStatus.DONE


def test_percentages_are_checked() -> None:
    with pytest.raises(ValueError):
        Milestone(date(2024, 1, 1), 0)
    with pytest.raises(ValueError):
        AcceptedReport(date(2024, 1, 1), 101)


def test_league_rows_tally_and_order() -> None:
    a = league_row("a", [TaskStatus.DONE, TaskStatus.OVERDUE, TaskStatus.NOT_STARTED], 1)
    b = league_row("b", [TaskStatus.DONE, TaskStatus.IN_PROGRESS], 0)
    assert (a.done, a.overdue, a.on_time, a.outstanding, a.tasks) == (1, 1, 1, 1, 3)
    assert b.done_percent == 50.0
    assert [r.unit for r in league_order([a, b])] == ["b", "a"]


def test_the_share_in_good_standing_is_done_or_on_time_over_all_tasks() -> None:
    # 五(二) 强化监督考核: 5 tasks — 1 done, 1 in progress, 1 not started (both on time), 2
    # overdue -> (1 + 2) / 5 = 0.6; reports outstanding do not enter it.
    statuses = [TaskStatus.DONE, TaskStatus.IN_PROGRESS, TaskStatus.NOT_STARTED]
    row = league_row("d", [*statuses, TaskStatus.OVERDUE, TaskStatus.OVERDUE], 4)
    assert standing_share(row) == pytest.approx(0.6)
    assert row.standing_percent == pytest.approx(60.0)
    assert standing_share(league_row("none", [], 0)) is None
    assert league_row("none", [], 0).standing_percent is None
