"""Real-time and minute data in hourly blocks: the codec, compaction of gateway rows, and
that pages and rollups see the same values before and after (issue #10)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ecer.cli import main
from ecer.web.monitoring import blocks, rollups, services
from ecer.web.monitoring.models import Measurement, MeasurementBlock, MonitoringPoint, Rollup

BEIJING = ZoneInfo("Asia/Shanghai")
HOUR = datetime(2024, 3, 1, 15, tzinfo=UTC)  # 23:00 Beijing


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)  # type: ignore[misc]


def test_a_block_round_trips_with_absent_values_and_any_flags() -> None:
    block = blocks.from_values(
        7,
        "2051",
        HOUR,
        [
            (HOUR + timedelta(minutes=1), "a21002", "Avg", 12.5, "N"),
            (HOUR, "a21002", "Avg", 10.0, "N"),
            (HOUR, "a19001", "Avg", float("nan"), ""),  # a value without flag (old loggers)
            (HOUR + timedelta(seconds=3599), "a19001", "Avg", 9.25, "D"),
            (HOUR + timedelta(minutes=1), "a21002", "Avg", 99.0, "N"),  # a repeat: first wins
        ],
    )
    assert block.columns == (("a19001", "Avg"), ("a21002", "Avg"))
    assert block.offsets.tolist() == [0, 60, 3599]
    assert block.flags == ("", "N", None, "N", "D", None)
    again = blocks.Block.decode(block.encode())
    assert again.columns == block.columns and again.flags == block.flags
    assert again.offsets.tolist() == [0, 60, 3599] and again.start == HOUR
    assert np.array_equal(again.values, block.values, equal_nan=True)
    assert again.values[1, 1] == 12.5 and math.isnan(again.values[0, 0])


def test_bad_blocks_are_refused() -> None:
    with pytest.raises(ValueError, match="not in the hour"):
        blocks.from_values(1, "2051", HOUR, [(HOUR + timedelta(hours=1), "a", "Avg", 1.0, "N")])
    with pytest.raises(ValueError, match="ascend"):
        blocks.Block(
            1,
            "2051",
            HOUR,
            (("a", "Avg"),),
            np.array([60, 0], dtype=np.uint16),
            np.zeros((2, 1)),
            ("N", "N"),
        )
    with pytest.raises(ValueError, match="agree"):
        blocks.Block(
            1,
            "2051",
            HOUR,
            (("a", "Avg"),),
            np.array([0], dtype=np.uint16),
            np.zeros((1, 1)),
            ("N", "N"),
        )


def test_an_hour_rollup_of_a_block_by_hand() -> None:
    # NOx at 23:00 (10, N), 23:01 (20, N), 23:02 (99, D): three values, two valid, sum 30,
    # min 10, max 20, latest 23:02, two off the whole hour. O2 only at 23:00 (no valid one).
    block = blocks.from_values(
        7,
        "2051",
        HOUR,
        [
            (HOUR, "a21002", "Avg", 10.0, "N"),
            (HOUR + timedelta(minutes=1), "a21002", "Avg", 20.0, "N"),
            (HOUR + timedelta(minutes=2), "a21002", "Avg", 99.0, "D"),
            (HOUR, "a19001", "Avg", 8.0, "M"),
        ],
    )
    assert block.hour_rows() == [
        (7, "2051", "a19001", "Avg", HOUR, 1, 0, 0.0, None, None, HOUR, 0),
        (7, "2051", "a21002", "Avg", HOUR, 3, 2, 30.0, 10.0, 20.0, HOUR + timedelta(minutes=2), 2),
    ]


@pytest.fixture
def point(db: Any) -> MonitoringPoint:
    return MonitoringPoint.objects.create(
        mn="ECERBLOCK00000000000001",
        name="数据块测试排放口",
        medium="gas",
        password="123456",
        data_cn="2051",
        interval_seconds=60,
    )


def minute_rows(point: MonitoringPoint, start: datetime, minutes: int) -> list[Measurement]:
    """NOx and O2 minute data, Avg and Max (Avg + 1), every eleventh minute flagged D."""
    rows = []
    for minute in range(minutes):
        data_time = start + timedelta(minutes=minute)
        flag = "D" if minute % 11 == 5 else "N"
        for code, value in (("a21002", 40.0 + minute % 7), ("a19001", 9.0 + minute % 3 / 10)):
            rows.extend(
                Measurement(
                    point=point,
                    data_time=data_time,
                    cn="2051",
                    pollutant=code,
                    kind=kind,
                    value=value + extra,
                    flag=flag,
                )
                for kind, extra in (("Avg", 0.0), ("Max", 1.0))
            )
    return rows


def rollup_table(point: MonitoringPoint) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return {
        (r.cn, r.pollutant, r.kind, r.level, r.start): (
            r.count,
            r.valid_count,
            round(r.valid_sum, 9),
            r.valid_min,
            r.valid_max,
            r.last_time,
            r.off_hour,
        )
        for r in Rollup.objects.filter(point=point)
    }


def readings(point: MonitoringPoint, start: datetime, end: datetime) -> dict[str, list[Any]]:
    data = services.point_data(point, start, end)
    return {code: [(r.time, r.value, r.flag) for r in rs] for code, rs in data.readings.items()}


def test_compaction_moves_old_hours_into_blocks_and_nothing_changes_for_readers(
    point: MonitoringPoint,
) -> None:
    start = beijing(2024, 3, 1, 22, 30)  # 150 minutes: 22:30 … 00:59, across Beijing midnight
    Measurement.objects.bulk_create(minute_rows(point, start, 150))
    end = start + timedelta(minutes=150)
    before_readings = readings(point, start, end)
    before_rollups = rollup_table(point)
    assert len(before_readings["a21002"]) == 150

    done = blocks.compact(beijing(2024, 3, 2, 0, 30))  # cut to 00:00: 22:xx and 23:xx move
    assert (done.points, done.blocks, done.rows) == (1, 2, 90 * 4)
    assert Measurement.objects.filter(point=point).count() == 60 * 4  # 00:00 … 00:59 stay
    assert MeasurementBlock.objects.filter(point=point).count() == 2

    assert readings(point, start, end) == before_readings
    # A window inside a block: only its values.
    inside = readings(point, beijing(2024, 3, 1, 23, 10), beijing(2024, 3, 1, 23, 12))
    assert [t for t, _, _ in inside["a21002"]] == [
        beijing(2024, 3, 1, 23, 10),
        beijing(2024, 3, 1, 23, 11),
    ]
    assert rollup_table(point) == before_rollups  # the rows were counted when inserted
    rollups.rebuild([point.pk])
    assert rollup_table(point) == before_rollups  # and a rebuild counts blocks and rows alike

    assert blocks.compact(beijing(2024, 3, 2, 0, 30)) == blocks.Compacted(0, 0, 0)


def test_a_late_value_for_a_compacted_hour_is_merged_into_its_block(
    point: MonitoringPoint,
) -> None:
    start = beijing(2024, 3, 1, 23)
    rows = minute_rows(point, start, 60)
    late = [r for r in rows if r.data_time == start + timedelta(minutes=30)]
    Measurement.objects.bulk_create([r for r in rows if r not in late])
    blocks.compact(beijing(2024, 3, 2))
    Measurement.objects.bulk_create(late)
    before = readings(point, start, start + timedelta(hours=1))
    assert len(before["a21002"]) == 60
    done = blocks.compact(beijing(2024, 3, 2))
    assert done == blocks.Compacted(1, 1, 4)
    assert MeasurementBlock.objects.filter(point=point).count() == 1
    assert not Measurement.objects.filter(point=point).exists()
    assert readings(point, start, start + timedelta(hours=1)) == before
    kept = rollup_table(point)
    rollups.rebuild([point.pk])
    assert rollup_table(point) == kept


def test_the_command_compacts_what_is_older_than_the_days_kept(
    point: MonitoringPoint, capsys: Any
) -> None:
    now = datetime.now(UTC)
    hour = (now - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    Measurement.objects.bulk_create(minute_rows(point, hour, 5))
    Measurement.objects.bulk_create(minute_rows(point, now - timedelta(hours=1), 5))
    assert main(["monitoring", "compact", "--keep-days", "2"]) == 0
    assert "compacted 20 rows of 1 points into 1 hourly blocks" in capsys.readouterr().out
    assert Measurement.objects.filter(point=point).count() == 20


def test_the_point_page_shows_minute_data_from_blocks(
    admin_client: Any, point: MonitoringPoint
) -> None:
    point.pollutants.create(pollutant="a21002", upper_limit=100.0)
    Measurement.objects.bulk_create(minute_rows(point, beijing(2024, 3, 1, 23), 60))
    blocks.compact(beijing(2024, 3, 2))
    page = admin_client.get(
        f"/monitoring/points/{point.pk}/?cn=2051&pollutant=a21002&start=2024-03-01&end=2024-03-01"
    )
    assert page.status_code == 200
    assert len(page.context["series"].readings) == 60
    block = MeasurementBlock.objects.get(point=point)
    assert admin_client.get("/admin/monitoring/measurementblock/").status_code == 200
    detail = admin_client.get(f"/admin/monitoring/measurementblock/{block.pk}/change/")
    assert detail.status_code == 200 and "a21002" in detail.content.decode()


def test_compaction_goes_a_day_at_a_time_over_long_stretches(point: MonitoringPoint) -> None:
    for day in (1, 3, 9):  # a week without data between the second and the third
        Measurement.objects.bulk_create(minute_rows(point, beijing(2024, 3, day, 12), 3))
    done = blocks.compact(beijing(2024, 3, 10))
    assert done == blocks.Compacted(points=1, blocks=3, rows=3 * 3 * 4)
    assert not Measurement.objects.filter(point=point).exists()
    starts = MeasurementBlock.objects.filter(point=point).order_by("start")
    assert [b.start for b in starts] == [beijing(2024, 3, d, 12) for d in (1, 3, 9)]
