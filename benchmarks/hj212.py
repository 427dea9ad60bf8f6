"""HJ 212 benchmarks, each measured against a baseline in the same run.

1. Codec: frames/s parsed (split + ``parse_frame``) over the corpus, against splitting the
   same bytes alone (``FrameSplitter`` only).
2. Gateway: frames/s durably stored and answered by ``ecer hj212 serve`` (a subprocess)
   with 200 and 2,000 stations connected at once, each sending minute data (2051) and
   waiting for each 9014 before the next, against a bare batched insert of the same
   frames into the same kind of database (``write_batch`` of 1,000 frames per
   transaction: no TCP, no parsing, no waiting).

Run: ``.venv/bin/python benchmarks/hj212.py`` (about a minute; ``--postgres`` adds the
gateway runs on PostgreSQL, using DATABASE_URL's server). Prints a table and writes
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


def bare_insert(url: str, fleet: list[Any], per_station: list[list[bytes]]) -> dict[str, Any]:
    """The same frames, parsed and checked beforehand, written 1,000 per transaction."""
    store = open_store(url)
    store.register_points(station.point_spec() for station in fleet)
    points = store.load_points()
    now = datetime.now(UTC)
    rows = [
        classify(receive(RawFrame(0, frame), "127.0.0.1:1", now), points)
        for frames in per_station
        for frame in frames
    ]
    started = time.perf_counter()
    for index in range(0, len(rows), 1000):
        store.write_batch(rows[index : index + 1000])
    elapsed = time.perf_counter() - started
    store.close()
    return {"frames": len(rows), "seconds": elapsed, "frames_per_s": len(rows) / elapsed}


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
                gateway = gateway_run(databases.fresh(), workdir, fleet, per_station)
                bare = bare_insert(databases.fresh(), fleet, per_station)
                ratio = gateway["frames_per_s"] / bare["frames_per_s"]
                results["gateway"].append(
                    {
                        "database": databases.name,
                        "stations": stations,
                        "gateway": gateway,
                        "bare_insert": bare,
                        "ratio": ratio,
                    }
                )
                label = f"{databases.name}, {stations:,} stations"
                rows.append(
                    (f"bare batched insert ({label})", f"{bare['frames_per_s']:,.0f} frames/s", "")
                )
                rows.append(
                    (
                        f"gateway, stored + answered ({label})",
                        f"{gateway['frames_per_s']:,.0f} frames/s",
                        f"{ratio:.3f} of bare; ack p50 {gateway['latency_p50_ms']:.0f} ms,"
                        f" p95 {gateway['latency_p95_ms']:.0f} ms;"
                        f" stored {gateway['stored']}/{gateway['frames']}",
                    )
                )
    finally:
        for databases in backends:
            databases.drop_all()
        shutil.rmtree(workdir, ignore_errors=True)
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'throughput':>18}  ratio / notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>18}  {note}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hj212.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {RESULTS / 'hj212.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
