"""Rollups of the measurements, kept by triggers; monthly partitions on PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from ecer.cli import main
from ecer.web.monitoring import partitions, rollups
from ecer.web.monitoring.models import Measurement, MonitoringPoint, Rollup

BEIJING = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)  # type: ignore[misc]


@pytest.fixture
def point() -> MonitoringPoint:
    return MonitoringPoint.objects.create(
        mn="ECERROLLUP00000000000001",
        name="汇总测试排放口",
        medium="gas",
        password="123456",
        data_cn="2051",
        interval_seconds=60,
    )


def add(point: MonitoringPoint, rows: list[tuple[datetime, float, str]], **fields: Any) -> int:
    """Insert (data time, value, flag) rows of NOx minute Avg; repeats are turned away."""
    values = {"cn": "2051", "pollutant": "a21002", "kind": "Avg", **fields}
    made = Measurement.objects.bulk_create(
        [Measurement(point=point, data_time=t, value=v, flag=f, **values) for t, v, f in rows],
        ignore_conflicts=True,
    )
    return len(made)


def table(point: MonitoringPoint) -> dict[tuple[str, datetime], tuple[Any, ...]]:
    return {
        (r.level, r.start): (r.count, r.valid_count, r.valid_sum, r.valid_min, r.valid_max)
        for r in Rollup.objects.filter(point=point, cn="2051", pollutant="a21002", kind="Avg")
    }


def limited_point(
    prefix: str,
    name: str,
    medium: str,
    values: dict[str, list[tuple[datetime, float, str]]],
    cn: str = "2061",
    seconds: int = 3600,
) -> MonitoringPoint:
    """A point with these pollutants' values; COD and NOx limited to 50 (NOx at 6 % O2)."""
    from ecer.web.monitoring.models import PointPollutant

    point = MonitoringPoint.objects.create(
        mn=f"{prefix}{name:0>{24 - len(prefix)}}",
        name=name,
        medium=medium,
        password="1",
        data_cn=cn,
        interval_seconds=seconds,
    )
    limits = {"w01018": 50.0, "a21002": 50.0}
    for code, rows in values.items():
        PointPollutant.objects.create(
            point=point,
            pollutant=code,
            upper_limit=limits.get(code),
            reference_o2=6.0 if code == "a21002" else None,
        )
        add(point, rows, cn=cn, pollutant=code)
    return point


def shown(statuses: list[Any]) -> dict[int, Any]:
    """What the pages show of each point status: its validity and its alarms."""
    return {
        s.point.pk: (
            (s.validity.valid, s.validity.expected),
            [
                (a.kind, a.start, a.end, a.ongoing, a.pollutant and a.pollutant.pollutant)
                for a in s.alarms
            ],
        )
        for s in statuses
    }


def test_minute_values_roll_up_into_beijing_hours_days_and_month(point: MonitoringPoint) -> None:
    # Worked example, by hand: two valid values before Beijing midnight (10, 20), one valid
    # (30) and one flagged D (99, not valid) after it, all in March 2024.
    add(
        point,
        [
            (beijing(2024, 3, 1, 23, 58), 10.0, "N"),
            (beijing(2024, 3, 1, 23, 59), 20.0, "N"),
            (beijing(2024, 3, 2, 0, 0), 30.0, "N"),
            (beijing(2024, 3, 2, 0, 1), 99.0, "D"),
        ],
    )
    assert table(point) == {
        # Beijing 23:00 on 1 March is 15:00 UTC; its day began at 16:00 UTC on 29 February.
        ("hour", beijing(2024, 3, 1, 23)): (2, 2, 30.0, 10.0, 20.0),
        ("hour", beijing(2024, 3, 2, 0)): (2, 1, 30.0, 30.0, 30.0),
        ("day", beijing(2024, 3, 1)): (2, 2, 30.0, 10.0, 20.0),
        ("day", beijing(2024, 3, 2)): (2, 1, 30.0, 30.0, 30.0),
        ("month", beijing(2024, 3, 1)): (4, 3, 60.0, 10.0, 30.0),
    }
    month = Rollup.objects.get(point=point, level="month")
    assert month.start == datetime(2024, 2, 29, 16, tzinfo=UTC)
    assert month.valid_mean == 20.0
    assert month.last_time == beijing(2024, 3, 2, 0, 1)
    assert month.off_hour == 3  # 23:58, 23:59 and 00:01 are not whole hours; 00:00 is


