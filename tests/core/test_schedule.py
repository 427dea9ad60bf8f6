"""Due dates, overdue items and reminder escalation driven by a fake clock."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ecer.core.schedule import (
    DueKind,
    EscalationPolicy,
    MonthDay,
    RecipientRole,
    Reminder,
    ReminderLevel,
    ScheduleItem,
    ScheduleParams,
    days_overdue,
    due_date,
    escalation_steps,
    next_reminders,
    overdue,
    submitted_share_pct,
)

CITY = ScheduleParams(
    enterprise_annual_report=MonthDay(3, 31), target_observation_annual=MonthDay(2, 28)
)


@pytest.mark.parametrize(
    ("period", "due"),
    [
        ("2024Q1", date(2024, 4, 15)),  # 31 Mar + 15 d
        ("2024Q2", date(2024, 7, 15)),  # 30 Jun + 15 d
        ("2024Q3", date(2024, 10, 15)),  # 30 Sep + 15 d
        ("2024Q4", date(2025, 1, 15)),  # 31 Dec + 15 d, into the next year
    ],
)
def test_district_quarterly_figures_are_due_15_days_after_quarter_end(
    period: str, due: date
) -> None:
    assert due_date(DueKind.DISTRICT_QUARTERLY, period, CITY) == due


def test_the_quarterly_delay_is_a_parameter() -> None:
    # 31 Mar 2023 + 20 d = 20 Apr 2023.
    params = ScheduleParams(quarterly_days_after=20)
    assert due_date("district_quarterly", "2023Q1", params) == date(2023, 4, 20)


def test_enterprise_annual_report_is_due_on_the_citys_date_of_the_following_year() -> None:
    assert due_date(DueKind.ENTERPRISE_ANNUAL_REPORT, "2024", CITY) == date(2025, 3, 31)


def test_target_observations_are_due_on_the_citys_date_of_the_following_year() -> None:
    assert due_date(DueKind.TARGET_OBSERVATION_ANNUAL, "2023", CITY) == date(2024, 2, 28)


def test_an_unset_city_date_is_refused() -> None:
    with pytest.raises(ValueError, match="not set"):
        due_date(DueKind.ENTERPRISE_ANNUAL_REPORT, "2024", ScheduleParams())


@pytest.mark.parametrize(
    ("kind", "period"),
    [
        (DueKind.DISTRICT_QUARTERLY, "2024"),
        (DueKind.DISTRICT_QUARTERLY, "2024Q5"),
        (DueKind.ENTERPRISE_ANNUAL_REPORT, "2024Q1"),
    ],
)
def test_a_period_of_the_wrong_shape_is_refused(kind: DueKind, period: str) -> None:
    with pytest.raises(ValueError, match="period"):
        due_date(kind, period, CITY)


def test_29_february_is_refused_as_a_city_due_date() -> None:
    with pytest.raises(ValueError, match="29 February"):
        MonthDay(2, 29)


# --- overdue ----------------------------------------------------------------------------

DUE = date(2024, 4, 15)


def test_overdue_lists_outstanding_items_past_due_oldest_first() -> None:
    items = [
        ScheduleItem("b", date(2024, 4, 10)),
        ScheduleItem("on-time", DUE),  # due today: not yet overdue
        ScheduleItem("done", date(2024, 4, 1), submitted_at=date(2024, 4, 12)),
        ScheduleItem("a", date(2024, 4, 1)),
    ]
    assert [i.key for i in overdue(items, DUE)] == ["a", "b"]


def test_days_overdue_counts_from_the_day_after_due() -> None:
    item = ScheduleItem("x", DUE)
    # 22 Apr − 15 Apr = 7 days.
    assert [days_overdue(item, d) for d in (DUE, date(2024, 4, 16), date(2024, 4, 22))] == [0, 1, 7]


def test_a_submission_dated_after_today_does_not_count_yet() -> None:
    item = ScheduleItem("x", DUE, submitted_at=date(2024, 4, 20))
    assert overdue([item], date(2024, 4, 18)) == [item]
    assert overdue([item], date(2024, 4, 20)) == []


# --- escalation -------------------------------------------------------------------------


def test_escalation_steps_on_due_plus_7_and_plus_14() -> None:
    # 15 Apr + 7 d = 22 Apr; 15 Apr + 14 d = 29 Apr.
    assert escalation_steps(DUE, date(2024, 5, 1)) == [
        Reminder(ReminderLevel.DUE, RecipientRole.RESPONSIBLE_USER, date(2024, 4, 15)),
        Reminder(ReminderLevel.HEAD, RecipientRole.UNIT_HEAD, date(2024, 4, 22)),
        Reminder(ReminderLevel.CITY, RecipientRole.CITY_ADMIN, date(2024, 4, 29)),
    ]


def test_escalation_steps_before_due_are_empty() -> None:
    assert escalation_steps(DUE, date(2024, 4, 14)) == []


def test_escalation_stops_at_the_submission_day() -> None:
    # Submitted 20 Apr: the due-day reminder went out, the head's (22 Apr) never does.
    steps = escalation_steps(DUE, date(2024, 5, 1), submitted_at=date(2024, 4, 20))
    assert [s.level for s in steps] == [ReminderLevel.DUE]


def test_submitting_on_the_due_date_sends_nothing() -> None:
    assert escalation_steps(DUE, date(2024, 5, 1), submitted_at=DUE) == []


def test_the_policy_sets_the_escalation_days() -> None:
    # 15 Apr + 3 d = 18 Apr; + 10 d = 25 Apr.
    steps = escalation_steps(DUE, date(2024, 4, 30), policy=EscalationPolicy(3, 10))
    assert [s.send_on for s in steps] == [DUE, date(2024, 4, 18), date(2024, 4, 25)]


def test_a_policy_must_escalate_to_the_head_before_the_city() -> None:
    with pytest.raises(ValueError, match="head_after_days"):
        EscalationPolicy(14, 7)


def drive(item: ScheduleItem, first: date, last: date) -> list[tuple[date, ReminderLevel]]:
    """Run the reminder job once a day from ``first`` to ``last``, recording what it sends."""
    sent: list[Reminder] = []
    log = []
    today = first
    while today <= last:
        for reminder in next_reminders(item, sent, today):
            sent.append(reminder)
            log.append((today, reminder.level))
        today += timedelta(days=1)
    return log


def test_day_by_day_each_level_is_sent_once_on_its_day() -> None:
    log = drive(ScheduleItem("q1", DUE), date(2024, 4, 10), date(2024, 5, 31))
    assert log == [
        (date(2024, 4, 15), ReminderLevel.DUE),
        (date(2024, 4, 22), ReminderLevel.HEAD),
        (date(2024, 4, 29), ReminderLevel.CITY),
    ]


def test_day_by_day_a_submission_stops_further_reminders() -> None:
    item = ScheduleItem("q1", DUE, submitted_at=date(2024, 4, 25))
    log = drive(item, date(2024, 4, 10), date(2024, 5, 31))
    assert log == [(date(2024, 4, 15), ReminderLevel.DUE), (date(2024, 4, 22), ReminderLevel.HEAD)]


def test_a_missed_run_catches_up_without_repeating() -> None:
    # The job was down until 23 Apr; the due-day reminder was already sent on 15 Apr.
    item = ScheduleItem("q1", DUE)
    sent = [Reminder(ReminderLevel.DUE, RecipientRole.RESPONSIBLE_USER, DUE)]
    assert [r.level for r in next_reminders(item, sent, date(2024, 4, 23))] == [ReminderLevel.HEAD]
    assert next_reminders(item, [ReminderLevel.DUE, ReminderLevel.HEAD], date(2024, 4, 23)) == []


def test_nothing_is_sent_after_submission_even_if_a_step_was_missed() -> None:
    item = ScheduleItem("q1", DUE, submitted_at=date(2024, 4, 20))
    assert next_reminders(item, [], date(2024, 4, 21)) == []


def test_district_yearly_energy_data_is_due_on_the_citys_date() -> None:
    params = ScheduleParams(district_energy_annual=MonthDay(4, 30))
    assert due_date(DueKind.DISTRICT_ENERGY_ANNUAL, "2024", params) == date(2025, 4, 30)
    with pytest.raises(ValueError, match="not set"):
        due_date(DueKind.DISTRICT_ENERGY_ANNUAL, "2024", CITY)


def test_submitted_share_counts_only_items_already_due() -> None:
    today = date(2025, 4, 20)
    items = [
        ScheduleItem("a", date(2025, 3, 31), submitted_at=date(2025, 3, 30)),
        ScheduleItem("b", date(2025, 3, 31), submitted_at=date(2025, 4, 2)),
        ScheduleItem("c", date(2025, 4, 15)),
        ScheduleItem("d", date(2025, 4, 15), submitted_at=date(2025, 4, 25)),  # not yet
        ScheduleItem("e", date(2025, 6, 30)),  # not due
    ]
    # a and b submitted of a, b, c, d due: 2 / 4 = 50 %.
    assert submitted_share_pct(items, today) == pytest.approx(50.0)
    assert submitted_share_pct(items[4:], today) is None
