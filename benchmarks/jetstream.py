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
the same tables with the same indexes and foreign keys and no rollup work, measured in the
same run (PostgreSQL; on SQLite the baseline is the direct path). The writers fold the
rollups every 5 s before a batch (``PostgresFrameWriter.FOLD_INTERVAL``), so their rates
include that work.

PostgreSQL also prints:

* the fold's throughput: measurements folded into the hour/day/month rollups per second,
  for a backlog of the 2,000-station load's frames stored without folding;
* catch-up after an outage: ``--outage-minutes`` (60) minute frames of 2,000 stations
  queued in JetStream (120,000 frames, published straight to the stream), then the
  writers started; the time until every frame is stored and until every measurement is
  folded (what the pages read).

``--quick`` runs 1 repetition, fewer frames per station and a 15-minute outage.

Run: ``.venv/bin/python benchmarks/jetstream.py [--postgres] [--quick]`` (NATS at
ECER_NATS_URL, default nats://127.0.0.1:4222). Writes
``benchmarks/results/jetstream[-postgres][-quick].json``.
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
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nats

import hj212 as base
from ecer.hj212.storage import open_store

NATS_URL = os.environ.get("ECER_NATS_URL", "nats://127.0.0.1:4222")
LOADS = ((200, 25), (2000, 3))
QUICK_LOADS = ((200, 10), (2000, 2))
OUTAGE_STATIONS = 2000


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
    command = writer_command(url, names, f"bench-{tag}", 2)
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


def writer_command(url: str, names: list[str], durable: str, idle_exit: float) -> list[str]:
    return [
        base.ECER, "hj212", "writer", "--nats", NATS_URL, "--database-url", url,
        "--batch", "1000", "--idle-exit", str(idle_exit), *names, "--durable", durable,
    ]  # fmt: skip


def fold_run(url: str, fleet: list[Any], per_station: list[list[bytes]]) -> dict[str, Any]:
    """The frames stored by the writer without folding (untimed), then one fold timed."""
    from ecer.hj212.storage import PostgresFrameWriter, postgres_conninfo

    store = PostgresFrameWriter(postgres_conninfo(url), fold_interval=None)
    rows = base.judged_frames(store, fleet, per_station)
    for index in range(0, len(rows), base.BATCH):
        store.write_batch(rows[index : index + base.BATCH])
    started = time.perf_counter()
    folded = store.fold(wait=True)
    elapsed = time.perf_counter() - started
    [(buckets,)] = store.connection.execute("SELECT count(*) FROM monitoring_rollup").fetchall()
    store.close()
    return {
        "frames": len(rows),
        "measurements": folded,
        "rollup_rows": int(buckets),
        "seconds": elapsed,
        "measurements_per_s": folded / elapsed,
    }


def outage_frames(stations: int, minutes: int) -> tuple[list[Any], list[Any]]:
    """An outage's backlog: each station's minute data of ``minutes`` minutes, in the order
    stations would have sent it (minute by minute), judged as the gateway does."""
    from ecer.hj212.simulate import MINUTE, QnClock, Readings, data_frame, station_fleet

    fleet = station_fleet(stations, prefix="JSOUT")
    start = datetime(2024, 3, 1, 9)
    clocks = [(Readings(station), QnClock()) for station in fleet]
    per_station = [
        [
            data_frame(station, readings, MINUTE, start + timedelta(minutes=k), qns.next())
            for k in range(minutes)
        ]
        for station, (readings, qns) in zip(fleet, clocks, strict=True)
    ]
    return fleet, per_station


def catch_up_run(url: str, workdir: Path, minutes: int, writers: int) -> dict[str, Any]:
    """The backlog published to a fresh stream, then ``writers`` writers started: seconds
    until all frames are stored, and until all their measurements are folded."""
    from ecer.hj212.jetstream import JetStreamForwarder, Names

    fleet, per_station = outage_frames(OUTAGE_STATIONS, minutes)
    tag = uuid.uuid4().hex[:8]
    names = Names(f"ECERBENCH_{tag}", f"ecer.bench.{tag}", f"bench-{tag}")
    forwarder = JetStreamForwarder(open_store(url), NATS_URL, names)
    frames = base.judged_frames(forwarder, fleet, per_station)
    began = time.perf_counter()
    for index in range(0, len(frames), base.BATCH):
        forwarder.write_batch(frames[index : index + base.BATCH])
    queued_s = time.perf_counter() - began
    forwarder.close()
    env = {**os.environ, "ECER_DATA_DIR": str(workdir)}
    command = writer_command(
        url, ["--stream", names.stream, "--subject", names.subject], names.durable, 5
    )
    store: Any = open_store(url)
    watch = store.connection
    stored_sql = f"SELECT count(*) FROM {base.RAW_FRAME_TABLE} WHERE status = '{base.STORED}'"
    pending_sql = "SELECT count(*) FROM monitoring_rollup_pending"
    stored_at = folded_at = None
    with open(workdir / "writer-outage.log", "ab") as log:
        started = time.perf_counter()
        processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env)
            for _ in range(writers)
        ]
        try:
            while folded_at is None:
                time.sleep(0.25)
                now = time.perf_counter() - started
                if now > 1800:
                    raise RuntimeError("catch-up: not done within 30 minutes")
                if stored_at is None:
                    if watch.execute(stored_sql).fetchone()[0] == len(frames):
                        stored_at = now
                elif watch.execute(pending_sql).fetchone()[0] == 0:
                    folded_at = now
        finally:
            for process in processes:
                process.communicate(timeout=600)
    measurements = int(watch.execute("SELECT count(*) FROM monitoring_measurement").fetchone()[0])
    store.close()
    asyncio.run(_drop(names.stream))
    return {
        "stations": OUTAGE_STATIONS,
        "minutes": minutes,
        "frames": len(frames),
        "measurements": measurements,
        "queued_seconds": queued_s,
        "stored_seconds": stored_at,
        "folded_seconds": folded_at,
        "writers": writers,
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
    parser.add_argument("--repeats", type=int, default=None, help="runs per figure")
    parser.add_argument("--quick", action="store_true", help="a smaller scale (see above)")
    parser.add_argument("--outage-minutes", type=int, default=None, help="catch-up backlog")
    args = parser.parse_args()
    args.repeats = args.repeats or (1 if args.quick else base.REPEATS)
    outage = args.outage_minutes or (15 if args.quick else 60)
    loads = QUICK_LOADS if args.quick else LOADS
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
        "quick": args.quick,
        "load_average": os.getloadavg(),
        "runs": [],
    }
    print(
        f"{databases.name}; median of {args.repeats} runs; {args.writers} writer(s); "
        "durable = stored in the database, ratio against a bare binary COPY of the same rows; "
        f"load average {os.getloadavg()[0]:.1f} at the start"
        + ("; --quick scale" if args.quick else ""),
        flush=True,
    )
    try:
        for stations, per in loads:
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
        if args.postgres:
            fleet, per_station = base.Load(*loads[-1]).frames("JSFOLD")
            folding = fold_run(databases.fresh(), fleet, per_station)
            results["fold"] = folding
            print(
                f"fold: {folding['measurements']:,} measurements of {folding['frames']:,} "
                f"frames ({loads[-1][0]:,} stations) into {folding['rollup_rows']:,} rollup "
                f"rows in {folding['seconds']:.2f} s: "
                f"{folding['measurements_per_s']:,.0f} measurements/s",
                flush=True,
            )
            caught = catch_up_run(databases.fresh(), workdir, outage, args.writers)
            results["catch_up"] = caught
            print(
                f"catch-up: {caught['frames']:,} frames ({caught['stations']:,} stations x "
                f"{caught['minutes']} minutes, {caught['measurements']:,} measurements) queued "
                f"in JetStream in {caught['queued_seconds']:.0f} s; {args.writers} writers "
                f"stored them in {caught['stored_seconds']:.1f} s, folded by "
                f"{caught['folded_seconds']:.1f} s",
                flush=True,
            )
        results["load_average_after"] = os.getloadavg()
    finally:
        databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    base.RESULTS.mkdir(parents=True, exist_ok=True)
    name = "jetstream-postgres" if args.postgres else "jetstream"
    name += "-quick.json" if args.quick else ".json"
    (base.RESULTS / name).write_text(json.dumps(results, indent=2))
    return 0


def median_by(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The run with the median ``key`` (of 3: the middle one), with every run's value."""
    ordered = sorted(runs, key=lambda run: run[key])
    return {**ordered[len(ordered) // 2], f"each_{key}": [run[key] for run in runs]}


if __name__ == "__main__":
    sys.exit(main())
