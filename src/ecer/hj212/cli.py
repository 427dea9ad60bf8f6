"""``ecer hj212 …``: command-line tools for HJ 212 traffic.

Sub-commands are added by one ``_register_<name>`` function each, called from
:func:`register`; ``serve`` and ``simulate`` can be added the same way.

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
content; 1 only if the input cannot be read.
"""

from __future__ import annotations

import argparse
import json
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


def _register_parse(commands: Any) -> None:
    parser = commands.add_parser(
        "parse",
        help="parse a stream of frames into JSON lines",
        description="Print one JSON object per frame (or per piece of junk) in the stream.",
    )
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


def run_parse(args: argparse.Namespace) -> int:
    policy: TolerancePolicy = args.policy
    out = sys.stdout
    try:
        if args.input == "-":
            stream: IO[bytes] = sys.stdin.buffer
            _print_stream(stream, policy, out)
        else:
            with open(args.input, "rb") as stream:
                _print_stream(stream, policy, out)
    except OSError as exc:
        print(f"ecer hj212 parse: cannot read {args.input}: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_stream(stream: IO[bytes], policy: TolerancePolicy, out: IO[str]) -> None:
    write = out.write
    for item in _items(stream):
        write(json.dumps(describe(item, policy)))
        write("\n")


def _items(stream: IO[bytes]) -> Iterator[Item]:
    splitter = FrameSplitter()
    while chunk := stream.read(_CHUNK):
        yield from splitter.feed(chunk)
    yield from splitter.close()


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
