"""Meter readings to consumption, and each data-quality rule with a case that triggers it and
one that does not. Figures checked by hand in the comments."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecer.core.meters import (
    MeterPolicy,
    Reading,
    ReadingKind,
    Severity,
    completeness,
    consumption,
    daily_totals,
    monthly_totals,
    report_mismatch,
)

BEIJING = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 3, 1, 0, 0, tzinfo=BEIJING)


def hourly(values: list[float], start: datetime = T0) -> list[Reading]:
    return [Reading(start + timedelta(hours=k), v) for k, v in enumerate(values)]


def rules(series) -> list[str]:
    return [f.rule for f in series.findings]


def test_cumulative_readings_become_hourly_consumption():
    # Register 100, 110, 125, 125 -> 10, 15, 0 in the three hours.
    s = consumption(hourly([100, 110, 125, 125]), ReadingKind.CUMULATIVE)
    assert [i.quantity for i in s.intervals] == [10, 15, 0]
    assert s.findings == ()


def test_out_of_order_and_repeated_readings_give_the_same_result():
    readings = hourly([100, 110, 125, 125, 140])
    shuffled = readings[:]
    random.Random(7).shuffle(shuffled)
    again = consumption(shuffled + readings[:2], ReadingKind.CUMULATIVE)
    assert again == consumption(readings, ReadingKind.CUMULATIVE)


def test_a_gap_is_found_and_not_otherwise():
    # Readings at 00:00 and 04:00: 3 hourly readings missing; the 40 units span the gap.
    s = consumption([Reading(T0, 0), Reading(T0 + timedelta(hours=4), 40)], ReadingKind.CUMULATIVE)
    [gap] = s.findings
    assert gap.rule == "gap" and gap.figures["missing"] == 3
    assert [i.quantity for i in s.intervals] == [40]
    assert rules(consumption(hourly([0, 10, 20]), ReadingKind.CUMULATIVE)) == []


def test_a_register_going_down_is_an_error_and_not_counted():
    s = consumption(hourly([500, 510, 505, 520]), ReadingKind.CUMULATIVE)
    assert rules(s) == ["negative_increment"]
    assert s.findings[0].severity is Severity.ERROR
    # 510 -> 505 dropped; 500 -> 510 = 10 and 505 -> 520 = 15 kept.
    assert [i.quantity for i in s.intervals] == [10, 15]


def test_a_negative_interval_value_is_an_error():
    s = consumption(hourly([3, -1, 4]), ReadingKind.INTERVAL)
    assert rules(s) == ["negative_increment"]
    assert [i.quantity for i in s.intervals] == [3, 4]


def test_a_rollover_is_counted_across_the_wrap():
    policy = MeterPolicy(rollover_at=100_000)
    # 99,990 -> 15 on a 100,000 register: 100,000 - 99,990 + 15 = 25.
    s = consumption(hourly([99_980, 99_990, 15]), ReadingKind.CUMULATIVE, policy)
    assert [i.quantity for i in s.intervals] == [10, 25]
    assert rules(s) == ["rollover"] and s.findings[0].severity is Severity.INFO
    # Without a register maximum the same drop is an error.
    assert rules(consumption(hourly([99_980, 99_990, 15]), ReadingKind.CUMULATIVE)) == [
        "negative_increment"
    ]


def test_an_impossible_increment_is_refused():
    policy = MeterPolicy(max_rate_per_hour=50)
    s = consumption(hourly([0, 40, 140]), ReadingKind.CUMULATIVE, policy)
    # 40 <= 50 per hour is possible; 100 > 50 is not.
    assert [i.quantity for i in s.intervals] == [40]
    assert rules(s) == ["impossible_increment"]
    assert s.findings[0].figures == {"quantity": 100, "limit": 50}


def test_a_spike_is_flagged_against_the_median():
    # Intervals 10,10,10,10,10,10,150: median 10, 150 > 10 x 10.
    values = [0, 10, 20, 30, 40, 50, 60, 210]
    s = consumption(hourly(values), ReadingKind.CUMULATIVE)
    assert rules(s) == ["spike"]
    assert s.findings[0].figures == {"quantity": 150, "median": 10}
    calm = consumption(hourly([0, 10, 20, 30, 40, 50, 60, 150]), ReadingKind.CUMULATIVE)
    assert rules(calm) == []  # 90 < 100


def test_days_and_months_follow_beijing_time():
    # Interval values ending 2024-03-31 23:00 .. 2024-04-01 02:00 local, 1 each hour plus a
    # reading at 00:00 that closes March 31st's last hour.
    start = datetime(2024, 3, 31, 23, 0, tzinfo=BEIJING)
    s = consumption(hourly([1, 2, 3, 4], start), ReadingKind.INTERVAL)
    # Intervals start 22:00 (1) and 23:00 (2) on 31 March; 00:00 (3) and 01:00 (4) on 1 April.
    days = daily_totals(s.intervals, BEIJING)
    assert [(d.isoformat(), q) for d, q in days.items()] == [
        ("2024-03-31", 3.0),
        ("2024-04-01", 7.0),
    ]
    assert monthly_totals(s.intervals, BEIJING) == {(2024, 3): 3.0, (2024, 4): 7.0}
    # The same instants in UTC book the same way.
    utc = [Reading(r.time.astimezone(UTC), r.value) for r in hourly([1, 2, 3, 4], start)]
    assert daily_totals(consumption(utc, ReadingKind.INTERVAL).intervals, BEIJING) == days


def test_completeness_below_ninety_percent_is_found():
    day = timedelta(days=1)
    # 21 of 24 hourly readings = 87.5 % < 90 %; 22 of 24 = 91.7 %.
    low = completeness(hourly(list(range(21))), T0, T0 + day, MeterPolicy())
    assert low is not None and low.figures["received"] == 21 and low.figures["expected"] == 24
    assert completeness(hourly(list(range(22))), T0, T0 + day, MeterPolicy()) is None


def test_report_against_online_sum():
    # Report 1,000 tce, online 1,080 tce: +8 % > 5 %.
    finding = report_mismatch(1000, 1080, tolerance=0.05, label="电力")
    assert finding is not None and finding.figures["difference"] == pytest.approx(0.08)
    assert report_mismatch(1000, 1040, tolerance=0.05, label="电力") is None


@given(st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=2, max_size=40))
def test_cumulative_intervals_add_up_to_the_register_difference(increments):
    values, total = [], 0.0
    for inc in increments:
        total += inc
        values.append(total)
    s = consumption(hourly(values), ReadingKind.CUMULATIVE, MeterPolicy(spike_factor=1e12))
    assert all(i.quantity >= 0 for i in s.intervals)
    assert sum(i.quantity for i in s.intervals) == pytest.approx(values[-1] - values[0])
