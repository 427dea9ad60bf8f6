"""Rollups folded out of the write path (issue #25): on PostgreSQL the measurement table's
trigger sets new rows aside and a fold adds them to the rollups.

* a fold adds each pending measurement once: again, nothing; under concurrent writers and
  folds; killed before its commit, it folded nothing;
* rollups after any interleaving of batches and folds equal a full rebuild (Hypothesis;
  both databases: SQLite's row triggers leave nothing pending);
* the pages' reads with measurements not folded yet give the fully folded answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecer.hj212.storage import MEASUREMENT_TABLE
from ecer.web.monitoring import rollups
from ecer.web.monitoring.models import Measurement, MonitoringPoint, PointPollutant

BEIJING = ZoneInfo("Asia/Shanghai")
# 2024-02-29 22:00 Beijing: two hours before a day and month boundary.
ORIGIN = datetime(2024, 2, 29, 22, tzinfo=BEIJING)
COLUMNS = (
    "point_id, cn, pollutant, kind, level, start, count, valid_count, valid_sum, "
    "valid_min, valid_max, last_time, off_hour"
)


def table() -> list[tuple[Any, ...]]:
    """Every rollup row as stored (no fold first), the sum rounded (addition order)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {COLUMNS} FROM {rollups.TABLE}")
        rows = cursor.fetchall()
    return sorted((*row[:8], round(row[8], 6), *row[9:]) for row in rows)


def rebuilt() -> list[tuple[Any, ...]]:
    rollups.rebuild()
    return table()


def make_points(count: int, prefix: str = "ECERFOLD") -> list[MonitoringPoint]:
    return [
        MonitoringPoint.objects.create(
            mn=f"{prefix}{n:0>{24 - len(prefix)}}",
            name=f"折叠测试{n}",
            medium="gas",
            password="1",
        )
        for n in range(count)
    ]


Row = tuple[int, str, int, str, str, float, str]  # point, cn, minute, pollutant, kind, value, flag


def insert(points: list[MonitoringPoint], rows: list[Row]) -> None:
    """One INSERT statement (the trigger sees the batch as one statement)."""
    Measurement.objects.bulk_create(
        [
            Measurement(
                point=points[p],
                cn=cn,
                data_time=ORIGIN + timedelta(minutes=minute),
                pollutant=pollutant,
                kind=kind,
                value=value,
                flag=flag,
            )
            for p, cn, minute, pollutant, kind, value, flag in rows
        ],
        ignore_conflicts=True,
    )


rows_strategy = st.tuples(
    st.integers(0, 1),
    st.sampled_from(["2011", "2051", "2061", "2031"]),
    # Up to 3 days from the origin, over an hour, a day and a month boundary.
    st.integers(0, 3 * 24 * 60).map(lambda m: m - m % 30 if m % 7 else m),
    st.sampled_from(["a21002", "a34013"]),
    st.sampled_from(["Avg", "Rtd"]),
    st.integers(-4000, 4000).map(lambda v: v / 4),
    st.sampled_from(["N", "N", "D"]),
)


@pytest.mark.django_db
@settings(
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.tuples(st.lists(rows_strategy, max_size=25), st.booleans()), max_size=6))
def test_rollups_after_any_batches_and_folds_equal_a_full_rebuild(
    batches: list[tuple[list[Row], bool]],
) -> None:
    rollups.delete_measurements(MonitoringPoint.objects.values_list("pk", flat=True))
    points = list(MonitoringPoint.objects.filter(mn__startswith="ECERFOLD").order_by("mn"))
    points = points or make_points(2)
    for rows, then_fold in batches:
        insert(points, rows)
        if then_fold:
            rollups.fold()
    rollups.fold()
    assert rollups.pending() == 0
    folded = table()
    assert folded == rebuilt()
    assert rollups.fold() == 0  # again: nothing