def test_a_bucket_of_invalid_values_only_has_no_extremes(point: MonitoringPoint) -> None:
    add(point, [(beijing(2024, 3, 1, 8, 0), 5.0, "M"), (beijing(2024, 3, 1, 8, 1), 7.0, "D")])
    assert table(point)[("hour", beijing(2024, 3, 1, 8))] == (2, 0, 0.0, None, None)
    # A valid value arriving later sets them.
    add(point, [(beijing(2024, 3, 1, 8, 2), 6.0, "N")])
    assert table(point)[("hour", beijing(2024, 3, 1, 8))] == (3, 1, 6.0, 6.0, 6.0)


def test_hourly_data_has_day_and_month_rollups_only(point: MonitoringPoint) -> None:
    add(point, [(beijing(2024, 3, 1, 8), 5.0, "N")], cn="2061")
    levels = set(Rollup.objects.filter(point=point, cn="2061").values_list("level", flat=True))
    assert levels == {"day", "month"}


def test_a_repeated_value_is_counted_once(point: MonitoringPoint) -> None:
    rows = [(beijing(2024, 3, 1, 8, 0), 5.0, "N"), (beijing(2024, 3, 1, 8, 1), 7.0, "N")]
    add(point, rows)
    add(point, [*rows, (beijing(2024, 3, 1, 8, 2), 9.0, "N")])  # two repeats, one new
    assert Measurement.objects.filter(point=point).count() == 3
    assert table(point)[("month", beijing(2024, 3, 1))] == (3, 3, 21.0, 5.0, 9.0)


def test_rollups_kept_batch_by_batch_equal_a_rebuild_from_raw(point: MonitoringPoint) -> None:
    other = MonitoringPoint.objects.create(
        mn="ECERROLLUP00000000000002", name="另一排放口", medium="gas", password="1"
    )
    rng = random.Random(7)
    start = beijing(2024, 1, 31, 20)
    times = [start + timedelta(minutes=m) for m in range(0, 3 * 24 * 60, 7)]
    rng.shuffle(times)  # out of order, across a day and a month boundary, in batches
    for at in range(0, len(times), 97):
        batch = [(t, round(rng.uniform(0, 200), 3), rng.choice("NNNNND")) for t in times[at:]]
        add(point, batch[:97])
        add(other, batch[:50], kind="Max")

    def snapshot() -> dict[tuple[Any, ...], tuple[Any, ...]]:
        return {
            (r.point_id, r.cn, r.pollutant, r.kind, r.level, r.start): (
                r.count,
                r.valid_count,
                round(r.valid_sum, 6),
                r.valid_min,
                r.valid_max,
                r.last_time,
                r.off_hour,
            )
            for r in Rollup.objects.all()
        }

    kept = snapshot()
    assert {key[4] for key in kept} == {"hour", "day", "month"}
    assert len({key[5] for key in kept if key[4] == "month"}) == 2  # January and February
    assert rollups.rebuild() == len(kept)
    assert snapshot() == kept
    # A rebuild of one point leaves the other's rows alone.
    assert rollups.rebuild([other.pk]) == sum(1 for key in kept if key[0] == other.pk)
    assert snapshot() == kept


def test_deleting_a_points_measurements_deletes_its_rollups(point: MonitoringPoint) -> None:
    add(point, [(beijing(2024, 3, 1, 8, m), 5.0, "N") for m in range(10)])
    assert rollups.delete_measurements([point.pk]) == 10
    assert not Measurement.objects.filter(point=point).exists()
    assert not Rollup.objects.filter(point=point).exists()


def test_rollups_command_rebuilds_one_point_or_all(
    point: MonitoringPoint, capsys: pytest.CaptureFixture[str]
) -> None:
    add(point, [(beijing(2024, 3, 1, 8, m), 5.0, "N") for m in range(3)])
    Rollup.objects.filter(point=point).delete()  # as if lost
    assert main(["monitoring", "rollups", "--mn", point.mn]) == 0
    assert "rollup rows written: 3" in capsys.readouterr().out  # hour, day, month
    assert table(point)[("day", beijing(2024, 3, 1))] == (3, 3, 15.0, 5.0, 5.0)
    assert main(["monitoring", "rollups", "--mn", "NOSUCHMN"]) == 1
    assert "unknown MN NOSUCHMN" in capsys.readouterr().err


