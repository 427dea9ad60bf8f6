"""Past one machine: the gateway hands frames to NATS JetStream, writers store them.

``ecer hj212 serve --jetstream nats://…`` keeps the gateway as it is but replaces its
database writer by :class:`JetStreamForwarder`: a batch is published to a JetStream stream
(file storage) and a frame is answered only once JetStream has acknowledged that it
persisted it (the ``PubAck``). ``ecer hj212 writer`` (:func:`run_writer`, any number of
processes sharing one durable pull consumer) fetches batches, stores each in one database
transaction through the usual :class:`~ecer.hj212.storage.FrameWriter`, and acknowledges
the messages only after the commit. A writer killed mid-batch leaves its messages
unacknowledged; JetStream redelivers them after ``ack_wait`` and the database's unique
constraints store a repeat once. Nothing the gateway answered can be lost, as long as the
stream keeps it.

The gateway still checks each frame against the registered points (quarantine with the
reason), so the message carries its verdict; the writer parses the bytes again (leniently,
recording every deviation on the stored frame) rather than trusting a serialised frame.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nats
from nats.errors import DrainTimeoutError
from nats.errors import Error as NatsError
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import NotFoundError

from ecer.hj212.codec import LENIENT, FrameError, parse_frame
from ecer.hj212.metrics import Histogram
from ecer.hj212.storage import (
    QUARANTINED,
    FrameStore,
    FrameWriter,
    PointInfo,
    PointSpec,
    ReceivedFrame,
    StoreUnavailable,
    WriteResult,
)

log = logging.getLogger("ecer.hj212.jetstream")

STREAM = "ECER_HJ212"
SUBJECT = "ecer.hj212.frames"
DURABLE = "ecer-hj212-writer"


def encode(received: ReceivedFrame) -> bytes:
    """A frame and the gateway's verdict as one JSON message (the bytes in base64)."""
    return json.dumps(
        {
            "received_at": received.received_at.isoformat(),
            "peer": received.peer,
            "data": base64.b64encode(received.data).decode("ascii"),
            "status": received.status,
            "reason": received.reason,
            "point_id": received.point_id,
        },
        separators=(",", ":"),
    ).encode()


def decode(message: bytes) -> ReceivedFrame:
    """The frame of :func:`encode`, parsed again from its bytes."""
    item = json.loads(message)
    data = base64.b64decode(item["data"])
    status, reason = item["status"], item["reason"]
    frame = None
    try:
        frame = parse_frame(data, LENIENT)
    except FrameError as exc:
        # The gateway parsed it; a version that no longer does keeps it, quarantined.
        status, reason = QUARANTINED, reason or str(exc)
    return ReceivedFrame(
        received_at=datetime.fromisoformat(item["received_at"]),
        peer=item["peer"],
        data=data,
        frame=frame,
        status=status,
        reason=reason,
        point_id=item["point_id"],
    )


@dataclass(frozen=True)
class Names:
    """Where the frames go: a stream, its subject and the writers' durable consumer."""

    stream: str = STREAM
    subject: str = SUBJECT
    durable: str = DURABLE


@dataclass(frozen=True)
class StreamLimits:
    """How much the stream may hold (``serve``/``writer`` ``--stream-max-*``).

    max_bytes: Most bytes held; when full, a publish is refused (discard policy "new"), so
        the gateway answers nothing and stops reading stations until writers catch up:
        nothing acknowledged is pushed out. max_age: Messages older than this are deleted
        even if no writer stored them (JetStream's only way to bound an abandoned stream)
        [s]; 0 = never. replicas: Copies in a JetStream cluster (3 there; 1 on one server).

    The stream is a work queue: a message is deleted once a writer acknowledged it (after
    its commit), so the limits count only frames not stored yet.
    """

    max_bytes: int = 8 * 1024**3
    max_age: float = 7 * 86400.0
    replicas: int = 1


