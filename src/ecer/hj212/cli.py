"""``ecer hj212 …``: command-line tools for HJ 212 traffic.

Sub-commands are added by one ``_register_<name>`` function each, called from
:func:`register`: ``parse`` (below), ``serve`` (the gateway, :mod:`ecer.hj212.gateway`) and
``simulate`` (simulated stations, :mod:`ecer.hj212.simulate`).

``ecer hj212 parse [FILE|-]`` reads a byte stream (a capture, a log of received frames),
splits it with :class:`ecer.hj212.framing.FrameSplitter` and prints one JSON object per
line for every frame or piece of junk, in stream order:

* ``{"ok": true, "version", "qn", "st", "cn", "mn", "flag", "data_time", "pollutants",
  "deviations"}`` for an accepted frame (``data_time`` in ISO 8601, the logger's local
  time without zone; ``pollutants`` maps each code to its values);
* ``{"ok": false, "offset": N, "error": "..."}`` for a rejected frame or junk, ``offset``
  being the stream offset [bytes] of its first byte.

The default tolerance is LENIENT: a capture is usually read to see what stations send, and
most field loggers still speak HJ/T 212-2005 without QN and Flag. Every deviation accepted
is listed in ``deviations``; ``--strict`` rejects them instead. Exit status 0 whatever the
content; 1 only if the input cannot be read or the output written. Lines are written as the
frames arrive (each read's lines at once, flushed); a reader that closes the pipe
(``… | head``) ends the command quietly, status 0.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

from ecer.hj212.codec import LENIENT, STRICT, Frame, FrameError, TolerancePolicy, parse_frame
from ecer.hj212.framing import FrameSplitter, Item, RawFrame

_CHUNK = 1 << 16


def register(subparsers: Any) -> None:
    """Add the ``hj212`` command and its sub-commands to the ``ecer`` parser."""
    parser = subparsers.add_parser(
        "hj212",
        help="HJ 212 online-monitoring traffic (污染物在线监控数据传输)",
        description="Tools for HJ 212-2017 / HJ/T 212-2005 online-monitoring traffic.",
    )
    commands = parser.add_subparsers(dest="hj212_command", metavar="SUBCOMMAND")

    def show_help(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(func=show_help)
    _register_parse(commands)
    _register_serve(commands)
    _register_writer(commands)
    _register_simulate(commands)


def _register_parse(commands: Any) -> None:
    parser = commands.add_parser(
        "parse",
        help="parse a stream of frames into JSON lines",
        description=PARSE_DESCRIPTION,
    )
    _parse_arguments(parser)


PARSE_DESCRIPTION = "Print one JSON object per frame (or per piece of junk) in the stream."


def _parse_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", default="-", help="file to read; '-' = stdin")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--lenient",
        dest="policy",
        action="store_const",
        const=LENIENT,
        help="accept known field deviations and report them (default)",
    )
    mode.add_argument(
        "--strict",
        dest="policy",
        action="store_const",
        const=STRICT,
        help="accept only frames conforming to HJ 212-2017",
    )
    parser.set_defaults(func=run_parse, policy=LENIENT)


def parse_main(argv: list[str]) -> int:
    """``ecer hj212 parse ARGS`` without building the other commands' parsers, which import
    the gateway, NATS and the plan schema for their defaults (0.3 s of CPU per start, a
    third of parsing the whole corpus): ``ecer.cli.main`` comes here directly."""
    parser = argparse.ArgumentParser(prog="ecer hj212 parse", description=PARSE_DESCRIPTION)
    _parse_arguments(parser)
    return run_parse(parser.parse_args(argv))


def run_parse(args: argparse.Namespace) -> int:
    policy: TolerancePolicy = args.policy
    out = sys.stdout
    try:
        if args.input == "-":
            _print_stream(sys.stdin.buffer, policy, out)
        else:
            try:
                stream = open(args.input, "rb")  # noqa: SIM115 - closed below
            except OSError as exc:
                raise _InputError(exc) from exc
            with stream:
                _print_stream(stream, policy, out)
    except _InputError as exc:
        print(f"ecer hj212 parse: cannot read {args.input}: {exc.__cause__}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`… | head`): nothing more to say to anyone.
        _silence_stdout()
        return 0
    except OSError as exc:
        print(f"ecer hj212 parse: cannot write the output: {exc}", file=sys.stderr)
        return 1
    return 0


class _InputError(Exception):
    """Reading the input failed (the OSError is the cause)."""


def _print_stream(stream: IO[bytes], policy: TolerancePolicy, out: IO[str]) -> None:
    """One JSON line per item; the lines of each read are written and flushed at once, so a
    live feed shows every frame as soon as it is complete."""
    write, flush, dumps = out.write, out.flush, json.dumps
    splitter = FrameSplitter()
    for chunk in _chunks(stream):
        items = splitter.feed(chunk)
        if items:
            write("".join([dumps(describe(item, policy)) + "\n" for item in items]))
            flush()
    items = splitter.close()
    if items:
        write("".join([dumps(describe(item, policy)) + "\n" for item in items]))
    flush()


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    """The input as it arrives: ``read1`` returns what one read gives (a pipe or a socket
    does not wait for 64 KiB), plain ``read`` where there is no ``read1``."""
    read = getattr(stream, "read1", stream.read)
    while True:
        try:
            chunk = read(_CHUNK)
        except OSError as exc:
            raise _InputError(exc) from exc
        if not chunk:
            return
        yield chunk


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush finds no broken pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def describe(item: Item, policy: TolerancePolicy) -> dict[str, Any]:
    """The JSON object ``parse`` prints for one frame or piece of junk."""
    if not isinstance(item, RawFrame):
        return {"ok": False, "offset": item.offset, "error": item.reason}
    try:
        frame = parse_frame(item.data, policy)
    except FrameError as exc:
        return {"ok": False, "offset": item.offset, "error": str(exc)}
    return _frame_json(frame)


def _frame_json(frame: Frame) -> dict[str, Any]:
    return {
        "ok": True,
        "version": frame.version,
        "qn": frame.qn,
        "st": frame.st,
        "cn": frame.cn,
        "mn": frame.mn,
        "flag": frame.flag,
        "data_time": frame.data_time.isoformat() if frame.data_time else None,
        "pollutants": {code: dict(values) for code, values in frame.pollutants.items()},
        "deviations": list(frame.deviations),
    }


# --- serve -----------------------------------------------------------------------------


def _register_serve(commands: Any) -> None:
    from ecer.hj212.gateway import GatewayConfig

    defaults = GatewayConfig()
    parser = commands.add_parser(
        "serve",
        help="run the HJ 212 gateway (TCP): store frames, answer when stored",
        description=(
            "Accept data-logger connections, store every frame durably in the database "
            "(one transaction per batch) and only then answer it. SIGTERM/SIGINT: stop "
            "accepting, store and answer what was received, close the connections."
        ),
    )
    parser.add_argument("--host", default=defaults.host, help="address to listen on")
    parser.add_argument("--port", type=int, default=defaults.port, help="0 = any free port")
    parser.add_argument(
        "--database-url", default=None, help="default: DATABASE_URL, as the Django settings"
    )
    parser.add_argument(
        "--max-frame", type=int, default=defaults.max_frame, help="longest frame [bytes]"
    )
    parser.add_argument(
        "--idle-timeout", type=float, default=defaults.idle_timeout, help="idle close [s]"
    )
    parser.add_argument(
        "--max-conns-per-ip",
        type=int,
        default=defaults.max_conns_per_ip,
        help="anonymous connections (no frame accepted yet) one address may hold; 0 = no "
        "limit; raise it for loggers behind a carrier NAT",
    )
    parser.add_argument(
        "--max-conns-per-mn",
        type=int,
        default=defaults.max_conns_per_mn,
        help="connections authenticated as one MN; a newer one closes the oldest; 0 = no limit",
    )
    parser.add_argument(
        "--max-inflight-frames",
        type=int,
        default=defaults.max_inflight_frames,
        help="frames of all stations awaiting storage; beyond it stations are not read",
    )
    parser.add_argument(
        "--max-inflight-bytes",
        type=int,
        default=defaults.max_inflight_bytes,
        help="the same bound in bytes received",
    )
    parser.add_argument(
        "--health-port",
        type=int,
        default=None,
        help="serve GET /readyz, /livez, /status and /metrics over HTTP on this port (0 = any free "
        "port); default: none",
    )
    parser.add_argument(
        "--health-host", default="127.0.0.1", help="address of the --health-port server"
    )
    parser.add_argument(
        "--batch-frames",
        type=int,
        default=defaults.batch_max_frames,
        help="most frames per transaction",
    )
    parser.add_argument(
        "--batch-ms",
        type=float,
        default=defaults.batch_max_delay * 1000,
        help="longest a frame waits for its batch [ms]",
    )
    parser.add_argument(
        "--loop",
        choices=("auto", "uvloop", "asyncio"),
        default="auto",
        help="event loop: auto = uvloop when installed, else asyncio's (default: auto)",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=defaults.shutdown_timeout,
        help="longest drain and close on shutdown [s]",
    )
    _jetstream_arguments(parser)
    parser.add_argument(
        "--jetstream",
        default=None,
        metavar="NATS_URL",
        help="hand frames to NATS JetStream (e.g. nats://127.0.0.1:4222) and answer once "
        "JetStream has persisted them; `ecer hj212 writer` stores them",
    )
    parser.set_defaults(func=run_serve)


def _jetstream_arguments(parser: Any) -> None:
    from ecer.hj212.jetstream import DURABLE, STREAM, SUBJECT, StreamLimits

    limits = StreamLimits()
    parser.add_argument("--stream", default=STREAM, help="JetStream stream name")
    parser.add_argument("--subject", default=SUBJECT, help="JetStream subject")
    parser.add_argument("--durable", default=DURABLE, help="the writers' durable consumer")
    parser.add_argument(
        "--stream-max-bytes",
        type=int,
        default=limits.max_bytes,
        help="most bytes the stream holds; when full, frames are not answered (back-pressure)",
    )
    parser.add_argument(
        "--stream-max-age",
        type=float,
        default=limits.max_age,
        help="frames not stored by a writer within this many seconds are deleted [s]",
    )
    parser.add_argument(
        "--stream-replicas", type=int, default=limits.replicas, help="stream replicas (cluster)"
    )


def _limits(args: argparse.Namespace) -> Any:
    from ecer.hj212.jetstream import StreamLimits

    return StreamLimits(
        max_bytes=args.stream_max_bytes, max_age=args.stream_max_age, replicas=args.stream_replicas
    )


def _names(args: argparse.Namespace) -> Any:
    from ecer.hj212.jetstream import Names

    return Names(stream=args.stream, subject=args.subject, durable=args.durable)


MAX_FUTURE_VARIABLE = "ECER_HJ212_MAX_FUTURE_MINUTES"


def max_future_from_env() -> float:
    """ECER_HJ212_MAX_FUTURE_MINUTES (whole minutes >= 0; default 10), as the web settings.

    Frames whose DataTime lies further ahead of the gateway's clock are refused.
    """
    raw = os.environ.get(MAX_FUTURE_VARIABLE, "").strip()
    if not raw:
        return 10
    try:
        minutes = int(raw)
    except ValueError:
        raise ValueError(f"{MAX_FUTURE_VARIABLE}={raw!r}: expected whole minutes >= 0") from None
    if minutes < 0:
        raise ValueError(f"{MAX_FUTURE_VARIABLE}={raw!r}: expected whole minutes >= 0")
    return minutes


def run_serve(args: argparse.Namespace) -> int:
    import logging

    from ecer.hj212 import loops
    from ecer.hj212.gateway import Gateway, GatewayConfig, HealthServer, serve
    from ecer.hj212.storage import StoreUnavailable, default_database_url, open_store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        factory = loops.loop_factory(args.loop)
    except LookupError as exc:
        print(f"ecer hj212 serve: {exc}", file=sys.stderr)
        return 1
    try:
        max_future_minutes = max_future_from_env()
    except ValueError as exc:
        print(f"ecer hj212 serve: {exc}", file=sys.stderr)
        return 1
    config = GatewayConfig(
        host=args.host,
        port=args.port,
        max_frame=args.max_frame,
        idle_timeout=args.idle_timeout,
        max_conns_per_ip=args.max_conns_per_ip,
        max_conns_per_mn=args.max_conns_per_mn,
        max_inflight_frames=args.max_inflight_frames,
        max_inflight_bytes=args.max_inflight_bytes,
        max_future=max_future_minutes * 60,
        batch_max_frames=args.batch_frames,
        batch_max_delay=args.batch_ms / 1000,
        shutdown_timeout=args.shutdown_timeout,
    )
    url = args.database_url or default_database_url()
    try:
        store = open_store(url)
    except (OSError, LookupError, ValueError, StoreUnavailable) as exc:
        print(f"ecer hj212 serve: {exc}", file=sys.stderr)
        return 1
    if args.jetstream:
        from ecer.hj212.jetstream import JetStreamForwarder

        store = JetStreamForwarder(store, args.jetstream, _names(args), _limits(args))

    def ready(gateway: Gateway) -> None:
        # One line on stdout, for people and for scripts that started it with --port 0.
        print(f"listening on {config.host}:{gateway.port}", flush=True)
        logging.getLogger(__name__).info("event loop: %s", loops.loop_name(factory))

    def health_ready(server: HealthServer) -> None:
        print(f"readiness on http://{server.host}:{server.port}/readyz", flush=True)

    health = None if args.health_port is None else (args.health_host, args.health_port)
    gateway = loops.run(
        serve(store, config, on_ready=ready, health=health, on_health=health_ready), factory
    )
    state = gateway.state
    print(
        f"stopped: {state.received} received, {state.stored} stored, "
        f"{state.duplicates} duplicates, {state.quarantined} quarantined, "
        f"{state.dropped} dropped over the quarantine's caps, "
        f"{state.answered} answered",
        flush=True,
    )
    if gateway.failure:
        print(f"ecer hj212 serve: stopped because {gateway.failure}", file=sys.stderr)
        return 1
    return 0


# --- writer ----------------------------------------------------------------------------


def _register_writer(commands: Any) -> None:
    parser = commands.add_parser(
        "writer",
        help="store frames from NATS JetStream in the database (with serve --jetstream)",
        description=(
            "Fetch frames the gateway handed to JetStream, store each batch in one database "
            "transaction and acknowledge it only after the commit; run as many as needed. "
            "SIGTERM/SIGINT: finish the current batch and stop."
        ),
    )
    parser.add_argument("--nats", default="nats://127.0.0.1:4222", help="NATS server URL")
    parser.add_argument(
        "--database-url", default=None, help="default: DATABASE_URL, as the Django settings"
    )
    parser.add_argument("--batch", type=int, default=500, help="most frames per transaction")
    parser.add_argument(
        "--ack-wait", type=float, default=30.0, help="redelivery after this many seconds [s]"
    )
    parser.add_argument(
        "--idle-exit", type=float, default=None, help="stop after this long without frames [s]"
    )
    parser.add_argument(
        "--health-port",
        type=int,
        default=None,
        help="serve GET /livez, /readyz and /metrics over HTTP on this port (0 = any free "
        "port); default: none",
    )
    parser.add_argument(
        "--health-host", default="127.0.0.1", help="address of the --health-port server"
    )
    _jetstream_arguments(parser)
    parser.set_defaults(func=run_writer)


def run_writer(args: argparse.Namespace) -> int:
    import asyncio
    import logging
    import signal

    from ecer.hj212 import jetstream
    from ecer.hj212.metrics import ProbeServer
    from ecer.hj212.storage import default_database_url, open_store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        store = open_store(args.database_url or default_database_url())
    except (OSError, LookupError, ValueError) as exc:
        print(f"ecer hj212 writer: {exc}", file=sys.stderr)
        return 1

    async def main() -> jetstream.WriterStats:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        stats = jetstream.WriterStats()
        probes = None
        if args.health_port is not None:
            probes = ProbeServer(_writer_answer(stats), args.health_host, args.health_port)
            await probes.start()
            print(f"metrics on http://{probes.host}:{probes.port}/metrics", flush=True)
        print("writing", flush=True)
        try:
            return await jetstream.run_writer(
                store,
                args.nats,
                _names(args),
                batch=args.batch,
                ack_wait=args.ack_wait,
                stop=stop,
                idle_exit=args.idle_exit,
                limits=_limits(args),
                stats=stats,
            )
        finally:
            if probes is not None:
                await probes.close()

    from nats.errors import NoServersError

    try:
        stats = asyncio.run(main())
    except (NoServersError, ConnectionRefusedError) as exc:
        print(f"ecer hj212 writer: NATS at {args.nats} is not reachable: {exc}", file=sys.stderr)
        return 1
    print(
        f"stopped: {stats.messages} frames in {stats.batches} batches, {stats.stored} stored, "
        f"{stats.duplicates} duplicates, {stats.quarantined} quarantined; "
        f"{stats.frames_per_s:.0f} frames/s while busy",
        flush=True,
    )
    return 0


def _writer_answer(stats: Any) -> Any:
    from ecer.hj212.metrics import CONTENT_TYPE, writer_metrics

    def answer(path: str) -> tuple[int, str, str]:
        if path == "/metrics":
            return 200, CONTENT_TYPE, writer_metrics(stats)
        if path == "/livez":
            return 200, "text/plain", "alive\n"
        if path == "/readyz":
            if stats.connected:
                return 200, "text/plain", "ready\n"
            return 503, "text/plain", "not connected to NATS\n"
        return 404, "text/plain", f"{path}: not found (try /readyz, /livez, /metrics)\n"

    return answer


# --- simulate --------------------------------------------------------------------------


def _register_simulate(commands: Any) -> None:
    parser = commands.add_parser(
        "simulate",
        help="simulated stations sending HJ 212-2017 traffic to a gateway",
        description=(
            "N stations send real-time, minute, hourly and daily data (or replay a capture) "
            "and wait for the 9014 replies; prints frames sent, acknowledged, ack latency."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9212)
    parser.add_argument("--stations", type=int, default=10, help="number of stations")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to send [s]")
    parser.add_argument("--replay", metavar="FILE", help="send this capture's bytes instead")
    parser.add_argument("--burst", action="store_true", help="load test: minute data back to back")
    parser.add_argument("--frames", type=int, default=None, help="burst: frames per station")
    parser.add_argument(
        "--interval",
        type=_at_least_one_second,
        default=5.0,
        help="seconds between real-time frames, at least 1 (DataTime has whole seconds) [s]",
    )
    parser.add_argument("--mn-prefix", default="ECERSIM", help="MN prefix of the stations")
    parser.add_argument(
        "--register",
        action="store_true",
        help="first create the stations' monitoring points in the database",
    )
    parser.add_argument(
        "--database-url", default=None, help="for --register; default as the Django settings"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run_simulate)


def _at_least_one_second(text: str) -> float:
    value = float(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 s: DataTime has whole seconds")
    return value


def run_simulate(args: argparse.Namespace) -> int:
    import asyncio

    from ecer.hj212.simulate import read_capture, simulate, station_fleet
    from ecer.hj212.storage import default_database_url, open_store

    stations = station_fleet(args.stations, prefix=args.mn_prefix)
    if args.register:
        store = open_store(args.database_url or default_database_url())
        try:
            count = store.register_points(station.point_spec() for station in stations)
        finally:
            store.close()
        print(f"registered {count} monitoring points", flush=True)
    try:
        replay = read_capture(args.replay) if args.replay else None
    except OSError as exc:
        print(f"ecer hj212 simulate: cannot read {args.replay}: {exc}", file=sys.stderr)
        return 1
    report = asyncio.run(
        simulate(
            args.host,
            args.port,
            stations,
            args.seconds,
            burst=args.burst,
            frames_per_station=args.frames,
            replay=replay,
            realtime_interval=args.interval,
        )
    )
    if args.json:
        summary = {
            "stations": report.stations,
            "connected": report.connected,
            "sent": report.sent,
            "expected": report.expected,
            "acknowledged": report.acknowledged,
            "errors": report.errors,
            "elapsed_s": report.elapsed,
            "latency_p50_ms": report.percentile(0.5) if report.latencies else None,
            "latency_p95_ms": report.percentile(0.95) if report.latencies else None,
        }
        print(json.dumps(summary))
    else:
        print(report.text())
    return 0 if report.connected else 1
