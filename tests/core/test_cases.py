"""The alarm handling loop's state machine, deadlines, escalation and monthly statistics
(issue #21 item 3), on worked examples checked by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecer.core.cases import (
    Actor,
    CaseAction,
    CaseError,
    CaseState,
    CaseTimes,
    EscalationLevel,
    StepDeadlines,
    escalation_level,
    escalations_due,
    monthly_stats,
    move,
    moves_from,
    step_deadline,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
DEFAULT = StepDeadlines()


def test_the_loop_runs_assigned_verified_rectified_fed_back_closed() -> None:
    state = CaseState.ASSIGNED
    for action, actor in [
        (CaseAction.VERIFY, Actor.ASSIGNEE),
        (CaseAction.RECTIFY, Actor.ASSIGNEE),
        (CaseAction.FEED_BACK, Actor.ASSIGNEE),
        (CaseAction.CLOSE, Actor.CITY),
    ]:
        state = move(state, action, actor).target
    assert state == CaseState.CLOSED
    assert moves_from(CaseState.CLOSED, Actor.CITY) == []


def test_rectification_needs_evidence_and_the_city_may_send_it_back() -> None:
    assert move(CaseState.VERIFIED, CaseAction.RECTIFY, Actor.ASSIGNEE).needs_evidence
    back = move(CaseState.FED_BACK, CaseAction.SEND_BACK, Actor.CITY)
    assert back.target == CaseState.VERIFIED and back.needs_note


@pytest.mark.parametrize(
    ("state", "action", "actor"),
    [
        (CaseState.ASSIGNED, CaseAction.CLOSE, Actor.CITY),  # the city closes only fed-back cases
        (CaseState.FED_BACK, CaseAction.CLOSE, Actor.ASSIGNEE),  # an enterprise never closes
        (CaseState.ASSIGNED, CaseAction.RECTIFY, Actor.ASSIGNEE),  # verify first
        (CaseState.CLOSED, CaseAction.VERIFY, Actor.ASSIGNEE),
    ],
)
def test_moves_out_of_order_or_by_the_wrong_party_are_refused(
    state: CaseState, action: CaseAction, actor: Actor
) -> None:
    with pytest.raises(CaseError):
        move(state, action, actor)


def test_step_deadlines_and_the_time_limit() -> None:
    # Defaults: verify 24 h, rectify 7 d, feed back 24 h, close 3 d: 24+168+24+72 = 288 h.
    assert DEFAULT.total_allowed == timedelta(hours=288)
    assert step_deadline(CaseState.ASSIGNED, T0, DEFAULT) == T0 + timedelta(hours=24)
    assert step_deadline(CaseState.VERIFIED, T0, DEFAULT) == T0 + timedelta(days=7)
    assert step_deadline(CaseState.CLOSED, T0, DEFAULT) is None


def test_escalation_level_one_at_the_deadline_and_two_a_step_period_later() -> None:
    # Assigned at 09:00 on 3 March with 24 h to verify: on time until 09:00 on 4 March,
    # level 1 after it, level 2 after 09:00 on 5 March (24 h beyond the deadline).
    assert escalation_level(CaseState.ASSIGNED, T0, T0 + timedelta(hours=24), DEFAULT) == 0
    assert escalation_level(CaseState.ASSIGNED, T0, T0 + timedelta(hours=25), DEFAULT) == 1
    assert escalation_level(CaseState.ASSIGNED, T0, T0 + timedelta(hours=48), DEFAULT) == 1
    assert escalation_level(CaseState.ASSIGNED, T0, T0 + timedelta(hours=49), DEFAULT) == 2
    assert escalation_level(CaseState.CLOSED, T0, T0 + timedelta(days=99), DEFAULT) == 0


def test_each_level_is_due_once() -> None:
    late = T0 + timedelta(hours=50)
    assert escalations_due(CaseState.ASSIGNED, T0, late, DEFAULT, 0) == [
        EscalationLevel.SUPERVISOR,
        EscalationLevel.CITY,
    ]
    assert escalations_due(CaseState.ASSIGNED, T0, late, DEFAULT, 1) == [EscalationLevel.CITY]
    assert escalations_due(CaseState.ASSIGNED, T0, late, DEFAULT, 2) == []


def test_monthly_statistics_per_group() -> None:
    limit = DEFAULT.total_allowed  # 12 days
    march = datetime(2025, 3, 1, tzinfo=UTC)
    cases = [
        # 海城区: opened 1 March, closed 6 March (5 days, on time)
        CaseTimes("海城区", march, march + timedelta(days=5), march + limit),
        # 海城区: opened 2 March, closed 17 March (15 days, late: limit 14 March)
        CaseTimes(
            "海城区",
            march + timedelta(days=1),
            march + timedelta(days=16),
            march + timedelta(days=1) + limit,
        ),
        # 海城区: opened in March, still open
        CaseTimes("海城区", march + timedelta(days=20), None, march + timedelta(days=20) + limit),
        # 银海区: opened in February, closed 2 March after 9 days (on time)
        CaseTimes(
            "银海区",
            march - timedelta(days=7),
            march + timedelta(days=2),
            march - timedelta(days=7) + limit,
        ),
    ]
    stats = {s.group: s for s in monthly_stats(cases, 2025, 3, groups=["铁山港区"])}
    haicheng = stats["海城区"]
    assert (haicheng.opened, haicheng.closed, haicheng.closed_on_time) == (3, 2, 1)
    assert haicheng.mean_days_to_close == pytest.approx((5 + 15) / 2)  # 10 days
    assert haicheng.on_time_percent == pytest.approx(50.0)
    yinhai = stats["银海区"]
    assert (yinhai.opened, yinhai.closed, yinhai.closed_on_time) == (0, 1, 1)
    assert yinhai.mean_days_to_close == pytest.approx(9.0)
    empty = stats["铁山港区"]
    assert (empty.opened, empty.closed, empty.mean_days_to_close) == (0, 0, None)
    assert empty.on_time_percent is None
