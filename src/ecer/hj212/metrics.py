"""Prometheus metrics of the gateway and the JetStream writer, in the text exposition format
(version 0.0.4), written by hand: a few counters, gauges and one histogram each, with no
dependency in this layer.

The gateway serves them at ``/metrics`` of its ``--health-port``; the writer at ``/metrics``
of its own ``--health-port`` (:class:`ProbeServer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ecer.hj212.gateway import Gateway
    from ecer.hj212.jetstream import WriterStats

log = logging.getLogger("ecer.hj212.metrics")

CONTENT_TYPE: Final = "text/plain; version=0.0.4"
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass
class Histogram:
    """Observations [s] counted into cumulative buckets, as Prometheus histograms are."""

    buckets: Sequence[float] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.buckets)

    def observe(self, seconds: float) -> None:
        if not math.isfinite(seconds):
            return
        self.total += seconds
        self.count += 1
        for index, bound in enumerate(self.buckets):
            if seconds <= bound:
                self.counts[index] += 1

    def lines(self, name: str) -> list[str]:
        out = [
            f'{name}_bucket{{le="{_number(b)}"}} {c}'
            for b, c in zip(self.buckets, self.counts, strict=True)
        ]
        out.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        out.append(f"{name}_sum {_number(self.total)}")
        out.append(f"{name}_count {self.count}")
        return out


def _number(value: float) -> str:
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # counter, gauge or histogram
    help: str
    value: float | Histogram


def exposition(metrics: Iterable[Metric]) -> str:
    out: list[str] = []
    for metric in metrics:
        out.append(f"# HELP {metric.name} {metric.help}")
        out.append(f"# TYPE {metric.name} {metric.kind}")
        if isinstance(metric.value, Histogram):
            out.extend(metric.value.lines(metric.name))
        else:
            out.append(f"{metric.name} {_number(metric.value)}")
    return "\n".join(out) + "\n"


def gateway_metrics(gateway: Gateway) -> str:
    state = gateway.state
    ready, _ = gateway.readiness()
    p = "ecer_hj212_gateway_"
    return exposition(
        [
            Metric(p + "ready", "gauge", "1 when frames can be stored and answered.", int(ready)),
            Metric(p + "connections", "gauge", "Station connections open.", len(state.connections)),
            Metric(p + "frames_received_total", "counter", "Frames received.", state.received),
            Metric(p + "frames_stored_total", "counter", "Frames stored.", state.stored),
            Metric(
                p + "frames_duplicate_total", "counter", "Repeats stored once.", state.duplicates
            ),
            Metric(
                p + "frames_quarantined_total",
                "counter",
                "Frames kept in quarantine with the reason.",
                state.quarantined,
            ),
            Metric(
                p + "frames_dropped_total",
                "counter",
                "Junk dropped over the quarantine's caps.",
                state.dropped,
            ),
            Metric(p + "frames_failed_total", "counter", "Frames the store failed.", state.failed),
            Metric(p + "frames_answered_total", "counter", "Frames answered.", state.answered),
            Metric(
                p + "queue_depth",
                "gauge",
                "Frames waiting for the store (batch queue).",
                gateway.batcher.queued,
            ),
            Metric(
                p + "inflight_frames",
                "gauge",
                "Frames received and not yet stored.",
                state.inflight_frames,
            ),
            Metric(
                p + "store_outages_total",
                "counter",
                "Times the store became unavailable.",
                gateway.batcher.outages,
            ),
            Metric(
                p + "ack_latency_seconds",
                "histogram",
                "From a frame's receipt to its answer (stored first).",
                state.ack_latency,
            ),
        ]
    )


def writer_metrics(stats: WriterStats) -> str:
    p = "ecer_hj212_writer_"
    return exposition(
        [
            Metric(p + "batches_total", "counter", "Batches committed.", stats.batches),
            Metric(p + "frames_received_total", "counter", "Frames fetched.", stats.messages),
            Metric(p + "frames_stored_total", "counter", "Frames stored.", stats.stored),
            Metric(
                p + "frames_duplicate_total", "counter", "Repeats stored once.", stats.duplicates
            ),
            Metric(
                p + "frames_quarantined_total",
                "counter",
                "Frames kept in quarantine.",
                stats.quarantined,
            ),
            Metric(
                p + "jetstream_pending",
                "gauge",
                "Frames in the stream not yet delivered to a writer (as of the last fetch).",
                stats.pending,
            ),
            Metric(p + "connected", "gauge", "1 while connected to NATS.", int(stats.connected)),
            Metric(
                p + "ack_latency_seconds",
                "histogram",
                "From fetching a batch to acknowledging it (stored and committed first).",
                stats.ack_latency,
            ),
        ]
    )


class ProbeServer:
    """A tiny HTTP/1.0 server for probes and scrapes: ``answer(path)`` gives (status, content
    type, body). The writer's ``--health-port``."""

    def __init__(self, answer: Callable[[str], tuple[int, str, str]], host: str, port: int) -> None:
        self.answer = answer
        self.host = host
        self.requested_port = port
        self.server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._handle, self.host, self.requested_port)

    async def close(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
            words = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            method, path = [*words, "", ""][:2]
            if method not in ("GET", "HEAD"):
                code, kind, body = 405, "text/plain", f"{method}: only GET\n"
            else:
                code, kind, body = self.answer(path.split("?", 1)[0])
            data = body.encode()
            reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed"}.get(
                code, "Service Unavailable"
            )
            writer.write(
                f"HTTP/1.0 {code} {reason}\r\nContent-Type: {kind}; charset=utf-8\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
                + (data if method == "GET" else b"")
            )
            await writer.drain()
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # a probe that went away or sent nonsense: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