@pytest.mark.django_db
def test_a_fold_takes_each_pending_measurement_once() -> None:
    points = make_points(1)
    rows: list[Row] = [(0, "2051", m, "a21002", "Avg", float(m), "N") for m in range(180)]
    insert(points, rows)
    if connection.vendor != "postgresql":  # row triggers: nothing is ever pending
        assert rollups.pending() == 0 and rollups.fold() == 0
        assert table() == rebuilt()
        return
    assert rollups.pending() == 180
    assert table() == []  # nothing on the write path
    assert rollups.fold(most=100) == 100
    assert rollups.pending() == 80
    assert rollups.fold() == 80
    assert rollups.fold() == 0
    # 180 minutes from 22:00: 3 hours, 2 days and 2 months (the month ends at midnight).
    levels = sorted(row[4] for row in table())
    assert levels == ["day", "day", "hour", "hour", "hour", "month", "month"]
    assert table() == rebuilt()


@pytest.mark.django_db
def test_deleting_or_rebuilding_drops_the_pending_measurements_of_those_points() -> None:
    first, second = make_points(2)
    insert(
        [first, second],
        [(p, "2061", h * 60, "w01018", "Avg", 1.0, "N") for p in (0, 1) for h in range(5)],
    )
    rollups.delete_measurements([first.pk])
    rollups.rebuild([second.pk])
    assert rollups.pending() == 0
    assert rollups.fold() == 0
    assert {row[0] for row in table()} == {second.pk}
    assert table() == rebuilt()


# --- PostgreSQL: concurrency and kills, on connections of their own -------------------------


def _connect() -> Any:
    import psycopg

    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"] or None,
        password=settings_dict["PASSWORD"] or None,
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


_INSERT_MINUTES = f"""
    INSERT INTO {MEASUREMENT_TABLE} (point_id, data_time, cn, pollutant, kind, value, flag)
    SELECT %s, %s::timestamptz + make_interval(mins => m), '2051', p, 'Avg', m %% 17,
           CASE WHEN m %% 5 = 0 THEN 'D' ELSE 'N' END
    FROM generate_series(%s::integer, %s::integer) AS m,
        unnest(ARRAY['a21002', 'a34013', 'a19001']) AS p
    ON CONFLICT DO NOTHING
"""