def test_measurements_are_partitioned_by_month_on_postgresql_only() -> None:
    assert partitions.is_partitioned() == (connection.vendor == "postgresql")


@pytest.mark.postgres
def test_missing_months_are_created_and_their_rows_leave_the_default_partition(
    point: MonitoringPoint,
) -> None:
    # A month far in the past has no partition: its rows wait in DEFAULT.
    add(point, [(beijing(2009, 5, 31, 23, 59), 1.0, "N"), (beijing(2009, 6, 1, 0, 0), 2.0, "N")])

    def where() -> list[tuple[str, float]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tableoid::regclass::text, value FROM monitoring_measurement "
                "WHERE point_id = %s ORDER BY value",
                [point.pk],
            )
            return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]

    assert where() == [(partitions.DEFAULT, 1.0), (partitions.DEFAULT, 2.0)]
    created = partitions.ensure_partitions(beijing(2009, 5, 1), beijing(2009, 6, 30))
    assert created == ["monitoring_measurement_p200905", "monitoring_measurement_p200906"]
    # Beijing months: 23:59 on 31 May is in May although it is 15:59 UTC.
    assert where() == [
        ("monitoring_measurement_p200905", 1.0),
        ("monitoring_measurement_p200906", 2.0),
    ]
    assert partitions.ensure_partitions(beijing(2009, 5, 1), beijing(2009, 6, 30)) == []
    # New rows go straight to their partition; the rollup triggers still fire.
    add(point, [(beijing(2009, 6, 15, 12, 0), 3.0, "N")])
    assert where()[-1] == ("monitoring_measurement_p200906", 3.0)
    assert table(point)[("month", beijing(2009, 6, 1))] == (2, 2, 5.0, 2.0, 3.0)


@pytest.mark.postgres
def test_setup_keeps_a_year_of_partitions_ahead() -> None:
    partitions.ensure_ahead(14)
    names = partitions.existing()
    today = datetime.now(BEIJING).date()
    expected = [partitions.partition_name(m) for m in partitions.months(today, today)]
    assert set(expected) <= names
    month = today.replace(day=1)
    for _ in range(14):
        month = partitions.next_month(month)
    assert partitions.partition_name(month) in names
    assert partitions.ensure_ahead(14) == []


def test_months_are_counted_across_a_year_end() -> None:
    first, last = datetime(2024, 11, 20).date(), datetime(2025, 2, 1).date()
    assert [m.isoformat() for m in partitions.months(first, last)] == [
        "2024-11-01",
        "2024-12-01",
        "2025-01-01",
        "2025-02-01",
    ]


def test_validity_from_day_rollups_equals_the_count_from_raw_values() -> None:
    from ecer.core import monitoring as core
    from ecer.web.monitoring import services
    from ecer.web.monitoring.models import PointPollutant

    hourly = MonitoringPoint.objects.create(
        mn="ECERROLLUP00000000000003", name="小时数据排放口", medium="water", password="1"
    )
    for code in ("w01018", "w21003"):
        PointPollutant.objects.create(point=hourly, pollutant=code)
    assert services.counts_from_rollups(hourly)
    # Two Beijing days of hourly COD and NH3-N: NH3-N misses 5 hours, 3 COD values are flagged.
    day = beijing(2024, 3, 1)
    hours = [day + timedelta(hours=h) for h in range(48)]
    add(
        hourly,
        [(t, 40.0, "D" if h in (3, 4, 30) else "N") for h, t in enumerate(hours)],
        cn="2061",
        pollutant="w01018",
    )
    add(
        hourly,
        [(t, 2.0, "N") for h, t in enumerate(hours) if not 10 <= h < 15],
        cn="2061",
        pollutant="w21003",
    )
    period = services.Period(day.date(), day.date() + timedelta(days=1))
    now = beijing(2024, 3, 5)
    [raw] = [
        core.point_validity(
            services.point_data(hourly, period.start, period.end).readings,
            ["w01018", "w21003"],
            period.start,
            period.end,
            timedelta(hours=1),
        )
    ]
    [rolled] = services.point_validities([hourly], period, now)
    assert (rolled.validity.valid, rolled.validity.expected) == (raw.valid, raw.expected)
    assert (raw.valid, raw.expected) == (48 - 3 + 48 - 5, 96)
    # A stray half-hour value on a day that has all its 24 records adds none.
    stray = beijing(2024, 3, 2, 20, 30)
    add(hourly, [(stray, 2.0, "N")], cn="2061", pollutant="w21003")
    [again] = services.point_validities([hourly], period, now)
    assert again.validity.valid == raw.valid


