"""The JetStream path against the direct-to-database path of the HJ 212 gateway, in one run.

The same simulated stations (each sends minute data and waits for every reply) drive
``ecer hj212 serve`` twice: once writing to the database itself, once with ``--jetstream``
(answering when NATS JetStream has persisted a frame) followed by ``ecer hj212 writer``
storing what the stream holds. Printed: frames answered per second on each path, their
ratio, and the writer's rate (frames stored per second while it had work) against the
direct path.

Run: ``.venv/bin/python benchmarks/jetstream.py [--postgres]`` (NATS at ECER_NATS_URL,
default nats://127.0.0.1:4222). Writes ``benchmarks/results/jetstream.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nats

import hj212 as base
from ecer.hj212.storage import open_store

NATS_URL = os.environ.get("ECER_NATS_URL", "nats://127.0.0.1:4222")
LOADS = ((200, 25), (2000, 3))


def jetstream_run(
    url: str, workdir: Path, fleet: list[Any], per_station: list[list[bytes]]
) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    names = ["--stream", f"ECERBENCH_{tag}", "--subject", f"ecer.bench.{tag}"]
    store = open_store(url)
    store.register_points(station.point_spec() for station in fleet)
    store.close()
    env = {**os.environ, "ECER_DATA_DIR": str(workdir)}
    with open(workdir / "serve-js.log", "ab") as log:
        server = subprocess.Popen(
            [*base.SERVE, "--database-url", url, "--jetstream", NATS_URL, *names],
            stdout=subprocess.PIPE, stderr=log, env=env,
        )  # fmt: skip
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().decode().rsplit(":", 1)[1])
        elapsed, answered, latencies = asyncio.run(base.drive(port, per_station))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        assert server.stdout is not None
        server.stdout.close()
    frames = sum(len(f) for f in per_station)
    with open(workdir / "writer.log", "ab") as log:
        writer = subprocess.run(
            [base.ECER, "hj212", "writer", "--nats", NATS_URL, "--database-url", url,
             "--batch", "1000", "--idle-exit", "2", *names, "--durable", f"bench-{tag}"],
            stdout=subprocess.PIPE, stderr=log, env=env, timeout=600, check=True,
        )  # fmt: skip
    stored = base.stored_count(url)
    summary = writer.stdout.decode().strip().splitlines()[-1]
    writer_rate = float(summary.rsplit(";", 1)[1].split()[0])
    asyncio.run(_drop(f"ECERBENCH_{tag}"))
    latencies.sort()
    return {
        "frames": frames,
        "answered": answered,
        "stored": stored,
        "seconds": elapsed,
        "frames_per_s": answered / elapsed,
        "latency_p50_ms": latencies[len(latencies) // 2] * 1000,
        "latency_p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
        "writer_frames_per_s": writer_rate,
        "writer": summary,
    }


async def _drop(stream: str) -> None:
    nc = await nats.connect(NATS_URL)
    try:
        await nc.jetstream().delete_stream(stream)
    finally:
        await nc.drain()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (DATABASE_URL)")
    args = parser.parse_args()
    base.raise_fd_limit(8192)
    workdir = Path(tempfile.mkdtemp(prefix="ecer-bench-js-"))
    if args.postgres:
        url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        databases: Any = base.PostgresDatabases(url, workdir)
    else:
        databases = base.SQLiteDatabases(workdir)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "database": databases.name,
        "runs": [],
    }
    try:
        for stations, per in LOADS:
            fleet, per_station = base.Load(stations, per).frames(f"JS{stations}")
            direct = base.gateway_run(databases.fresh(), workdir, fleet, per_station)
            streamed = jetstream_run(databases.fresh(), workdir, fleet, per_station)
            ratio = streamed["frames_per_s"] / direct["frames_per_s"]
            results["runs"].append(
                {"stations": stations, "direct": direct, "jetstream": streamed, "ratio": ratio}
            )
            print(
                f"{databases.name}, {stations:,} stations: direct {direct['frames_per_s']:,.0f} "
                f"answered/s; JetStream {streamed['frames_per_s']:,.0f} answered/s "
                f"(ratio {ratio:.2f}); writer {streamed['writer_frames_per_s']:,.0f} stored/s "
                f"(ratio {streamed['writer_frames_per_s'] / direct['frames_per_s']:.2f}); "
                f"stored {streamed['stored']}/{streamed['frames']}",
                flush=True,
            )
    finally:
        databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    base.RESULTS.mkdir(parents=True, exist_ok=True)
    name = "jetstream-postgres.json" if args.postgres else "jetstream.json"
    (base.RESULTS / name).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
