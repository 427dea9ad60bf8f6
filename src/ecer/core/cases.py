"""The alarm handling loop (闭环): a monitoring alarm or a red warning light becomes a case that
is dispatched (派发), verified (核实), rectified with evidence (整改), fed back (反馈) and closed
(销号) by the city. Each step has a deadline; a missed one escalates.

States and who moves them on (issue #21 item 3):

    assigned  --verify-->     verified     (the assignee: enterprise or district)
    verified  --rectify-->    rectified    (the assignee, with evidence)
    rectified --feed_back-->  fed_back     (the assignee)
    fed_back  --close-->      closed       (the city)
    fed_back  --send_back-->  verified     (the city: rectification not accepted, redo it)

Each open state has a deadline counted from the moment the case entered it
(``StepDeadlines``). A step not done by its deadline escalates once to level 1 (the
supervisor of whoever must act: a district for an enterprise, the city for a district, the
leaders for the city), and once more to level 2 (the city administrators and leaders) when a
second step period has passed beyond the deadline.

A case is closed on time when it is closed by its opening time plus the sum of every step's
allowed time (``total_allowed``), the time limit (办结时限) the assignee is told at dispatch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum


class CaseState(StrEnum):
    ASSIGNED = "assigned"
    VERIFIED = "verified"
    RECTIFIED = "rectified"
    FED_BACK = "fed_back"
    CLOSED = "closed"


class CaseAction(StrEnum):
    VERIFY = "verify"
    RECTIFY = "rectify"
    FEED_BACK = "feed_back"
    CLOSE = "close"
    SEND_BACK = "send_back"


class Actor(StrEnum):
    ASSIGNEE = "assignee"
    CITY = "city"


class EscalationLevel(IntEnum):
    SUPERVISOR = 1
    CITY = 2


class CaseError(ValueError):
    """A move the state machine does not allow (wrong state or wrong actor)."""


@dataclass(frozen=True)
class Move:
    action: CaseAction
    source: CaseState
    target: CaseState
    actor: Actor
    needs_evidence: bool = False
    needs_note: bool = False


MOVES: tuple[Move, ...] = (
    Move(
        CaseAction.VERIFY, CaseState.ASSIGNED, CaseState.VERIFIED, Actor.ASSIGNEE, needs_note=True
    ),
    Move(
        CaseAction.RECTIFY,
        CaseState.VERIFIED,
        CaseState.RECTIFIED,
        Actor.ASSIGNEE,
        needs_evidence=True,
        needs_note=True,
    ),
    Move(CaseAction.FEED_BACK, CaseState.RECTIFIED, CaseState.FED_BACK, Actor.ASSIGNEE),
    Move(CaseAction.CLOSE, CaseState.FED_BACK, CaseState.CLOSED, Actor.CITY),
    Move(CaseAction.SEND_BACK, CaseState.FED_BACK, CaseState.VERIFIED, Actor.CITY, needs_note=True),
)

# Who must act while a case is in each open state.
ACTING: dict[CaseState, Actor] = {
    CaseState.ASSIGNED: Actor.ASSIGNEE,
    CaseState.VERIFIED: Actor.ASSIGNEE,
    CaseState.RECTIFIED: Actor.ASSIGNEE,
    CaseState.FED_BACK: Actor.CITY,
}


def moves_from(state: CaseState, actor: Actor) -> list[Move]:
    """The moves ``actor`` may make on a case in ``state``."""
    return [m for m in MOVES if m.source == state and m.actor == actor]


def move(state: CaseState, action: CaseAction, actor: Actor) -> Move:
    """The move ``action`` from ``state`` by ``actor``; CaseError when it is not allowed."""
    for candidate in MOVES:
        if candidate.action == action and candidate.source == state:
            if candidate.actor != actor:
                raise CaseError(f"{action} from {state} is for the {candidate.actor}, not {actor}")
            return candidate
    raise CaseError(f"{action} is not allowed from {state}")


@dataclass(frozen=True)
class StepDeadlines:
    """Time allowed for each open state [hours]."""

    assigned_hours: float = 24.0  # verify within a day of dispatch
    verified_hours: float = 7 * 24.0  # rectify within a week of verification
    rectified_hours: float = 24.0  # feed back within a day of rectification
    fed_back_hours: float = 3 * 24.0  # the city closes or sends back within three days

    def allowed(self, state: CaseState) -> timedelta | None:
        hours = {
            CaseState.ASSIGNED: self.assigned_hours,
            CaseState.VERIFIED: self.verified_hours,
            CaseState.RECTIFIED: self.rectified_hours,
            CaseState.FED_BACK: self.fed_back_hours,
        }.get(state)
        return None if hours is None else timedelta(hours=hours)

    @property
    def total_allowed(self) -> timedelta:
        """The whole case's time limit: every step's time added up."""
        return timedelta(
            hours=self.assigned_hours
            + self.verified_hours
            + self.rectified_hours
            + self.fed_back_hours
        )


def step_deadline(
    state: CaseState, entered_at: datetime, deadlines: StepDeadlines
) -> datetime | None:
    """When the step of ``state`` entered at ``entered_at`` must be done (None: closed)."""
    allowed = deadlines.allowed(state)
    return None if allowed is None else entered_at + allowed


def escalation_level(
    state: CaseState, entered_at: datetime, now: datetime, deadlines: StepDeadlines
) -> int:
    """0 while the step is within its deadline; 1 once the deadline has passed; 2 once a
    second step period has passed beyond it."""
    allowed = deadlines.allowed(state)
    if allowed is None:
        return 0
    late = now - (entered_at + allowed)
    if late <= timedelta(0):
        return 0
    return EscalationLevel.CITY if late > allowed else EscalationLevel.SUPERVISOR


def escalations_due(
    state: CaseState,
    entered_at: datetime,
    now: datetime,
    deadlines: StepDeadlines,
    already: int,
) -> list[EscalationLevel]:
    """The escalation levels to send now for the current step, given the highest level
    ``already`` sent for it (0: none). Each level is sent once per step."""
    reached = escalation_level(state, entered_at, now, deadlines)
    return [EscalationLevel(level) for level in range(already + 1, reached + 1)]


def is_overdue(
    state: CaseState, entered_at: datetime, now: datetime, deadlines: StepDeadlines
) -> bool:
    return escalation_level(state, entered_at, now, deadlines) > 0


# --- monthly statistics ---------------------------------------------------------------------


@dataclass(frozen=True)
class CaseTimes:
    """One case as the statistics see it: its group (a district or an enterprise), when it
    opened, when it was closed (None: open) and its time limit."""

    group: str
    opened_at: datetime
    closed_at: datetime | None
    due_at: datetime


@dataclass(frozen=True)
class MonthStats:
    """One group's cases of one month.

    opened: Cases opened in the month. closed: Cases closed in the month.
    closed_on_time: Of those closed, the ones closed by their time limit.
    mean_days_to_close: Mean time from opening to closing of those closed [days]; None
    when none closed.
    """

    group: str
    opened: int
    closed: int
    closed_on_time: int
    mean_days_to_close: float | None

    @property
    def on_time_percent(self) -> float | None:
        return None if self.closed == 0 else self.closed_on_time / self.closed * 100


def _in_month(moment: datetime, year: int, month: int) -> bool:
    return moment.year == year and moment.month == month


def monthly_stats(
    cases: Iterable[CaseTimes], year: int, month: int, groups: Sequence[str] = ()
) -> list[MonthStats]:
    """Per group: cases opened, closed, closed on time and the mean days to close in the
    month (times already in the local time zone; a month is its calendar month there).
    ``groups`` are listed even without cases; the others found follow, sorted."""
    opened: dict[str, int] = {}
    closed: dict[str, list[CaseTimes]] = {}
    for case in cases:
        if _in_month(case.opened_at, year, month):
            opened[case.group] = opened.get(case.group, 0) + 1
        if case.closed_at is not None and _in_month(case.closed_at, year, month):
            closed.setdefault(case.group, []).append(case)
    names = list(groups) + sorted((set(opened) | set(closed)) - set(groups))
    out = []
    for name in names:
        done = closed.get(name, [])
        seconds = [(c.closed_at - c.opened_at).total_seconds() for c in done if c.closed_at]
        out.append(
            MonthStats(
                group=name,
                opened=opened.get(name, 0),
                closed=len(done),
                closed_on_time=sum(1 for c in done if c.closed_at and c.closed_at <= c.due_at),
                mean_days_to_close=(sum(seconds) / len(seconds) / 86400) if seconds else None,
            )
        )
    return out
