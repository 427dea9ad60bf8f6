"""The batched writers (issue #25 item 3): a batch is a few set-based statements, and it
keeps every promise of the row-by-row writer.

* the rollups after a batch equal those of the same frames written one at a time, and a
  worked example's figures checked by hand;
* a repeat — within one batch or of an earlier batch — is stored once;
* two writers at once (two database sessions with overlapping batches; two JetStream
  writers on one durable consumer) store each frame exactly once.

On SQLite, and on PostgreSQL when DATABASE_URL names it (the binary-COPY writer).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecer.hj212.codec import encode_frame
from ecer.hj212.framing import RawFrame
from ecer.hj212.gateway import classify, receive
from ecer.hj212.jetstream import JetStreamForwarder, run_writer
from ecer.hj212.simulate import MINUTE, REALTIME, QnClock, Readings, data_frame, station_fleet
from ecer.hj212.storage import (
    DUPLICATE,
    MEASUREMENT_TABLE,
    RAW_FRAME_TABLE,
    STORED,
    FrameStore,
    PointSpec,
    ReceivedFrame,
    open_store,
)
from tests.hj212.test_jetstream import names, nats_url  # noqa: F401  (fixtures)
from tests.hj212.test_storage import (
    BACKENDS,
    MN,
    PW,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    postgres_base_url,
    received,
    upload,
)

STATIONS = station_fleet(8, prefix="ECERBATCH")
ROLLUP_COLUMNS = (
    "point_id, cn, pollutant, kind, level, start, count, valid_count, valid_sum, "
    "valid_min, valid_max, last_time, off_hour"
)


def _database(kind: str, directory: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        directory.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{fresh_sqlite(directory)}", None
    base = postgres_base_url()
    assert base is not None
    return fresh_postgres(base)


@pytest.fixture(params=BACKENDS)
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[FrameStore]]:
    """Two fresh databases of one backend, the same points registered in each."""
    made = [_database(request.param, tmp_path / name) for name in ("a", "b")]
    stores = [open_store(url) for url, _ in made]
    for store in stores:
        store.register_points([PointSpec(MN, PW, "测试排放口")])
        store.register_points(unit.point_spec() for unit in STATIONS)
    yield stores
    for store in stores:
        store.close()
    for _, name in made:
        if name is not None:
            drop_postgres(str(postgres_base_url()), name)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url, name = _database(request.param, tmp_path)
    store = open_store(url)
    store.register_points([PointSpec(MN, PW, "测试排放口")])
    store.register_points(unit.point_spec() for unit in STATIONS)
    store.close()
    yield url
    if name is not None:
        drop_postgres(str(postgres_base_url()), name)


def query(store: FrameStore, sql: str) -> list[tuple[Any, ...]]:
    connection: Any = store.connection  # type: ignore[attr-defined]
    return [tuple(row) for row in connection.execute(sql).fetchall()]


def utc_text(value: Any) -> str:
    """A stored time as naive UTC text (SQLite stores it so; PostgreSQL gives datetimes)."""
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    return str(value)


def rollups(store: FrameStore) -> list[tuple[Any, ...]]:
    """Every rollup row, times as UTC text and the sum rounded (addition order differs),
    after a fold of what is pending (PostgreSQL)."""
    fold = getattr(store, "fold", None)
    if fold is not None:
        fold(wait=True)
    found = query(store, f"SELECT {ROLLUP_COLUMNS} FROM monitoring_rollup")
    return sorted(
        (
            *row[:5],
            utc_text(row[5]),
            *row[6:8],
            round(row[8], 9),
            *row[9:11],
            utc_text(row[11]),
            row[12],
        )
        for row in found
    )


def judged(store: FrameStore, frames: list[bytes]) -> list[ReceivedFrame]:
    points = store.load_points()
    now = datetime(2024, 3, 2, tzinfo=UTC)
    return [classify(receive(RawFrame(0, f), "10.0.0.7:5100", now), points) for f in frames]


def station_traffic() -> list[bytes]:
    """Real-time and minute data of 8 stations (water and gas) across an hour, a day and a
    month boundary (Beijing time), interleaved as a gateway receives them, with repeats."""
    frames: list[list[bytes]] = []
    for unit in STATIONS:
        readings, qns = Readings(unit), QnClock()
        own = []
        for step in range(7):
            # From 2024-03-01 00:20 back by 10 minutes: across midnight and the month start.
            moment = datetime(2024, 3, 1, 0, 20) - timedelta(minutes=10 * step)
            own.append(data_frame(unit, readings, MINUTE, moment, qns.next()))
            own.append(
                data_frame(unit, readings, REALTIME, moment + timedelta(seconds=30), qns.next())
            )
        frames.append(own)
    mixed = [own[k] for k in range(len(frames[0])) for own in frames]
    return mixed + mixed[:10]  # the first ten again: repeats of this batch


def test_rollups_after_one_batch_equal_rollups_of_the_frames_written_one_at_a_time(two_stores):
    batched, one_by_one = two_stores
    frames = station_traffic()
    whole = batched.write_batch(judged(batched, frames))
    singles = [one_by_one.write_batch([item])[0] for item in judged(one_by_one, frames)]
    assert [r.status for r in whole] == [r.status for r in singles]
    assert [r.measurements for r in whole] == [r.measurements for r in singles]
    assert [r.status for r in whole].count(DUPLICATE) == 10
    expected = rollups(one_by_one)
    assert len(expected) > 500  # hour, day and month rows of every series
    assert rollups(batched) == expected


def test_a_worked_example_of_the_rollups_of_one_batch(two_stores):
    """COD (w01018) minute data of one point at 15:50, 16:00 and 16:10 Beijing time, the
    last flagged D (not valid; ecer.core.monitoring.VALID_FLAG is N)."""
    store = two_stores[0]
    pid = store.load_points()[MN].point_id

    def minute(qn: str, data_time: str, value: float, flag: str) -> ReceivedFrame:
        cp = f"w01018-Avg={value},w01018-Flag={flag}"
        return received(upload(qn=qn, data_time=data_time, cp=cp), point_id=pid)

    results = store.write_batch(
        [
            minute("20240301155000001", "20240301155000", 10.0, "N"),
            minute("20240301160000001", "20240301160000", 20.0, "N"),
            minute("20240301161000001", "20240301161000", 30.0, "D"),
        ]
    )
    assert [(r.status, r.measurements) for r in results] == [(STORED, 1)] * 3
    # Beijing is UTC+8: 15:50 → 07:50 UTC; the Beijing day and month of 2024-03-01 both
    # start at 2024-02-29 16:00 UTC. Columns: level, start, count, valid count, valid sum,
    # valid min, valid max, latest data time, values off the whole hour.
    assert [row[4:] for row in rollups(store)] == [
        ("day", "2024-02-29 16:00:00", 3, 2, 30.0, 10.0, 20.0, "2024-03-01 08:10:00", 2),
        # 15:00–16:00 Beijing: the 15:50 value alone (off the hour).
        ("hour", "2024-03-01 07:00:00", 1, 1, 10.0, 10.0, 10.0, "2024-03-01 07:50:00", 1),
        # 16:00–17:00: 16:00 (valid, on the hour) and 16:10 (flag D: counted, not valid).
        ("hour", "2024-03-01 08:00:00", 2, 1, 20.0, 20.0, 20.0, "2024-03-01 08:10:00", 1),
        ("month", "2024-02-29 16:00:00", 3, 2, 30.0, 10.0, 20.0, "2024-03-01 08:10:00", 2),
    ]


def test_repeats_in_one_batch_and_across_batches_are_stored_once(two_stores):
    store = two_stores[0]
    frames = station_traffic()[:40]
    items = judged(store, frames)
    first = store.write_batch(items[:30] + items[:5])  # 5 repeats within the batch
    second = store.write_batch(items[20:40])  # 10 repeats of the first batch, 10 new
    assert [r.status for r in first] == [STORED] * 30 + [DUPLICATE] * 5
    assert [r.status for r in second] == [DUPLICATE] * 10 + [STORED] * 10
    assert all(r.measurements == 0 for r in first[30:] + second[:10])
    assert all(r.measurements > 0 for r in first[:30] + second[10:])
    stored = sum(r.measurements for r in first + second)
    # 40 frames stored once each, 15 repeats logged as such; every value once.
    by_status = f"SELECT status, count(*) FROM {RAW_FRAME_TABLE} GROUP BY status ORDER BY 1"
    assert query(store, by_status) == [(DUPLICATE, 15), (STORED, 40)]
    assert query(store, f"SELECT count(*) FROM {MEASUREMENT_TABLE}") == [(stored,)]
    # Repeats add nothing to the rollups: the day rows count each value once.
    [(counted,)] = [(sum(row[6] for row in rollups(store) if row[4] == "day"),)]
    assert counted == stored
    # A frame id is the raw-log row of each result.
    ids = [r.frame_id for r in first + second]
    assert len(set(ids)) == len(ids) and all(ids)


def subpacket(pno: int, cp: str) -> bytes:
    """One of two subpackets of one frame (Flag 7: 2017, packet numbers, reply wanted)."""
    head = f"QN=2024030116000000{pno};ST=32;CN=2051;PW={PW};MN={MN};Flag=7;PNUM=2;PNO={pno}"
    return encode_frame(f"{head};CP=&&DataTime=20240301155000;{cp}&&")


@pytest.mark.parametrize("together", [True, False], ids=["one batch", "two batches"])
def test_a_value_already_stored_is_skipped_and_the_rest_of_the_batch_stored(two_stores, together):
    # Two subpackets of one frame are two frames of the raw log (their PNO differs) that
    # may carry the same value: stored once, the rest of each stored (PostgreSQL: the
    # batch's COPY straight into the table fails on it, and the staging table takes over).
    store = two_stores[0]
    first, second = judged(
        store,
        [
            subpacket(1, "w01018-Avg=45.2,w01018-Flag=N"),
            subpacket(2, "w01018-Avg=45.2,w01018-Flag=N;w21003-Avg=2.31,w21003-Flag=N"),
        ],
    )
    others = judged(store, station_traffic()[:6])
    if together:
        results = store.write_batch([first, *others, second])
    else:
        results = store.write_batch([first, *others]) + store.write_batch([second])
    assert [r.status for r in results] == [STORED] * 8
    assert results[0].measurements == 1 and results[-1].measurements == 1
    assert all(r.measurements > 0 for r in results[1:-1])
    stored = sum(r.measurements for r in results)
    assert query(store, f"SELECT count(*) FROM {MEASUREMENT_TABLE}") == [(stored,)]
    ids = f"{results[0].frame_id}, {results[-1].frame_id}"
    values = f"SELECT frame_id, pollutant, value FROM {MEASUREMENT_TABLE} WHERE frame_id IN ({ids})"
    assert sorted(query(store, values)) == [
        (results[0].frame_id, "w01018", 45.2),
        (results[-1].frame_id, "w21003", 2.31),
    ]
    [(counted,)] = [(sum(row[6] for row in rollups(store) if row[4] == "day"),)]
    assert counted == stored


def test_two_database_sessions_writing_overlapping_batches_store_each_frame_once(store_url):
    """Two writers, each with its own connection, write the same frames at once (a JetStream
    redelivery while the first writer is still at it), in opposite orders."""
    frames = station_traffic()[:-10]
    stores = [open_store(store_url), open_store(store_url)]
    try:
        items = judged(stores[0], frames)
        batches = [items, list(reversed(items))]
        start = threading.Barrier(2, timeout=60)

        def write(index: int) -> list[Any]:
            start.wait()
            results = []
            for k in range(0, len(batches[index]), 20):
                results += stores[index].write_batch(batches[index][k : k + 20])
            return results

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(write, [0, 1]))
        statuses = [r.status for r in outcomes[0]] + [r.status for r in outcomes[1]]
        assert statuses.count(STORED) == len(frames)
        assert statuses.count(DUPLICATE) == len(frames)
        assert query(
            stores[0], f"SELECT count(*) FROM {RAW_FRAME_TABLE} WHERE status = '{STORED}'"
        ) == [(len(frames),)]
        values = sum(r.measurements for outcome in outcomes for r in outcome)
        assert query(stores[0], f"SELECT count(*) FROM {MEASUREMENT_TABLE}") == [(values,)]
    finally:
        for store in stores:
            store.close()


class MeetingWriter:
    """A store whose first batch waits until the other writer also holds one, so both
    writers are at work at once whatever the scheduling."""

    def __init__(self, store: FrameStore, meeting: threading.Barrier) -> None:
        self.store = store
        self.meeting = meeting
        self.batches = 0

    def write_batch(self, frames: Any) -> Any:
        if self.batches == 0:
            self.meeting.wait()
        self.batches += 1
        return self.store.write_batch(frames)

    def purge_quarantine(self, before: datetime) -> int:
        return self.store.purge_quarantine(before)

    def close(self) -> None:
        self.store.close()


def test_two_jetstream_writers_on_one_consumer_store_each_frame_exactly_once(
    store_url,
    names,  # noqa: F811
    nats_url,  # noqa: F811
):
    frames = station_traffic()[:-10]
    store = open_store(store_url)
    items = judged(store, frames)
    forwarder = JetStreamForwarder(store, nats_url, names)
    try:
        # Every frame twice (a station that sent again), in batches as the gateway makes.
        for k in range(0, len(items), 25):
            forwarder.write_batch(items[k : k + 25] * 2)
    finally:
        forwarder.close()

    meeting = threading.Barrier(2, timeout=60)
    writers = [MeetingWriter(open_store(store_url), meeting) for _ in range(2)]

    async def both() -> list[Any]:
        return list(
            await asyncio.gather(
                *(
                    run_writer(w, nats_url, names, batch=20, ack_wait=5, idle_exit=3)  # type: ignore[arg-type]
                    for w in writers
                )
            )
        )

    stats = asyncio.run(both())
    assert all(w.batches > 0 for w in writers)  # both wrote
    # Each message written at least once (a redelivery after ack_wait may come again).
    messages = sum(s.messages for s in stats)
    assert messages >= 2 * len(frames)
    assert sum(s.stored for s in stats) == len(frames)
    assert sum(s.duplicates for s in stats) == messages - len(frames)
    check = open_store(store_url)
    try:
        assert query(
            check,
            f"SELECT count(*), count(DISTINCT mn || '/' || qn) FROM {RAW_FRAME_TABLE} "
            f"WHERE status = '{STORED}'",
        ) == [(len(frames), len(frames))]
    finally:
        check.close()