def test_statuses_from_rollups_equal_statuses_from_every_value() -> None:
    from ecer.web.monitoring import services

    day = beijing(2024, 3, 1)
    now = beijing(2024, 3, 3, 10, 20)  # the third day is running: hours 0–9 expected
    hours = [day + timedelta(hours=h) for h in range(48 + 10)]

    def make(mn: str, medium: str, values: dict[str, list[tuple[datetime, float, str]]]) -> int:
        return limited_point("ECERPROOF", mn, medium, values).pk

    def water(
        cod: dict[int, tuple[float, str]] | None = None,
        skip: set[int] = frozenset(),
        skip_cod: set[int] = frozenset(),
    ) -> dict[str, list[tuple[datetime, float, str]]]:
        cod = cod or {}
        return {
            "w01018": [
                (t, *cod.get(h, (30.0, "N")))
                for h, t in enumerate(hours)
                if h not in skip | skip_cod
            ],
            "w21003": [(t, 2.0, "N") for h, t in enumerate(hours) if h not in skip],
        }

    def gas(o2: dict[int, float]) -> dict[str, list[tuple[datetime, float, str]]]:
        # NOx 40 at 8 % O2 is 40 × 15/13 = 46.2 converted; 45 at 10 % is 61.4: exceeds 50.
        return {
            "a21002": [(t, 45.0 if h in o2 else 40.0, "N") for h, t in enumerate(hours)],
            "a19001": [(t, o2.get(h, 8.0), "N") for h, t in enumerate(hours)],
        }

    stray = water()
    stray["w21003"][20] = (day + timedelta(hours=20, minutes=30), 2.0, "N")
    stray["w01018"].pop(20)
    points = {
        "clean": make("clean", "water", water()),
        "cod only missing": make("codgap", "water", water(skip_cod={5, 6})),
        "flagged high": make("flagged", "water", water(cod={7: (90.0, "D")})),
        "gas clean": make("gasclean", "gas", gas({})),
        "exceeds": make("exceeds", "water", water(cod={40: (60.0, "N")})),
        "gap": make("gap", "water", water(skip={3, 4, 50})),
        "converted exceeds": make("gasexceeds", "gas", gas({30: 10.0})),
        "stray half hour": make("stray", "water", stray),
        "exceeds to the end": make(
            "exceedsnow", "water", water(cod={55: (70.0, "N"), 56: (70.0, "N"), 57: (70.0, "N")})
        ),
        # Exceeds on day two, then only invalid COD values: still going on, as far as known.
        "exceeds then invalid": make(
            "exceedsinvalid",
            "water",
            water(cod={40: (60.0, "N"), **{h: (30.0, "D") for h in range(41, 58)}}),
        ),
    }
    listed = list(MonitoringPoint.objects.filter(pk__in=points.values()))
    period = services.Period(day.date(), now.date())
    until = period.until(now)
    rollups = services.day_rollups(listed, period.start, until)
    days = services.period_days(period.start, until)

    def settled_until(pk: int) -> datetime:
        """End of the leading days proven free of alarms."""
        point = next(p for p in listed if p.pk == pk)
        proofs = services.day_proofs(point, days, rollups[pk])
        assert proofs is not None
        return next((d.start for d in proofs if not d.proven), until)

    settled = {name: settled_until(pk) for name, pk in points.items()}
    # Proven free of alarms to the end, or up to the first day that needs reading.
    assert {name for name, t in settled.items() if t == until} == {
        "clean",
        "cod only missing",
        "flagged high",
        "gas clean",
    }
    assert settled["exceeds"] == settled["converted exceeds"] == beijing(2024, 3, 2)
    assert settled["exceeds then invalid"] == beijing(2024, 3, 2)
    assert settled["exceeds to the end"] == beijing(2024, 3, 3)
    assert settled["gap"] == settled["stray half hour"] == period.start

    fast = shown(services.point_statuses(listed, period, now))
    slow = shown(services.point_statuses(listed, period, now, use_rollups=False))
    assert fast == slow
    kinds = {name: {a[0] for a in fast[pk][1]} for name, pk in points.items()}
    assert kinds["exceeds"] == kinds["converted exceeds"] == {"exceedance", "offline"}
    assert kinds["gap"] == {"gap", "offline"}
    assert kinds["clean"] == {"offline"}  # never seen: offline, whatever its data

    def ongoing(name: str) -> list[bool]:
        return [a[3] for a in fast[points[name]][1] if a[0] == "exceedance"]

    assert ongoing("exceeds to the end") == ongoing("exceeds then invalid") == [True]
    assert ongoing("exceeds") == [False]


