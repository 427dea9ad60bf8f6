"""Key programme projects (重点工程, 三(一)…三(十)): status and roll-up, worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from ecer.core.programmes import (
    Progress,
    ProjectFigures,
    ProjectStatus,
    Schedule,
    expected_percent,
    investment_completed,
    project_status,
    summarise,
)

# 2024-01-01 → 2024-12-31 is 365 days (2024 is a leap year: Jan 1 to Dec 31 is 365 days).
YEAR_2024 = Schedule(date(2024, 1, 1), date(2024, 12, 31))


def test_expected_share_is_the_elapsed_share_of_the_schedule() -> None:
    # 2024-07-01 is day 182 after 2024-01-01: 182 / 365 = 49.863 %.
    assert expected_percent(YEAR_2024, date(2024, 7, 1)) == pytest.approx(49.8630, abs=1e-4)
    assert expected_percent(YEAR_2024, date(2023, 12, 31)) == 0.0
    assert expected_percent(YEAR_2024, date(2024, 12, 31)) == 100.0


@pytest.mark.parametrize(
    ("reports", "on", "status"),
    [
        # Before the start: not started, whatever is reported.
        ([], date(2023, 12, 1), ProjectStatus.NOT_STARTED),
        # 2024-01-20: 19/365 = 5.2 % expected, nothing reported, within the 10-point margin.
        ([], date(2024, 1, 20), ProjectStatus.NOT_STARTED),
        # 2024-02-15: 45/365 = 12.3 % expected, nothing done: 0 + 10 < 12.3 -> behind.
        ([], date(2024, 2, 15), ProjectStatus.BEHIND),
        # 2024-07-01: 49.9 % expected; 40 % reported in June: 40 + 10 = 50 >= 49.9 -> on schedule.
        ([Progress(date(2024, 6, 1), 40.0)], date(2024, 7, 1), ProjectStatus.ON_SCHEDULE),
        # Same day, 39 % reported: 39 + 10 = 49 < 49.9 -> behind.
        ([Progress(date(2024, 6, 1), 39.0)], date(2024, 7, 1), ProjectStatus.BEHIND),
        # A report for a month not yet begun does not count: July's 90 % is ignored on 06-30
        # (181/365 = 49.6 % expected; June's 30 % + 10 = 40 < 49.6 -> behind).
        (
            [Progress(date(2024, 6, 1), 30.0), Progress(date(2024, 7, 1), 90.0)],
            date(2024, 6, 30),
            ProjectStatus.BEHIND,
        ),
        # Past the planned completion without an actual completion: overdue, even at 100 %.
        ([Progress(date(2024, 12, 1), 100.0)], date(2025, 1, 1), ProjectStatus.OVERDUE),
    ],
)
def test_status_worked_examples(reports: list[Progress], on: date, status: ProjectStatus) -> None:
    assert project_status(YEAR_2024, reports, on) == status


def test_completion_wins_and_only_from_its_day() -> None:
    finished = Schedule(date(2024, 1, 1), date(2024, 12, 31), date(2025, 3, 1))
    # Finished late: overdue on 2025-02-28, completed from 2025-03-01.
    assert project_status(finished, [], date(2025, 2, 28)) == ProjectStatus.OVERDUE
    assert project_status(finished, [], date(2025, 3, 1)) == ProjectStatus.COMPLETED
    early = Schedule(date(2024, 1, 1), date(2024, 12, 31), date(2024, 9, 30))
    assert project_status(early, [], date(2024, 10, 1)) == ProjectStatus.COMPLETED


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="before the start"):
        Schedule(date(2024, 5, 1), date(2024, 4, 30))
    with pytest.raises(ValueError, match="percent"):
        Progress(date(2024, 5, 1), 101.0)
    with pytest.raises(ValueError, match="percent"):
        Progress(date(2024, 5, 1), float("nan"))
    with pytest.raises(ValueError, match="investment"):
        Progress(date(2024, 5, 1), 10.0, float("nan"))


def test_investment_completed_is_the_latest_stated_figure() -> None:
    reports = [
        Progress(date(2024, 3, 1), 20.0, 300.0),
        Progress(date(2024, 4, 1), 30.0, None),  # April states no figure: March's stands
        Progress(date(2024, 5, 1), 45.0, 700.0),
    ]
    assert investment_completed(reports, date(2024, 4, 30)) == 300.0
    assert investment_completed(reports, date(2024, 5, 1)) == 700.0
    assert investment_completed(reports, date(2024, 2, 1)) is None


def test_a_programme_adds_up_its_projects() -> None:
    summary = summarise(
        [
            ProjectFigures(ProjectStatus.COMPLETED, 1200.0, 1150.0, 800.0, {"nox": 12.5}),
            ProjectFigures(ProjectStatus.BEHIND, 3000.0, 900.0, 2500.0, {"nox": 30.0}),
            ProjectFigures(ProjectStatus.NOT_STARTED, 800.0, None, None, {"vocs": 4.0}),
        ]
    )
    assert summary.projects == 3
    assert summary.counts[ProjectStatus.COMPLETED] == 1
    assert summary.counts[ProjectStatus.BEHIND] == 1
    assert summary.counts[ProjectStatus.NOT_STARTED] == 1
    assert summary.counts[ProjectStatus.OVERDUE] == 0
    # Planned 1200 + 3000 + 800 = 5000 万元; completed 1150 + 900 = 2050; 2050 / 5000 = 41 %.
    assert summary.investment_planned == 5000.0
    assert summary.investment_completed == 2050.0
    assert summary.investment_completion_pct == pytest.approx(41.0)
    assert summary.saving_tce == 3300.0
    assert summary.reductions_t == {"cod": 0.0, "nh3n": 0.0, "nox": 42.5, "vocs": 4.0}
    empty = summarise([])
    assert empty.projects == 0 and empty.investment_completion_pct is None
