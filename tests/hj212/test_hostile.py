"""Hostile input at the gateway (issue #19): refused frames, implausible data times, caps
and retention of the quarantine, anonymous connections against known stations.

Protocol logic through a fake transport; the connection limits over real sockets.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecer.hj212.codec import parse_frame
from ecer.hj212.framing import RawFrame
from ecer.hj212.gateway import (
    Batcher,
    Budget,
    Gateway,
    GatewayConfig,
    PointDirectory,
    QuarantineLimits,
    ServerState,
    StationProtocol,
    classify,
    receive,
)
from ecer.hj212.storage import (
    MEASUREMENT_TABLE,
    QUARANTINED,
    STORED,
    PointInfo,
    PointSpec,
    ReceivedFrame,
    SQLiteFrameWriter,
)
from tests.hj212.test_gateway import (
    FakeTransport,
    close,
    frames,
    log_rows,
    read_replies,
    with_gateway,
)
from tests.hj212.test_storage import MN, PW, RECEIVED_AT, fresh_sqlite, upload

FAST = GatewayConfig(port=0, batch_max_delay=0.002, shutdown_timeout=5.0)
POINTS = {MN: PointInfo(1, MN, PW, "lenient", True)}


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = fresh_sqlite(tmp_path)
    writer = SQLiteFrameWriter(path)
    writer.register_points([PointSpec(MN, PW, "测试排放口", tolerance="lenient")])
    writer.close()
    return path


def drive(
    database: Path,
    chunks: list[bytes],
    config: GatewayConfig = FAST,
    clock: Callable[[], datetime] = lambda: RECEIVED_AT,
    wall_clock: Callable[[], datetime] = lambda: RECEIVED_AT,
) -> tuple[StationProtocol, FakeTransport, Batcher]:
    """Feed ``chunks`` to one connection at time ``clock()``; wait until all are stored."""

    async def main() -> tuple[StationProtocol, FakeTransport, Batcher]:
        writer = SQLiteFrameWriter(database)
        directory = PointDirectory(writer, 30.0, 2.0)
        batcher = Batcher(
            writer, directory, config.batch_max_frames, config.batch_max_delay, config, wall_clock
        )
        task = asyncio.create_task(batcher.run())
        protocol = StationProtocol(config, ServerState(), batcher, clock)
        transport = FakeTransport()
        protocol.connection_made(transport)
        try:
            for chunk in chunks:
                protocol.data_received(chunk)
            await batcher.drained()
        finally:
            protocol.connection_lost(None)
            batcher.stop()
            await task
            batcher.close()
        return protocol, transport, batcher

    return asyncio.run(main())


def replies(transport: FakeTransport) -> list[tuple[str, dict[str, str]]]:
    return [(reply.cn, dict(reply.items)) for reply in transport.replies()]


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


# --- refused frames ----------------------------------------------------------------------


def test_a_wrong_password_is_refused_with_qnrtn_3_and_the_link_stays_anonymous(database):
    protocol, transport, _ = drive(database, [upload(pw="000000")])
    assert replies(transport) == [("9011", {"QnRtn": "3"})]  # HJ 212-2017 Table 7: PW 错误
    assert protocol.anonymous and protocol.state.stored == 0
    assert log_rows(database) == [(QUARANTINED, "wrong password (PW)")]
    assert count(database, MEASUREMENT_TABLE) == 0


def test_an_unknown_mn_is_refused_with_qnrtn_4_and_the_link_stays_anonymous(database):
    protocol, transport, _ = drive(database, [upload(mn="NOSUCHSTATION01")])
    assert replies(transport) == [("9011", {"QnRtn": "4"})]  # HJ 212-2017 Table 7: MN 错误
    assert protocol.anonymous and protocol.state.answered == 0


def test_an_accepted_frame_is_answered_9014_and_makes_the_link_known(database):
    protocol, transport, _ = drive(database, [upload()])
    assert replies(transport) == [("9014", {})]
    assert protocol.mn == MN and not protocol.anonymous


def test_a_frame_dated_2099_is_refused_with_the_reason_and_stores_no_data(database):
    protocol, transport, _ = drive(database, [upload(data_time="20990101000000")])
    [(status, reason)] = log_rows(database)
    assert status == QUARANTINED
    assert reason.startswith("implausible DataTime 2099-01-01 00:00:00: more than 10 min after")
    assert replies(transport) == [("9011", {"QnRtn": "2"})]  # 请求被拒绝
    assert count(database, MEASUREMENT_TABLE) == 0 and protocol.anonymous


def test_data_times_are_judged_against_the_reception_and_the_configured_skew():
    def verdict(data_time: str, skew: timedelta = timedelta(minutes=10)) -> ReceivedFrame:
        item = receive(RawFrame(0, upload(data_time=data_time)), "p:1", RECEIVED_AT)
        return classify(item, POINTS, skew)

    # RECEIVED_AT is 16:00:05 Beijing time, the loggers' zone.
    assert verdict("20240301160900").status == STORED  # 9 min ahead: a clock a little fast
    assert verdict("20240301161100").status == QUARANTINED
    assert verdict("20240301161100", timedelta(minutes=15)).status == STORED
    year_one = verdict("00010101000000")
    assert (year_one.status, year_one.refusal) == (QUARANTINED, 2)
    assert "before 2000" in year_one.reason


def test_a_year_one_frame_is_stored_in_quarantine_without_overflowing(database):
    _, transport, _ = drive(database, [upload(data_time="00010101000000")])
    assert log_rows(database, "status, data_time") == [(QUARANTINED, None)]
    assert replies(transport) == [("9011", {"QnRtn": "2"})]


# --- quarantine caps and retention -------------------------------------------------------


def junk(index: int, size: int = 40) -> bytes:
    return f"junk {index:04d} ".encode().ljust(size - 2, b"x") + b"\r\n"


def test_quarantine_beyond_the_rows_per_address_is_counted_not_stored(database):
    config = GatewayConfig(port=0, batch_max_delay=0.002, quarantine_rows_per_address=3)
    protocol, _, batcher = drive(database, [b"".join(junk(i) for i in range(10))], config)
    assert [row[0] for row in log_rows(database)] == [QUARANTINED] * 3
    assert (protocol.state.quarantined, protocol.state.dropped, batcher.dropped) == (3, 7, 7)
    # Kept once: the bytes, no text copy.
    assert log_rows(database, "length(data), text") == [(40, "")] * 3


def test_quarantine_beyond_the_bytes_per_address_is_counted_not_stored(database):
    config = GatewayConfig(port=0, batch_max_delay=0.002, quarantine_bytes_per_address=250)
    protocol, _, _ = drive(database, [b"".join(junk(i, 100) for i in range(5))], config)
    # Each row costs its 100 bytes and its reason: two fit in 250 bytes.
    assert len(log_rows(database)) == 2 and protocol.state.dropped == 3


def test_an_anonymous_connection_sending_over_the_caps_is_closed(database):
    config = GatewayConfig(
        port=0, batch_max_delay=0.002, quarantine_rows_per_address=1, anonymous_drop_limit=100
    )
    protocol, transport, _ = drive(database, [b"".join(junk(i) for i in range(10))], config)
    assert transport.closed and protocol.state.dropped_bytes > 100
    assert len(log_rows(database)) == 1


def test_a_known_station_keeps_its_frames_stored_when_its_address_is_over_the_caps(database):
    config = GatewayConfig(port=0, batch_max_delay=0.002, quarantine_rows_per_address=1)
    station = frames(3)
    chunks = [station[0], junk(1) + junk(2) + junk(3), station[1], station[2]]
    _, transport, _ = drive(database, chunks, config)
    assert not transport.closed  # known: dropped junk does not close it
    assert [cn for cn, _ in replies(transport)] == ["9014"] * 3
    assert [row[0] for row in log_rows(database)].count(STORED) == 3


def test_the_caps_count_per_mn_and_in_total_and_start_again_each_period():
    now = [0.0]
    config = GatewayConfig(
        quarantine_rows_per_mn=2, quarantine_rows_total=3, quarantine_period=60.0
    )
    limits = QuarantineLimits(config, clock=lambda: now[0])

    def refused(mn: str, peer: str) -> ReceivedFrame:
        item = receive(RawFrame(0, upload(mn=mn, pw="000000")), peer, RECEIVED_AT)
        return classify(item, {})

    # One MN from many addresses: capped per MN.
    assert [limits.admit(refused("SPOOFED01", f"10.0.0.{i}:1")) for i in range(3)] == [
        True,
        True,
        False,
    ]
    # Another MN: one more row, then the total cap.
    assert [limits.admit(refused("SPOOFED02", f"10.0.1.{i}:1")) for i in range(2)] == [True, False]
    now[0] = 60.0
    assert limits.admit(refused("SPOOFED01", "10.0.0.9:1"))


def test_a_budget_forgets_finished_windows():
    now = [0.0]
    budget = Budget(rows=1, size=100, period=10.0, clock=lambda: now[0])
    for index in range(100):
        budget.charge(f"10.0.{index}.1", 1)
    now[0] = 20.0
    budget.charge("10.9.9.9", 1)
    assert list(budget._used) == ["10.9.9.9"]


def test_old_quarantine_is_deleted_and_accepted_frames_kept(database):
    old = RECEIVED_AT - timedelta(days=31)
    writer = SQLiteFrameWriter(database)
    writer.write_batch(
        [
            ReceivedFrame(old, "10.0.0.7:1", b"old junk\r\n", None, QUARANTINED, "junk"),
            ReceivedFrame(old, "10.0.0.7:1", frames(1)[0], parse_frame(frames(1)[0]), STORED),
        ]
    )
    writer.close()
    _, _, batcher = drive(database, [junk(1)])
    assert batcher.purged == 1
    assert log_rows(database, "status, received_at < '2024-02-01'") == [
        (STORED, 1),  # accepted frames are not the quarantine's to delete
        (QUARANTINED, 0),  # today's junk
    ]


# --- connections from a shared address ---------------------------------------------------


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def test_idle_anonymous_connections_do_not_lock_out_a_known_station(database):
    config = GatewayConfig(port=0, batch_max_delay=0.002, max_conns_per_ip=2, anonymous_grace=0)
    batch = frames(3)
    outcome: dict[str, Any] = {}

    async def scenario(gateway: Gateway) -> None:
        state = gateway.state
        station = await asyncio.open_connection("127.0.0.1", gateway.port)
        station[1].write(batch[0])
        outcome["first"] = await read_replies(station[0], 1)
        await until(lambda: state.per_address == {})  # known: out of the anonymous budget
        idle = []
        for expected in (1, 2):
            idle.append(await asyncio.open_connection("127.0.0.1", gateway.port))
            await until(lambda n=expected: state.per_address.get("127.0.0.1") == n)  # type: ignore[misc]
        # The station reconnects (a second link) while both slots are held: the oldest
        # anonymous connection makes room.
        again = await asyncio.open_connection("127.0.0.1", gateway.port)
        outcome["evicted"] = await asyncio.wait_for(idle[0][0].read(100), 10)
        again[1].write(batch[1])
        outcome["again"] = await read_replies(again[0], 1)
        station[1].write(batch[2])
        outcome["station"] = await read_replies(station[0], 1)
        outcome["anonymous"] = dict(state.per_address)
        outcome["evicted_count"] = state.evicted
        for link in (station, again, *idle):
            await close(link[1])

    with_gateway(database, scenario, config)
    assert [r.cn for r in outcome["first"] + outcome["again"] + outcome["station"]] == ["9014"] * 3
    assert outcome["evicted"] == b""
    assert outcome["anonymous"] == {"127.0.0.1": 1} and outcome["evicted_count"] == 1


def test_an_anonymous_connection_is_closed_after_its_timeout_a_known_one_is_not(database):
    config = GatewayConfig(port=0, batch_max_delay=0.002, anonymous_timeout=2.0)
    batch = frames(2)
    outcome: dict[str, Any] = {}

    async def scenario(gateway: Gateway) -> None:
        station = await asyncio.open_connection("127.0.0.1", gateway.port)
        station[1].write(batch[0])
        outcome["first"] = await read_replies(station[0], 1)
        lurker = await asyncio.open_connection("127.0.0.1", gateway.port)
        lurker[1].write(b"noise\r\n")  # junk does not count as a frame accepted
        outcome["lurker"] = await asyncio.wait_for(lurker[0].read(100), 20)
        station[1].write(batch[1])
        outcome["second"] = await read_replies(station[0], 1)
        await close(station[1])
        await close(lurker[1])

    with_gateway(database, scenario, config)
    assert outcome["lurker"] == b""
    assert [r.cn for r in outcome["first"] + outcome["second"]] == ["9014", "9014"]
