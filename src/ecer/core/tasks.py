"""Plan tasks (工作任务): a task's status computed from its milestones and accepted progress
reports, never typed; and the league table's tally per responsible unit (issue 20).

A milestone is a checkpoint on the task's completion scale: ``percent`` complete by ``due``.
It is reached on the first day an accepted report states at least that percentage (the city's
acceptance is what makes a figure count, 五(二) 强化监督考核). Status, in order of precedence:

- ``done``: the latest accepted report states 100 %;
- ``overdue``: a milestone's due date has passed (``due < today``) and it was not reached by
  then — a milestone reached late stops being overdue only when it is reached;
- ``in_progress``: some accepted report states more than 0 %;
- ``not_started``: otherwise.

Dates are :class:`datetime.date` (days, local time of the city); the clock is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class TaskStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    DONE = "done"


@dataclass(frozen=True)
class Milestone:
    """due: The day the checkpoint is due. percent: Completion it stands for [%], 0 < p <= 100."""

    due: date
    percent: float

    def __post_init__(self) -> None:
        if not 0 < self.percent <= 100:
            raise ValueError(f"a milestone stands for 0 < percent <= 100, got {self.percent}")


@dataclass(frozen=True)
class AcceptedReport:
    """accepted_on: Day the city accepted it. percent: Completion the report states [%]."""

    accepted_on: date
    percent: float

    def __post_init__(self) -> None:
        if not 0 <= self.percent <= 100:
            raise ValueError(f"a report states 0 <= percent <= 100, got {self.percent}")


def reached_on(milestone: Milestone, reports: Iterable[AcceptedReport]) -> date | None:
    """The first day an accepted report states at least the milestone's percentage."""
    days = [r.accepted_on for r in reports if r.percent >= milestone.percent]
    return min(days) if days else None


def latest_percent(reports: Sequence[AcceptedReport]) -> float | None:
    """Completion stated by the most recently accepted report [%] (None: none accepted)."""
    if not reports:
        return None
    return max(reports, key=lambda r: r.accepted_on).percent


def missed(milestones: Iterable[Milestone], reports: Sequence[AcceptedReport], today: date) -> int:
    """Milestones past their due date and not reached by today."""
    return sum(1 for m in milestones if m.due < today and reached_on(m, reports) is None)


def task_status(
    milestones: Sequence[Milestone], reports: Sequence[AcceptedReport], today: date
) -> TaskStatus:
    """The status of a task (module docstring: done > overdue > in progress > not started)."""
    reports = [r for r in reports if r.accepted_on <= today]
    percent = latest_percent(reports)
    if percent is not None and percent >= 100:
        return TaskStatus.DONE
    if missed(milestones, reports, today):
        return TaskStatus.OVERDUE
    if percent is not None and percent > 0:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED


@dataclass(frozen=True)
class LeagueRow:
    """One unit's line of the league table (部门任务完成情况).

    on_time: tasks neither done nor overdue; outstanding: reports due for the period and not
    submitted.
    """

    unit: str
    done: int
    overdue: int
    on_time: int
    outstanding: int

    @property
    def tasks(self) -> int:
        return self.done + self.overdue + self.on_time

    @property
    def done_percent(self) -> float | None:
        """Share of the unit's tasks done [%] (None: no task)."""
        return None if not self.tasks else 100.0 * self.done / self.tasks

    @property
    def standing_percent(self) -> float | None:
        """Share of the tasks in good standing [%] (None: no task): :func:`standing_share`."""
        share = standing_share(self)
        return None if share is None else 100.0 * share


def standing_share(row: LeagueRow) -> float | None:
    """Share of a unit's tasks in good standing — done or on time, i.e. not overdue [0..1]
    (None: no task).

    The one measure of "measures carried out" (措施落实): the league table shows it as 按期率,
    and the district assessment scores its tasks-and-measures indicator by it (plan 五(二),
    ``ecer.core.assessment``), so the two cannot disagree. Reports outstanding are shown, not
    scored: the scheme's late-reporting deduction is the city's call.
    """
    return None if not row.tasks else (row.done + row.on_time) / row.tasks


def league_row(unit: str, statuses: Iterable[TaskStatus], outstanding: int) -> LeagueRow:
    """Tally a unit's task statuses: done, overdue, and the rest on time."""
    counted = list(statuses)
    done = sum(s is TaskStatus.DONE for s in counted)
    overdue = sum(s is TaskStatus.OVERDUE for s in counted)
    return LeagueRow(unit, done, overdue, len(counted) - done - overdue, outstanding)


def league_order(rows: Iterable[LeagueRow]) -> list[LeagueRow]:
    """Fewest overdue tasks first, then fewest outstanding reports, then most done."""
    return sorted(rows, key=lambda r: (r.overdue, r.outstanding, -r.done, r.unit))
