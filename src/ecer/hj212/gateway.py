"""The HJ 212 gateway: an asyncio TCP server that acknowledges only what is stored.

Stations (data loggers) connect and upload frames. For every connection a
:class:`StationProtocol` splits the byte stream (:class:`~ecer.hj212.framing.FrameSplitter`:
several frames per read, frames over several reads, junk between frames); everything
received, junk included, goes to the :class:`Batcher`. The batcher collects frames from all
connections for up to ``batch_max_delay`` seconds or ``batch_max_frames`` frames, parses
them leniently (:func:`receive`), checks each against the registered monitoring points
(:func:`classify`: unknown MN, wrong PW, inactive point or a frame the point's tolerance
policy rejects is quarantined with the reason), and writes the batch in one transaction
through a :class:`~ecer.hj212.storage.FrameWriter` on a dedicated thread. Only when that
transaction is committed are the replies of the batch written back (:func:`reply_for`).

Subpackets (Flag bit D) are stored and answered one by one, each under its own PNO, as
HJ 212-2017 Annex C has them acknowledged: holding an acknowledged subpacket in memory
until its siblings arrive would lose it in a crash.

Shaped after uvicorn: a shared :class:`ServerState` tracks live connections and counters;
limits per connection (frame size, idle timeout with ``loop.call_later``, connections per
address) and read backpressure (``pause_reading`` while too many frames of a connection
await storage, or while the peer does not read its replies); graceful shutdown in order:
stop accepting, stop reading, drain what was received (store and answer), close the
connections, wait for them with a timeout, abort the rest.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ecer.hj212.codec import (
    LENIENT,
    Frame,
    FrameError,
    build_data_response,
    build_notice_response,
    parse_frame,
)
from ecer.hj212.framing import LARGEST_ENCODABLE_FRAME, FrameSplitter, Item, RawFrame
from ecer.hj212.storage import (
    QUARANTINED,
    STORED,
    TOLERANCE_POLICIES,
    FrameStore,
    FrameWriter,
    PointInfo,
    PointSource,
    ReceivedFrame,
    WriteResult,
)

log = logging.getLogger("ecer.hj212.gateway")

# Called on the event loop once a frame's batch is committed: the parsed frame (None for
# junk and unparseable bytes) and what the writer did with it (None: not stored).
StoredCallback = Callable[[Frame | None, WriteResult | None], None]


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """Limits and tuning of the gateway.

    max_frame: Longest frame accepted, CRLF included [bytes]; longer ones are quarantined.
    idle_timeout: Close a connection that sent nothing for this long [s].
    max_conns_per_ip: Connections one address may hold open at once.
    batch_max_frames: Most frames written in one transaction.
    batch_max_delay: Longest a frame waits for its batch to fill [s].
    high_water: Frames of one connection awaiting storage before it stops being read.
    points_refresh: Reload the registered points at least this often [s].
    unknown_refresh: Reload sooner, but not more often than this, when an MN is unknown [s].
    shutdown_timeout: Longest each shutdown step (drain, close) may take [s].
    """

    host: str = "127.0.0.1"
    port: int = 9212
    max_frame: int = LARGEST_ENCODABLE_FRAME
    idle_timeout: float = 900.0
    max_conns_per_ip: int = 64
    batch_max_frames: int = 1000
    batch_max_delay: float = 0.01
    high_water: int = 256
    points_refresh: float = 30.0
    unknown_refresh: float = 2.0
    shutdown_timeout: float = 10.0


def reply_for(frame: Frame) -> bytes | None:
    """The reply a frame asks for, or None.

    Only Flag bit A asks for a reply (HJ 212-2017 6.3.3, Table 4); HJ/T 212-2005 frames
    without Flag are not answered. Uploads (CN 2xxx) get the data response 9014, other
    commands the notice response 9013 (HJ 212-2017 Annex C).
    """
    if not frame.reply_required:
        return None
    if frame.cn.startswith("2"):
        return build_data_response(frame)
    return build_notice_response(frame)


def receive(item: Item, peer: str, received_at: datetime) -> ReceivedFrame:
    """What the splitter produced, parsed leniently; points are checked later (:func:`classify`).

    Junk and frames the codec rejects even leniently are quarantined with the reason.
    """
    if not isinstance(item, RawFrame):
        return ReceivedFrame(received_at, peer, item.data, None, QUARANTINED, item.reason)
    try:
        frame = parse_frame(item.data, LENIENT)
    except FrameError as exc:
        return ReceivedFrame(received_at, peer, item.data, None, QUARANTINED, str(exc))
    return ReceivedFrame(received_at, peer, item.data, frame, STORED)


def classify(received: ReceivedFrame, points: Mapping[str, PointInfo]) -> ReceivedFrame:
    """Check a parsed frame against the registered points: store it or quarantine it.

    Quarantined, with the reason: unknown MN, inactive point, wrong PW, or a frame the
    point's tolerance policy rejects (the FrameError text).
    """
    frame = received.frame
    if frame is None or received.status != STORED:
        return received
    point = points.get(frame.mn)
    if point is None:
        return replace(received, status=QUARANTINED, reason=f"unknown MN {frame.mn}")
    if not point.active:
        return replace(received, status=QUARANTINED, reason="monitoring point is inactive")
    if frame.pw != point.password:
        return replace(received, status=QUARANTINED, reason="wrong password (PW)")
    policy = TOLERANCE_POLICIES.get(point.policy, LENIENT)
    # A lenient parse that accepted no deviation is what any policy accepts: parse again
    # only when there is a deviation the point's policy may refuse.
    if frame.deviations and policy != LENIENT:
        try:
            frame = parse_frame(received.data, policy)
        except FrameError as exc:
            reason = f"rejected by the point's {point.policy} policy: {exc}"
            return replace(received, status=QUARANTINED, reason=reason)
    return replace(received, frame=frame, point_id=point.point_id)


class PointDirectory:
    """The registered points, cached; used from the writer thread only.

    Reloaded when older than ``refresh`` [s]; and when a batch names an MN the cache does
    not know (a point registered a moment ago), at once the first time and then at most
    every ``unknown_refresh`` [s], so that a station nobody registered cannot make every
    batch reload the table.
    """

    def __init__(
        self,
        source: PointSource,
        refresh: float,
        unknown_refresh: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.refresh = refresh
        self.unknown_refresh = unknown_refresh
        self.clock = clock
        self.points: dict[str, PointInfo] = {}
        self.loaded_at: float | None = None
        self.reloaded_for_unknown_at: float | None = None
        self.loads = 0

    def current(self, wanted: Iterable[str]) -> Mapping[str, PointInfo]:
        """The points, reloaded first if stale for the MNs ``wanted``."""
        now = self.clock()
        if self.loaded_at is None or now - self.loaded_at >= self.refresh:
            self._load(now)
        elif any(mn not in self.points for mn in wanted) and (
            self.reloaded_for_unknown_at is None
            or now - self.reloaded_for_unknown_at >= self.unknown_refresh
        ):
            self.reloaded_for_unknown_at = now
            self._load(now)
        return self.points

    def _load(self, now: float) -> None:
        self.points = self.source.load_points()
        self.loaded_at = now
        self.loads += 1


@dataclass(slots=True)
class _Pending:
    item: Item
    peer: str
    received_at: datetime
    done: StoredCallback
    queued_at: float


class Batcher:
    """Collects frames from every connection and stores them one transaction per batch.

    Parsing, the point checks and the writer run on one dedicated thread (database
    connections are not shared across threads), so the event loop only moves bytes and
    stays responsive with thousands of connections (with one interpreter lock, parsing
    on the loop would not run in parallel with the writer anyway). Callbacks run on the
    event loop, in submission order, after the commit.
    A failed batch is retried frame by frame so that one bad frame cannot hold back the
    others; a frame that still fails gets ``None`` (not stored: no reply, the station
    will send it again).
    """

    def __init__(
        self,
        writer: FrameWriter,
        directory: PointDirectory,
        max_frames: int,
        max_delay: float,
    ) -> None:
        self.writer = writer
        self.directory = directory
        self.max_frames = max_frames
        self.max_delay = max_delay
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hj212-writer")
        self._queue: collections.deque[_Pending] = collections.deque()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self.batches = 0

    @property
    def queued(self) -> int:
        """Frames waiting for their batch."""
        return len(self._queue)

    def submit(self, item: Item, peer: str, received_at: datetime, done: StoredCallback) -> None:
        """Queue a frame (or junk); ``done`` is called once its batch is committed."""
        self._queue.append(_Pending(item, peer, received_at, done, time.monotonic()))
        self._idle.clear()
        if len(self._queue) == 1 or len(self._queue) >= self.max_frames:
            self._wakeup.set()

    async def drained(self) -> None:
        """Wait until every submitted frame has been stored and called back."""
        await self._idle.wait()

    def stop(self) -> None:
        """Let :meth:`run` return once the queue is empty."""
        self._stopping = True
        self._wakeup.set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        queue = self._queue
        while True:
            if not queue:
                self._idle.set()
                if self._stopping:
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            wait = queue[0].queued_at + self.max_delay - time.monotonic()
            if len(queue) < self.max_frames and wait > 0 and not self._stopping:
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), wait)
                continue
            batch = [queue.popleft() for _ in range(min(len(queue), self.max_frames))]
            results = await loop.run_in_executor(self.executor, self._store, batch)
            self.batches += 1
            for pending, (frame, result) in zip(batch, results, strict=True):
                try:
                    pending.done(frame, result)
                except Exception:
                    log.exception("reply callback failed")

    def _store(self, batch: list[_Pending]) -> list[tuple[Frame | None, WriteResult | None]]:
        """Runs on the writer thread: parse, check against the points, write, commit."""
        received = [receive(p.item, p.peer, p.received_at) for p in batch]
        return list(zip([r.frame for r in received], self._write(received), strict=True))

    def _write(self, batch: list[ReceivedFrame]) -> list[WriteResult | None]:
        try:
            points = self.directory.current(r.frame.mn for r in batch if r.frame is not None)
            classified = [classify(received, points) for received in batch]
            return list(self.writer.write_batch(classified))
        except Exception:
            if len(batch) == 1:
                log.exception("storing a frame from %s failed; it is not answered", batch[0].peer)
                return [None]
            log.exception("storing a batch of %d frames failed; retrying one by one", len(batch))
            return [result for received in batch for result in self._write([received])]

    def close(self) -> None:
        """Close the writer on its own thread and stop the thread."""
        self.executor.submit(self.writer.close).result()
        self.executor.shutdown(wait=True)


@dataclass(slots=True)
class ServerState:
    """Shared by all connections: who is connected, and what happened so far."""

    connections: set[StationProtocol] = field(default_factory=set)
    per_address: collections.Counter[str] = field(default_factory=collections.Counter)
    received: int = 0
    answered: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failed: int = 0
    refused: int = 0

    def count(self, result: WriteResult | None) -> None:
        if result is None:
            self.failed += 1
        elif result.status == STORED:
            self.stored += 1
        elif result.status == QUARANTINED:
            self.quarantined += 1
        else:
            self.duplicates += 1


class StationProtocol(asyncio.Protocol):
    """One station's connection: split, parse, submit for storage, answer when stored."""

    def __init__(
        self,
        config: GatewayConfig,
        state: ServerState,
        batcher: Batcher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.state = state
        self.batcher = batcher
        self.clock = clock
        self.splitter = FrameSplitter(config.max_frame)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.address = "?"
        self.pending = 0  # frames submitted, not yet stored
        self.closed = False
        self._pause_reasons: set[str] = set()
        self._idle_handle: asyncio.TimerHandle | None = None
        self._close_when_drained = False
        self._admitted = False
        self._discarding = False

    # --- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peername = transport.get_extra_info("peername")
        if isinstance(peername, tuple) and len(peername) >= 2:
            self.address = str(peername[0])
            self.peer = f"{peername[0]}:{peername[1]}"
        state = self.state
        if state.per_address[self.address] >= self.config.max_conns_per_ip:
            state.refused += 1
            log.warning(
                "%s refused: %d connections from %s already open",
                self.peer,
                self.config.max_conns_per_ip,
                self.address,
            )
            self.closed = True
            transport.close()
            return
        self._admitted = True
        state.per_address[self.address] += 1
        state.connections.add(self)
        self._arm_idle_timer()

    def data_received(self, data: bytes) -> None:
        if self.closed or self._discarding:
            return
        self._arm_idle_timer()
        for item in self.splitter.feed(data):
            self._submit(item)

    def eof_received(self) -> bool | None:
        # The station half-closed: answer what it sent, then close (True keeps it open).
        if self.pending:
            self._close_when_drained = True
            return True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None
        if self._admitted:
            self._admitted = False
            self.state.connections.discard(self)
            self.state.per_address[self.address] -= 1
            if self.state.per_address[self.address] <= 0:
                del self.state.per_address[self.address]

    def pause_writing(self) -> None:
        # The station does not read its replies: stop reading its frames meanwhile.
        self._pause("writing")

    def resume_writing(self) -> None:
        self._resume("writing")

    # --- frames ----------------------------------------------------------------------

    def _submit(self, item: Item) -> None:
        self.state.received += 1
        self.pending += 1
        if self.pending >= self.config.high_water:
            self._pause("storage")
        self.batcher.submit(item, self.peer, self.clock(), self._stored)

    def _stored(self, frame: Frame | None, result: WriteResult | None) -> None:
        self.pending -= 1
        self.state.count(result)
        if result is not None and frame is not None and not self.closed:
            reply = reply_for(frame)
            if reply is not None and self.transport is not None:
                self.transport.write(reply)
                self.state.answered += 1
        if self.pending <= self.config.high_water // 2:
            self._resume("storage")
        if self.pending == 0 and self._close_when_drained:
            self.close()

    # --- flow control, timeouts, closing ----------------------------------------------

    def _pause(self, reason: str) -> None:
        if not self._pause_reasons and self.transport is not None and not self.closed:
            self.transport.pause_reading()
        self._pause_reasons.add(reason)

    def _resume(self, reason: str) -> None:
        if reason not in self._pause_reasons:
            return
        self._pause_reasons.discard(reason)
        if not self._pause_reasons and self.transport is not None and not self.closed:
            self.transport.resume_reading()

    def _arm_idle_timer(self) -> None:
        if self._idle_handle is not None:
            self._idle_handle.cancel()
        loop = asyncio.get_running_loop()
        self._idle_handle = loop.call_later(self.config.idle_timeout, self._on_idle)

    def _on_idle(self) -> None:
        self._idle_handle = None
        if self.pending:  # waiting for our storage, not idle itself
            self._arm_idle_timer()
            return
        log.info("%s idle for %.0f s: closing", self.peer, self.config.idle_timeout)
        self.close()

    def stop_reading(self) -> None:
        """Shutdown: take no more frames from this station."""
        self._pause("shutdown")

    def close(self) -> None:
        """Close after the replies already written have been sent."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def close_lingering(self) -> None:
        """Shutdown: send our FIN after the replies, then read and drop until the station closes.

        Closing a socket with unread input makes the kernel send a reset, which can destroy
        replies the station has not read yet; a lingering close (as Apache and nginx do)
        lets them arrive. The gateway aborts whoever has not closed by the timeout.
        """
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if not transport.can_write_eof():
            transport.close()
            return
        self._discarding = True
        try:
            transport.write_eof()
        except OSError:  # the station is already gone
            transport.abort()
            return
        self._pause_reasons.clear()
        transport.resume_reading()


class Gateway:
    """The server: listening socket, batcher task, live connections, ordered shutdown."""

    def __init__(self, store: FrameStore, config: GatewayConfig) -> None:
        self.config = config
        self.state = ServerState()
        directory = PointDirectory(store, config.points_refresh, config.unknown_refresh)
        self.batcher = Batcher(store, directory, config.batch_max_frames, config.batch_max_delay)
        self.server: asyncio.Server | None = None
        self._batcher_task: asyncio.Task[None] | None = None
        self._shutdown_requested = asyncio.Event()
        self._shutdown: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        """The port listened on (useful with port 0)."""
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    def protocol(self) -> StationProtocol:
        return StationProtocol(self.config, self.state, self.batcher)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._batcher_task = asyncio.create_task(self.batcher.run(), name="hj212-batcher")
        # Load the points before the first station connects (and fail early on a bad DB).
        await loop.run_in_executor(self.batcher.executor, self.batcher.directory.current, ())
        self.server = await loop.create_server(
            self.protocol, self.config.host, self.config.port, backlog=4096, reuse_address=True
        )
        log.info("HJ 212 gateway listening on %s:%d", self.config.host, self.port)

    def request_shutdown(self) -> None:
        """Signal handler: begin the graceful shutdown."""
        self._shutdown_requested.set()

    async def wait_for_shutdown_request(self) -> None:
        await self._shutdown_requested.wait()

    async def shutdown(self) -> None:
        """Stop accepting, drain, close connections (with timeouts), close the writer.

        Idempotent: a second call waits for the first one to finish.
        """
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._shut_down(), name="hj212-shutdown")
        await asyncio.shield(self._shutdown)

    async def _shut_down(self) -> None:
        timeout = self.config.shutdown_timeout
        if self.server is not None:
            self.server.close()
        connections = list(self.state.connections)
        log.info("shutting down: %d connections, draining", len(connections))
        for connection in connections:
            connection.stop_reading()
        try:
            await asyncio.wait_for(self.batcher.drained(), timeout)
        except TimeoutError:
            log.warning("drain timed out after %.0f s", timeout)
        for connection in list(self.state.connections):
            connection.close_lingering()
        deadline = time.monotonic() + timeout
        while self.state.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        for connection in list(self.state.connections):
            if connection.transport is not None:
                connection.transport.abort()
        self.batcher.stop()
        if self._batcher_task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batcher_task, timeout)
        if self.server is not None:
            await self.server.wait_closed()
        await asyncio.get_running_loop().run_in_executor(None, self.batcher.close)
        log.info(
            "stopped: %d frames received, %d stored, %d duplicates, %d quarantined, %d answered",
            self.state.received,
            self.state.stored,
            self.state.duplicates,
            self.state.quarantined,
            self.state.answered,
        )


async def serve(
    store: FrameStore,
    config: GatewayConfig,
    on_ready: Callable[[Gateway], None] | None = None,
    signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> ServerState:
    """Run a gateway until SIGTERM/SIGINT, then shut it down gracefully."""
    gateway = Gateway(store, config)
    await gateway.start()
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, gateway.request_shutdown)
    if on_ready is not None:
        on_ready(gateway)
    try:
        await gateway.wait_for_shutdown_request()
    finally:
        # A second signal during the shutdown changes nothing: the handlers stay until done.
        await gateway.shutdown()
        for sig in signals:
            loop.remove_signal_handler(sig)
    return gateway.state