@pytest.fixture
def committed_points() -> Iterator[list[MonitoringPoint]]:
    """Points other connections can see (the test's data is committed, then flushed)."""
    yield make_points(4, prefix="ECERFOLDC")
    rollups.delete_measurements(MonitoringPoint.objects.values_list("pk", flat=True))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_folds_under_concurrent_writers_count_every_measurement_once(
    committed_points: list[MonitoringPoint],
) -> None:
    """Four writers (a transaction per 60 minutes of 3 pollutants) and three folders — two
    that skip their fold while another runs, one that waits — all at once; then the
    rollups equal a rebuild: nothing folded twice, nothing lost."""
    writing = threading.Event()
    errors: list[BaseException] = []
    folded: list[int] = []

    def write(point: MonitoringPoint) -> None:
        try:
            with _connect() as db:
                for hour in range(30):
                    db.execute(_INSERT_MINUTES, (point.pk, ORIGIN, hour * 60, hour * 60 + 59))
        except BaseException as exc:
            errors.append(exc)

    def fold(wait: bool) -> None:
        try:
            with _connect() as db:
                while writing.is_set():
                    folded.append(
                        db.execute("SELECT monitoring_rollup_fold(%s)", (wait,)).fetchone()[0]
                    )
        except BaseException as exc:
            errors.append(exc)

    writing.set()
    writers = [threading.Thread(target=write, args=(p,)) for p in committed_points]
    folders = [threading.Thread(target=fold, args=(wait,)) for wait in (False, False, True)]
    for thread in writers + folders:
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    for thread in folders:
        thread.join()
    assert not errors, errors
    rest = rollups.fold()
    stored = Measurement.objects.count()
    assert stored == 4 * 30 * 60 * 3
    assert sum(folded) + rest == stored  # every measurement folded exactly once
    assert table() == rebuilt()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_fold_killed_before_its_commit_folded_nothing(
    committed_points: list[MonitoringPoint],
) -> None:
    point = committed_points[0]
    with _connect() as db:
        db.execute(_INSERT_MINUTES, (point.pk, ORIGIN, 0, 119))
    before = table()
    folder, other = _connect(), _connect()
    try:
        folder.execute("BEGIN")
        [(taken,)] = folder.execute("SELECT monitoring_rollup_fold(true)").fetchall()
        assert taken == 360  # folded, not committed
        # Meanwhile a fold that does not wait folds nothing (one fold at a time).
        assert other.execute("SELECT monitoring_rollup_fold(false)").fetchone()[0] == 0
        pid = folder.info.backend_pid
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))  # the session dies mid-fold
    finally:
        folder.close()
        other.close()
    assert rollups.pending() == 360
    assert table() == before  # nothing of the killed fold
    assert rollups.fold() == 360
    assert table() == rebuilt()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_waiting_fold_waits_for_a_running_one_and_takes_nothing_twice(
    committed_points: list[MonitoringPoint],
) -> None:
    point = committed_points[0]
    with _connect() as db:
        db.execute(_INSERT_MINUTES, (point.pk, ORIGIN, 0, 59))
    first, probe = _connect(), _connect()
    second_took: list[int] = []
    try:
        first.execute("BEGIN")
        assert first.execute("SELECT monitoring_rollup_fold(true)").fetchone()[0] == 180

        def second() -> None:
            with _connect() as db:
                second_took.append(db.execute("SELECT monitoring_rollup_fold(true)").fetchone()[0])

        thread = threading.Thread(target=second)
        thread.start()
        # Until the second fold waits for the first (a lock wait, seen in pg_stat_activity).
        waiting = (
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s"
        )
        while not probe.execute(waiting, ("%monitoring_rollup_fold%",)).fetchone()[0]:
            assert thread.is_alive()
        first.execute("COMMIT")
        thread.join()
    finally:
        first.close()
        probe.close()
    assert second_took == [0]
    assert table() == rebuilt()


# --- the read path -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_reading_with_measurements_not_folded_get_the_folded_answer() -> None:
    """Day rollups, validity and latest data times read while measurements are pending equal
    the same reads after a full rebuild (the reads fold first: ``rollups.current``)."""
    from ecer.web.monitoring import services

    points = make_points(3, prefix="ECERFOLDR")
    for point in points:
        for code in ("w01018", "w21003"):
            PointPollutant.objects.create(point=point, pollutant=code)
    day = datetime(2024, 3, 1, tzinfo=BEIJING)
    hourly = [
        (p, "2061", 120 + h * 60, code, "Avg", float(h % 9), "D" if h % 11 == 0 else "N")
        for p in range(3)
        for h in range(40 - p * 7)
        for code in ("w01018", "w21003")
    ]
    insert(points, hourly[: len(hourly) // 2])
    rollups.fold()
    insert(points, hourly[len(hourly) // 2 :])  # pending on PostgreSQL
    on_postgres = connection.vendor == "postgresql"
    assert rollups.pending() == (len(hourly) - len(hourly) // 2 if on_postgres else 0)
    period = services.Period(day.date(), day.date() + timedelta(days=1))
    now = datetime(2024, 3, 5, tzinfo=BEIJING)

    def answers() -> tuple[Any, ...]:
        until = period.until(now)
        return (
            services.day_rollups(points, period.start, until),
            services.rollup_validity(points, period.start, until),
            services.latest_data_times(points, now),
        )

    with_tail = answers()
    assert rollups.pending() == 0  # the reads folded it
    rollups.rebuild()
    assert answers() == with_tail
    validity = with_tail[1]
    assert {pk: (v.valid, v.expected) for pk, v in validity.items()} == {
        points[0].pk: (sum(1 for r in hourly if r[0] == 0 and r[6] == "N"), 96),
        points[1].pk: (sum(1 for r in hourly if r[0] == 1 and r[6] == "N"), 96),
        points[2].pk: (sum(1 for r in hourly if r[0] == 2 and r[6] == "N"), 96),
    }
