"""Issue #19, done-when: junk at full speed from one address for 60 s grows the database by
less than 10 MB, and a station on the same address keeps having every frame acknowledged
and stored, its acknowledgement latency within a generous ratio of a baseline measured in
the same test without junk.

A real run of ECER_HJ212_FLOOD_SECONDS (default 60) seconds, with the gateway's default
limits, on SQLite, over TCP on 127.0.0.1. The junk comes from threads with blocking
sockets (so the gateway's event loop is not the one producing it), reconnecting whenever the
gateway closes them.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import sqlite3
import statistics
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecer.hj212.gateway import Gateway, GatewayConfig
from ecer.hj212.storage import RAW_FRAME_TABLE, STORED, PointSpec, SQLiteFrameWriter
from tests.hj212.test_gateway import read_replies
from tests.hj212.test_storage import MN, PW, fresh_sqlite, upload

FLOOD_SECONDS = float(os.environ.get("ECER_HJ212_FLOOD_SECONDS", "60"))
JUNK_THREADS = 2
BASELINE_FRAMES = 30
GROWTH_LIMIT = 10 * 1024 * 1024  # bytes (issue #19)
# Generous: the flood shares two cores with the gateway and the station.
MEDIAN_RATIO, P95_RATIO = 20.0, 100.0


def junk_buffer(size: int = 1024 * 1024) -> bytes:
    """Random bytes, lines, broken headers and well-formed frames of strangers and liars."""
    rng = random.Random(19)
    parts: list[bytes] = []
    total = 0
    while total < size:
        kind = rng.randrange(5)
        if kind == 0:
            part = rng.randbytes(rng.randrange(1, 4096))
        elif kind == 1:
            part = b"##9ST=" + rng.randbytes(rng.randrange(10, 300)) + b"\r\n"
        elif kind == 2:
            part = upload(mn=f"STRANGER{rng.randrange(10**8):08d}", qn=None)
        elif kind == 3:
            part = upload(pw=f"{rng.randrange(10**6):06d}", qn=None)  # guessing the password
        else:
            part = b"x" * rng.randrange(1, 20000)
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def flood(port: int, deadline: float) -> None:
    """Send junk until ``deadline``, reconnecting whenever the gateway closes the socket."""
    data = junk_buffer()
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as link:
                link.settimeout(2)
                while time.monotonic() < deadline:
                    link.sendall(data)
        except OSError:  # closed by the gateway (or refused for a moment): again
            time.sleep(0.001)


def database_bytes(path: Path) -> int:
    """The database's size once its WAL is checkpointed into it."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    return int(pages) * int(size)


def row_bytes(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(
            db.execute(
                "SELECT coalesce(sum(length(data) + length(text) + length(quarantine_reason)"
                f" + length(peer) + length(deviations)), 0) FROM {RAW_FRAME_TABLE}"
            ).fetchone()[0]
        )


def station_frame(index: int) -> bytes:
    """The station's index-th upload: minute data from 1 Jan 2024 on, one minute each."""
    data_time = datetime(2024, 1, 1) + timedelta(minutes=index)
    return upload(qn=f"2024{index:013d}", data_time=f"{data_time:%Y%m%d%H%M%S}")


async def station(port: int, first: int, until: float | None, count: int | None) -> list[float]:
    """Send frames one at a time, each after the previous one's ack; return the latencies."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    latencies: list[float] = []
    index = first
    while (count is None or index - first < count) and (until is None or time.monotonic() < until):
        frame = station_frame(index)
        started = time.monotonic()
        writer.write(frame)
        [reply] = await read_replies(reader, 1, timeout=60)
        latencies.append(time.monotonic() - started)
        assert (reply.cn, reply.qn) == ("9014", f"2024{index:013d}")
        index += 1
        await asyncio.sleep(0.05)
    writer.close()
    await writer.wait_closed()
    return latencies


@pytest.mark.soak
def test_junk_at_full_speed_from_one_address_is_bounded_and_the_station_is_answered(tmp_path):
    path = fresh_sqlite(tmp_path)
    writer = SQLiteFrameWriter(path)
    writer.register_points([PointSpec(MN, PW, "测试排放口", tolerance="lenient")])
    writer.close()
    outcome: dict[str, Any] = {}

    async def main() -> None:
        gateway = Gateway(SQLiteFrameWriter(path), GatewayConfig(port=0))  # default limits
        await gateway.start()
        try:
            baseline = await station(gateway.port, 0, None, BASELINE_FRAMES)
            before = database_bytes(path), row_bytes(path)
            deadline = time.monotonic() + FLOOD_SECONDS
            threads = [
                threading.Thread(target=flood, args=(gateway.port, deadline), daemon=True)
                for _ in range(JUNK_THREADS)
            ]
            for thread in threads:
                thread.start()
            during = await station(gateway.port, BASELINE_FRAMES, deadline, None)
            for thread in threads:
                await asyncio.to_thread(thread.join, 30)
            await gateway.batcher.drained()
            outcome.update(
                baseline=baseline,
                during=during,
                before=before,
                after=(database_bytes(path), row_bytes(path)),
                state=gateway.state,
            )
        finally:
            await gateway.shutdown()

    asyncio.run(main())
    baseline, during, state = outcome["baseline"], outcome["during"], outcome["state"]
    sent_frames = BASELINE_FRAMES + len(during)
    with sqlite3.connect(path) as db:
        stored = db.execute(
            f"SELECT count(*) FROM {RAW_FRAME_TABLE} WHERE mn = ? AND status = ?", (MN, STORED)
        ).fetchone()[0]
    growth = outcome["after"][0] - outcome["before"][0]
    row_growth = outcome["after"][1] - outcome["before"][1]
    report = (
        f"{FLOOD_SECONDS:.0f} s of junk: {state.dropped_bytes / 1e6:.0f} MB read and dropped by "
        f"the gateway; database +{growth} B "
        f"(rows +{row_growth} B); {state.quarantined} quarantined, {state.dropped} dropped; "
        f"station: {len(during)} frames, median {statistics.median(during) * 1000:.1f} ms vs "
        f"baseline {statistics.median(baseline) * 1000:.1f} ms"
    )
    print(report)
    assert state.dropped_bytes > GROWTH_LIMIT * 10, report  # the flood was real
    assert len(during) > 0 and stored == sent_frames, report  # every frame acked and stored
    assert growth < GROWTH_LIMIT and row_growth < GROWTH_LIMIT, report
    reference = statistics.median(baseline)
    assert statistics.median(during) <= MEDIAN_RATIO * reference, report
    p95 = statistics.quantiles(during, n=20)[-1] if len(during) >= 20 else max(during)
    assert p95 <= P95_RATIO * reference, report
