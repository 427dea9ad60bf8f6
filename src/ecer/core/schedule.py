"""Due dates of submissions and the reminder escalation when they are late.

Due dates (报送时限):

- district quarterly figures: ``quarterly_days_after`` (default 15) days after the end
  of the quarter;
- enterprise annual energy report (能源利用状况报告): a month and day of the year after
  the reporting year, set by the city;
- plan target observations, annual: likewise a month and day of the following year set
  by the city;
- district yearly energy and GDP data (县区年度能耗与生产总值): likewise.

Reminders are a pure state machine driven by an explicit ``today`` (the clock is the
caller's): on the due date a reminder goes to the responsible user; ``head_after_days``
(default 7) days later the matter escalates to the district or department head;
``city_after_days`` (default 14) days after the due date to the city administrator.
Nothing is sent once the item is submitted, and no reminder level is sent twice.

Dates are :class:`datetime.date` (days, local time of the city); no times of day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum, StrEnum


class DueKind(StrEnum):
    DISTRICT_QUARTERLY = "district_quarterly"
    ENTERPRISE_ANNUAL_REPORT = "enterprise_annual_report"
    TARGET_OBSERVATION_ANNUAL = "target_observation_annual"
    DISTRICT_ENERGY_ANNUAL = "district_energy_annual"
    # A responsible unit's quarterly progress report on a plan task (issue 20): due like the
    # districts' quarterly figures.
    TASK_REPORT_QUARTERLY = "task_report_quarterly"
    # A task milestone: due on its own date (set in the plan or by the city), never computed.
    TASK_MILESTONE = "task_milestone"


@dataclass(frozen=True)
class MonthDay:
    """A day of the year after the reporting year (29 February is refused: not every
    year has it)."""

    month: int
    day: int

    def __post_init__(self) -> None:
        if (self.month, self.day) == (2, 29):
            raise ValueError("29 February is not a due date every year; choose 28 February")
        date(2001, self.month, self.day)  # raises ValueError for impossible dates


@dataclass(frozen=True)
class ScheduleParams:
    """The city's reporting calendar.

    quarterly_days_after: Days from the end of a quarter to the district figures' due date [d].
    enterprise_annual_report: Due day of the enterprise annual report, following year.
    target_observation_annual: Due day of annual target observations, following year.
    district_energy_annual: Due day of districts' yearly energy and GDP data, following year.
    """

    quarterly_days_after: int = 15
    enterprise_annual_report: MonthDay | None = None
    target_observation_annual: MonthDay | None = None
    district_energy_annual: MonthDay | None = None

    def __post_init__(self) -> None:
        if self.quarterly_days_after < 0:
            raise ValueError(f"quarterly_days_after must be >= 0, got {self.quarterly_days_after}")


_QUARTER = re.compile(r"(\d{4})Q([1-4])")
_YEAR = re.compile(r"\d{4}")


def quarter_end(year: int, quarter: int) -> date:
    """Last day of the quarter."""
    if not 1 <= quarter <= 4:
        raise ValueError(f"quarter must be 1..4, got {quarter}")
    first_of_next = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first_of_next - timedelta(days=1)


def due_date(kind: DueKind | str, period: str, params: ScheduleParams) -> date:
    """Due date of a submission.

    kind: What is submitted.
    period: ``"2024Q3"`` for quarterly kinds, ``"2024"`` for annual ones.
    params: The city's calendar; raises ``ValueError`` when it lacks the needed date.
    """
    kind = DueKind(kind)
    if kind is DueKind.TASK_MILESTONE:
        raise ValueError("a milestone's due date is its own, not derived from a period")
    if kind in (DueKind.DISTRICT_QUARTERLY, DueKind.TASK_REPORT_QUARTERLY):
        match = _QUARTER.fullmatch(period)
        if match is None:
            raise ValueError(f"{kind.value}: period must look like 2024Q3, got {period!r}")
        end = quarter_end(int(match[1]), int(match[2]))
        return end + timedelta(days=params.quarterly_days_after)
    if _YEAR.fullmatch(period) is None:
        raise ValueError(f"{kind.value}: period must be a year like 2024, got {period!r}")
    month_day = {
        DueKind.ENTERPRISE_ANNUAL_REPORT: params.enterprise_annual_report,
        DueKind.TARGET_OBSERVATION_ANNUAL: params.target_observation_annual,
        DueKind.DISTRICT_ENERGY_ANNUAL: params.district_energy_annual,
    }[kind]
    if month_day is None:
        raise ValueError(f"{kind.value}: the city has not set this due date")
    return date(int(period) + 1, month_day.month, month_day.day)


class ReminderLevel(IntEnum):
    DUE = 1
    HEAD = 2
    CITY = 3


class RecipientRole(StrEnum):
    RESPONSIBLE_USER = "responsible_user"
    UNIT_HEAD = "unit_head"
    CITY_ADMIN = "city_admin"

    @property
    def label_zh(self) -> str:
        return _ROLE_LABELS_ZH[self]


_ROLE_LABELS_ZH = {
    RecipientRole.RESPONSIBLE_USER: "填报责任人",
    RecipientRole.UNIT_HEAD: "县（区）或部门负责人",
    RecipientRole.CITY_ADMIN: "市级管理员",
}

_RECIPIENTS = {
    ReminderLevel.DUE: RecipientRole.RESPONSIBLE_USER,
    ReminderLevel.HEAD: RecipientRole.UNIT_HEAD,
    ReminderLevel.CITY: RecipientRole.CITY_ADMIN,
}


@dataclass(frozen=True)
class EscalationPolicy:
    """When an unsubmitted item escalates.

    head_after_days: Days after the due date to escalate to the unit head [d].
    city_after_days: Days after the due date to escalate to the city administrator [d].
    """

    head_after_days: int = 7
    city_after_days: int = 14

    def __post_init__(self) -> None:
        if not 0 < self.head_after_days < self.city_after_days:
            raise ValueError(
                "need 0 < head_after_days < city_after_days, got "
                f"{self.head_after_days} and {self.city_after_days}"
            )

    def offset(self, level: ReminderLevel) -> int:
        """Days from the due date to the reminder of ``level`` [d]."""
        return {
            ReminderLevel.DUE: 0,
            ReminderLevel.HEAD: self.head_after_days,
            ReminderLevel.CITY: self.city_after_days,
        }[level]


@dataclass(frozen=True)
class Reminder:
    level: ReminderLevel
    recipient_role: RecipientRole
    send_on: date


@dataclass(frozen=True)
class ScheduleItem:
    """One expected submission.

    key: Identifies the item to the caller, e.g. ``"district:haicheng:2024Q3"``.
    due: Due date.
    submitted_at: Day it was submitted, ``None`` while outstanding.
    policy: Its escalation policy.
    """

    key: str
    due: date
    submitted_at: date | None = None
    policy: EscalationPolicy = field(default_factory=EscalationPolicy)

    def is_submitted(self, today: date) -> bool:
        """Submitted on or before ``today`` (a later date is the future: not yet)."""
        return self.submitted_at is not None and self.submitted_at <= today


def days_overdue(item: ScheduleItem, today: date) -> int:
    """Days past the due date while still outstanding, else 0 [d]."""
    if item.is_submitted(today):
        return 0
    return max(0, (today - item.due).days)


def overdue(items: Iterable[ScheduleItem], today: date) -> list[ScheduleItem]:
    """Outstanding items past their due date (the due date itself is still on time),
    oldest due date first."""
    late = [item for item in items if days_overdue(item, today) > 0]
    return sorted(late, key=lambda item: (item.due, item.key))


def escalation_steps(
    due: date,
    today: date,
    submitted_at: date | None = None,
    policy: EscalationPolicy | None = None,
) -> list[Reminder]:
    """Reminders whose day has come by ``today``, lowest level first.

    A step is dropped when the item was submitted on or before its day.
    """
    policy = policy or EscalationPolicy()
    steps = []
    for level in ReminderLevel:
        send_on = due + timedelta(days=policy.offset(level))
        if send_on > today:
            break
        if submitted_at is not None and submitted_at <= send_on:
            break
        steps.append(Reminder(level, _RECIPIENTS[level], send_on))
    return steps


def next_reminders(
    item: ScheduleItem, already_sent: Iterable[Reminder | ReminderLevel], today: date
) -> list[Reminder]:
    """Reminders to send ``today``: due steps not sent yet, none once submitted.

    A run that was missed (e.g. the server was down) is caught up: every recipient whose
    day has passed is told once.
    """
    if item.is_submitted(today):
        return []
    sent = {s.level if isinstance(s, Reminder) else ReminderLevel(s) for s in already_sent}
    steps = escalation_steps(item.due, today, item.submitted_at, item.policy)
    return [step for step in steps if step.level not in sent]


def submitted_share_pct(items: Iterable[ScheduleItem], today: date) -> float | None:
    """Share of the items due by ``today`` that are submitted [%]; ``None`` when none is due.

    Completeness of submissions = submitted ÷ due × 100 (this project's measure, the
    counterpart of online completeness in ``core.meters``).
    """
    due = [item for item in items if item.due <= today]
    if not due:
        return None
    return sum(item.is_submitted(today) for item in due) / len(due) * 100
