"""Online monitoring computations, each against a worked example checked by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ecer.core.monitoring import (
    Exceedance,
    Gap,
    Limit,
    Load,
    Reading,
    ValidityRate,
    combined_validity,
    concentration_factor,
    connection_status,
    converted_concentration,
    converted_readings,
    daily_loads,
    emission_load_kg,
    expected_count,
    expected_times,
    find_exceedances,
    find_gaps,
    interval_loads,
    is_mass_concentration,
    is_valid,
    may_exceed,
    point_validity,
    total_load_kg,
    valid_record_count,
    volume_m3,
    whole_hours_complete,
    whole_hours_through,
)

BEIJING = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)
DAY0 = datetime(2024, 3, 1, tzinfo=BEIJING)


def at(hour: int, minute: int = 0) -> datetime:
    return DAY0 + timedelta(hours=hour, minutes=minute)


def hourly(values: list[tuple[int, float, str]]) -> list[Reading]:
    return [Reading(at(h), v, flag) for h, v, flag in values]


def test_only_flag_n_is_valid() -> None:
    assert is_valid("N")
    for flag in ("F", "M", "S", "D", "C", "T", "B", "", "n"):
        assert not is_valid(flag)


def test_converted_concentration_worked_example() -> None:
    # 100 mg/m³ at 9 % O2 to the 6 % reference: 100 × (21 − 6) / (21 − 9) = 100 × 15/12 = 125.
    assert converted_concentration(100.0, 9.0, 6.0) == pytest.approx(125.0)
    # At the reference oxygen itself nothing changes.
    assert converted_concentration(100.0, 6.0, 6.0) == pytest.approx(100.0)
    # 80 mg/m³ at 12 % O2 to 6 %: 80 × 15/9 = 133.33.
    assert converted_concentration(80.0, 12.0, 6.0) == pytest.approx(133.3333, rel=1e-5)


def test_converted_concentration_refuses_air() -> None:
    with pytest.raises(ValueError, match="below 21"):
        converted_concentration(10.0, 21.0, 6.0)


def test_water_load_worked_example() -> None:
    # COD 50 mg/L = 50 g/m³; × 1,200 m³ = 60,000 g = 60 kg.
    assert emission_load_kg(50.0, "mg/L", 1200.0) == pytest.approx(60.0)
    # Mercury 2 μg/L = 2 mg/m³; × 1,000 m³ = 2,000 mg = 0.002 kg.
    assert emission_load_kg(2.0, "μg/L", 1000.0) == pytest.approx(0.002)


def test_gas_load_worked_example() -> None:
    # NOx 80 mg/m³ × 150,000 m³ = 12,000,000 mg = 12 kg.
    assert emission_load_kg(80.0, "mg/m³", 150_000.0) == pytest.approx(12.0)


def test_no_load_for_a_quantity_that_is_not_a_concentration() -> None:
    assert is_mass_concentration("mg/L") and not is_mass_concentration("无量纲")
    with pytest.raises(ValueError, match="not a mass concentration"):
        emission_load_kg(7.2, "无量纲", 100.0)


def test_volume_from_mean_flow() -> None:
    # 25 L/s for an hour: 25 × 3,600 = 90,000 L = 90 m³.
    assert volume_m3(25.0, "L/s", 3600) == pytest.approx(90.0)
    # 45 m³/s for an hour: 162,000 m³.
    assert volume_m3(45.0, "m³/s", 3600) == pytest.approx(162_000.0)
    with pytest.raises(ValueError):
        volume_m3(1.0, "mg/L", 3600)


def test_concentration_units_convert() -> None:
    # 1 mg/L = 1,000 μg/L; 1 mg/m³ = 0.001 mg/L.
    assert concentration_factor("mg/L", "μg/L") == pytest.approx(1000.0)
    assert concentration_factor("mg/m³", "mg/L") == pytest.approx(0.001)
    assert concentration_factor("无量纲", "无量纲") == 1.0
    with pytest.raises(ValueError):
        concentration_factor("无量纲", "mg/L")


def test_hourly_loads_use_valid_hours_with_a_volume() -> None:
    cod = hourly([(0, 50.0, "N"), (1, 40.0, "N"), (2, 999.0, "D"), (3, 30.0, "N")])
    volume = hourly([(0, 1200.0, "N"), (1, 1000.0, "N"), (2, 1000.0, "N"), (3, 500.0, "M")])
    loads = interval_loads(cod, "mg/L", volume)
    # Hour 0: 50 × 1,200 × 10⁻³ = 60 kg; hour 1: 40 × 1,000 × 10⁻³ = 40 kg.
    # Hour 2: COD flagged D (fault); hour 3: volume flagged M (maintenance): no load.
    assert [(x.time, x.concentration, x.volume_m3, x.load_kg) for x in loads] == [
        (at(0), 50.0, 1200.0, pytest.approx(60.0)),
        (at(1), 40.0, 1000.0, pytest.approx(40.0)),
    ]


def test_daily_loads_sum_hours_of_the_beijing_day() -> None:
    # 23:00 on 1 March (Beijing) is 15:00 UTC; 00:00 and 01:00 on 2 March are 16:00/17:00 UTC.
    loads = [
        Load(datetime(2024, 3, 1, 15, tzinfo=UTC), 50.0, 1200.0, 60.0),
        Load(datetime(2024, 3, 1, 16, tzinfo=UTC), 30.0, 1000.0, 30.0),
        Load(datetime(2024, 3, 1, 17, tzinfo=UTC), 10.0, 1000.0, 10.0),
    ]
    days = daily_loads(loads, BEIJING)
    # 1 March: 60 kg from one hour; 2 March: 30 + 10 = 40 kg from two hours.
    assert [(d.day, d.load_kg, d.intervals) for d in days] == [
        (date(2024, 3, 1), 60.0, 1),
        (date(2024, 3, 2), 40.0, 2),
    ]
    assert total_load_kg(days) == pytest.approx(100.0)
    # Grouped by UTC day instead, all three would fall on 1 March: the zone matters.
    assert len(daily_loads(loads, UTC)) == 1


def test_exceedances_judge_valid_values_only_and_merge_consecutive_hours() -> None:
    limit = Limit(upper=100.0, unit="mg/m³")
    readings = hourly(
        [
            (0, 90.0, "N"),
            (1, 120.0, "N"),
            (2, 130.0, "N"),
            (3, 95.0, "N"),
            (4, 150.0, "D"),  # fault: not valid, never an exceedance
            (5, 110.0, "N"),
            (6, 100.0, "N"),  # equal to the limit: complies
        ]
    )
    found = find_exceedances(readings, "mg/m³", limit, HOUR)
    # Hours 1–2 (peak 130) and hour 5 (110); hour 4's 150 is flagged D.
    assert found == [
        Exceedance(at(1), at(2), 2, 130.0, limit),
        Exceedance(at(5), at(5), 1, 110.0, limit),
    ]


def test_a_missing_hour_splits_an_exceedance() -> None:
    limit = Limit(upper=100.0, unit="mg/m³")
    readings = hourly([(0, 120.0, "N"), (2, 125.0, "N")])
    assert [(e.start, e.count) for e in find_exceedances(readings, "mg/m³", limit, HOUR)] == [
        (at(0), 1),
        (at(2), 1),
    ]


def test_exceedance_converts_units_and_knows_lower_limits() -> None:
    # Mercury limit 0.05 mg/L; 60 μg/L = 0.06 mg/L exceeds it, 40 μg/L = 0.04 does not.
    mercury = Limit(upper=0.05, unit="mg/L")
    found = find_exceedances(hourly([(0, 60.0, "N"), (1, 40.0, "N")]), "μg/L", mercury, HOUR)
    assert [(e.start, e.peak) for e in found] == [(at(0), pytest.approx(0.06))]
    # pH 6–9: 5.8 is below the lower limit; its peak is the lowest value of the run.
    ph = Limit(upper=9.0, lower=6.0, unit="无量纲")
    found = find_exceedances(
        hourly([(0, 5.8, "N"), (1, 5.5, "N"), (2, 7.0, "N")]), "无量纲", ph, HOUR
    )
    assert [(e.start, e.end, e.peak) for e in found] == [(at(0), at(1), 5.5)]


def test_exceedance_of_a_converted_concentration() -> None:
    # Limit 100 mg/m³ at 6 % O2. Hour 0: 80 at 12 % O2 → 80 × 15/9 = 133.3 (exceeds);
    # hour 1: 80 at 9 % → 80 × 15/12 = 100 (complies); hour 2: O2 flagged C → not judged.
    limit = Limit(upper=100.0, unit="mg/m³", reference_o2=6.0)
    nox = hourly([(0, 80.0, "N"), (1, 80.0, "N"), (2, 300.0, "N")])
    o2 = hourly([(0, 12.0, "N"), (1, 9.0, "N"), (2, 9.0, "C")])
    converted = converted_readings(nox, o2, 6.0)
    assert [r.value for r in converted[:2]] == [pytest.approx(133.3333, rel=1e-5), 100.0]
    assert converted[2].valid is False
    found = find_exceedances(converted, "mg/m³", limit, HOUR)
    assert [(e.start, round(e.peak, 2)) for e in found] == [(at(0), 133.33)]


def test_expected_times_count_complete_intervals_only() -> None:
    # 00:00 to 05:59: hours 0..4 are complete, hour 5 is not over yet.
    assert expected_count(at(0), at(5, 59), HOUR) == 5
    assert expected_times(at(0), at(3), HOUR) == [at(0), at(1), at(2)]
    assert expected_count(at(3), at(0), HOUR) == 0


def test_gaps_are_runs_of_expected_times_without_any_data() -> None:
    # Expected 00–05 (six hours); received 00, 01, 03:20 (counts for hour 3), 04 — and an
    # invalid value is still a value received, so it closes no gap but makes none either.
    received = [at(0), at(1), at(3, 20), at(4)]
    gaps = find_gaps(received, at(0), at(6), HOUR)
    assert gaps == [
        Gap(at(2), at(2), 1, ongoing=False),
        Gap(at(5), at(5), 1, ongoing=True),
    ]
    assert find_gaps([], at(0), at(3), HOUR) == [Gap(at(0), at(2), 3, ongoing=True)]
    assert find_gaps([at(h) for h in range(3)], at(0), at(3), HOUR) == []


def test_whole_hours_through_the_latest_value() -> None:
    # 00, 01, 02 and nothing else: every hour through 02 is there.
    assert whole_hours_through(3, 0, at(2), at(0))
    # Three values up to 03: one of the four hours is missing.
    assert not whole_hours_through(3, 0, at(3), at(0))
    # 00, 01:30, 02: three values through 02, but one is not at a whole hour.
    assert not whole_hours_through(3, 1, at(2), at(0))
    assert whole_hours_through(1, 0, at(0), at(0))


def test_a_gap_reaching_the_end_of_a_closed_window_has_ended() -> None:
    # The window 00–03 is part of a longer one whose next expected time (03) was received.
    assert find_gaps([at(0)], at(0), at(3), HOUR, open_end=False) == [
        Gap(at(1), at(2), 2, ongoing=False)
    ]


def test_offline_after_the_threshold() -> None:
    now = at(12, 30)
    offline = connection_status(at(10, 0), now, timedelta(hours=2))
    # Silent 2 h 30 min > 2 h: offline.
    assert offline.offline and offline.silent_for == timedelta(hours=2, minutes=30)
    assert not connection_status(at(10, 31), now, timedelta(hours=2)).offline
    # Exactly the threshold is still online.
    assert not connection_status(at(10, 30), now, timedelta(hours=2)).offline
    never = connection_status(None, now, timedelta(hours=2))
    assert never.offline and never.silent_for is None


def test_validity_rate_of_a_point_and_of_an_enterprise() -> None:
    # One day of hourly data, COD and NH3-N monitored: 24 × 2 = 48 records expected.
    # COD: 22 hours flagged N, hour 5 flagged D, hour 6 missing → 22 valid.
    # NH3-N: all 24 flagged N → 24 valid. The point: 46 / 48 = 95.83 %.
    cod = [Reading(at(h), 40.0, "D" if h == 5 else "N") for h in range(24) if h != 6]
    nh3 = [Reading(at(h), 2.0, "N") for h in range(24)]
    # A value of the next day and one of a pollutant not monitored are ignored.
    cod.append(Reading(at(24), 40.0, "N"))
    readings = {"w01018": cod, "w21003": nh3, "w01001": nh3}
    point = point_validity(readings, ["w01018", "w21003"], at(0), at(24), HOUR)
    assert point == ValidityRate(46, 48)
    assert point.percent == pytest.approx(95.8333, rel=1e-5)
    # A second point of the enterprise: 12 of 24 valid. Enterprise: (46 + 12) / (48 + 24)
    # = 58 / 72 = 80.56 % — weighted by records, not the mean of 95.83 % and 50 % (72.92 %).
    other = ValidityRate(12, 24)
    enterprise = combined_validity([point, other])
    assert enterprise == ValidityRate(58, 72)
    assert enterprise.percent == pytest.approx(80.5556, rel=1e-5)
    assert ValidityRate(0, 0).rate is None


def test_two_valid_values_in_one_interval_count_once() -> None:
    # Real-time data every 30 s against a 1-minute basis: 00:00:00 and 00:00:30 fill minute 0.
    minute = timedelta(minutes=1)
    readings = [
        Reading(at(0), 1.0, "N"),
        Reading(at(0) + timedelta(seconds=30), 1.0, "N"),
        Reading(at(0, 1), 1.0, "D"),
        Reading(at(0, 2), 1.0, "N"),
    ]
    assert valid_record_count(readings, at(0), at(0, 3), minute) == 2


def test_extremes_inside_the_limit_cannot_exceed_it() -> None:
    limit = Limit(upper=50.0, unit="mg/L", lower=None)
    assert not may_exceed(limit, "mg/L", 12.0, 50.0)  # equal to the limit complies
    assert may_exceed(limit, "mg/L", 12.0, 50.1)
    assert not may_exceed(limit, "mg/L", None, None)  # no valid value: nothing is judged
    # Units: 49 000 μg/L is 49 mg/L.
    assert not may_exceed(limit, "μg/L", 0.0, 49_000.0)
    ph = Limit(upper=9.0, unit="", lower=6.0)
    assert may_exceed(ph, "", 5.9, 7.0)
    assert not may_exceed(ph, "", 6.0, 9.0)


def test_extremes_of_a_converted_concentration_bound_every_converted_value() -> None:
    # Ultra-low NOx 50 mg/m³ at 6 % O2. Highest NOx 40, O2 between 5 and 9 %:
    # at most 40 × (21 − 6)/(21 − 9) = 50.0 (complies); with O2 up to 10 %: 54.5 (may exceed).
    limit = Limit(upper=50.0, unit="mg/m³", reference_o2=6.0)
    assert not may_exceed(limit, "mg/m³", 20.0, 40.0, 5.0, 9.0)
    assert may_exceed(limit, "mg/m³", 20.0, 40.0, 5.0, 10.0)
    # Without a valid O2 nothing is converted, so nothing is judged.
    assert not may_exceed(limit, "mg/m³", 20.0, 400.0, None, None)
    # O2 at 21 % or more cannot be bounded.
    assert may_exceed(limit, "mg/m³", 1.0, 2.0, 5.0, 21.0)


def test_whole_hours_complete_only_when_every_hour_is_proven() -> None:
    midnight = datetime(2024, 3, 1, tzinfo=BEIJING)
    last = midnight + timedelta(hours=23)
    assert whole_hours_complete(24, 0, last, midnight, 24)
    assert not whole_hours_complete(23, 0, last, midnight, 24)  # one missing
    # 24 values but one at 15:30: an hour may be missing.
    assert not whole_hours_complete(24, 1, last, midnight, 24)
    # Today until 10:20, ten hours expected; a value stamped 10:00 is beyond them.
    assert whole_hours_complete(10, 0, midnight + timedelta(hours=9), midnight, 10)
    assert not whole_hours_complete(10, 0, midnight + timedelta(hours=10), midnight, 10)
