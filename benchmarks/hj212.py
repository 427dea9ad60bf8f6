"""HJ 212 benchmarks, each measured against a baseline in the same run.

1. Codec: frames/s parsed (read + ``FrameSplitter`` + ``parse_frame``) over the whole
   corpus, against a bare pure-Python loop over the same files that reads, splits at CRLF
   and checks the length and the CRC (with the shipped ``hj212_crc16``); also with every
   decoded value read, and through ``parse_frame_reference``.
   CLI: ``ecer hj212 parse FILE`` as a command against the same work in process
   (``_print_stream`` into memory), the start of a process measured on an empty file.
   Each codec figure is the median of 9 interleaved runs, in CPU time; each ratio the
   median of the runs' ratios.
2. The durable path (the median of 3 runs each, interleaved): frames/s durably stored and
   answered by ``ecer hj212 serve`` (a subprocess) with 200 and 2,000 stations connected
   at once, each sending minute data (2051, 20 values a frame) and waiting for each 9014
   before the next; and the writer alone (``write_batch`` of the same frames, parsed
   beforehand, 1,000 per transaction: no TCP, no parsing, no waiting). Baseline on
   PostgreSQL: a bare binary COPY of the same rows (raw log + measurements, made
   beforehand) straight into the same tables — same indexes, same rollup trigger — 1,000
   frames per transaction; on SQLite (no COPY): the writer alone.

Run: ``.venv/bin/python benchmarks/hj212.py`` (a few minutes; ``--postgres`` adds the
runs on PostgreSQL, using DATABASE_URL's server; ``--codec-only`` stops after the codec and
CLI rows). Prints a table and writes
``benchmarks/results/hj212.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import io
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "hj212"
RESULTS = REPO / "benchmarks" / "results"
ECER = str(Path(sys.executable).parent / "ecer")

from ecer.hj212.cli import _print_stream  # noqa: E402
from ecer.hj212.codec import (  # noqa: E402
    LENIENT,
    FrameError,
    clear_caches,
    parse_frame,
    parse_frame_reference,
)
from ecer.hj212.crc import hj212_crc16  # noqa: E402
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


def children_cpu() -> float:
    """CPU time of the finished child processes [s] (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CHUNK = 1 << 16


def corpus_files() -> list[Path]:
    return sorted(CORPUS / name for name in os.listdir(CORPUS) if name.endswith(".h212"))


def bare_split_and_crc(paths: list[Path]) -> int:
    """The baseline: read, split at CRLF, check length and CRC; frames that pass.

    What a reasonable engineer writes for a line-based protocol, in pure Python; the CRC is
    the shipped ``hj212_crc16`` (the same one ``parse_frame`` calls).
    """
    passed = 0
    for path in paths:
        rest = b""
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                buffer = rest + chunk
                start = 0
                while (end := buffer.find(b"\r\n", start)) != -1:
                    line = buffer[start:end]
                    start = end + 2
                    digits = line[2:6]
                    if line[:2] == b"##" and digits.isdigit() and int(digits) + 10 == len(line):
                        try:
                            if hj212_crc16(line[6:-4]) == int(line[-4:], 16):
                                passed += 1
                        except ValueError:
                            pass
                rest = buffer[start:]
    return passed


def split_and_parse(paths: list[Path], read_values: bool = False) -> int:
    """Read, ``FrameSplitter``, ``parse_frame`` (LENIENT, as the gateway and the CLI)."""
    parsed = 0
    for path in paths:
        splitter = FrameSplitter()
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                for item in splitter.feed(chunk):
                    if isinstance(item, RawFrame):
                        try:
                            frame = parse_frame(item.data, LENIENT)
                        except FrameError:
                            continue
                        parsed += 1
                        if read_values:  # every decoded value, as a writer reads them
                            for values in frame.pollutants.values():
                                for _ in values.values():
                                    pass
    return parsed


def cli_in_process(paths: list[Path]) -> int:
    """What ``ecer hj212 parse`` does, in this process: JSON lines into memory."""
    lines = 0
    for path in paths:
        out = io.StringIO()
        with open(path, "rb") as stream:
            _print_stream(stream, LENIENT, out)
        lines += out.getvalue().count("\n")
    return lines


def cli_subprocess(paths: list[Path]) -> int:
    """``ecer hj212 parse FILE`` as a command, its output read through a pipe (its modules'
    bytecode compiled beforehand, as an installed package has it: see codec_benchmark)."""
    lines = 0
    for path in paths:
        output = subprocess.run(
            [sys.executable, "-c", CLI, "hj212", "parse", str(path)],
            check=True,
            capture_output=True,
        ).stdout
        lines += output.count(b"\n")
    return lines


CLI = "import sys; from ecer.cli import main; sys.exit(main(sys.argv[1:]))"


def codec_benchmark(runs: int = 9) -> dict[str, Any]:
    paths = corpus_files()
    size = sum(path.stat().st_size for path in paths)
    # CPU time (this machine is shared: wall time would measure the neighbours); the CLI's
    # is its process's, user + system.
    cpu = time.process_time
    # The command as installed: pip compiles a package's bytecode, and a development
    # checkout's first run writes it, unless PYTHONDONTWRITEBYTECODE (set on some machines)
    # forbids it; then every start would compile the modules from source (about 20 ms).
    compileall.compile_dir(str(REPO / "src" / "ecer"), quiet=1)
    with tempfile.TemporaryDirectory() as empty_dir:
        empty = Path(empty_dir) / "empty.h212"
        empty.write_bytes(b"")
        measures: dict[str, tuple[Callable[[], int], Callable[[], float]]] = {
            "bare": (lambda: bare_split_and_crc(paths), cpu),
            "parse": (lambda: split_and_parse(paths), cpu),
            "parse_read_values": (lambda: split_and_parse(paths, read_values=True), cpu),
            "reference_parse": (lambda: split_and_parse_reference(paths), cpu),
            "cli_in_process": (lambda: cli_in_process(paths), cpu),
            "cli_startup": (lambda: cli_subprocess([empty] * len(paths)), children_cpu),
            "cli": (lambda: cli_subprocess(paths), children_cpu),
        }
        # Rounds of every measure once, so that a busy moment of the machine falls on the
        # figures a ratio compares alike; each ratio is the median of its rounds' ratios.
        times: dict[str, list[float]] = {name: [] for name in measures}
        counts: dict[str, int] = {}
        for _ in range(runs):
            for name, (work, clock) in measures.items():
                clear_caches()  # each run as a fresh process would start it
                started = clock()
                counts[name] = work()
                times[name].append(clock() - started)
    assert counts["cli"] == counts["cli_in_process"] and counts["parse"] == counts["bare"], counts

    def ratio(numerator: str, denominator: str, minus: str = "") -> float:
        less = times[minus] if minus else [0.0] * runs
        rounds = zip(times[numerator], times[denominator], less, strict=True)
        return statistics.median(n / (d - m) for n, d, m in rounds)

    return {
        "bytes": size,
        "frames": counts["parse"],
        "lines": counts["cli_in_process"],
        "runs": runs,
        "statistic": "median; ratios: median of the rounds' ratios (interleaved rounds)",
        **{f"{name}_s": statistics.median(values) for name, values in times.items()},
        "ratio_parse_to_bare": ratio("bare", "parse"),
        "ratio_parse_read_values_to_bare": ratio("bare", "parse_read_values"),
        "ratio_reference_to_bare": ratio("bare", "reference_parse"),
        "ratio_cli_to_in_process": ratio("cli_in_process", "cli"),
        "ratio_cli_without_startup_to_in_process": ratio("cli_in_process", "cli", "cli_startup"),
    }


def split_and_parse_reference(paths: list[Path]) -> int:
    """The same as :func:`split_and_parse` through ``parse_frame_reference`` (before)."""
    parsed = 0
    for path in paths:
        splitter = FrameSplitter()
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                for item in splitter.feed(chunk):
                    if isinstance(item, RawFrame):
                        try:
                            parse_frame_reference(item.data, LENIENT)
                            parsed += 1
                        except FrameError:
                            pass
    return parsed


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
        # Database names: ECER_BENCH_DB_PREFIX (a shared server: one prefix per user).
        self.prefix = f"{os.environ.get('ECER_BENCH_DB_PREFIX', 'ecer_bench')}_{os.getpid()}"
        self.template = f"{self.prefix}_tpl"
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
        name = f"{self.prefix}_{len(self.names)}"
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
    url: str,
    workdir: Path,
    fleet: list[Any],
    per_station: list[list[bytes]],
    loop: str = "auto",
) -> dict[str, Any]:
    store = open_store(url)
    store.register_points(station.point_spec() for station in fleet)
    store.close()
    env = {**os.environ, "ECER_DATA_DIR": str(workdir)}
    with (
        open(workdir / "serve.log", "ab") as log,
        listening([*SERVE, "--database-url", url, "--loop", loop], env, log) as (_server, port),
    ):
        elapsed, answered, latencies = asyncio.run(drive(port, per_station))
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
    beforehand, COPYed (binary) straight into the same tables — same indexes, same foreign
    keys — 1,000 frames per transaction, synchronous commit. No duplicate check, no
    staging, no per-frame results, and no rollup work (the trigger that sets measurements
    aside for the folds is disabled on this database): the least work that stores these
    rows."""
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
    connection.execute(f"ALTER TABLE {MEASUREMENT_TABLE} DISABLE TRIGGER monitoring_rollup_add")
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


# --- idle connections --------------------------------------------------------------------

# The baseline: the least a Python asyncio server can hold per connection (a stream reader
# and writer, a task waiting for a line), answering each line with a short reply.
BARE_SERVER = """
import asyncio, sys
async def handle(reader, writer):
    while line := await reader.readuntil(b"\\r\\n"):
        writer.write(b"##0000ok\\r\\n")
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=4096)
    print("listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()
asyncio.run(main())
"""
IDLE_LOADS = (2000, 10000)


def rss_bytes(pid: int) -> int:
    """Resident set size of a process [bytes] (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def hold_idle(port: int, first_frames: list[bytes], measure: Callable[[], int]) -> int:
    """Connect every station, send its first frame, wait for the answer, then keep the
    connection open and silent; the server's RSS once all are answered and idle."""
    links = []
    for index in range(0, len(first_frames), 500):
        batch = first_frames[index : index + 500]
        opened = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in batch))
        for (_reader, writer), frame in zip(opened, batch, strict=True):
            writer.write(frame)
        for reader, _ in opened:
            await reader.readuntil(b"\r\n")
        links += opened
    await asyncio.sleep(1.0)  # idle: nothing in flight
    rss = measure()
    for _, writer in links:
        writer.close()
    for _, writer in links:
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return rss