def test_statuses_from_rollups_equal_every_value_at_the_edges() -> None:
    """Gaps over midnight, days without data or cut short, ongoing exceedances judged from
    later days, daily and minute data: the same alarms as reading every value."""
    from ecer.web.monitoring import services

    day = beijing(2024, 3, 1)
    now = beijing(2024, 3, 3, 10, 20)  # the third day is running: hours 0–9 expected
    hours = [day + timedelta(hours=h) for h in range(48 + 10)]
    late = day + timedelta(hours=58)  # 10:00 on the third day: its hour is not over

    Values = dict[str, list[tuple[datetime, float, str]]]

    def make(
        mn: str, medium: str, values: Values, cn: str = "2061", seconds: int = 3600
    ) -> MonitoringPoint:
        return limited_point("ECEREDGE", mn, medium, values, cn, seconds)

    def water(
        cod: dict[int, float] | None = None,
        skip: Iterable[int] = (),
        skip_cod: Iterable[int] = (),
        extra: Iterable[datetime] = (),
    ) -> Values:
        cod, skip, skip_cod = cod or {}, set(skip), set(skip_cod)
        times = [(h, t) for h, t in enumerate(hours) if h not in skip]
        return {
            "w01018": [(t, cod.get(h, 30.0), "N") for h, t in times if h not in skip_cod]
            + [(t, 30.0, "N") for t in extra],
            "w21003": [(t, 2.0, "N") for h, t in times] + [(t, 2.0, "N") for t in extra],
        }

    def gas(
        nox: dict[int, float], o2_flags: dict[int, str], skip_nox: Iterable[int] = ()
    ) -> Values:
        # NOx 45 at 10 % O2 is 61.4 converted: above 50; 40 at 8 % is 46.2.
        skip_nox = set(skip_nox)
        return {
            "a21002": [
                (t, nox.get(h, 40.0), "N") for h, t in enumerate(hours) if h not in skip_nox
            ],
            "a19001": [
                (t, 10.0 if h in nox else 8.0, o2_flags.get(h, "N")) for h, t in enumerate(hours)
            ],
        }

    minutes = [day + timedelta(hours=49, minutes=m) for m in range(30) if m not in (7, 8)]
    points = {
        "midnight gap": make("midnight", "water", water(skip=range(22, 26))),
        "day without data": make("nodata", "water", water(skip=range(24, 48))),
        "cut short then back": make("cutshort", "water", water(skip=range(44, 50))),
        "stops on the last day": make("stops", "water", water(skip=range(52, 58))),
        "current hour sent": make("current", "water", water(extra=[late])),
        "current hour sent, a gap": make("currentgap", "water", water(skip={55}, extra=[late])),
        "exceeds at day end": make("dayend", "water", water(cod={46: 60.0, 47: 60.0})),
        "exceeds, then no COD": make(
            "nocod", "water", water(cod={46: 60.0, 47: 60.0}, skip_cod=range(48, 58))
        ),
        "exceeds over midnight": make(
            "overmidnight", "water", water(cod={23: 60.0, 24: 60.0, 30: 55.0})
        ),
        # Converted: after the exceedance O2 is invalid, but for one hour on the last day
        # when NOx is missing: the rollups cannot tell, the last day is read, no valid
        # judged value follows: still going on.
        "converted, no valid O2 after": make(
            "o2invalid",
            "gas",
            gas(
                {30: 45.0},
                {**{h: "D" for h in range(31, 58)}, 50: "N"},
                skip_nox={50},
            ),
        ),
        "converted, valid after": make("o2valid", "gas", gas({30: 45.0, 31: 45.0}, {})),
        "daily data": make(
            "daily",
            "water",
            {"w01018": [(day, 30.0, "N"), (day + timedelta(days=2), 60.0, "N")]},
            cn="2031",
            seconds=86400,
        ),
        "minute data": make(
            "minute", "water", {"w01018": [(t, 30.0, "N") for t in minutes]}, cn="2051", seconds=60
        ),
    }
    listed = list(MonitoringPoint.objects.filter(pk__in=[p.pk for p in points.values()]))
    period = services.Period(day.date(), now.date())

    names = {p.pk: name for name, p in points.items()}
    fast = {names[pk]: v for pk, v in shown(services.point_statuses(listed, period, now)).items()}
    slow = {
        names[pk]: v
        for pk, v in shown(services.point_statuses(listed, period, now, use_rollups=False)).items()
    }
    # The alarms, everywhere; the validity rates where no value is stamped after ``now``
    # (see test_rollup_validity_counts_no_value_stamped_after_now).
    assert {name: alarms for name, (_rate, alarms) in fast.items()} == {
        name: alarms for name, (_rate, alarms) in slow.items()
    }
    early = [name for name in points if not name.startswith("current hour")]
    assert [fast[name][0] for name in early] == [slow[name][0] for name in early]
    assert [a for s in services.point_alarm_lists(listed, period, now) for a in s] == [
        a for s in services.point_statuses(listed, period, now) for a in s.alarms
    ]

    def alarms(name: str, kind: str) -> list[tuple[datetime, datetime, bool]]:
        return [(a[1], a[2], a[3]) for a in fast[name][1] if a[0] == kind]

    assert alarms("midnight gap", "gap") == [(hours[22], hours[25], False)]
    assert alarms("cut short then back", "gap") == [(hours[44], hours[49], False)]
    assert alarms("stops on the last day", "gap") == [(hours[52], hours[57], True)]
    assert alarms("current hour sent", "gap") == []
    assert alarms("exceeds at day end", "exceedance") == [(hours[46], hours[47], False)]
    assert alarms("exceeds, then no COD", "exceedance") == [(hours[46], hours[47], True)]
    assert alarms("exceeds over midnight", "exceedance") == [
        (hours[30], hours[30], False),
        (hours[23], hours[24], False),
    ]
    assert alarms("converted, no valid O2 after", "exceedance") == [(hours[30], hours[30], True)]
    assert alarms("converted, valid after", "exceedance") == [(hours[30], hours[31], False)]
    # The rollups tell the data times of a day without data, of one cut short (every hour
    # up to its last value) and of a running day whose current hour came already.
    rollups = services.day_rollups(listed, period.start, period.until(now))
    days = services.period_days(period.start, period.until(now))

    def known(name: str) -> list[int | None]:
        proofs = services.day_proofs(points[name], days, rollups[points[name].pk])
        assert proofs is not None
        return [None if d.known_times is None else len(d.known_times) for d in proofs]

    assert known("day without data") == [None, 0, None]  # day 1 complete: not asked
    assert known("cut short then back") == [None, 20, None]
    assert known("stops on the last day") == [None, None, 4]
    assert known("current hour sent") == [None, None, 10]
    assert known("current hour sent, a gap") == [None, None, None]
    assert services.day_proofs(points["daily data"], days, {}) is None


