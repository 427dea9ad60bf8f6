"""``kill -9`` loses nothing acknowledged; SIGTERM drains and exits cleanly.

``ecer hj212 serve`` runs as a subprocess on a database migrated by ``ecer manage migrate``
(a temporary SQLite file; also a dedicated PostgreSQL database ``ecer_gw_test_<pid>_<n>``
when DATABASE_URL names PostgreSQL). Several stations pipeline minute data and record
every acknowledgement; the server is killed mid-stream; every acknowledged (MN, QN) must
be in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecer.hj212.codec import parse_frame
from ecer.hj212.framing import FrameSplitter, RawFrame
from ecer.hj212.simulate import MINUTE, QnClock, Readings, data_frame, station_fleet
from ecer.hj212.storage import RAW_FRAME_TABLE, STORED, open_store
from tests.hj212.test_storage import (
    BACKENDS,
    ECER,
    drop_postgres,
    ecer_env,
    fresh_postgres,
    fresh_sqlite,
    postgres_base_url,
)

STATIONS = station_fleet(6, prefix="ECERKILL")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database migrated by ``ecer manage migrate`` (a copy), the stations registered."""
    if request.param == "sqlite":
        url = f"sqlite:///{fresh_sqlite(tmp_path)}"
        name = None
    else:
        base = postgres_base_url()
        assert base is not None
        url, name = fresh_postgres(base)
    store = open_store(url)
    store.register_points(station.point_spec() for station in STATIONS)
    store.close()
    yield url
    if name is not None:
        drop_postgres(str(postgres_base_url()), name)


SERVE = [ECER, "hj212", "serve", "--port", "0"]


class Server:
    """``ecer hj212 serve`` in a subprocess, on a free port."""

    def __init__(self, url: str, data_dir: Path, loop: str = "auto") -> None:
        self.log = data_dir / "serve.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [*SERVE, "--database-url", url, "--batch-ms", "5", "--loop", loop],
                env=ecer_env(url, data_dir),
                stdout=subprocess.PIPE,
                stderr=log,
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        assert line.startswith("listening on "), line + self.log.read_text()
        self.port = int(line.rsplit(":", 1)[1])

    def wait(self, timeout: float = 30) -> int:
        code = self.process.wait(timeout)
        assert self.process.stdout is not None
        self.output = self.process.stdout.read().decode()
        self.process.stdout.close()
        return code


async def station(
    port: int,
    index: int,
    sent: set[tuple[str, str]],
    acked: set[tuple[str, str]],
    window: int = 16,
) -> None:
    """Pipeline minute data (``window`` frames in flight) until the connection dies."""
    unit = STATIONS[index]
    readings, qns = Readings(unit), QnClock()
    data_time = datetime(2024, 3, 1, 12, 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    free = asyncio.Semaphore(window)

    async def listen() -> None:
        splitter = FrameSplitter()
        with contextlib.suppress(OSError):
            while chunk := await reader.read(1 << 16):
                for item in splitter.feed(chunk):
                    if isinstance(item, RawFrame):
                        reply = parse_frame(item.data)
                        acked.add((reply.mn, reply.qn or ""))
                        free.release()

    listener = asyncio.create_task(listen())
    try:
        while not listener.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(free.acquire(), 0.5)
                qn = qns.next()
                data_time -= timedelta(minutes=10)
                sent.add((unit.mn, qn))
                writer.write(data_frame(unit, readings, MINUTE, data_time, qn))
                await writer.drain()
    except OSError:
        pass  # the server is gone
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        await listener


def stored_keys(url: str) -> set[tuple[str, str]]:
    sql = f"SELECT mn, qn FROM {RAW_FRAME_TABLE} WHERE status = '{STORED}'"
    if url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return {(mn, qn) for mn, qn in db.execute(sql)}
    store: Any = open_store(url)
    try:
        return {(mn, qn) for mn, qn in store.connection.execute(sql).fetchall()}
    finally:
        store.close()


def test_kill_9_loses_no_acknowledged_frame(database_url, tmp_path):
    server = Server(database_url, tmp_path)
    sent: set[tuple[str, str]] = set()
    acked: set[tuple[str, str]] = set()

    async def main() -> None:
        clients = [
            asyncio.create_task(station(server.port, i, sent, acked)) for i in range(len(STATIONS))
        ]
        deadline = asyncio.get_running_loop().time() + 30
        while len(acked) < 1500 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        os.kill(server.process.pid, signal.SIGKILL)  # mid-stream: frames are in flight
        await asyncio.wait_for(asyncio.gather(*clients), 30)

    asyncio.run(main())
    assert server.wait() == -signal.SIGKILL
    assert len(acked) >= 1500
    assert sent - acked, "the kill should have caught frames in flight"
    missing = acked - stored_keys(database_url)
    assert not missing, f"{len(missing)} acknowledged frames lost, e.g. {sorted(missing)[:3]}"


# The same on either event loop (uvloop is what `auto` takes when it is installed).
@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_sigterm_stores_and_answers_what_was_received_then_exits(database_url, tmp_path, loop):
    server = Server(database_url, tmp_path, loop)
    unit = STATIONS[0]
    readings, qns = Readings(unit), QnClock()
    keys: list[tuple[str, str]] = []
    burst = []
    for step in range(300):
        keys.append((unit.mn, qns.next()))
        moment = datetime(2024, 3, 1) - timedelta(minutes=10 * step)
        burst.append(data_frame(unit, readings, MINUTE, moment, keys[-1][1]))
    answers: list[str] = []

    async def main() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"".join(burst))
        await writer.drain()
        await asyncio.sleep(0.05)
        server.process.send_signal(signal.SIGTERM)
        splitter = FrameSplitter()
        while chunk := await asyncio.wait_for(reader.read(1 << 16), 30):
            for item in splitter.feed(chunk):
                if isinstance(item, RawFrame):
                    answers.append(parse_frame(item.data).qn or "")
        writer.close()
        await writer.wait_closed()

    asyncio.run(main())
    assert server.wait() == 0
    assert "stopped:" in server.output
    assert f"event loop: {loop}" in server.log.read_text()
    stored = stored_keys(database_url)
    # Everything read before the signal was stored and answered; nothing answered unstored.
    assert answers
    assert {(unit.mn, qn) for qn in answers} == stored
    assert answers == [qn for _, qn in keys[: len(answers)]]