async def ensure_stream(js: Any, names: Names, limits: StreamLimits = StreamLimits()) -> None:
    """Create the stream (file storage, so an acknowledged frame survives a restart), or
    bring an existing one's limits to ``limits``."""
    wanted: dict[str, Any] = {
        "max_bytes": limits.max_bytes or -1,
        "max_age": limits.max_age,
        "discard": DiscardPolicy.NEW,
        "num_replicas": limits.replicas,
    }
    try:
        info = await js.stream_info(names.stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=names.stream,
                subjects=[names.subject],
                storage=StorageType.FILE,
                retention=RetentionPolicy.WORK_QUEUE,
                **wanted,
            )
        )
        return
    config = info.config
    if config.retention != RetentionPolicy.WORK_QUEUE:
        # Its limits would count the frames already stored too: with discard "new" it would
        # fill with them and refuse every frame. Left as it is.
        log.warning(
            "stream %s keeps stored frames (retention %s, not workqueue): its limits are "
            "left as they are; recreate it empty (a work queue) to bound it",
            names.stream,
            config.retention,
        )
        return
    if any(getattr(config, key) != value for key, value in wanted.items()):
        for key, value in wanted.items():
            setattr(config, key, value)
        await js.update_stream(config)


class JetStreamForwarder:
    """A :class:`~ecer.hj212.storage.FrameStore` for the gateway: points from the database,
    frames to JetStream. Called from the gateway's single writer thread, which gets an
    event loop of its own for the NATS client."""

    def __init__(
        self,
        points: FrameStore,
        servers: str,
        names: Names = Names(),
        limits: StreamLimits = StreamLimits(),
    ) -> None:
        self.points = points
        self.servers = servers
        self.names = names
        self.limits = limits
        self._loop = asyncio.new_event_loop()
        self._nc: Any = None
        self._js: Any = None

    def _connect(self) -> None:
        async def connect() -> None:
            self._nc = await nats.connect(
                self.servers, connect_timeout=5, max_reconnect_attempts=-1
            )
            self._js = self._nc.jetstream()
            await ensure_stream(self._js, self.names, self.limits)

        try:
            self._loop.run_until_complete(connect())
        except (OSError, TimeoutError, NatsError) as exc:
            raise StoreUnavailable(f"JetStream at {self.servers}: {exc}") from exc

    def write_batch(self, frames: Sequence[ReceivedFrame]) -> list[WriteResult]:
        """Publish the batch; return once JetStream has persisted every frame of it.

        A refused publish (the stream full, JetStream away or not answering) is
        StoreUnavailable: nothing of the batch is answered, the gateway tries again.
        """
        if self._js is None:
            self._connect()

        async def publish() -> list[Any]:
            return list(
                await asyncio.gather(
                    *(self._js.publish(self.names.subject, encode(f)) for f in frames)
                )
            )

        try:
            acks = self._loop.run_until_complete(publish())
        except (TimeoutError, NatsError) as exc:
            raise StoreUnavailable(f"JetStream stream {self.names.stream}: {exc!r}") from exc
        # frame_id: the stream sequence, by which the message can be found again.
        return [WriteResult(f.status, int(a.seq), 0) for f, a in zip(frames, acks, strict=True)]

    def check(self) -> None:
        """The gateway's probe after an outage: JetStream answers and the stream has room
        (StoreUnavailable otherwise)."""
        if self._js is None:
            self._connect()

        async def room() -> None:
            info = await self._js.stream_info(self.names.stream)
            limit = info.config.max_bytes or -1
            if limit > 0 and info.state.bytes + CHECK_MARGIN > limit:
                raise StoreUnavailable(
                    f"JetStream stream {self.names.stream} full: {info.state.bytes} of "
                    f"{limit} bytes (frames the writers have not stored yet)"
                )

        try:
            self._loop.run_until_complete(room())
        except (TimeoutError, NatsError) as exc:
            raise StoreUnavailable(f"JetStream stream {self.names.stream}: {exc!r}") from exc

    def load_points(self) -> dict[str, PointInfo]:
        return self.points.load_points()

    def register_points(self, points: Iterable[PointSpec]) -> int:
        return self.points.register_points(points)

    def purge_quarantine(self, before: datetime) -> int:
        # The quarantine's rows are in the database the writers fill, as the points are.
        return self.points.purge_quarantine(before)

    def close(self) -> None:
        if self._nc is not None:
            with contextlib.suppress(DrainTimeoutError):
                self._loop.run_until_complete(self._nc.drain())
        self._loop.close()
        self.points.close()


# Messages the writers of one durable consumer may hold unacknowledged together. JetStream's
# default (1,000) is one writer's batch: a second writer would get nothing while the first
# holds its batch, so writers would take turns instead of writing in parallel.
MAX_ACK_PENDING = 65_536

# Room the stream must have before the gateway publishes again after it was full [bytes].
CHECK_MARGIN = 1024 * 1024