def test_rollup_validity_counts_no_value_stamped_after_now() -> None:
    from ecer.web.monitoring import services
    from ecer.web.monitoring.models import PointPollutant

    # Hours 0–8 of 3 March and the 10:00 value (sent before its hour is over), at 10:20:
    # ten hours expected, nine valid values in them.
    day = beijing(2024, 3, 3)
    now = beijing(2024, 3, 3, 10, 20)
    point = MonitoringPoint.objects.create(mn="ECERLATE", name="late", medium="water", password="1")
    PointPollutant.objects.create(point=point, pollutant="w01018")
    times = [day + timedelta(hours=h) for h in (*range(9), 10)]
    add(point, [(t, 30.0, "N") for t in times], cn="2061", pollutant="w01018")
    period = services.Period(day.date(), day.date())
    [rolled] = services.point_validities([point], period, now)
    assert (rolled.validity.valid, rolled.validity.expected) == (9, 10)


@pytest.mark.postgres
def test_postgresql_connections_do_not_jit_compile() -> None:
    # The batched reads' cost estimates made JIT spend 0.5–0.9 s per query (issue #10).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_the_first_gc_threshold_is_the_setting() -> None:
    import gc

    from django.conf import settings

    assert gc.get_threshold()[0] == settings.ECER_GC_THRESHOLD == 10_000
