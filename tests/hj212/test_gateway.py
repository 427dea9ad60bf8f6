"""The gateway: framing, answers only after storage, duplicates, quarantine, limits, shutdown.

Protocol logic is driven through a fake transport (no sockets); the limits and the
shutdown over real sockets on a free port, against a gateway in this process.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ecer.hj212.codec import FrameError, encode_frame, parse_frame
from ecer.hj212.framing import FrameSplitter, RawFrame
from ecer.hj212.gateway import (
    Batcher,
    Gateway,
    GatewayConfig,
    PointDirectory,
    ServerState,
    StationProtocol,
    classify,
    receive,
    reply_for,
)
from ecer.hj212.storage import (
    MEASUREMENT_TABLE,
    QUARANTINED,
    RAW_FRAME_TABLE,
    STORED,
    PointInfo,
    PointSpec,
    ReceivedFrame,
    SQLiteFrameWriter,
    WriteResult,
    open_store,
)
from tests.hj212.test_storage import (
    MN,
    PW,
    RECEIVED_AT,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    postgres_base_url,
    upload,
)

FAST = GatewayConfig(port=0, batch_max_delay=0.002, shutdown_timeout=5.0)


class FakeTransport(asyncio.Transport):
    """Records what the protocol writes and whether it paused or closed."""

    def __init__(self, peer: tuple[str, int] = ("10.0.0.7", 40000)) -> None:
        super().__init__()
        self.peer = peer
        self.written = bytearray()
        self.closed = False
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.peer if name == "peername" else default

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def replies(self) -> list[Any]:
        return [
            parse_frame(item.data)
            for item in FrameSplitter().feed(bytes(self.written))
            if isinstance(item, RawFrame)
        ]


class GatedWriter:
    """A real SQLite writer that stores only when the test opens the gate."""

    def __init__(self, writer: SQLiteFrameWriter) -> None:
        self.writer = writer
        self.gate = threading.Event()
        self.returned = 0

    def write_batch(self, frames: Sequence[ReceivedFrame]) -> list[WriteResult]:
        self.gate.wait(10)
        results = self.writer.write_batch(frames)
        self.returned += 1
        return results

    def load_points(self) -> dict[str, PointInfo]:
        return self.writer.load_points()

    def register_points(self, points: Any) -> int:
        return self.writer.register_points(points)

    def purge_quarantine(self, before: datetime) -> int:
        return self.writer.purge_quarantine(before)

    def close(self) -> None:
        self.writer.close()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = fresh_sqlite(tmp_path)
    writer = SQLiteFrameWriter(path)
    writer.register_points([PointSpec(MN, PW, "测试排放口", tolerance="lenient")])
    writer.close()
    return path


def log_rows(database: Path, columns: str = "status, quarantine_reason") -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(f"SELECT {columns} FROM {RAW_FRAME_TABLE} ORDER BY id").fetchall()


def frames(count: int, cn: str = "2051") -> list[bytes]:
    return [
        upload(
            qn=f"2024030116{index // 60:02d}{index % 60:02d}{index % 1000:03d}",
            cn=cn,
            data_time=f"202403011{index // 60:01d}{index % 60:02d}00",
        )
        for index in range(count)
    ]


def run_protocol(
    writer: Any,
    scenario: Callable[[StationProtocol, FakeTransport, Batcher], Awaitable[None]],
    config: GatewayConfig = FAST,
) -> FakeTransport:
    """Drive one StationProtocol over a fake transport with a running batcher."""

    async def main() -> FakeTransport:
        directory = PointDirectory(writer, 30.0, 2.0)
        batcher = Batcher(
            writer, directory, config.batch_max_frames, config.batch_max_delay, config
        )
        task = asyncio.create_task(batcher.run())
        protocol = StationProtocol(config, ServerState(), batcher)
        transport = FakeTransport()
        protocol.connection_made(transport)
        try:
            await scenario(protocol, transport, batcher)
            await batcher.drained()
        finally:
            protocol.connection_lost(None)
            batcher.stop()
            await task
            batcher.close()
        return transport

    return asyncio.run(main())


def feed(*chunks: bytes) -> Callable[[StationProtocol, FakeTransport, Batcher], Awaitable[None]]:
    async def scenario(protocol: StationProtocol, transport: FakeTransport, _: Batcher) -> None:
        for chunk in chunks:
            protocol.data_received(chunk)

    return scenario


# --- protocol logic, no sockets ----------------------------------------------------------


def test_it_answers_every_frame_of_one_read(database):
    first, second, third = frames(3)
    transport = run_protocol(SQLiteFrameWriter(database), feed(first + second + third))
    qns = [reply.qn for reply in transport.replies()]
    assert qns == [parse_frame(f).qn for f in (first, second, third)]
    assert {reply.cn for reply in transport.replies()} == {"9014"}


def test_it_answers_a_frame_split_over_many_reads(database):
    [frame] = frames(1)
    chunks = [frame[index : index + 7] for index in range(0, len(frame), 7)]
    transport = run_protocol(SQLiteFrameWriter(database), feed(*chunks))
    assert [reply.qn for reply in transport.replies()] == [parse_frame(frame).qn]


def test_garbage_between_frames_is_quarantined_and_the_frames_answered(database):
    first, second = frames(2)
    transport = run_protocol(
        SQLiteFrameWriter(database), feed(b"\x00\xffnoise\r\n" + first + b"AT+CSQ" + second)
    )
    assert len(transport.replies()) == 2
    assert [row[0] for row in log_rows(database)] == [QUARANTINED, STORED, QUARANTINED, STORED]


def test_an_unparseable_frame_is_logged_with_the_codec_error_and_the_connection_lives(database):
    first, second = frames(2)
    broken = first[:-6] + b"0000\r\n"  # CRC wrong
    with pytest.raises(FrameError) as error:
        parse_frame(broken)
    transport = run_protocol(SQLiteFrameWriter(database), feed(broken, second))
    assert not transport.closed
    assert [reply.qn for reply in transport.replies()] == [parse_frame(second).qn]
    assert log_rows(database)[0] == (QUARANTINED, str(error.value))


def test_no_answer_before_the_batch_is_stored(database):
    gated = GatedWriter(SQLiteFrameWriter(database))
    seen_before_storage: list[int] = []

    async def scenario(protocol: StationProtocol, transport: FakeTransport, _: Batcher) -> None:
        protocol.data_received(frames(1)[0])
        await asyncio.sleep(0.3)  # far longer than the batch delay: the writer is blocked
        seen_before_storage.append(len(transport.written))
        gated.gate.set()

    transport = run_protocol(gated, scenario)
    assert seen_before_storage == [0]
    assert gated.returned == 1
    assert len(transport.replies()) == 1


def test_a_duplicate_is_answered_again_but_stored_once(database):
    [frame] = frames(1)
    transport = run_protocol(SQLiteFrameWriter(database), feed(frame, frame))
    assert len(transport.replies()) == 2
    assert [row[0] for row in log_rows(database)] == [STORED, "duplicate"]


def test_a_2005_frame_without_flag_is_stored_but_not_answered(database):
    old = upload(qn=None, flag=None, cp="011-Rtd=45.2,011-Flag=N")
    transport = run_protocol(SQLiteFrameWriter(database), feed(old))
    assert transport.written == b""
    assert log_rows(database, "status, cn") == [(STORED, "2051")]


def test_unknown_mn_and_wrong_password_are_quarantined_with_the_reason(database):
    stranger = upload(mn="NOSUCHSTATION01")
    intruder = upload(pw="000000", qn="20240301160000002")
    transport = run_protocol(SQLiteFrameWriter(database), feed(stranger, intruder))
    assert log_rows(database) == [
        (QUARANTINED, "unknown MN NOSUCHSTATION01"),
        (QUARANTINED, "wrong password (PW)"),
    ]
    # Both are answered, as refused (9011 with QnRtn 4 and 3), never as received (9014).
    assert [(r.cn, r.items) for r in transport.replies()] == [
        ("9011", {"QnRtn": "4"}),
        ("9011", {"QnRtn": "3"}),
    ]


def test_reading_pauses_while_too_many_frames_await_storage(database):
    gated = GatedWriter(SQLiteFrameWriter(database))
    paused: list[bool] = []
    config = GatewayConfig(port=0, batch_max_delay=0.002, high_water=4)

    async def scenario(protocol: StationProtocol, transport: FakeTransport, _: Batcher) -> None:
        protocol.data_received(b"".join(frames(4)))
        paused.append(not transport.reading)
        gated.gate.set()
        await asyncio.sleep(0.2)
        paused.append(not transport.reading)

    run_protocol(gated, scenario, config)
    assert paused == [True, False]


def test_replies_are_9014_for_uploads_and_9013_for_notices():
    data = parse_frame(upload())
    notice = parse_frame(
        encode_frame(f"QN=20240301160000009;ST=32;CN=1013;PW={PW};MN={MN};Flag=5;CP=&&&&")
    )
    silent = parse_frame(upload(flag="4"))
    assert [parse_frame(reply_for(f)).cn for f in (data, notice)] == ["9014", "9013"]
    assert reply_for(silent) is None


def test_a_strict_point_quarantines_a_frame_with_deviations():
    point = PointInfo(1, MN, PW, "strict", True)
    millis = upload(data_time="20240301155000123")  # 17-digit DataTime: a deviation
    verdict = classify(receive(RawFrame(0, millis), "p", RECEIVED_AT), {MN: point})
    assert verdict.status == QUARANTINED
    assert "strict policy" in verdict.reason and "DataTime" in verdict.reason
    lenient = classify(
        receive(RawFrame(0, millis), "p", RECEIVED_AT), {MN: PointInfo(1, MN, PW, "lenient", True)}
    )
    assert (lenient.status, lenient.point_id) == (STORED, 1)


def test_an_inactive_point_is_quarantined():
    point = PointInfo(1, MN, PW, "strict", False)
    verdict = classify(receive(RawFrame(0, upload()), "p", RECEIVED_AT), {MN: point})
    assert (verdict.status, verdict.reason) == (QUARANTINED, "monitoring point is inactive")


def test_points_are_reloaded_when_an_mn_is_unknown_but_not_at_every_batch():
    now = [0.0]
    registered: dict[str, PointInfo] = {}

    class Source:
        def load_points(self) -> dict[str, PointInfo]:
            return dict(registered)

    directory = PointDirectory(Source(), refresh=30.0, unknown_refresh=2.0, clock=lambda: now[0])
    assert directory.current([]) == {}  # loaded at start
    registered[MN] = PointInfo(1, MN, PW, "strict", True)
    assert MN in directory.current([MN])  # unknown: reloaded at once
    registered["OTHER"] = PointInfo(2, "OTHER", PW, "strict", True)
    now[0] = 1.0
    assert "OTHER" not in directory.current(["OTHER"])  # too soon after the last reload
    now[0] = 2.5
    assert "OTHER" in directory.current(["OTHER"])
    assert directory.loads == 3


# --- real sockets ------------------------------------------------------------------------


def with_gateway(
    database: Path,
    scenario: Callable[[Gateway], Awaitable[None]],
    config: GatewayConfig = FAST,
    writer: Any = None,
) -> Gateway:
    async def main() -> Gateway:
        gateway = Gateway(writer or SQLiteFrameWriter(database), config)
        await gateway.start()
        try:
            await scenario(gateway)
        finally:
            await gateway.shutdown()
        return gateway

    return asyncio.run(main())


async def read_replies(reader: asyncio.StreamReader, count: int, timeout: float = 5.0) -> list[Any]:
    splitter = FrameSplitter()
    replies: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(replies) < count:
        chunk = await asyncio.wait_for(reader.read(4096), deadline - time.monotonic())
        if not chunk:
            break
        replies += [parse_frame(i.data) for i in splitter.feed(chunk) if isinstance(i, RawFrame)]
    return replies


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    await writer.wait_closed()


def test_over_tcp_several_frames_per_write_split_writes_and_garbage(database):
    batch = frames(5)
    got: list[Any] = []

    async def scenario(gateway: Gateway) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
        writer.write(batch[0] + b"garbage\r\n" + batch[1] + batch[2][:10])
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(batch[2][10:] + b"##9ST=junk" + batch[3] + batch[4][:-1])
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(batch[4][-1:])
        got.extend(await read_replies(reader, 5))
        await close(writer)

    with_gateway(database, scenario)
    assert [reply.qn for reply in got] == [parse_frame(f).qn for f in batch]
    statuses = [row[0] for row in log_rows(database)]
    assert (statuses.count(STORED), statuses.count(QUARANTINED)) == (5, 2)


def test_connections_per_address_are_limited(database):
    outcome: dict[str, Any] = {}

    async def scenario(gateway: Gateway) -> None:
        links = [await asyncio.open_connection("127.0.0.1", gateway.port) for _ in range(3)]
        await asyncio.sleep(0.1)
        outcome["refused_read"] = await asyncio.wait_for(links[2][0].read(100), 5)
        links[0][1].write(frames(1)[0])
        outcome["first_replies"] = await read_replies(links[0][0], 1)
        outcome["open"] = len(gateway.state.connections)
        for _, writer in links:
            await close(writer)

    with_gateway(database, scenario, GatewayConfig(port=0, max_conns_per_ip=2))
    assert outcome["refused_read"] == b""  # closed by the gateway
    assert len(outcome["first_replies"]) == 1
    assert outcome["open"] == 2


def test_an_idle_connection_is_closed(database):
    outcome: dict[str, Any] = {}

    async def scenario(gateway: Gateway) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
        started = time.monotonic()
        outcome["read"] = await asyncio.wait_for(reader.read(100), 5)
        outcome["after"] = time.monotonic() - started
        await close(writer)

    with_gateway(database, scenario, GatewayConfig(port=0, idle_timeout=0.3))
    assert outcome["read"] == b""
    assert 0.25 < outcome["after"] < 3


def test_an_oversized_frame_is_quarantined_and_the_next_one_answered(database):
    big = upload(cp=";".join(f"w{index:05d}-Rtd=1.0" for index in range(40)))
    small = frames(1)[0]
    got: list[Any] = []

    async def scenario(gateway: Gateway) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
        writer.write(big + small)
        got.extend(await read_replies(reader, 1))
        await close(writer)

    with_gateway(database, scenario, GatewayConfig(port=0, max_frame=300, batch_max_delay=0.002))
    assert len(big) > 300 >= len(small)
    assert [reply.qn for reply in got] == [parse_frame(small).qn]
    [(status, reason), stored] = log_rows(database)
    assert status == QUARANTINED and "exceeds the maximum frame size" in reason
    assert stored[0] == STORED


class SlowWriter(GatedWriter):
    """Takes its time over each batch, like a busy database."""

    def __init__(self, writer: SQLiteFrameWriter) -> None:
        super().__init__(writer)
        self.gate.set()

    def write_batch(self, frames: Sequence[ReceivedFrame]) -> list[WriteResult]:
        time.sleep(0.3)
        return super().write_batch(frames)


def test_graceful_shutdown_stores_and_answers_what_was_received(database):
    batch = frames(30)
    got: list[Any] = []
    state: dict[str, Any] = {}

    async def scenario(gateway: Gateway) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
        writer.write(b"".join(batch))
        await writer.drain()
        while gateway.state.received < len(batch):
            await asyncio.sleep(0.01)
        state["answered_before"] = gateway.state.answered
        shutdown = asyncio.create_task(gateway.shutdown())
        got.extend(await read_replies(reader, len(batch)))
        state["eof"] = await asyncio.wait_for(reader.read(100), 5)
        await close(writer)
        await shutdown

    gateway = with_gateway(database, scenario, writer=SlowWriter(SQLiteFrameWriter(database)))
    assert state["answered_before"] == 0  # everything was still waiting for storage
    assert len(got) == len(batch)
    assert state["eof"] == b""  # then the gateway closed the connection
    assert [row[0] for row in log_rows(database)] == [STORED] * len(batch)
    assert not gateway.state.connections


@pytest.mark.postgres
def test_on_postgresql_the_gateway_folds_the_rollups_beside_its_batches():
    # The batches set their measurements aside; the gateway folds them on a connection and
    # a thread of their own, so that no batch (no answer) waits for a fold.
    base = postgres_base_url()
    assert base is not None
    url, name = fresh_postgres(base)
    try:
        store: Any = open_store(url)
        store.register_points([PointSpec(MN, PW, "测试排放口", tolerance="lenient")])
        reader: Any = open_store(url)

        def count(sql: str) -> int:
            return int(reader.connection.execute(sql).fetchone()[0])

        async def scenario(gateway: Gateway) -> None:
            replies, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
            writer.write(b"".join(frames(20)))
            assert len(await read_replies(replies, 20)) == 20
            await close(writer)
            assert store.fold_interval is None  # the writer no longer folds before a batch
            deadline = time.monotonic() + 30
            while count("SELECT count(*) FROM monitoring_rollup_pending"):
                assert time.monotonic() < deadline, "the pending measurements were not folded"
                await asyncio.sleep(0.05)

        with_gateway(Path(), scenario, replace(FAST, fold_interval=0.1), writer=store)
        measurements = count(f"SELECT count(*) FROM {MEASUREMENT_TABLE}")
        assert measurements == 60  # 20 frames x (w01018-Avg, w01018-Max, w21003-Avg)
        days = "SELECT sum(count) FROM monitoring_rollup WHERE level = 'day'"
        assert count(days) == measurements
        reader.close()
    finally:
        drop_postgres(base, name)
