"""HJ 212 benchmarks, each measured against a baseline in the same run.

1. Codec: frames/s parsed (split + ``parse_frame``) over the corpus, against splitting the
   same bytes alone (``FrameSplitter`` only).
2. The durable path (the median of 3 runs each, interleaved): frames/s durably stored and
   answered by ``ecer hj212 serve`` (a subprocess) with 200 and 2,000 stations connected
   at once, each sending minute data (2051, 20 values a frame) and waiting for each 9014
   before the next; and the writer alone (``write_batch`` of the same frames, parsed
   beforehand, 1,000 per transaction: no TCP, no parsing, no waiting). Baseline on
   PostgreSQL: a bare binary COPY of the same rows (raw log + measurements, made
   beforehand) straight into the same tables — same indexes, same rollup trigger — 1,000
   frames per transaction; on SQLite (no COPY): the writer alone.

Run: ``.venv/bin/python benchmarks/hj212.py`` (a few minutes; ``--postgres`` adds the
runs on PostgreSQL, using DATABASE_URL's server). Prints a table and writes
``benchmarks/results/hj212.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "hj212"
RESULTS = REPO / "benchmarks" / "results"
ECER = str(Path(sys.executable).parent / "ecer")

from ecer.hj212.codec import LENIENT, parse_frame  # noqa: E402
from ecer.hj212.framing import FrameSplitter, RawFrame  # noqa: E402
from ecer.hj212.gateway import classify, receive  # noqa: E402
from ecer.hj212.simulate import MINUTE, QnClock, Readings, data_frame, station_fleet  # noqa: E402
from ecer.hj212.storage import (  # noqa: E402
    RAW_FRAME_TABLE,
    STORED,
    open_store,
    postgres_conninfo,
)

SERVE = [ECER, "hj212", "serve", "--port", "0", "--max-conns-per-ip", "100000"]
# (stations, minute frames per station): about 10,000 frames per gateway run.
LOADS = ((200, 50), (2000, 5))
# Frames per transaction of the writer and the bare COPY (as `ecer hj212 serve`'s batches).
BATCH = 1000
REPEATS = 3


def best_of(runs: int, work: Callable[[], int]) -> tuple[float, int]:
    """Fastest of ``runs`` timings of ``work`` [s], and what it counted."""
    times, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        count = work()
        times.append(time.perf_counter() - started)
    return min(times), count


def codec_benchmark() -> dict[str, Any]:
    data = b"".join(
        (CORPUS / name).read_bytes()
        for name in sorted(os.listdir(CORPUS))
        if name.endswith(".h212")
    )
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]

    def split_only() -> int:
        splitter = FrameSplitter()
        return sum(isinstance(item, RawFrame) for chunk in chunks for item in splitter.feed(chunk))

    def split_and_parse() -> int:
        splitter, parsed = FrameSplitter(), 0
        for chunk in chunks:
            for item in splitter.feed(chunk):
                if isinstance(item, RawFrame):
                    try:
                        parse_frame(item.data, LENIENT)
                        parsed += 1
                    except ValueError:
                        pass
        return parsed

    split_s, frames = best_of(5, split_only)
    parse_s, parsed = best_of(3, split_and_parse)
    return {
        "bytes": len(data),
        "frames": frames,
        "parsed": parsed,
        "split_frames_per_s": frames / split_s,
        "parse_frames_per_s": parsed / parse_s,
        "ratio_parse_to_split": (parsed / parse_s) / (frames / split_s),
    }


# --- databases ---------------------------------------------------------------------------


def migrate(url: str, data_dir: Path) -> None:
    env = {**os.environ, "ECER_DATA_DIR": str(data_dir), "DATABASE_URL": url}
    subprocess.run([ECER, "manage", "migrate", "--noinput", "-v", "0"], env=env, check=True)


class SQLiteDatabases:
    name = "sqlite"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.template = workdir / "template.sqlite3"
        migrate(f"sqlite:///{self.template}", workdir)
        self.count = 0

    def fresh(self) -> str:
        self.count += 1
        path = self.workdir / f"run{self.count}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def drop_all(self) -> None:
        pass


class PostgresDatabases:
    name = "postgresql"

    def __init__(self, base_url: str, workdir: Path) -> None:
        import psycopg

        self.psycopg = psycopg
        self.base_url = base_url
        self.names: list[str] = []
        self.template = f"ecer_bench_{os.getpid()}_tpl"
        self._admin(f'CREATE DATABASE "{self.template}"')
        self.names.append(self.template)
        migrate(self._url(self.template), workdir)

    def _url(self, name: str) -> str:
        return f"{self.base_url.rpartition('/')[0]}/{name}"

    def _admin(self, sql: str) -> None:
        conninfo = postgres_conninfo(self.base_url, "postgres")
        with self.psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(sql)

    def fresh(self) -> str:
        name = f"ecer_bench_{os.getpid()}_{len(self.names)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.names.append(name)
        return self._url(name)

    def drop_all(self) -> None:
        for name in reversed(self.names):
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- gateway -----------------------------------------------------------------------------


@dataclass
class Load:
    stations: int
    frames_per_station: int

    def frames(self, prefix: str) -> tuple[list[Any], list[list[bytes]]]:
        fleet = station_fleet(self.stations, prefix=prefix)
        start = datetime(2024, 3, 1)
        per_station = []
        for station in fleet:
            readings, qns = Readings(station), QnClock()
            per_station.append(
                [
                    data_frame(
                        station, readings, MINUTE, start - timedelta(minutes=10 * k), qns.next()
                    )
                    for k in range(self.frames_per_station)
                ]
            )
        return fleet, per_station


async def drive(port: int, per_station: list[list[bytes]]) -> tuple[float, int, list[float]]:
    """Connect every station, then all send: one frame, wait for its reply, the next."""
    links = []
    for index in range(0, len(per_station), 200):
        links += await asyncio.gather(
            *(asyncio.open_connection("127.0.0.1", port) for _ in per_station[index : index + 200])
        )
    start = asyncio.Event()
    latencies: list[float] = []

    async def station(
        link: tuple[asyncio.StreamReader, asyncio.StreamWriter], frames: list[bytes]
    ) -> int:
        reader, writer = link
        await start.wait()
        answered = 0
        for frame in frames:
            sent = time.perf_counter()
            writer.write(frame)
            await reader.readuntil(b"\r\n")
            latencies.append(time.perf_counter() - sent)
            answered += 1
        writer.close()
        return answered

    tasks = [
        asyncio.create_task(station(link, frames))
        for link, frames in zip(links, per_station, strict=True)
    ]
    await asyncio.sleep(0.2)
    started = time.perf_counter()
    start.set()
    answered = sum(await asyncio.gather(*tasks))
    elapsed = time.perf_counter() - started
    for _, writer in links:
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return elapsed, answered, latencies


def stored_count(url: str) -> int:
    store: Any = open_store(url)
    try:
        sql = f"SELECT count(*) FROM {RAW_FRAME_TABLE} WHERE status = '{STORED}'"
        return int(store.connection.execute(sql).fetchone()[0])
    finally:
        store.close()


def gateway_run(
    url: str, workdir: Path, fleet: list[Any], per_station: list[list[bytes]]
) -> dict[str, Any]:
    store = open_store(url)
    store.register_points(station.point_spec() for station in fleet)
    store.close()
    with open(workdir / "serve.log", "ab") as log:
        server = subprocess.Popen(
            [*SERVE, "--database-url", url],
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "ECER_DATA_DIR": str(workdir)},
        )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().decode()
        port = int(line.rsplit(":", 1)[1])
        elapsed, answered, latencies = asyncio.run(drive(port, per_station))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        assert server.stdout is not None
        server.stdout.close()
    stored = stored_count(url)
    latencies.sort()
    return {
        "frames": sum(len(frames) for frames in per_station),
        "answered": answered,
        "stored": stored,
        "seconds": elapsed,
        "frames_per_s": answered / elapsed,
        "latency_p50_ms": latencies[len(latencies) // 2] * 1000,
        "latency_p95_ms": latencies[int(len(latencies) * 0.95)] * 1000,
    }


def interleaved(per_station: list[list[bytes]]) -> list[bytes]:
    """The frames in the order a gateway receives them from stations that each wait for
    every reply: the first of every station, then the second, …"""
    rounds = max((len(frames) for frames in per_station), default=0)
    return [frames[k] for k in range(rounds) for frames in per_station if k < len(frames)]


def judged_frames(store: Any, fleet: list[Any], per_station: list[list[bytes]]) -> list[Any]:
    """The frames parsed and checked as the gateway does, ready for ``write_batch``."""
    store.register_points(station.point_spec() for station in fleet)
    points = store.load_points()
    now = datetime.now(UTC)
    return [
        classify(receive(RawFrame(0, frame), "127.0.0.1:1", now), points)
        for frame in interleaved(per_station)
    ]


def writer_batches(url: str, fleet: list[Any], per_station: list[list[bytes]]) -> dict[str, Any]:
    """The same frames, parsed and checked beforehand, through the durable writer
    (``write_batch``), 1,000 per transaction: no TCP, no parsing, no waiting."""
    store = open_store(url)
    rows = judged_frames(store, fleet, per_station)
    started = time.perf_counter()
    for index in range(0, len(rows), BATCH):
        store.write_batch(rows[index : index + BATCH])
    elapsed = time.perf_counter() - started
    store.close()
    return {"frames": len(rows), "seconds": elapsed, "frames_per_s": len(rows) / elapsed}


# Binary COPY column types of the raw log and the measurements, in the writer's column order.
RAW_COPY_TYPES = (
    "timestamptz", "text", "text", "text", "text", "int4", "timestamptz", "bytea", "text",
    "jsonb", "text", "text",
)  # fmt: skip
MEASUREMENT_COPY_TYPES = ("int8", "timestamptz", "text", "text", "text", "float8", "text", "int8")


def bare_copy(url: str, fleet: list[Any], per_station: list[list[bytes]]) -> dict[str, Any]:
    """The baseline of the durable path: the same rows (raw log + measurements), made
    beforehand, COPYed (binary) straight into the same tables — same indexes, same rollup
    trigger — 1,000 frames per transaction, synchronous commit. No duplicate check, no
    staging, no per-frame results: the least work that stores these rows."""
    from psycopg.types.json import Jsonb

    from ecer.hj212.storage import (
        _MEASUREMENT_COLUMNS,
        _RAW_COLUMNS,
        MEASUREMENT_TABLE,
        _Rows,
    )

    store: Any = open_store(url)
    frames = judged_frames(store, fleet, per_station)
    connection = store.connection
    sequence = connection.execute(
        "SELECT pg_get_serial_sequence(%s, 'id')", (RAW_FRAME_TABLE,)
    ).fetchone()[0]
    ids = [
        int(row[0])
        for row in connection.execute(
            f"SELECT nextval('{sequence}') FROM generate_series(1, %s)", (len(frames),)
        )
    ]
    made = _Rows("Asia/Shanghai")
    batches = []
    for index in range(0, len(frames), BATCH):
        raw, measurements = [], []
        for row_id, item in zip(
            ids[index : index + BATCH], frames[index : index + BATCH], strict=True
        ):
            values = made.raw(item, item.status)
            raw.append((row_id, *values[:9], Jsonb(json.loads(values[9])), *values[10:]))
            measurements.extend(made.measurements(item, row_id))
        batches.append((raw, measurements))
    raw_copy = f"COPY {RAW_FRAME_TABLE} (id, {', '.join(_RAW_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    measurement_copy = (
        f"COPY {MEASUREMENT_TABLE} ({', '.join(_MEASUREMENT_COLUMNS)}) FROM STDIN (FORMAT BINARY)"
    )
    started = time.perf_counter()
    for raw, measurements in batches:
        with connection.transaction(), connection.cursor() as cursor:
            with cursor.copy(raw_copy) as copy:
                copy.set_types(["int8", *RAW_COPY_TYPES])
                for row in raw:
                    copy.write_row(row)
            with cursor.copy(measurement_copy) as copy:
                copy.set_types(list(MEASUREMENT_COPY_TYPES))
                for row in measurements:
                    copy.write_row(row)
    elapsed = time.perf_counter() - started
    store.close()
    rows = sum(len(raw) + len(measurements) for raw, measurements in batches)
    return {
        "frames": len(frames),
        "rows": rows,
        "seconds": elapsed,
        "frames_per_s": len(frames) / elapsed,
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median frames/s (of 3: the middle one), with every run's rate."""
    ordered = sorted(runs, key=lambda run: run["frames_per_s"])
    return {**ordered[len(ordered) // 2], "each_frames_per_s": [r["frames_per_s"] for r in runs]}


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (DATABASE_URL)")
    args = parser.parse_args()
    # 2,000 client sockets here, 2,000 in the gateway (a child: it inherits the limit).
    limit = raise_fd_limit(8192)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "fd_limit": limit,
    }
    codec = codec_benchmark()
    results["codec"] = codec
    rows = [
        ("codec: split only (FrameSplitter)", f"{codec['split_frames_per_s']:,.0f} frames/s", ""),
        (
            "codec: split + parse_frame",
            f"{codec['parse_frames_per_s']:,.0f} frames/s",
            f"{codec['ratio_parse_to_split']:.3f} of split",
        ),
    ]
    workdir = Path(tempfile.mkdtemp(prefix="ecer-bench-"))
    backends: list[Any] = [SQLiteDatabases(workdir)]
    if args.postgres:
        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        backends.append(PostgresDatabases(base, workdir))
    results["gateway"] = []
    try:
        for databases in backends:
            for stations, per in LOADS:
                fleet, per_station = Load(stations, per).frames(f"BENCH{stations}")
                label = f"{databases.name}, {stations:,} stations"
                runs: dict[str, list[dict[str, Any]]] = {"gateway": [], "writer": [], "copy": []}
                for _ in range(REPEATS):  # interleaved, so that a busy moment hits all three
                    runs["gateway"].append(
                        gateway_run(databases.fresh(), workdir, fleet, per_station)
                    )
                    runs["writer"].append(writer_batches(databases.fresh(), fleet, per_station))
                    if databases.name == "postgresql":
                        runs["copy"].append(bare_copy(databases.fresh(), fleet, per_station))
                gateway, writer = median_run(runs["gateway"]), median_run(runs["writer"])
                # SQLite has no COPY: its baseline is the writer's batched insert alone.
                bare = median_run(runs["copy"]) if runs["copy"] else writer
                bare_name = "bare binary COPY" if runs["copy"] else "bare batched insert"
                results["gateway"].append(
                    {
                        "database": databases.name,
                        "stations": stations,
                        "gateway": gateway,
                        "writer": writer,
                        "baseline": bare_name,
                        "bare": bare,
                        "ratio": gateway["frames_per_s"] / bare["frames_per_s"],
                        "writer_ratio": writer["frames_per_s"] / bare["frames_per_s"],
                    }
                )
                rows.append((f"{bare_name} ({label})", f"{bare['frames_per_s']:,.0f} frames/s", ""))
                if runs["copy"]:
                    rows.append(
                        (
                            f"writer, write_batch ({label})",
                            f"{writer['frames_per_s']:,.0f} frames/s",
                            f"{writer['frames_per_s'] / bare['frames_per_s']:.3f} of bare COPY",
                        )
                    )
                rows.append(
                    (
                        f"gateway, stored + answered ({label})",
                        f"{gateway['frames_per_s']:,.0f} frames/s",
                        f"{gateway['frames_per_s'] / bare['frames_per_s']:.3f} of bare; "
                        f"ack p50 {gateway['latency_p50_ms']:.0f} ms,"
                        f" p95 {gateway['latency_p95_ms']:.0f} ms;"
                        f" stored {gateway['stored']}/{gateway['frames']}",
                    )
                )
    finally:
        for databases in backends:
            databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    width = max(len(row[0]) for row in rows)
    print(f"median of {REPEATS} runs each; {BATCH:,} frames per transaction")
    print(f"{'measure':<{width}}  {'throughput':>18}  ratio / notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hj212.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {RESULTS / 'hj212.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
