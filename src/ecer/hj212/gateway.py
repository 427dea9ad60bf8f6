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

Hostile input (issue #19). Whatever a peer that has not authenticated (no frame accepted
under a registered MN and its PW) sends is quarantined within caps per address, per named
MN and in total, per period (:class:`QuarantineLimits`); beyond them it is counted, not
stored, and such a connection is closed. Old quarantine is deleted (``quarantine_retention``).
A refused frame (unknown MN, wrong PW, inactive point, implausible DataTime, the point's
policy) is never acknowledged as stored: it gets no data or notice response but, when its
Flag asks for a reply, the request response 9011 with the QnRtn of the refusal (HJ 212-2017
6.6.4 Table 7: 3 PW wrong, 4 MN wrong, 2 request refused). Connections that authenticated
do not count against the per-address limit; at that limit the oldest anonymous connection
older than ``anonymous_grace`` makes room, and an anonymous connection is closed after
``anonymous_timeout`` without an accepted frame.

Subpackets (Flag bit D) are stored and answered one by one, each under its own PNO, as
HJ 212-2017 Annex C has them acknowledged: holding an acknowledged subpacket in memory
until its siblings arrive would lose it in a crash.

Shaped after uvicorn: a shared :class:`ServerState` tracks live connections and counters;
limits per connection (frame size, idle timeout with ``loop.call_later``, connections per
address) and read backpressure (``pause_reading`` while too many frames of a connection
await storage, or while the peer does not read its replies); graceful shutdown in order:
stop accepting, stop reading, drain what was received (store and answer), close the
connections, wait for them with a timeout, abort the rest.