@contextlib.contextmanager
def listening(command: list[str], env: dict[str, str], stderr: Any) -> Iterator[tuple[Any, int]]:
    """A server process that prints "listening on HOST:PORT" first, and its port; stopped
    with SIGTERM at the end."""
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, env=env)
    try:
        assert server.stdout is not None
        yield server, int(server.stdout.readline().decode().rsplit(":", 1)[1])
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        assert server.stdout is not None
        server.stdout.close()


def idle_run(command: list[str], env: dict[str, str], first_frames: list[bytes]) -> dict[str, Any]:
    """RSS of a server process before and with ``len(first_frames)`` idle connections."""
    with listening(command, env, subprocess.DEVNULL) as (server, port):
        # One connection first, so that what the first one allocates once is in the base.
        asyncio.run(hold_idle(port, first_frames[:1], lambda: 0))
        time.sleep(0.5)
        before = rss_bytes(server.pid)
        during = asyncio.run(hold_idle(port, first_frames, lambda: rss_bytes(server.pid)))
    count = len(first_frames)
    return {
        "connections": count,
        "rss_before_mb": before / 2**20,
        "rss_idle_mb": during / 2**20,
        "bytes_per_connection": (during - before) / count,
    }


def idle_benchmark(workdir: Path) -> list[dict[str, Any]]:
    """Per-connection memory of ``ecer hj212 serve`` (SQLite) holding N stations that each
    sent one frame and then stay silent, against the bare asyncio server."""
    databases = SQLiteDatabases(workdir)
    results = []
    for count in IDLE_LOADS:
        fleet, per_station = Load(count, 1).frames(f"IDLE{count}")
        firsts = [frames[0] for frames in per_station]
        url = databases.fresh()
        store = open_store(url)
        store.register_points(station.point_spec() for station in fleet)
        store.close()
        env = {**os.environ, "ECER_DATA_DIR": str(workdir)}
        runs: dict[str, list[dict[str, Any]]] = {"gateway": [], "bare": []}
        for _ in range(REPEATS):  # interleaved; the median run of each
            runs["gateway"].append(idle_run([*SERVE, "--database-url", url], env, firsts))
            runs["bare"].append(idle_run([sys.executable, "-c", BARE_SERVER], env, firsts))
        gateway, bare = (
            sorted(runs[name], key=lambda run: run["bytes_per_connection"])[REPEATS // 2]
            for name in ("gateway", "bare")
        )
        results.append(
            {
                "connections": count,
                "gateway": gateway,
                "bare": bare,
                "ratio": gateway["bytes_per_connection"] / bare["bytes_per_connection"],
            }
        )
    return results


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def print_rows(rows: list[tuple[str, str, str]], note: str) -> None:
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'throughput':>18}  ratio / notes")
    for name, value, ratio in rows:
        print(f"{name:<{width}}  {value:>18}  {ratio}")
    print(f"({note})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL (DATABASE_URL)")
    parser.add_argument("--codec-only", action="store_true", help="the codec and CLI rows only")
    parser.add_argument(
        "--idle-only", action="store_true", help="the codec rows and the idle connections only"
    )
    args = parser.parse_args()
    # 10,000 client sockets here, 10,000 in the server (a child: it inherits the limit).
    limit = raise_fd_limit(2 * max(IDLE_LOADS) + 1024)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "fd_limit": limit,
    }
    codec = codec_benchmark()
    results["codec"] = codec
    frames = codec["frames"]

    def rate(seconds: float) -> str:
        return f"{frames / seconds:,.0f} frames/s"

    rows = [
        ("codec baseline: read + split at CRLF + CRC (pure Python)", rate(codec["bare_s"]), ""),
        (
            "codec: read + FrameSplitter + parse_frame (LENIENT)",
            rate(codec["parse_s"]),
            f"{codec['ratio_parse_to_bare']:.3f} of baseline",
        ),
        (
            "codec: the same, every decoded value read",
            rate(codec["parse_read_values_s"]),
            f"{codec['ratio_parse_read_values_to_bare']:.3f} of baseline",
        ),
        (
            "codec: the same with parse_frame_reference",
            rate(codec["reference_parse_s"]),
            f"{codec['ratio_reference_to_bare']:.3f} of baseline",
        ),
        ("CLI baseline: its work in process (JSON lines)", rate(codec["cli_in_process_s"]), ""),
        (
            "CLI: ecer hj212 parse FILE (a process per file)",
            rate(codec["cli_s"]),
            f"{codec['ratio_cli_to_in_process']:.3f} of in process; "
            f"{codec['ratio_cli_without_startup_to_in_process']:.3f} without the "
            f"{codec['cli_startup_s'] / len(corpus_files()):.2f} s start",
        ),
    ]
    if args.codec_only:
        print_rows(rows, f"medians of {codec['runs']} interleaved runs, {frames:,} frames")
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="ecer-bench-"))
    results["idle"] = idle_benchmark(workdir)
    for idle in results["idle"]:
        gateway, bare = idle["gateway"], idle["bare"]
        rows.append(
            (
                f"bare asyncio server, {idle['connections']:,} idle connections",
                f"{bare['bytes_per_connection'] / 1024:,.1f} KiB/conn",
                f"RSS {bare['rss_before_mb']:.0f} → {bare['rss_idle_mb']:.0f} MB",
            )
        )
        rows.append(
            (
                f"gateway (SQLite), {idle['connections']:,} idle stations",
                f"{gateway['bytes_per_connection'] / 1024:,.1f} KiB/conn",
                f"{idle['ratio']:.2f} of bare; RSS {gateway['rss_before_mb']:.0f} → "
                f"{gateway['rss_idle_mb']:.0f} MB",
            )
        )
    if args.idle_only:
        print_rows(rows, f"idle rows: median of {REPEATS} runs, RSS with every station silent")
        return 0
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
                runs: dict[str, list[dict[str, Any]]] = {
                    "gateway": [],
                    "asyncio": [],
                    "writer": [],
                    "copy": [],
                }
                for _ in range(REPEATS):  # interleaved, so that a busy moment hits all
                    runs["gateway"].append(
                        gateway_run(databases.fresh(), workdir, fleet, per_station)
                    )
                    if databases.name == "sqlite":  # the event loop's share: asyncio's own
                        runs["asyncio"].append(
                            gateway_run(databases.fresh(), workdir, fleet, per_station, "asyncio")
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
                if runs["asyncio"]:
                    plain = median_run(runs["asyncio"])
                    results["gateway"][-1]["asyncio_loop"] = plain
                    rows.append(
                        (
                            f"gateway on asyncio's loop, stored + answered ({label})",
                            f"{plain['frames_per_s']:,.0f} frames/s",
                            f"ack p50 {plain['latency_p50_ms']:.0f} ms,"
                            f" p95 {plain['latency_p95_ms']:.0f} ms (the row below: uvloop)",
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
    print_rows(
        rows,
        f"codec rows: medians of {codec['runs']} interleaved runs, {frames:,} frames; "
        f"durable rows: median of {REPEATS} runs each, {BATCH:,} frames per transaction",
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hj212.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {RESULTS / 'hj212.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