async def _subscribe(
    js: Any,
    names: Names,
    ack_wait: float,
    attempts: int = 10,
    limits: StreamLimits = StreamLimits(),
) -> Any:
    """The stream and the durable pull consumer; JetStream API calls that time out on a
    busy server are tried again (``attempts`` times, a second apart)."""
    for attempt in range(attempts):
        try:
            await ensure_stream(js, names, limits)
            return await js.pull_subscribe(
                names.subject,
                durable=names.durable,
                stream=names.stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=ack_wait,
                    max_ack_pending=MAX_ACK_PENDING,
                ),
            )
        except (TimeoutError, NatsError) as exc:
            if attempt == attempts - 1:
                raise
            log.warning("JetStream did not answer (%s); trying again", exc)
            await asyncio.sleep(1)
    raise AssertionError("unreachable")


@dataclass
class WriterStats:
    batches: int = 0
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    busy_seconds: float = 0.0  # from the first fetched batch to the last committed one
    pending: int = 0  # messages the stream still holds for the consumer, as of the last fetch
    connected: bool = False
    ack_latency: Histogram = field(default_factory=Histogram)  # fetch to ack of a batch [s]

    @property
    def frames_per_s(self) -> float:
        return self.messages / self.busy_seconds if self.busy_seconds > 0 else 0.0


async def run_writer(
    writer: FrameWriter,
    servers: str,
    names: Names = Names(),
    *,
    batch: int = 500,
    ack_wait: float = 30.0,
    stop: asyncio.Event | None = None,
    idle_exit: float | None = None,
    limits: StreamLimits = StreamLimits(),
    stats: WriterStats | None = None,
) -> WriterStats:
    """Fetch batches from the durable consumer, store each in one transaction, then ack.

    stop: Set to finish the current batch and return (SIGTERM).
    idle_exit: Return after this many seconds without messages (tests, draining).
    stats: Counted into as the writer goes (its /metrics reads them live).
    """
    stop = stop or asyncio.Event()
    stats = stats if stats is not None else WriterStats()
    nc = await nats.connect(servers, connect_timeout=5, max_reconnect_attempts=-1, drain_timeout=30)
    stats.connected = True
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hj212-store")
    loop = asyncio.get_running_loop()
    try:
        js = nc.jetstream()
        subscription = await _subscribe(js, names, ack_wait, limits=limits)
        idle_since = loop.time()
        first_at: float | None = None
        while not stop.is_set():
            try:
                messages = await subscription.fetch(batch, timeout=1)
            except TimeoutError:  # none within the second, or a slow server; nats-py raises
                # its own TimeoutError or asyncio's, both the builtin one on Python 3.11
                stats.pending = 0
                if idle_exit is not None and loop.time() - idle_since > idle_exit:
                    break
                fold = getattr(writer, "fold", None)  # PostgreSQL: rollups pending
                if fold is not None:  # idle: fold what the last batches set aside
                    await loop.run_in_executor(executor, fold)
                continue
            except NatsError as exc:  # a busy or restarting server: nothing was taken
                log.warning("fetching from JetStream failed (%s); trying again", exc)
                await asyncio.sleep(0.5)
                continue
            idle_since = loop.time()
            first_at = first_at if first_at is not None else idle_since
            frames = [decode(m.data) for m in messages]
            results = await loop.run_in_executor(executor, writer.write_batch, frames)
            # Committed: only now may JetStream forget these messages. An ack that gets lost
            # only means a redelivery, which the database stores once.
            for m in messages:
                await m.ack()
            with contextlib.suppress(NatsError):
                await nc.flush(timeout=10)
            stats.ack_latency.observe(loop.time() - idle_since)
            with contextlib.suppress(Exception):  # metadata of a message JetStream sent
                stats.pending = int(messages[-1].metadata.num_pending)
            stats.busy_seconds = loop.time() - first_at
            stats.batches += 1
            stats.messages += len(messages)
            for r in results:
                if r.status == QUARANTINED:
                    stats.quarantined += 1
                elif r.status == "duplicate":
                    stats.duplicates += 1
                else:
                    stats.stored += 1
    finally:
        stats.connected = False
        await loop.run_in_executor(executor, writer.close)
        executor.shutdown(wait=True)
        with contextlib.suppress(DrainTimeoutError):
            await nc.drain()
    return stats
