"""/metrics of the gateway and the writer: Prometheus text format, scraped over HTTP."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from ecer.hj212.gateway import Gateway, HealthServer
from ecer.hj212.jetstream import WriterStats
from ecer.hj212.metrics import Histogram, Metric, ProbeServer, exposition, writer_metrics
from tests.hj212.test_faults import http_get
from tests.hj212.test_gateway import close, frames, read_replies, with_gateway
from tests.hj212.test_gateway import database as database  # the fixture


def test_a_histogram_counts_cumulative_buckets_as_prometheus_does() -> None:
    # Worked example: 3 ms, 20 ms, 0.4 s, 100 s into buckets 0.005 … 30 s: each bucket counts
    # the observations at most its bound ("le"), +Inf counts all of them.
    histogram = Histogram(buckets=(0.005, 0.025, 0.5, 30.0))
    for seconds in (0.003, 0.02, 0.4, 100.0, float("nan")):
        histogram.observe(seconds)
    assert histogram.lines("x") == [
        'x_bucket{le="0.005"} 1',
        'x_bucket{le="0.025"} 2',
        'x_bucket{le="0.5"} 3',
        'x_bucket{le="30"} 3',
        'x_bucket{le="+Inf"} 4',
        "x_sum 100.423",
        "x_count 4",
    ]


def test_exposition_has_help_and_type_before_each_metric() -> None:
    text = exposition([Metric("a_total", "counter", "Things.", 3), Metric("b", "gauge", "B.", 1.5)])
    assert text == (
        "# HELP a_total Things.\n# TYPE a_total counter\na_total 3\n"
        "# HELP b B.\n# TYPE b gauge\nb 1.5\n"
    )


def _value(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} not in {text}"
    return float(found.group(1))


def test_the_gateway_metrics_count_frames_and_ack_latency(database: Path) -> None:
    outcome: dict[str, Any] = {}
    batch = frames(3)

    async def scenario(gateway: Gateway) -> None:
        health = HealthServer(gateway, "127.0.0.1", 0)
        await health.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", gateway.port)
            writer.write(b"".join(batch) + b"junk\r\n")
            await writer.drain()
            await read_replies(reader, 3)
            outcome["during"] = await http_get(health.port, "/metrics")
            await close(writer)
        finally:
            await health.close()

    with_gateway(database, scenario)
    status, text = outcome["during"]
    assert status == 200
    assert _value(text, "ecer_hj212_gateway_frames_stored_total") == 3
    assert _value(text, "ecer_hj212_gateway_frames_answered_total") == 3
    assert _value(text, "ecer_hj212_gateway_ack_latency_seconds_count") == 3
    assert _value(text, "ecer_hj212_gateway_frames_received_total") >= 3
    assert _value(text, "ecer_hj212_gateway_connections") == 1
    assert _value(text, "ecer_hj212_gateway_ready") == 1
    assert "# TYPE ecer_hj212_gateway_queue_depth gauge" in text


def test_the_writer_serves_its_live_counters() -> None:
    stats = WriterStats(batches=2, messages=7, stored=5, duplicates=1, quarantined=1, pending=4)
    stats.connected = True
    stats.ack_latency.observe(0.2)
    from ecer.hj212.cli import _writer_answer

    async def main() -> dict[str, tuple[int, str]]:
        server = ProbeServer(_writer_answer(stats), "127.0.0.1", 0)
        await server.start()
        try:
            got = {p: await http_get(server.port, p) for p in ("/metrics", "/readyz", "/x")}
            stats.connected = False
            got["/readyz after"] = await http_get(server.port, "/readyz")
            return got
        finally:
            await server.close()

    got = asyncio.run(main())
    status, text = got["/metrics"]
    assert status == 200 and text.startswith("# HELP ecer_hj212_writer_batches_total")
    assert _value(text, "ecer_hj212_writer_connected") == 1
    assert _value(writer_metrics(stats), "ecer_hj212_writer_connected") == 0
    assert _value(text, "ecer_hj212_writer_frames_stored_total") == 5
    assert _value(text, "ecer_hj212_writer_jetstream_pending") == 4
    assert _value(text, "ecer_hj212_writer_ack_latency_seconds_count") == 1
    assert got["/readyz"][0] == 200 and got["/readyz after"][0] == 503
    assert got["/x"][0] == 404
