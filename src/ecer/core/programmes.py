"""Key programmes (重点工程, plan 三(一)…三(十)): a project's status from its schedule and its
monthly progress, and a programme's roll-up of its projects.

A project has a start date, a planned completion date and, once finished, an actual
completion date; each month its owner reports the share of the work done [%] and the
investment completed to date [万元]. The plan gives no formula for "on schedule": the platform
uses the plan's own reading of time against work (五(二) 强化监督考核 judges progress against the
elapsed share of the period, as ``ecer.core.progress`` does for targets): the work expected by
a day is the elapsed share of the project's own schedule, and a project is behind when its
latest reported share trails it by more than ``BEHIND_MARGIN_PCT`` percentage points.

Status, in order of precedence, on the day ``on``:

- ``completed``: an actual completion date on or before ``on``;
- ``overdue``: ``on`` is after the planned completion date and the project is not completed;
- ``not_started``: ``on`` is before the start date, or no work is reported (0 % or no report)
  while the expected share is still within the margin;
- ``behind``: the latest reported share (0 without a report) plus the margin is below the
  expected share;
- ``on_schedule``: otherwise.

Dates are :class:`datetime.date` (days, local time of the city); the clock is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

# How far [percentage points] the reported share may trail the elapsed share of the schedule
# before a project counts as behind (a platform convention; the plan states no margin).
BEHIND_MARGIN_PCT = 10.0

POLLUTANTS = ("cod", "nh3n", "nox", "vocs")  # the four of 二 (重点工程减排量)


class ProjectStatus(StrEnum):
    NOT_STARTED = "not_started"
    ON_SCHEDULE = "on_schedule"
    BEHIND = "behind"
    COMPLETED = "completed"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Schedule:
    """start: First day of work. planned_completion: Day it is due to finish (not before start).
    actual_completion: Day it finished, None while it has not."""

    start: date
    planned_completion: date
    actual_completion: date | None = None

    def __post_init__(self) -> None:
        if self.planned_completion < self.start:
            raise ValueError(
                f"planned completion {self.planned_completion} is before the start {self.start}"
            )
        if self.actual_completion is not None and self.actual_completion < self.start:
            raise ValueError(
                f"actual completion {self.actual_completion} is before the start {self.start}"
            )


@dataclass(frozen=True)
class Progress:
    """One monthly report. month: First day of the month reported. percent: Work done [%],
    0–100. investment_to_date: Investment completed since the start [万元], None if not given."""

    month: date
    percent: float
    investment_to_date: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.percent <= 100:
            raise ValueError(f"a progress report states 0 <= percent <= 100, got {self.percent}")
        if self.investment_to_date is not None and not self.investment_to_date >= 0:
            raise ValueError(f"investment to date must be >= 0, got {self.investment_to_date}")


def expected_percent(schedule: Schedule, on: date) -> float:
    """Work expected to be done by the end of ``on`` [%]: the elapsed share of the schedule's
    days, 0 before the start and 100 from the planned completion on."""
    if on < schedule.start:
        return 0.0
    if on >= schedule.planned_completion:
        return 100.0
    total = (schedule.planned_completion - schedule.start).days
    return 100.0 * (on - schedule.start).days / total


def latest(reports: Iterable[Progress], on: date) -> Progress | None:
    """The last report of a month that has begun by ``on``."""
    known = [r for r in reports if r.month <= on]
    return max(known, key=lambda r: r.month) if known else None


def project_status(
    schedule: Schedule,
    reports: Iterable[Progress],
    on: date,
    margin_pct: float = BEHIND_MARGIN_PCT,
) -> ProjectStatus:
    """The project's status on ``on`` (see the module docstring for the rules)."""
    if schedule.actual_completion is not None and schedule.actual_completion <= on:
        return ProjectStatus.COMPLETED
    if on > schedule.planned_completion:
        return ProjectStatus.OVERDUE
    expected = expected_percent(schedule, on)
    last = latest(reports, on)
    done = 0.0 if last is None else last.percent
    if on < schedule.start or (done == 0 and expected <= margin_pct):
        return ProjectStatus.NOT_STARTED
    if done + margin_pct < expected:
        return ProjectStatus.BEHIND
    return ProjectStatus.ON_SCHEDULE


@dataclass(frozen=True)
class ProjectFigures:
    """What a programme adds up of one project. investment_planned and investment_completed
    [万元]; saving_tce: expected yearly energy saving [tce]; reductions: expected reductions
    by pollutant code [t]."""

    status: ProjectStatus
    investment_planned: float
    investment_completed: float | None = None
    saving_tce: float | None = None
    reductions: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ProgrammeSummary:
    """counts: Projects by status (every status present). investment_completion_pct: completed
    over planned investment [%], None when nothing is planned. saving_tce, reductions_t: sums
    of what the projects expect [tce], [t by pollutant]."""

    projects: int
    counts: dict[ProjectStatus, int]
    investment_planned: float
    investment_completed: float
    investment_completion_pct: float | None
    saving_tce: float
    reductions_t: dict[str, float]


def investment_completed(reports: Sequence[Progress], on: date) -> float | None:
    """Investment completed to date per the latest report that states it [万元]."""
    stated = [r for r in reports if r.month <= on and r.investment_to_date is not None]
    if not stated:
        return None
    return max(stated, key=lambda r: r.month).investment_to_date


def summarise(projects: Iterable[ProjectFigures]) -> ProgrammeSummary:
    """The programme's roll-up: counts by status, investment completion, expected savings."""
    counts = {status: 0 for status in ProjectStatus}
    planned = completed = saving = 0.0
    reductions = {p: 0.0 for p in POLLUTANTS}
    total = 0
    for project in projects:
        total += 1
        counts[project.status] += 1
        planned += project.investment_planned
        completed += project.investment_completed or 0.0
        saving += project.saving_tce or 0.0
        for pollutant, tonnes in project.reductions.items():
            reductions[pollutant] = reductions.get(pollutant, 0.0) + tonnes
    return ProgrammeSummary(
        projects=total,
        counts=counts,
        investment_planned=planned,
        investment_completed=completed,
        investment_completion_pct=100.0 * completed / planned if planned > 0 else None,
        saving_tce=saving,
        reductions_t=reductions,
    )
