"""The JetStream path: a frame the gateway answered is in the database even if a writer is
``kill -9``-ed mid-batch, and a repeat is stored once.

Needs NATS with JetStream at ECER_NATS_URL (default nats://127.0.0.1:4222), which runs on
these machines; the test fails with that message when it does not. Each test uses a stream,
subject and consumer of its own and deletes the stream afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import nats
import pytest

from ecer.hj212.framing import FrameSplitter, RawFrame
from ecer.hj212.gateway import classify, receive
from ecer.hj212.jetstream import JetStreamForwarder, Names, decode, encode
from ecer.hj212.simulate import MINUTE, QnClock, Readings, data_frame, station_fleet
from ecer.hj212.storage import STORED, open_store
from tests.hj212.test_durability import stored_keys
from tests.hj212.test_storage import (
    BACKENDS,
    ECER,
    drop_postgres,
    ecer_env,
    fresh_postgres,
    fresh_sqlite,
    postgres_base_url,
)

NATS_URL = os.environ.get("ECER_NATS_URL", "nats://127.0.0.1:4222")
STATIONS = station_fleet(6, prefix="ECERJETS")


@pytest.fixture
def nats_url() -> str:
    parsed = urlparse(NATS_URL)
    try:
        socket.create_connection((parsed.hostname, parsed.port or 4222), timeout=3).close()
    except OSError as exc:
        pytest.fail(f"NATS with JetStream is not reachable at {NATS_URL} ({exc}); start it")
    return NATS_URL


@pytest.fixture
def names(nats_url: str) -> Iterator[Names]:
    tag = uuid.uuid4().hex[:10]
    yield Names(stream=f"ECERTEST_{tag}", subject=f"ecer.test.{tag}", durable=f"writer-{tag}")

    async def drop() -> None:
        nc = await nats.connect(nats_url)
        try:
            await nc.jetstream().delete_stream(f"ECERTEST_{tag}")
        finally:
            await nc.drain()

    asyncio.run(drop())


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url, name = f"sqlite:///{fresh_sqlite(tmp_path)}", None
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


def uploads(count: int) -> tuple[list[bytes], set[tuple[str, str]]]:
    frames, keys = [], set()
    for index, unit in enumerate(STATIONS):
        readings, qns = Readings(unit), QnClock()
        for step in range(count // len(STATIONS)):
            qn = qns.next()
            moment = datetime(2024, 3, 1, 12) - timedelta(minutes=10 * step + index)
            frames.append(data_frame(unit, readings, MINUTE, moment, qn))
            keys.add((unit.mn, qn))
    return frames, keys


def test_a_message_carries_the_frame_and_the_verdict() -> None:
    data = uploads(len(STATIONS))[0][0]
    received = receive(RawFrame(0, data), "10.0.0.7:5100", datetime(2024, 3, 1, tzinfo=UTC))
    back = decode(encode(received))
    assert (back.data, back.peer, back.status, back.received_at) == (
        received.data,
        received.peer,
        received.status,
        received.received_at,
    )
    assert back.frame is not None and back.frame.qn == received.frame.qn  # type: ignore[union-attr]


def writer(
    url: str, names: Names, tmp_path: Path, nats_url: str, *extra: str
) -> subprocess.Popen[bytes]:
    command = [
        ECER, "hj212", "writer", "--nats", nats_url, "--database-url", url, "--batch", "100",
        "--stream", names.stream, "--subject", names.subject, "--durable", names.durable,
        "--ack-wait", "2", *extra,
    ]  # fmt: skip
    log_path = tmp_path / f"writer-{time.monotonic_ns()}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, env=ecer_env(url, tmp_path), stdout=subprocess.PIPE, stderr=log
        )
    process.log_path = log_path  # type: ignore[attr-defined]
    assert process.stdout is not None
    assert process.stdout.readline().decode().strip() == "writing"
    return process


def test_kill_9_of_a_writer_loses_no_acknowledged_frame(database_url, names, nats_url, tmp_path):
    frames, keys = uploads(3000)
    store = open_store(database_url)
    points = store.load_points()
    forwarder = JetStreamForwarder(store, nats_url, names)
    now = datetime.now(UTC)
    acked = 0
    for start in range(0, len(frames), 500):
        batch = [
            classify(receive(RawFrame(0, f), "10.0.0.7:5100", now), points)
            for f in frames[start : start + 500]
        ]
        results = forwarder.write_batch(batch)
        # What the gateway answers: every frame JetStream acknowledged (a stream sequence).
        acked += sum(1 for r in results if r.status == STORED and r.frame_id > 0)
    forwarder.close()
    assert acked == len(keys) == 3000

    first = writer(database_url, names, tmp_path, nats_url)
    deadline = time.monotonic() + 60
    while len(stored_keys(database_url)) < 600 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    try:
        assert first.wait(30) == -signal.SIGKILL
    finally:
        first.stdout.close()  # type: ignore[union-attr]
    assert len(stored_keys(database_url)) < len(keys), "the kill should come mid-stream"

    second = writer(database_url, names, tmp_path, nats_url, "--idle-exit", "4")
    try:
        assert second.wait(120) == 0, second.log_path.read_text()  # type: ignore[attr-defined]
        output = second.stdout.read().decode()  # type: ignore[union-attr]
    finally:
        second.stdout.close()  # type: ignore[union-attr]
    assert "stopped:" in output
    assert stored_keys(database_url) == keys


def test_the_gateway_answers_once_jetstream_has_the_frame(database_url, names, nats_url, tmp_path):
    server = subprocess.Popen(
        [ECER, "hj212", "serve", "--port", "0", "--database-url", database_url, "--batch-ms",
         "5", "--jetstream", nats_url, "--stream", names.stream, "--subject", names.subject],
        env=ecer_env(database_url, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    assert server.stdout is not None
    port = int(server.stdout.readline().decode().rsplit(":", 1)[1])
    frames, keys = uploads(60)
    answered: set[tuple[str, str]] = set()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"".join(frames))
        splitter = FrameSplitter()
        while len(answered) < len(keys):
            for item in splitter.feed(sock.recv(1 << 16)):
                if isinstance(item, RawFrame):
                    from ecer.hj212.codec import parse_frame

                    reply = parse_frame(item.data)
                    answered.add((reply.mn, reply.qn or ""))
    assert answered == keys
    assert stored_keys(database_url) == set()  # in JetStream only, not yet in the database
    server.send_signal(signal.SIGTERM)
    try:
        assert server.wait(30) == 0
    finally:
        server.stdout.close()
    done = writer(database_url, names, tmp_path, nats_url, "--idle-exit", "3")
    try:
        assert done.wait(60) == 0, done.log_path.read_text()  # type: ignore[attr-defined]
    finally:
        done.stdout.close()  # type: ignore[union-attr]
    assert stored_keys(database_url) == keys


def test_the_stream_is_a_bounded_work_queue_and_a_full_one_is_not_answered(names, nats_url):
    """A stored frame leaves the stream; at its size limit a publish is refused (nothing
    pushed out): StoreUnavailable, so the gateway answers nothing and waits."""
    from nats.js.api import DiscardPolicy, RetentionPolicy

    from ecer.hj212.jetstream import StreamLimits
    from ecer.hj212.storage import StoreUnavailable

    class NoPoints:
        def close(self) -> None:
            pass

    frames, _ = uploads(60)
    now = datetime.now(UTC)
    batch = [receive(RawFrame(0, f), "10.0.0.7:5100", now) for f in frames]
    limits = StreamLimits(max_bytes=16 * 1024, max_age=3600, replicas=1)
    forwarder = JetStreamForwarder(NoPoints(), nats_url, names, limits)  # type: ignore[arg-type]
    refused = None
    try:
        written = 0
        for item in batch:
            try:
                forwarder.write_batch([item])
            except StoreUnavailable as exc:
                refused = str(exc)
                break
            written += 1
        with pytest.raises(StoreUnavailable, match="full"):
            forwarder.check()
    finally:
        forwarder.close()
    assert refused is not None and 0 < written < len(batch), (written, refused)

    async def config() -> Any:
        nc = await nats.connect(nats_url)
        try:
            return (await nc.jetstream().stream_info(names.stream)).config
        finally:
            await nc.drain()

    made = asyncio.run(config())
    assert made.retention == RetentionPolicy.WORK_QUEUE
    assert made.discard == DiscardPolicy.NEW
    assert (made.max_bytes, made.max_age) == (16 * 1024, 3600)