Faults and back-pressure (issue #25). A lost store (``StoreUnavailable``) leaves the batch
unanswered at the head of the queue while the batcher reconnects with backoff; a crash of
the batching task is supervised (restart, or a loud stop); :meth:`Gateway.readiness` says
whether frames can be stored now (HTTP ``/readyz``, :class:`HealthServer`). All stations
together have at most ``max_inflight_frames``/``max_inflight_bytes`` awaiting storage;
beyond that no station is read and the waiting ones are served in turn
(:meth:`ServerState.wake`). Authenticated connections are limited per MN.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import signal
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Final, cast
from zoneinfo import ZoneInfo

from ecer.hj212.codec import (
    LENIENT,
    Frame,
    FrameError,
    build_data_response,
    build_notice_response,
    build_request_response,
    parse_frame,
)
from ecer.hj212.framing import LARGEST_ENCODABLE_FRAME, FrameSplitter, Item, RawFrame
from ecer.hj212.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from ecer.hj212.metrics import Histogram, ProbeServer, gateway_metrics
from ecer.hj212.storage import (
    ACCEPTED,
    DATA_TIME_ZONE,
    DROPPED,
    QUARANTINED,
    STORED,
    TOLERANCE_POLICIES,
    FrameStore,
    FrameWriter,
    PointInfo,
    PointSource,
    PostgresFrameWriter,
    ReceivedFrame,
    StoreUnavailable,
    WriteResult,
)

log = logging.getLogger("ecer.hj212.gateway")

# Called on the event loop once a frame's batch is committed: the frame as received and
# judged (its ``frame`` None for junk and unparseable bytes) and what the writer did with
# it (None: storing failed; status DROPPED: quarantine over its caps, not stored).
StoredCallback = Callable[[ReceivedFrame, WriteResult | None], None]

# HJ 212-2017 6.6.4 Table 7 (请求命令返回表, QnRtn): the codes the gateway refuses with.
QN_RTN_REFUSED: Final = 2  # 请求被拒绝
QN_RTN_PW_WRONG: Final = 3  # PW 错误
QN_RTN_MN_WRONG: Final = 4  # MN 错误

# Default of GatewayConfig.max_future: ECER_HJ212_MAX_FUTURE_MINUTES's default, 10 min.
MAX_FUTURE_SECONDS: Final = 600.0

# Defaults of the global bound on frames awaiting storage (GatewayConfig.max_inflight_*).
MAX_INFLIGHT_FRAMES: Final = 10_000
MAX_INFLIGHT_BYTES: Final = 32 * 1024 * 1024

# A DataTime before this is implausible for a logger (HJ/T 212 dates from 2005).
EARLIEST_DATA_TIME: Final = datetime(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class GatewayConfig:
    """Limits and tuning of the gateway.

    max_frame: Longest frame accepted, CRLF included [bytes]; longer ones are quarantined.
    idle_timeout: Close a connection that sent nothing for this long [s].
    max_conns_per_ip: Anonymous connections (no frame accepted yet) one address may hold;
        0 = no limit. Loggers behind a carrier NAT share an address, and each is anonymous
        until its first frame is accepted: set it above the loggers that reconnect at once.
    max_conns_per_mn: Connections that authenticated as one MN; a further one closes the
        oldest (a logger's new link replaces its dead one); 0 = no limit.
    anonymous_grace: At that limit, the oldest anonymous connection older than this is
        closed to admit a new one; if none is, the new one is refused [s].
    anonymous_timeout: Close a connection that had no frame accepted for this long [s].
    anonymous_drop_limit: Close an anonymous connection once this much of its input was
        dropped for the quarantine's caps [bytes].
    max_future: Refuse frames whose DataTime is further ahead of the clock than this [s]
        (``ECER_HJ212_MAX_FUTURE_MINUTES`` for ``ecer hj212 serve``).
    quarantine_period: The quarantine's caps count over windows this long [s].
    quarantine_rows_per_address, quarantine_bytes_per_address: Quarantined rows and bytes
        one address may cause per period.
    quarantine_rows_per_mn, quarantine_bytes_per_mn: The same per MN named in the frames.
    quarantine_rows_total, quarantine_bytes_total: The same for all peers together.
    quarantine_retention: Quarantined rows older than this are deleted [s].
    purge_interval: How often the old quarantine is deleted [s].
    batch_max_frames: Most frames written in one transaction.
    batch_max_delay: Longest a frame waits for its batch to fill [s].
    high_water: Frames of one connection awaiting storage before it stops being read.
    max_inflight_frames, max_inflight_bytes: Frames (and their bytes) of all connections
        together that may await storage; beyond them connections stop being read, and what
        one read brought beyond them waits in its connection, served in turn (one frame per
        waiting connection) as room appears.
    reconnect_min, reconnect_max: Backoff between attempts to reach the store again after
        it was lost, doubling from the first to the second [s].
    stall_timeout: A batch in the writer longer than this makes the gateway not ready [s].
    fold_interval: How often the measurements set aside are folded into the rollups, on a
        connection and a thread of their own (PostgreSQL; see ``Gateway``) [s].
    max_restarts, restart_window: A batching task that crashed is restarted, unless it
        crashed this many times within the window [s]: then the gateway stops (exit 1).
    points_refresh: Reload the registered points at least this often [s].
    unknown_refresh: Reload sooner, but not more often than this, when an MN is unknown [s].
    shutdown_timeout: Longest each shutdown step (drain, close) may take [s].
    """

    host: str = "127.0.0.1"
    port: int = 9212
    max_frame: int = LARGEST_ENCODABLE_FRAME
    idle_timeout: float = 900.0
    max_conns_per_ip: int = 256
    max_conns_per_mn: int = 4
    anonymous_grace: float = 1.0
    anonymous_timeout: float = 120.0
    anonymous_drop_limit: int = 64 * 1024
    max_future: float = MAX_FUTURE_SECONDS
    quarantine_period: float = 3600.0
    quarantine_rows_per_address: int = 1000
    quarantine_bytes_per_address: int = 1024 * 1024
    quarantine_rows_per_mn: int = 1000
    quarantine_bytes_per_mn: int = 1024 * 1024
    quarantine_rows_total: int = 50_000
    quarantine_bytes_total: int = 64 * 1024 * 1024
    quarantine_retention: float = 30 * 86400.0
    purge_interval: float = 3600.0
    batch_max_frames: int = 1000
    batch_max_delay: float = 0.01
    high_water: int = 256
    max_inflight_frames: int = MAX_INFLIGHT_FRAMES
    max_inflight_bytes: int = MAX_INFLIGHT_BYTES
    reconnect_min: float = 0.1
    reconnect_max: float = 5.0
    stall_timeout: float = 60.0
    fold_interval: float = 5.0
    max_restarts: int = 3
    restart_window: float = 60.0
    points_refresh: float = 30.0
    unknown_refresh: float = 2.0
    shutdown_timeout: float = 10.0


def reply_for(frame: Frame, refusal: int = 0) -> bytes | None:
    """The reply a frame asks for, or None.

    Only Flag bit A asks for a reply (HJ 212-2017 6.3.3, Table 4); HJ/T 212-2005 frames
    without Flag are not answered. Uploads (CN 2xxx) get the data response 9014, other
    commands the notice response 9013 (HJ 212-2017 Annex C). A refused frame (``refusal``,
    a QnRtn code) gets neither, since both confirm receipt and the logger would then drop
    the data: it gets the request response 9011 with that QnRtn (HJ 212-2017 6.6.4 Table 7),
    so a misconfigured logger learns and keeps its data for a later retransmission.
    """
    if not frame.reply_required:
        return None
    if refusal:
        return build_request_response(frame, refusal)
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


def implausible_data_time(
    data_time: datetime | None,
    received_at: datetime,
    max_future: timedelta,
    zone: str = DATA_TIME_ZONE,
) -> str:
    """Why a frame's DataTime cannot be true, or "" when it can (or there is none).

    DataTime is the logger's local time (HJ 212-2017 6.3.2); compared as such, so that
    year 1 or 9999 cannot overflow a conversion. Before :data:`EARLIEST_DATA_TIME`, or more
    than ``max_future`` after the reception, is implausible.
    """
    if data_time is None:
        return ""
    local_now = received_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    if data_time < EARLIEST_DATA_TIME:
        return f"implausible DataTime {data_time:%Y-%m-%d %H:%M:%S}: before {EARLIEST_DATA_TIME:%Y}"
    if data_time > local_now + max_future:
        minutes = max_future.total_seconds() / 60
        return (
            f"implausible DataTime {data_time:%Y-%m-%d %H:%M:%S}: more than {minutes:g} min "
            f"after its reception ({local_now:%Y-%m-%d %H:%M:%S} {zone})"
        )
    return ""


def classify(
    received: ReceivedFrame,
    points: Mapping[str, PointInfo],
    max_future: timedelta = timedelta(seconds=MAX_FUTURE_SECONDS),
) -> ReceivedFrame:
    """Check a parsed frame against the registered points: store it or quarantine it.

    Quarantined, with the reason and the QnRtn it is refused with: unknown MN, inactive
    point, wrong PW, an implausible DataTime (:func:`implausible_data_time`), or a frame
    the point's tolerance policy rejects (the FrameError text).
    """
    frame = received.frame
    if frame is None or received.status != STORED:
        return received

    def refuse(reason: str, refusal: int = QN_RTN_REFUSED) -> ReceivedFrame:
        return replace(received, status=QUARANTINED, reason=reason, refusal=refusal)

    point = points.get(frame.mn)
    if point is None:
        return refuse(f"unknown MN {frame.mn}", QN_RTN_MN_WRONG)
    if not point.active:
        return refuse("monitoring point is inactive")
    if frame.pw != point.password:
        return refuse("wrong password (PW)", QN_RTN_PW_WRONG)
    policy = TOLERANCE_POLICIES.get(point.policy, LENIENT)
    # A lenient parse that accepted no deviation is what any policy accepts: parse again
    # only when there is a deviation the point's policy may refuse.
    if frame.deviations and policy != LENIENT:
        try:
            frame = parse_frame(received.data, policy)
        except FrameError as exc:
            return refuse(f"rejected by the point's {point.policy} policy: {exc}")
    implausible = implausible_data_time(frame.data_time, received.received_at, max_future)
    if implausible:
        return refuse(implausible)
    return replace(received, frame=frame, point_id=point.point_id)


class Budget:
    """Rows and bytes each key may use per fixed window of ``period`` seconds."""

    def __init__(
        self, rows: int, size: int, period: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rows = rows
        self.size = size
        self.period = period
        self.clock = clock
        self._used: dict[str, tuple[float, int, int]] = {}  # key: window start, rows, bytes
        self._swept_at = clock()

    def _usage(self, key: str, now: float) -> tuple[float, int, int]:
        used = self._used.get(key)
        if used is None or now - used[0] >= self.period:
            return (now, 0, 0)
        return used

    def allows(self, key: str, size: int) -> bool:
        _, rows, used = self._usage(key, self.clock())
        return rows + 1 <= self.rows and used + size <= self.size

    def charge(self, key: str, size: int) -> None:
        now = self.clock()
        start, rows, used = self._usage(key, now)
        self._used[key] = (start, rows + 1, used + size)
        if now - self._swept_at >= self.period:  # forget finished windows (bounded memory)
            self._swept_at = now
            self._used = {k: v for k, v in self._used.items() if now - v[0] < self.period}


class QuarantineLimits:
    """How much quarantine the peers may cause: per address, per MN named, and in total.

    A quarantined row is admitted only if every budget it falls under allows it; then it
    is charged to each. Its size is what the row keeps of the input: the bytes and reason.
    """

    TOTAL: Final = "*"

    def __init__(self, config: GatewayConfig, clock: Callable[[], float] = time.monotonic):
        period = config.quarantine_period
        self.per_address = Budget(
            config.quarantine_rows_per_address, config.quarantine_bytes_per_address, period, clock
        )
        self.per_mn = Budget(
            config.quarantine_rows_per_mn, config.quarantine_bytes_per_mn, period, clock
        )
        self.total = Budget(
            config.quarantine_rows_total, config.quarantine_bytes_total, period, clock
        )

    def admit(self, received: ReceivedFrame) -> bool:
        """True (and charged) when the quarantined ``received`` may be written."""
        size = len(received.data) + len(received.reason.encode())
        address = address_of(received.peer)
        mn = received.frame.mn if received.frame is not None else ""
        allowed = (
            self.per_address.allows(address, size)
            and (not mn or self.per_mn.allows(mn, size))
            and self.total.allows(self.TOTAL, size)
        )
        if allowed:
            self.per_address.charge(address, size)
            if mn:
                self.per_mn.charge(mn, size)
            self.total.charge(self.TOTAL, size)
        return allowed


def address_of(peer: str) -> str:
    """The address of a ``host:port`` peer (IPv6 hosts hold colons themselves)."""
    host, _, _ = peer.rpartition(":")
    return host or peer


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

    def reload(self) -> Mapping[str, PointInfo]:
        """The points read again now (proves the store answers)."""
        self._load(self.clock())
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

    A lost store (:class:`~ecer.hj212.storage.StoreUnavailable`: the database connection
    lost or refused) is not the frames' fault: the batch goes back to the head of the queue
    unanswered, :attr:`available` turns False, and the store is tried again (the points
    read again, through a new connection) with backoff from ``reconnect_min`` to
    ``reconnect_max`` seconds; once it answers, the queue is written and answered in order.
    Meanwhile the queue is held within the gateway's in-flight bound, so stations stop
    being read rather than queued without limit.
    """

    def __init__(
        self,
        writer: FrameWriter,
        directory: PointDirectory,
        max_frames: int,
        max_delay: float,
        config: GatewayConfig | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.writer = writer
        self.directory = directory
        self.max_frames = max_frames
        self.max_delay = max_delay
        self.config = config or GatewayConfig()
        self.limits = QuarantineLimits(self.config)
        self.max_future = timedelta(seconds=self.config.max_future)
        self.wall_clock = wall_clock
        self._purged_at: float | None = None
        self.dropped = 0
        self.purged = 0
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hj212-writer")
        self._queue: collections.deque[_Pending] = collections.deque()
        self._wakeup = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = False
        self.batches = 0
        self.available = True
        self.unavailable_since: float | None = None
        self.last_error = ""
        self.outages = 0
        # The batch taken from the queue and not yet called back, and since when.
        self._current: collections.deque[_Pending] = collections.deque()
        self.writing_since: float | None = None

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
        """Take batches from the queue and store them until :meth:`stop`; see the class."""
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
            self._current.extend(batch)
            self.writing_since = time.monotonic()
            try:
                results = await loop.run_in_executor(self.executor, self._store, batch)
            except StoreUnavailable as exc:
                # Back to the head of the queue, unanswered, in order; wait for the store.
                self._current.clear()
                self.writing_since = None
                queue.extendleft(reversed(batch))
                if self._stopping:  # shutting down: nothing more can be stored
                    log.error("the store is unavailable (%s) at shutdown", exc)
                    self.abandon(everything=True)
                    return
                await self._await_store(str(exc))
                continue
            self.writing_since = None
            if len(results) != len(batch):
                raise RuntimeError(f"{len(results)} results for a batch of {len(batch)} frames")
            self.batches += 1
            for received, result in results:
                pending = self._current.popleft()
                try:
                    pending.done(received, result)
                except Exception:
                    log.exception("reply callback failed")

    async def _await_store(self, error: str) -> None:
        """The store was lost: try it again with backoff until it answers (or stop)."""
        loop = asyncio.get_running_loop()
        self.available = False
        self.unavailable_since = time.monotonic()
        self.last_error = error
        self.outages += 1
        log.error("the store is unavailable (%s); no frame is answered until it is back", error)
        delay = self.config.reconnect_min
        while not self.available and not self._stopping:
            await asyncio.sleep(delay)
            try:
                await loop.run_in_executor(self.executor, self._probe)
            except Exception as exc:
                self.last_error = str(exc)
                log.warning("the store is still unavailable (%s); next try in %.1f s", exc, delay)
                delay = min(delay * 2, self.config.reconnect_max)
                continue
            down = time.monotonic() - (self.unavailable_since or time.monotonic())
            log.warning(
                "the store is back after %.1f s; writing %d queued frames", down, self.queued
            )
            self.available = True
            self.unavailable_since = None
            self.last_error = ""

    def _probe(self) -> None:
        """Runs on the writer thread: read the points again (through a new connection when
        the last was lost), and let a writer that has more to check (``check()``) do it."""
        self.directory.reload()
        check = getattr(self.writer, "check", None)
        if check is not None:
            check()

    def abandon(self, everything: bool = False) -> int:
        """After a crash: call back the batch in hand (and with ``everything`` the queue)
        as not stored, so no station waits for an answer that cannot come; return how many."""
        abandoned = list(self._current)
        self._current.clear()
        self.writing_since = None
        if everything:
            abandoned.extend(self._queue)
            self._queue.clear()
        for pending in abandoned:
            received = ReceivedFrame(
                pending.received_at, pending.peer, pending.item.data, None, STORED
            )
            try:
                pending.done(received, None)
            except Exception:
                log.exception("reply callback failed")
        if not self._queue:
            self._idle.set()
        return len(abandoned)

    def _store(self, batch: list[_Pending]) -> list[tuple[ReceivedFrame, WriteResult | None]]:
        """Runs on the writer thread: parse, check against the points, write, commit.

        Raises StoreUnavailable when the store is lost (nothing of the batch answered)."""
        self._purge_when_due()
        received = [receive(p.item, p.peer, p.received_at) for p in batch]
        try:
            points = self.directory.current(r.frame.mn for r in received if r.frame is not None)
        except StoreUnavailable:
            raise
        except Exception:
            log.exception("loading the monitoring points failed; the batch is not answered")
            return [(r, None) for r in received]
        judged = [classify(r, points, self.max_future) for r in received]
        # Quarantine over its caps is counted, not written.
        admitted = [r.status != QUARANTINED or self.limits.admit(r) for r in judged]
        written = iter(self._write([r for r, ok in zip(judged, admitted, strict=True) if ok]))
        dropped = WriteResult(DROPPED, 0, 0)
        self.dropped += admitted.count(False)
        pairs = zip(judged, admitted, strict=True)
        return [(r, next(written, None) if ok else dropped) for r, ok in pairs]

    def _purge_when_due(self) -> None:
        """Delete the quarantine older than the retention, at most every ``purge_interval``."""
        now = time.monotonic()
        if self._purged_at is not None and now - self._purged_at < self.config.purge_interval:
            return
        self._purged_at = now
        before = self.wall_clock() - timedelta(seconds=self.config.quarantine_retention)
        try:
            deleted = self.writer.purge_quarantine(before)
        except StoreUnavailable:
            self._purged_at = None  # again once the store is back
            raise
        except Exception:
            log.exception("deleting the quarantine received before %s failed", before)
            return
        self.purged += deleted
        if deleted:
            log.info("deleted %d quarantined frames received before %s", deleted, before)

    def _write(self, batch: list[ReceivedFrame]) -> list[WriteResult | None]:
        if not batch:
            return []
        try:
            return list(self.writer.write_batch(batch))
        except StoreUnavailable:
            raise
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
    # Anonymous connections (no frame accepted yet) by address, oldest first.
    anonymous: dict[str, dict[StationProtocol, None]] = field(default_factory=dict)
    # Addresses whose quarantine budget ran out: until when (monotonic) their anonymous
    # connections' junk is dropped as it arrives, without queueing it for storage.
    over_budget: dict[str, float] = field(default_factory=dict)
    # Authenticated connections by the MN they authenticated as, oldest first.
    by_mn: dict[str, dict[StationProtocol, None]] = field(default_factory=dict)
    # The global bound (GatewayConfig.max_inflight_*) and what is in flight: submitted to
    # the batcher and not yet called back; "held": read beyond the bound, waiting in its
    # connection. Peaks since the start.
    max_inflight_frames: int = MAX_INFLIGHT_FRAMES
    max_inflight_bytes: int = MAX_INFLIGHT_BYTES
    inflight_frames: int = 0
    inflight_bytes: int = 0
    peak_inflight_frames: int = 0
    peak_inflight_bytes: int = 0
    held_frames: int = 0
    held_bytes: int = 0
    peak_held_frames: int = 0
    peak_held_bytes: int = 0
    saturated: int = 0  # times a connection found no room and stopped being read
    # Connections holding input for want of room, served in turn.
    waiting: collections.deque[StationProtocol] = field(default_factory=collections.deque)
    _wake_scheduled: bool = False
    # The bound was reached and connections still wait: none reads until its turn.
    full: bool = False
    received: int = 0
    answered: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    dropped: int = 0
    dropped_bytes: int = 0
    failed: int = 0
    refused: int = 0
    evicted: int = 0
    mn_evicted: int = 0
    rejected_replies: int = 0
    # From a frame's receipt to its answer [s] (/metrics).
    ack_latency: Histogram = field(default_factory=Histogram)

    def count(self, result: WriteResult | None) -> None:
        if result is None:
            self.failed += 1
        elif result.status == STORED:
            self.stored += 1
        elif result.status == QUARANTINED:
            self.quarantined += 1
        elif result.status == DROPPED:
            self.dropped += 1
        else:
            self.duplicates += 1

    @property
    def per_address(self) -> dict[str, int]:
        """Anonymous connections per address."""
        return {address: len(links) for address, links in self.anonymous.items()}

    # --- the global bound on frames in flight ---------------------------------------------

    def has_room(self, size: int) -> bool:
        """Whether one more frame of ``size`` bytes may be submitted (one always may when
        nothing is in flight, so that no frame is too big to ever go)."""
        if self.inflight_frames == 0:
            return True
        return (
            self.inflight_frames < self.max_inflight_frames
            and self.inflight_bytes + size <= self.max_inflight_bytes
        )

    def take(self, size: int) -> None:
        self.inflight_frames += 1
        self.inflight_bytes += size
        self.peak_inflight_frames = max(self.peak_inflight_frames, self.inflight_frames)
        self.peak_inflight_bytes = max(self.peak_inflight_bytes, self.inflight_bytes)

    def hold(self, size: int) -> None:
        self.held_frames += 1
        self.held_bytes += size
        self.peak_held_frames = max(self.peak_held_frames, self.held_frames)
        self.peak_held_bytes = max(self.peak_held_bytes, self.held_bytes)

    def unhold(self, size: int) -> None:
        self.held_frames -= 1
        self.held_bytes -= size

    def release(self, size: int) -> None:
        """A frame was called back: its room goes to the waiting connections, in turn."""
        self.inflight_frames -= 1
        self.inflight_bytes -= size
        if self.waiting and not self._wake_scheduled:
            # After the whole batch's callbacks (they run in one go on the loop).
            self._wake_scheduled = True
            asyncio.get_running_loop().call_soon(self.wake)

    def saturate(self) -> None:
        """A connection found no room: from now on no connection reads until its turn
        (each joins the waiting line), so what is read beyond the bound stays one read of
        the few connections that were reading at that moment."""
        self.saturated += 1
        if not self.full:
            self.full = True
            for connection in list(self.connections):
                connection.wait_for_room()

    def wake(self) -> None:
        """Give the room there is to waiting connections in turn: one held frame each, or
        reading again for one without held input (while frames are in flight, whose
        callbacks wake the line again: as many as there is room beyond the held frames;
        while full, a read is :data:`SLOW_READ` bytes, about a frame). So a station with one
        frame waits for about one round of the line, not for the eager ones' backlog, and
        what is read beyond the bound stays about the bound."""
        self._wake_scheduled = False
        waiting = self.waiting
        resumed = 0
        while waiting:
            connection = waiting[0]
            if connection.closed:
                waiting.popleft()
                continue
            if connection.has_held:
                if not self.has_room(connection.next_held_size):
                    return
                waiting.popleft()
                connection.submit_held()
                waiting.append(connection)
                continue
            room = self.max_inflight_frames - self.inflight_frames - self.held_frames
            if self.inflight_frames and resumed >= room:
                return  # more when a frame in flight is called back
            waiting.popleft()
            resumed += 1
            connection.room_again()
        self.full = False


# Bytes read from a station at once; while the gateway is full (ServerState.full), about
# one frame, so that what a resumed station brings beyond the bound stays small.
READ_SIZE: Final = 64 * 1024
SLOW_READ: Final = 1024
# One buffer for every connection's reads: asyncio fills it and calls buffer_updated at
# once, on the event loop's thread, and the bytes are copied out there.
_READ_BUFFERS: Final = {size: bytearray(size) for size in (READ_SIZE, SLOW_READ)}


class StationProtocol(asyncio.BufferedProtocol):
    """One station's connection: split, parse, submit for storage, answer when stored.

    A buffered protocol: the gateway chooses how much one read takes (:data:`READ_SIZE`,
    :data:`SLOW_READ` while full) and reads into a buffer shared by all connections.
    """

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
        self.opened_at = time.monotonic()
        self.mn: str | None = None  # the MN of the first frame accepted on this connection
        self.dropped_bytes = 0
        self._anonymous_handle: asyncio.TimerHandle | None = None
        # Read beyond the global bound: submitted in turn as room appears (ServerState.wake).
        self._held: collections.deque[Item] = collections.deque()

    @property
    def anonymous(self) -> bool:
        """No frame accepted on this connection yet."""
        return self.mn is None

    # --- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's is not a subclass of asyncio.Transport, only alike).
        self.transport = cast(asyncio.Transport, transport)
        peername = transport.get_extra_info("peername")
        if isinstance(peername, tuple) and len(peername) >= 2:
            self.address = str(peername[0])
            self.peer = f"{peername[0]}:{peername[1]}"
        state = self.state
        anonymous = state.anonymous.setdefault(self.address, {})
        limit = self.config.max_conns_per_ip
        if limit and len(anonymous) >= limit and not self._make_room(anonymous):
            state.refused += 1
            log.warning(
                "%s refused: %d anonymous connections from %s already open, none older than %.0f s",
                self.peer,
                self.config.max_conns_per_ip,
                self.address,
                self.config.anonymous_grace,
            )
            self.closed = True
            transport.close()
            return
        self._admitted = True
        anonymous[self] = None
        state.connections.add(self)
        self._arm_idle_timer()
        loop = asyncio.get_running_loop()
        self._anonymous_handle = loop.call_later(
            self.config.anonymous_timeout, self._on_anonymous_timeout
        )
        if state.full:  # its turn comes after those already waiting
            self.wait_for_room()

    def _make_room(self, anonymous: dict[StationProtocol, None]) -> bool:
        """Close the oldest anonymous connection of the address if it is past its grace.

        So an idle or junk-sending peer cannot hold every slot of a shared address: a
        station connecting after it gets in, and leaves the anonymous budget once a frame
        of it is accepted.
        """
        oldest = next(iter(anonymous))
        if time.monotonic() - oldest.opened_at < self.config.anonymous_grace:
            return False
        log.warning("%s closed to admit %s (anonymous, oldest)", oldest.peer, self.peer)
        self.state.evicted += 1
        oldest._leave_anonymous()
        oldest.abort()
        return True

    def _leave_anonymous(self) -> None:
        links = self.state.anonymous.get(self.address)
        if links is not None and self in links:
            del links[self]
            if not links:
                del self.state.anonymous[self.address]
        if self._anonymous_handle is not None:
            self._anonymous_handle.cancel()
            self._anonymous_handle = None

    def _on_anonymous_timeout(self) -> None:
        self._anonymous_handle = None
        if self.anonymous and not self.closed:
            log.info(
                "%s closed: no frame accepted within %.0f s",
                self.peer,
                self.config.anonymous_timeout,
            )
            self.close()

    def get_buffer(self, sizehint: int) -> bytearray:
        return _READ_BUFFERS[SLOW_READ if self.state.full else READ_SIZE]

    def buffer_updated(self, nbytes: int) -> None:
        buffer = _READ_BUFFERS[SLOW_READ if self.state.full else READ_SIZE]
        self.data_received(bytes(memoryview(buffer)[:nbytes]))

    def data_received(self, data: bytes) -> None:
        if self.closed or self._discarding:
            return
        self._arm_idle_timer()
        shed = self.anonymous and self._address_over_budget()
        for item in self.splitter.feed(data):
            if shed and not isinstance(item, RawFrame):
                self._drop(len(item.data))
                if self.closed:
                    return
                continue
            if self._held or not self.state.has_room(len(item.data)):
                self._held.append(item)
                self.state.hold(len(item.data))
            else:
                self._submit(item)
        if self._held and "inflight" not in self._pause_reasons:
            self.state.saturate()
            self.wait_for_room()

    def wait_for_room(self) -> None:
        """Stop reading and join the line of connections waiting for room (ServerState)."""
        if "inflight" not in self._pause_reasons and not self.closed:
            self._pause("inflight")
            self.state.waiting.append(self)

    @property
    def has_held(self) -> bool:
        return bool(self._held)

    @property
    def next_held_size(self) -> int:
        return len(self._held[0].data)

    def submit_held(self) -> None:
        """Room for one frame of those held: submit it (ServerState.wake)."""
        item = self._held.popleft()
        self.state.unhold(len(item.data))
        self._submit(item)

    def room_again(self) -> None:
        """Nothing held any more: read this station again."""
        self._resume("inflight")

    def _drop_held(self) -> None:
        while self._held:
            self.state.unhold(len(self._held.popleft().data))

    def _address_over_budget(self) -> bool:
        until = self.state.over_budget.get(self.address)
        if until is None:
            return False
        if time.monotonic() >= until:
            del self.state.over_budget[self.address]
            return False
        return True

    def eof_received(self) -> bool | None:
        # The station half-closed: answer what it sent, then close (True keeps it open).
        if self.pending or self._held:
            self._close_when_drained = True
            return True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._idle_handle is not None:
            self._idle_handle.cancel()
            self._idle_handle = None
        self._drop_held()  # never submitted, so never answered: the station sends it again
        if self._admitted:
            self._admitted = False
            self.state.connections.discard(self)
            self._leave_anonymous()
            self._leave_mn()

    def pause_writing(self) -> None:
        # The station does not read its replies: stop reading its frames meanwhile.
        self._pause("writing")

    def resume_writing(self) -> None:
        self._resume("writing")

    # --- frames ----------------------------------------------------------------------

    def _submit(self, item: Item) -> None:
        self.state.received += 1
        self.state.take(len(item.data))
        self.pending += 1
        if self.pending >= self.config.high_water:
            self._pause("storage")
        self.batcher.submit(item, self.peer, self.clock(), self._stored)

    def _stored(self, received: ReceivedFrame, result: WriteResult | None) -> None:
        self.pending -= 1
        self.state.release(len(received.data))
        self.state.count(result)
        frame = received.frame
        if result is not None and result.status in ACCEPTED and frame is not None:
            self._accepted(frame)
        if result is not None and result.status == DROPPED:
            self.state.over_budget[self.address] = time.monotonic() + self.config.quarantine_period
            self._drop(len(received.data), counted=True)
        if result is not None and frame is not None and not self.closed:
            accepted = result.status in ACCEPTED
            reply = reply_for(frame, 0 if accepted else received.refusal)
            if reply is not None and (accepted or received.refusal) and self.transport is not None:
                self.transport.write(reply)
                if accepted:
                    self.state.answered += 1
                    latency = (self.clock() - received.received_at).total_seconds()
                    self.state.ack_latency.observe(latency)
                else:
                    self.state.rejected_replies += 1
        if self.pending <= self.config.high_water // 2:
            self._resume("storage")
        if self.pending == 0 and not self._held and self._close_when_drained:
            self.close()

    def _accepted(self, frame: Frame) -> None:
        """A frame of this connection was accepted: it is a known station's from now on."""
        if self.mn is None:
            self.mn = frame.mn
            self._leave_anonymous()
            links = self.state.by_mn.setdefault(frame.mn, {})
            links[self] = None
            limit = self.config.max_conns_per_mn
            while limit and len(links) > limit:
                oldest = next(iter(links))
                log.warning(
                    "%s closed: MN %s has %d connections, the limit (a newer one, %s, replaces it)",
                    oldest.peer,
                    frame.mn,
                    len(links),
                    self.peer,
                )
                self.state.mn_evicted += 1
                oldest._leave_mn()
                oldest.close()

    def _leave_mn(self) -> None:
        links = self.state.by_mn.get(self.mn or "")
        if links is not None and self in links:
            del links[self]
            if not links:
                del self.state.by_mn[self.mn or ""]

    def _drop(self, size: int, counted: bool = False) -> None:
        """Input not stored for the quarantine's caps; an anonymous sender of much is closed."""
        if not counted:
            self.state.dropped += 1
        self.state.dropped_bytes += size
        self.dropped_bytes += size
        if self.anonymous and self.dropped_bytes > self.config.anonymous_drop_limit:
            if not self.closed:
                log.warning(
                    "%s closed: %d bytes over the quarantine's caps", self.peer, self.dropped_bytes
                )
            self.abort()

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
        if self.pending or self._held:  # waiting for our storage, not idle itself
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

    def abort(self) -> None:
        """Close at once, dropping what is unsent (hostile or evicted peers)."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

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
    """The server: listening socket, batcher task, live connections, ordered shutdown.

    The batching task is supervised (:meth:`_supervise`): if it crashes, the frames of the
    batch in hand are called back as not stored (no answer: the stations send them again)
    and it is restarted; after ``max_restarts`` crashes within ``restart_window`` seconds the
    gateway logs it as critical and shuts down (:attr:`failure` set; the CLI exits 1).
    :meth:`readiness` says whether frames can be stored now (``/readyz`` with
    ``health_port``, :class:`HealthServer`).

    On PostgreSQL the batches set their measurements aside for the rollups; a task of the
    gateway folds them every ``fold_interval`` seconds through a connection of its own, on
    a thread of its own (:meth:`~ecer.hj212.storage.PostgresFrameWriter.folder`): a fold
    (seconds after a burst) never holds a batch, so never an answer.
    """

    def __init__(self, store: FrameStore, config: GatewayConfig) -> None:
        self.config = config
        self.state = ServerState(
            max_inflight_frames=config.max_inflight_frames,
            max_inflight_bytes=config.max_inflight_bytes,
        )
        directory = PointDirectory(store, config.points_refresh, config.unknown_refresh)
        self.batcher = Batcher(
            store, directory, config.batch_max_frames, config.batch_max_delay, config
        )
        self.server: asyncio.Server | None = None
        self._batcher_task: asyncio.Task[None] | None = None
        self._shutdown_requested = asyncio.Event()
        self._shutdown: asyncio.Task[None] | None = None
        self._folds: asyncio.Task[None] | None = None
        self._fold_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hj212-fold")
        self.crashes: collections.deque[float] = collections.deque()
        self.restarts = 0
        self.failure: str = ""
        self.started = False

    @property
    def port(self) -> int:
        """The port listened on (useful with port 0)."""
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    def protocol(self) -> StationProtocol:
        return StationProtocol(self.config, self.state, self.batcher)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._batcher_task = asyncio.create_task(self._supervise(), name="hj212-batcher")
        # Load the points before the first station connects (and fail early on a bad DB).
        await loop.run_in_executor(self.batcher.executor, self.batcher.directory.current, ())
        split = getattr(self.batcher.writer, "folder", None)  # PostgreSQL: rollups to fold
        if split is not None:
            folder = await loop.run_in_executor(self.batcher.executor, split)
            if folder is not None:
                self._folds = asyncio.create_task(self._fold(folder), name="hj212-fold")
        self.server = await loop.create_server(
            self.protocol, self.config.host, self.config.port, backlog=4096, reuse_address=True
        )
        self.started = True
        log.info("HJ 212 gateway listening on %s:%d", self.config.host, self.port)

    async def _fold(self, folder: PostgresFrameWriter) -> None:
        """Fold what the batches set aside every ``fold_interval`` seconds, on the fold
        thread; close the folder's connection when cancelled (at shutdown)."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                await asyncio.sleep(self.config.fold_interval)
                try:
                    await loop.run_in_executor(self._fold_executor, folder.fold)
                except StoreUnavailable as exc:  # the writer's outage, seen again here
                    log.warning("folding the rollups: %s; again in a while", exc)
                except Exception:
                    log.exception("folding the rollups failed; again in a while")
        finally:
            self._fold_executor.submit(folder.close)
            self._fold_executor.shutdown(wait=False)

    async def _supervise(self) -> None:
        """Run the batching task; restart it after a crash, or stop the gateway loudly."""
        config = self.config
        while True:
            try:
                await self.batcher.run()
                return
            except asyncio.CancelledError:
                raise
            except BaseException as exc:  # whatever it was, the stations must not hang
                now = time.monotonic()
                self.crashes.append(now)
                while self.crashes and now - self.crashes[0] > config.restart_window:
                    self.crashes.popleft()
                fatal = len(self.crashes) >= config.max_restarts
                abandoned = self.batcher.abandon(everything=fatal)
                if fatal:
                    self.failure = (
                        f"the batching task crashed {len(self.crashes)} times within "
                        f"{config.restart_window:.0f} s (last: {type(exc).__name__}: {exc})"
                    )
                    log.critical(
                        "%s; %d frames not answered; stopping the gateway",
                        self.failure,
                        abandoned,
                        exc_info=exc,
                    )
                    self.request_shutdown()
                    return
                self.restarts += 1
                log.critical(
                    "the batching task crashed (%s: %s); %d frames of its batch not answered "
                    "(the stations send them again); restarting it",
                    type(exc).__name__,
                    exc,
                    abandoned,
                    exc_info=exc,
                )
                await asyncio.sleep(config.reconnect_min)

    def readiness(self) -> tuple[bool, str]:
        """Whether the gateway can store (and so answer) frames now, and why not."""
        batcher = self.batcher
        task = self._batcher_task
        if not self.started:
            return False, "starting"
        if self._shutdown is not None or self._shutdown_requested.is_set():
            return False, "shutting down" + (f": {self.failure}" if self.failure else "")
        if task is None or task.done():
            return False, "the batching task is not running"
        if not batcher.available:
            since = time.monotonic() - (batcher.unavailable_since or time.monotonic())
            return False, f"the store is unavailable for {since:.0f} s: {batcher.last_error}"
        if batcher.writing_since is not None:
            busy = time.monotonic() - batcher.writing_since
            if busy > self.config.stall_timeout:
                return False, f"a batch has been in the writer for {busy:.0f} s"
        return True, "ready"

    def status(self) -> dict[str, object]:
        """Readiness and counters, for /status and people."""
        ready, reason = self.readiness()
        state = self.state
        return {
            "ready": ready,
            "reason": reason,
            "connections": len(state.connections),
            "queued": self.batcher.queued,
            "inflight_frames": state.inflight_frames,
            "inflight_bytes": state.inflight_bytes,
            "max_inflight_frames": state.max_inflight_frames,
            "max_inflight_bytes": state.max_inflight_bytes,
            "peak_inflight_frames": state.peak_inflight_frames,
            "peak_inflight_bytes": state.peak_inflight_bytes,
            "held_frames": state.held_frames,
            "peak_held_frames": state.peak_held_frames,
            "received": state.received,
            "stored": state.stored,
            "duplicates": state.duplicates,
            "quarantined": state.quarantined,
            "dropped": state.dropped,
            "failed": state.failed,
            "answered": state.answered,
            "store_outages": self.batcher.outages,
            "batcher_restarts": self.restarts,
        }

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
        if self._folds is not None:
            self._folds.cancel()
        if self._batcher_task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._batcher_task, timeout)
        if self.server is not None:
            await self.server.wait_closed()
        await asyncio.get_running_loop().run_in_executor(None, self.batcher.close)
        log.info(
            "stopped: %d frames received, %d stored, %d duplicates, %d quarantined, "
            "%d dropped over the quarantine's caps, %d answered",
            self.state.received,
            self.state.stored,
            self.state.duplicates,
            self.state.quarantined,
            self.state.dropped,
            self.state.answered,
        )


class HealthServer(ProbeServer):
    """A tiny HTTP/1.0 server on its own port for probes: ``GET /readyz`` answers 200
    ``ready`` or 503 with the reason (:meth:`Gateway.readiness`), ``/livez`` 200 while the
    event loop runs, ``/status`` the counters as JSON (:meth:`Gateway.status`).

    Its own port, so that load balancers and orchestrators (HAProxy ``option httpchk``,
    Kubernetes probes, systemd or Nagios checks) need no HJ 212 and the stations' port
    carries station traffic only; bind it to an internal address.
    """

    def __init__(self, gateway: Gateway, host: str, port: int) -> None:
        super().__init__(self.answer, host, port)
        self.gateway = gateway

    async def start(self) -> None:
        await super().start()
        log.info("readiness on http://%s:%d/readyz", self.host, self.port)

    def answer(self, path: str) -> tuple[int, str, str]:
        """(status, content type, body) for a GET of ``path``."""
        if path == "/readyz":
            ready, reason = self.gateway.readiness()
            return (200 if ready else 503), "text/plain", reason + "\n"
        if path == "/livez":
            return 200, "text/plain", "alive\n"
        if path == "/status":
            return 200, "application/json", json.dumps(self.gateway.status()) + "\n"
        if path == "/metrics":
            return 200, METRICS_CONTENT_TYPE, gateway_metrics(self.gateway)
        return 404, "text/plain", f"{path}: not found (try /readyz, /livez, /status, /metrics)\n"


async def serve(
    store: FrameStore,
    config: GatewayConfig,
    on_ready: Callable[[Gateway], None] | None = None,
    signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
    health: tuple[str, int] | None = None,
    on_health: Callable[[HealthServer], None] | None = None,
) -> Gateway:
    """Run a gateway until SIGTERM/SIGINT (or a fatal crash of its batching task: its
    ``failure`` then says why), then shut it down gracefully; return it.

    health: (host, port) of the :class:`HealthServer`, if one is wanted.
    """
    gateway = Gateway(store, config)
    await gateway.start()
    health_server = None
    if health is not None:
        health_server = HealthServer(gateway, *health)
        await health_server.start()
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, gateway.request_shutdown)
    if on_ready is not None:
        on_ready(gateway)
    if health_server is not None and on_health is not None:
        on_health(health_server)
    try:
        await gateway.wait_for_shutdown_request()
    finally:
        # A second signal during the shutdown changes nothing: the handlers stay until done.
        await gateway.shutdown()
        if health_server is not None:
            await health_server.close()
        for sig in signals:
            loop.remove_signal_handler(sig)
    return gateway
