"""The JetStream path against the direct-to-database path of the HJ 212 gateway, in one run.

The same simulated stations (each sends minute data and waits for every reply) drive
``ecer hj212 serve`` twice: once writing to the database itself, once with ``--jetstream``
(answering when NATS JetStream has persisted a frame) followed by ``--writers`` processes of
``ecer hj212 writer`` (default 2, on one durable consumer) storing what the stream holds.
Printed per load (200 and 2,000 stations), the median of ``--repeats`` runs (3):
frames answered per second on each path and their acknowledgement latency p50/p95; the
durable rate into the database — the direct path's (stored and answered), and the writers'
(stored per second while they had work: all frames over the longest writer's busy time) —
each as a ratio against a bare binary COPY of the same rows (raw log + measurements) into
the same tables with the same indexes and rollup trigger, measured in the same run
(PostgreSQL; on SQLite the baseline is the direct path).

Run: ``.venv/bin/python benchmarks/jetstream.py [--postgres]`` (NATS at ECER_NATS_URL,
default nats://127.0.0.1:4222). Writes ``benchmarks/results/jetstream[-postgres].json``.
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
    url: str, workdir: Path, fleet: list[Any], per_station: list[list[bytes]], writers: int
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
    command = [
        base.ECER, "hj212", "writer", "--nats", NATS_URL, "--database-url", url,
        "--batch", "1000", "--idle-exit", "2", *names, "--durable", f"bench-{tag}",
    ]  # fmt: skip
    with open(workdir / "writer.log", "ab") as log:
        processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env)
            for _ in range(writers)
        ]
        outputs = [process.communicate(timeout=600)[0].decode() for process in processes]
    if any(process.returncode for process in processes):
        raise RuntimeError(f"a writer failed; see {workdir / 'writer.log'}")
    stored = base.stored_count(url)
    summaries = [output.strip().splitlines()[-1] for output in outputs]
    # "stopped: N frames in …; R frames/s while busy": busy time = N / R.
    counts = [int(line.split()[1]) for line in summaries]
    rates = [float(line.rsplit(";", 1)[1].split()[0]) for line in summaries]
    busy = max((n / r for n, r in zip(counts, rates, strict=True) if r > 0), default=0.0)
    writer_rate = sum(counts) / busy if busy > 0 else 0.0
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
        "writers": summaries,
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
    parser.add_argument("--writers", type=int, default=2, help="writer processes at once")
    parser.add_argument("--repeats", type=int, default=base.REPEATS, help="runs per figure")
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
        "writers": args.writers,
        "repeats": args.repeats,
        "runs": [],
    }
    print(
        f"{databases.name}; median of {args.repeats} runs; {args.writers} writer(s); "
        "durable = stored in the database, ratio against a bare binary COPY of the same rows",
        flush=True,
    )
    try:
        for stations, per in LOADS:
            fleet, per_station = base.Load(stations, per).frames(f"JS{stations}")
            runs: dict[str, list[dict[str, Any]]] = {"direct": [], "jetstream": [], "copy": []}
            for _ in range(args.repeats):  # interleaved, so that a busy moment hits all
                runs["direct"].append(
                    base.gateway_run(databases.fresh(), workdir, fleet, per_station)
                )
                runs["jetstream"].append(
                    jetstream_run(databases.fresh(), workdir, fleet, per_station, args.writers)
                )
                if args.postgres:
                    runs["copy"].append(base.bare_copy(databases.fresh(), fleet, per_station))
            direct = base.median_run(runs["direct"])
            streamed = median_by(runs["jetstream"], "frames_per_s")
            written = median_by(runs["jetstream"], "writer_frames_per_s")
            bare = base.median_run(runs["copy"]) if runs["copy"] else direct
            entry = {
                "stations": stations,
                "direct": direct,
                "jetstream": streamed,
                "jetstream_writers": written,
                "bare_copy": bare if runs["copy"] else None,
                "ratio_answered": streamed["frames_per_s"] / direct["frames_per_s"],
                "ratio_direct_durable": direct["frames_per_s"] / bare["frames_per_s"],
                "ratio_writers_durable": written["writer_frames_per_s"] / bare["frames_per_s"],
            }
            results["runs"].append(entry)
            baseline = (
                f"bare COPY {bare['frames_per_s']:,.0f} frames/s"
                if runs["copy"]
                else "baseline: the direct path"
            )
            print(
                f"{stations:,} stations: {baseline}\n"
                f"  direct:    durable + answered {direct['frames_per_s']:,.0f} frames/s "
                f"(ratio {entry['ratio_direct_durable']:.2f}); ack p50 "
                f"{direct['latency_p50_ms']:.0f} ms, p95 {direct['latency_p95_ms']:.0f} ms; "
                f"stored {direct['stored']}/{direct['frames']}\n"
                f"  JetStream: answered {streamed['frames_per_s']:,.0f} frames/s "
                f"({entry['ratio_answered']:.2f} of direct); ack p50 "
                f"{streamed['latency_p50_ms']:.0f} ms, p95 {streamed['latency_p95_ms']:.0f} ms\n"
                f"  writers:   durable {written['writer_frames_per_s']:,.0f} frames/s "
                f"(ratio {entry['ratio_writers_durable']:.2f}); "
                f"stored {written['stored']}/{written['frames']}",
                flush=True,
            )
    finally:
        databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    base.RESULTS.mkdir(parents=True, exist_ok=True)
    name = "jetstream-postgres.json" if args.postgres else "jetstream.json"
    (base.RESULTS / name).write_text(json.dumps(results, indent=2))
    return 0


def median_by(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The run with the median ``key`` (of 3: the middle one), with every run's value."""
    ordered = sorted(runs, key=lambda run: run[key])
    return {**ordered[len(ordered) // 2], f"each_{key}": [run[key] for run in runs]}


if __name__ == "__main__":
    sys.exit(main())
