"""Issue #25, faults and back-pressure: the database connection cut and back, a crashing
batching task, readiness, the global bound on frames in flight, connection limits per MN.

The cut is a TCP relay in this process between the gateway's writer and PostgreSQL, which
the test cuts (both sides of every piped connection aborted, new ones refused) and restores.
It needs PostgreSQL (marked ``postgres``: run with DATABASE_URL=postgres://…); the rest runs
on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from ecer.hj212.gateway import Gateway, GatewayConfig, HealthServer, serve
from ecer.hj212.simulate import MINUTE, QnClock, Readings, data_frame, station_fleet
from ecer.hj212.storage import (
    RAW_FRAME_TABLE,
    STORED,
    PointInfo,
    PointSpec,
    ReceivedFrame,
    SQLiteFrameWriter,
    WriteResult,
    open_store,
)
from tests.hj212.test_durability import STATIONS as KILL_STATIONS
from tests.hj212.test_durability import station as pipelining_station
from tests.hj212.test_durability import stored_keys
from tests.hj212.test_gateway import close, frames, read_replies
from tests.hj212.test_storage import MN, PW, drop_postgres, fresh_postgres, postgres_base_url

# The liveness bound: acknowledgements again within this long after the return.
BACK_WITHIN = 10.0
CUT_SECONDS = 3.0


async def until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``condition``; return when it held (monotonic), fail with ``what`` after timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        await asyncio.sleep(0.01)
    return time.monotonic()


class Relay:
    """A TCP relay on 127.0.0.1 to ``target`` that can be cut and restored."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.cut_off = False
        self.links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self.server: asyncio.Server | None = None
        self.refused = 0

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut_off:
            self.refused += 1
            writer.transport.abort()
            return
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        link = (writer, up_writer)
        self.links.add(link)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await source.read(1 << 16):
                    sink.write(data)
                    await sink.drain()
            writer.transport.abort()
            up_writer.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.links.discard(link)

    def cut(self) -> None:
        self.cut_off = True
        for down, up in list(self.links):
            down.transport.abort()
            up.transport.abort()

    def restore(self) -> None:
        self.cut_off = False

    async def close(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


async def http_get(port: int, path: str) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.0\r\n\r\n".encode())
    response = await asyncio.wait_for(reader.read(), 10)
    await close(writer)
    head, _, body = response.decode().partition("\r\n\r\n")
    return int(head.split(" ")[1]), body


@pytest.mark.postgres
def test_a_3_s_cut_of_the_database_connection_mid_load_loses_nothing_acked():
    base = postgres_base_url()
    assert base is not None
    url, name = fresh_postgres(base)
    setup = open_store(url)
    setup.register_points(unit.point_spec() for unit in KILL_STATIONS)
    setup.close()
    parsed = urlparse(url)
    sent: set[tuple[str, str]] = set()
    acked: set[tuple[str, str]] = set()
    outcome: dict[str, Any] = {}

    async def main() -> None:
        relay = Relay(parsed.hostname or "127.0.0.1", parsed.port or 5432)
        relay_port = await relay.start()
        relayed = url.replace(f"{parsed.hostname}:{parsed.port or 5432}", f"127.0.0.1:{relay_port}")
        assert relayed != url
        store = await asyncio.to_thread(open_store, relayed)
        config = GatewayConfig(port=0, batch_max_delay=0.005, shutdown_timeout=5.0)
        gateway = Gateway(store, config)
        await gateway.start()
        health = HealthServer(gateway, "127.0.0.1", 0)
        await health.start()
        clients = [
            asyncio.create_task(pipelining_station(gateway.port, index, sent, acked))
            for index in range(len(KILL_STATIONS))
        ]
        try:
            await until(lambda: len(acked) >= 300, 60, "300 frames acknowledged before the cut")
            outcome["ready_before"] = await http_get(health.port, "/readyz")
            relay.cut()
            cut_at = time.monotonic()
            await until(lambda: not gateway.batcher.available, 30, "the loss noticed")
            answered_when_lost = gateway.state.answered
            outcome["ready_during"] = await http_get(health.port, "/readyz")
            await asyncio.sleep(max(0.0, cut_at + CUT_SECONDS - time.monotonic()))
            outcome["answered_during_cut"] = gateway.state.answered - answered_when_lost
            outcome["acked_at_return"] = acked_at_return = len(acked)
            relay.restore()
            returned_at = time.monotonic()
            back = await until(
                lambda: len(acked) > acked_at_return + 100,
                BACK_WITHIN,
                "acknowledgements again after the database returned",
            )
            outcome["back_after"] = back - returned_at
            outcome["ready_after"] = await http_get(health.port, "/readyz")
            outcome["status"] = json.loads((await http_get(health.port, "/status"))[1])
            outcome["reconnects"] = store.reconnects  # type: ignore[attr-defined]
        finally:
            await gateway.shutdown()
            await health.close()
            await asyncio.wait_for(asyncio.gather(*clients), 30)
            await relay.close()

    try:
        asyncio.run(main())
        stored = stored_keys(url)
    finally:
        drop_postgres(base, name)
    report = (
        f"{len(acked)} acked, back {outcome.get('back_after', -1):.2f} s after the return, "
        f"readiness {outcome.get('ready_before')}, {outcome.get('ready_during')}, "
        f"{outcome.get('ready_after')}"
    )
    print(report)
    assert outcome["ready_before"] == (200, "ready\n"), report
    code, reason = outcome["ready_during"]
    assert code == 503 and "the store is unavailable" in reason, report
    assert outcome["answered_during_cut"] == 0, report  # nothing answered while it was away
    assert outcome["ready_after"] == (200, "ready\n"), report
    assert outcome["reconnects"] >= 1 and outcome["status"]["store_outages"] >= 1, report
    assert len(acked) > outcome["acked_at_return"] + 100, report
    missing = acked - stored
    assert not missing, f"{len(missing)} acknowledged frames lost, e.g. {sorted(missing)[:3]}"


# --- a crashing batching task -----------------------------------------------------------


class Crash(BaseException):
    """What no handler of the batcher catches (a bug, an interpreter-level failure)."""


class CrashingWriter:
    """A real SQLite writer that raises :class:`Crash` on the batches numbered in ``crash_on``
    (1-based; ``None``: every batch)."""

    def __init__(self, writer: SQLiteFrameWriter, crash_on: set[int] | None) -> None:
        self.writer = writer
        self.crash_on = crash_on
        self.calls = 0

    def write_batch(self, batch: Sequence[ReceivedFrame]) -> list[WriteResult]:
        self.calls += 1
        if self.crash_on is None or self.calls in self.crash_on:
            raise Crash(f"writer crashed on batch {self.calls}")
        return self.writer.write_batch(batch)

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
    from tests.hj212.test_storage import fresh_sqlite

    path = fresh_sqlite(tmp_path)
    writer = SQLiteFrameWriter(path)
    writer.register_points([PointSpec(MN, PW, "测试排放口", tolerance="lenient")])
    writer.close()
    return path


def stored_qns(database: Path) -> list[str]:
    import sqlite3

    with sqlite3.connect(database) as db:
        sql = f"SELECT qn FROM {RAW_FRAME_TABLE} WHERE status = ? ORDER BY id"
        return [qn for (qn,) in db.execute(sql, (STORED,))]


FAST = GatewayConfig(port=0, batch_max_delay=0.002, shutdown_timeout=5.0)


def with_gateway(
    writer: Any, scenario: Callable[[Gateway], Awaitable[None]], config: GatewayConfig = FAST
) -> Gateway:
    async def main() -> Gateway:
        gateway = Gateway(writer, config)
        await gateway.start()
        try:
            await scenario(gateway)
        finally:
            await gateway.shutdown()
        return gateway

    return asyncio.run(main())


def test_a_crashed_batching_task_is_restarted_and_its_batch_not_answered(database):
    first, second, third = frames(3)
    writer = CrashingWriter(SQLiteFrameWriter(database), crash_on={2})
    got: dict[str, Any] = {}

    async def scenario(gateway: Gateway) -> None:
        reader, link = await asyncio.open_connection("127.0.0.1", gateway.port)
        link.write(first)
        got["first"] = await read_replies(reader, 1)
        link.write(second)  # its batch crashes the task: no answer
        await until(lambda: gateway.restarts == 1, 10, "the batching task restarted")
        await until(lambda: gateway.state.failed == 1, 10, "the crashed frame called back")
        got["ready"] = gateway.readiness()
        link.write(third + second)  # the station sends the unanswered frame again
        got["later"] = await read_replies(reader, 2)
        await close(link)

    gateway = with_gateway(writer, scenario)
    assert [r.qn for r in got["first"]] == [parse_qn(first)]
    assert [r.qn for r in got["later"]] == [parse_qn(third), parse_qn(second)]
    assert got["ready"] == (True, "ready")
    assert stored_qns(database) == [parse_qn(first), parse_qn(third), parse_qn(second)]
    assert not gateway.failure


def parse_qn(data: bytes) -> str:
    from ecer.hj212.codec import parse_frame

    return parse_frame(data).qn or ""


def test_a_batching_task_that_keeps_crashing_stops_the_gateway_loudly(database, caplog):
    writer = CrashingWriter(SQLiteFrameWriter(database), crash_on=None)
    config = GatewayConfig(port=0, batch_max_delay=0.002, shutdown_timeout=5.0, max_restarts=3)
    answers: list[bytes] = []

    async def main() -> Gateway:
        started: asyncio.Future[Gateway] = asyncio.get_running_loop().create_future()

        async def station() -> None:
            gateway = await started
            reader, link = await asyncio.open_connection("127.0.0.1", gateway.port)
            with contextlib.suppress(OSError):
                for data in frames(10):
                    if gateway.failure:
                        break
                    link.write(data)
                    await link.drain()
                    await asyncio.sleep(0.2)
            answers.append(await asyncio.wait_for(reader.read(), 10))
            link.close()

        client = asyncio.create_task(station())
        gateway = await asyncio.wait_for(
            serve(writer, config, on_ready=started.set_result, signals=()), 60
        )
        await client
        return gateway

    gateway = asyncio.run(main())
    assert "crashed 3 times" in gateway.failure
    assert answers == [b""]  # closed without a single answer
    assert stored_qns(database) == []
    critical = [r.getMessage() for r in caplog.records if r.levelname == "CRITICAL"]
    assert any("stopping the gateway" in message for message in critical), critical


def test_readiness_status_and_probes_over_http(database):
    got: dict[str, Any] = {}

    async def scenario(gateway: Gateway) -> None:
        health = HealthServer(gateway, "127.0.0.1", 0)
        await health.start()
        try:
            for path in ("/readyz", "/livez", "/status", "/nope"):
                got[path] = await http_get(health.port, path)
            gateway.batcher.available = False  # what a lost store does (see the PG test)
            gateway.batcher.last_error = "PostgreSQL: connection lost"
            gateway.batcher.unavailable_since = time.monotonic()
            got["lost"] = await http_get(health.port, "/readyz")
            gateway.batcher.available = True
        finally:
            await health.close()

    with_gateway(SQLiteFrameWriter(database), scenario)
    assert got["/readyz"] == (200, "ready\n")
    assert got["/livez"] == (200, "alive\n")
    status = json.loads(got["/status"][1])
    assert status["ready"] is True and status["max_inflight_frames"] == FAST.max_inflight_frames
    assert got["/nope"][0] == 404
    code, reason = got["lost"]
    assert code == 503 and "unavailable" in reason and "connection lost" in reason


# --- connection limits: per MN for known stations, per address for anonymous ones -----------


def test_many_known_stations_share_one_address_and_one_mn_keeps_its_newest_links(tmp_path):
    from tests.hj212.test_storage import fresh_sqlite

    units = station_fleet(12, prefix="ECERNAT")
    path = fresh_sqlite(tmp_path)
    writer = SQLiteFrameWriter(path)
    writer.register_points(unit.point_spec() for unit in units)
    config = GatewayConfig(
        port=0, batch_max_delay=0.002, max_conns_per_ip=4, max_conns_per_mn=2, anonymous_grace=0
    )
    got: dict[str, Any] = {}

    def upload(index: int, step: int) -> bytes:
        unit = units[index]
        moment = datetime(2024, 3, 1, 12) - timedelta(minutes=step)
        return data_frame(unit, Readings(unit), MINUTE, moment, f"2024030112{step:07d}")

    async def scenario(gateway: Gateway) -> None:
        links = []
        # Twelve loggers behind one (carrier NAT) address, four anonymous at a time at most:
        # each is known after its first accepted frame and leaves the per-address count.
        for index in range(len(units)):
            reader, link = await asyncio.open_connection("127.0.0.1", gateway.port)
            link.write(upload(index, 0))
            assert len(await read_replies(reader, 1)) == 1
            links.append((reader, link))
        got["open"] = len(gateway.state.connections)
        # The first logger reconnects twice (its old links are dead to it): the oldest goes.
        for step in (1, 2):
            reader, link = await asyncio.open_connection("127.0.0.1", gateway.port)
            link.write(upload(0, step))
            assert len(await read_replies(reader, 1)) == 1
            links.append((reader, link))
        got["first_closed"] = await asyncio.wait_for(links[0][0].read(), 10)
        got["per_mn"] = {mn: len(v) for mn, v in gateway.state.by_mn.items()}
        got["evicted"] = gateway.state.mn_evicted
        for _, link in links:
            await close(link)

    with_gateway(writer, scenario, config)
    assert got["open"] == 12
    assert got["first_closed"] == b""
    assert got["evicted"] == 1
    assert got["per_mn"][units[0].mn] == 2
    assert all(got["per_mn"][unit.mn] == 1 for unit in units[1:])


# --- the global bound on frames in flight, with many eager stations ------------------------

EAGER_STATIONS = 2000
EAGER_FRAMES = 10  # each station writes them at once, then reads its answers
BOUND = 500
OBSERVED = 30
# Generous: the stations, the observer and the gateway share one process and two cores.
ROUND_RATIO = 4.0
# Frames a station's read brings while the gateway is full (gateway.SLOW_READ, ~1 frame).
FRAMES_PER_SLOW_READ = 2


def test_2000_eager_stations_stay_within_the_bound_and_a_station_waits_one_round(tmp_path):
    """With the bound, a station sending one frame at a time waits for about the frames in
    flight plus one read (about a frame) of each waiting station, served in turn, not for
    the eager stations' backlog (without it: behind all of it); the backlog stays in the
    stations' sockets, not in the gateway."""
    from tests.hj212.test_storage import fresh_sqlite

    units = station_fleet(EAGER_STATIONS, prefix="ECEREAGER")
    path = fresh_sqlite(tmp_path)
    writer = SQLiteFrameWriter(path)
    writer.register_points([PointSpec(MN, PW, "观察站", tolerance="lenient")])
    writer.register_points(unit.point_spec() for unit in units)
    config = GatewayConfig(
        port=0,
        max_inflight_frames=BOUND,
        max_conns_per_ip=0,
        idle_timeout=600,
        anonymous_timeout=600,
    )
    outcome: dict[str, Any] = {}

    async def eager(gateway: Gateway, index: int, answered: list[int]) -> None:
        unit = units[index]
        readings, qns = Readings(unit), QnClock()
        burst = b"".join(
            data_frame(
                unit, readings, MINUTE, datetime(2024, 3, 1) - timedelta(minutes=k), qns.next()
            )
            for k in range(EAGER_FRAMES)
        )
        reader, link = await asyncio.open_connection("127.0.0.1", gateway.port)
        link.write(burst)
        got = 0
        while got < EAGER_FRAMES:
            chunk = await asyncio.wait_for(reader.read(1 << 16), 300)
            if not chunk:
                break
            got += chunk.count(b"\r\n")
        answered[0] += got
        await close(link)

    async def observe(
        gateway: Gateway, first: int, count: int | None, stop: asyncio.Event
    ) -> list[float]:
        from tests.hj212.test_flood import station_frame

        reader, link = await asyncio.open_connection("127.0.0.1", gateway.port)
        latencies: list[float] = []
        index = first
        while (count is None or index - first < count) and not stop.is_set():
            started = time.monotonic()
            link.write(station_frame(index))
            [reply] = await read_replies(reader, 1, timeout=300)
            latencies.append(time.monotonic() - started)
            assert reply.cn == "9014"
            index += 1
        await close(link)
        return latencies

    async def main() -> None:
        gateway = Gateway(SQLiteFrameWriter(path), config)
        await gateway.start()
        try:
            never = asyncio.Event()
            baseline = await observe(gateway, 0, OBSERVED, never)
            answered = [0]
            done = asyncio.Event()
            started = time.monotonic()
            stations = asyncio.gather(*(eager(gateway, i, answered) for i in range(EAGER_STATIONS)))
            await until(lambda: gateway.state.saturated > 0, 120, "the bound reached")
            observer = asyncio.create_task(observe(gateway, OBSERVED, None, done))
            await asyncio.wait_for(stations, 600)
            duration = time.monotonic() - started
            done.set()
            during = await observer
            outcome.update(
                baseline=baseline,
                during=during,
                duration=duration,
                answered=answered[0],
                state=gateway.state,
            )
        finally:
            await gateway.shutdown()

    asyncio.run(main())
    state = outcome["state"]
    baseline, during, duration = outcome["baseline"], outcome["during"], outcome["duration"]
    eager_frames = EAGER_STATIONS * EAGER_FRAMES
    throughput = eager_frames / duration  # frames stored per second under this load
    # The frames ahead of a station that waits its turn: those in flight, one read of each.
    one_round = (BOUND + FRAMES_PER_SLOW_READ * EAGER_STATIONS) / throughput
    p95 = statistics.quantiles(during, n=20)[-1] if len(during) >= 20 else max(during)
    report = (
        f"{EAGER_STATIONS} stations x {EAGER_FRAMES} frames in {duration:.1f} s "
        f"({throughput:.0f}/s); in flight: peak {state.peak_inflight_frames} frames "
        f"(bound {BOUND}), {state.peak_inflight_bytes} B; held in connections: peak "
        f"{state.peak_held_frames} frames; saturated {state.saturated} times; observer: "
        f"{len(during)} frames, p95 {p95 * 1000:.0f} ms (baseline p95 "
        f"{max(baseline) * 1000:.0f} ms, one round {one_round * 1000:.0f} ms)"
    )
    print(report)
    assert outcome["answered"] == eager_frames, report
    assert state.peak_inflight_frames <= BOUND, report
    assert state.peak_inflight_bytes <= config.max_inflight_bytes, report
    assert state.saturated > 0 and state.peak_held_frames > 0, report  # the bound did bite
    # Most of the backlog waited in the stations' sockets, not in the gateway's memory.
    assert state.peak_held_frames < eager_frames / 4, report
    assert state.held_frames == 0 and state.inflight_frames == 0, report
    assert len(during) >= 2, report
    assert p95 <= max(baseline) + ROUND_RATIO * one_round, report
    assert p95 < 0.75 * duration, report  # not behind the whole backlog
