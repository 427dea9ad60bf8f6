"""Issue #25 item 1: the splitter and the codec are linear in the bytes received.

Each pathological pattern is fed, 10 MB of it in 64 KiB reads as the CLI and the gateway
read, through ``FrameSplitter`` and ``parse_frame`` (LENIENT, the tolerant paths). The CPU
time per MB is compared with a baseline measured in the same test on the same bytes: a plain
loop that reads them and visits every separator of the format (CRLF, ';', ',') with
``bytes.find``. The bound is generous (20x) so that a loaded machine does not fail it; the
quadratic paths this guards against were 1,000x and more (10 MB of '#' took 371 s). The
item counts are checked exactly where they can be: one junk item per run (or per
``max_frame_size`` bytes of a run with no boundary at all).
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

import pytest

from ecer.hj212.codec import LENIENT, FrameError, encode_frame, parse_frame
from ecer.hj212.framing import LARGEST_ENCODABLE_FRAME, FrameSplitter, Junk, RawFrame

SIZE = 10_000_000
CHUNK = 1 << 16
FACTOR = 20


def frames_to_size(segment: str) -> bytes:
    frame = encode_frame(segment)
    return frame * (SIZE // len(frame))


def repeated_keys() -> bytes:
    # The crafted frame of the issue: one key thousands of times, a valid CRC (2.8 s before).
    head = "ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817;"
    return frames_to_size(head + "B01-Rtd=1.5;" * ((9999 - len(head) - 2) // 12) + "&&")


def separators() -> bytes:
    head = "ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&"
    return frames_to_size(head + ";," * ((9999 - len(head) - 2) // 2) + "&&")


PATTERNS: dict[str, Callable[[], bytes]] = {
    "runs of #": lambda: b"#" * SIZE,
    "blank lines": lambda: b"\r\n" * (SIZE // 2),
    "bare line feeds": lambda: b"\n" * SIZE,
    "## then junk without end": lambda: b"##" + b"ab;=,&x" * (SIZE // 7),
    "very long unterminated frame": lambda: b"##9999" + b"x" * SIZE,
    "repeated keys in a data segment": repeated_keys,
    "many ; and , separators": separators,
}


def baseline(data: bytes) -> float:
    """CPU seconds of reading ``data`` and finding every CRLF, ';' and ',' in it."""
    stream = io.BytesIO(data)
    started = time.process_time()
    found = 0
    while chunk := stream.read(CHUNK):
        for separator in (b"\r\n", b";", b","):
            index = chunk.find(separator)
            while index != -1:
                found += 1
                index = chunk.find(separator, index + 1)
    return time.process_time() - started


def split_and_parse(data: bytes) -> tuple[float, list[Junk], int]:
    """CPU seconds of splitting and parsing ``data``; its junk items; frames parsed."""
    stream = io.BytesIO(data)
    splitter = FrameSplitter()
    junk: list[Junk] = []
    parsed = 0
    started = time.process_time()
    while True:
        chunk = stream.read(CHUNK)
        items = splitter.feed(chunk) if chunk else splitter.close()
        for item in items:
            if isinstance(item, RawFrame):
                try:
                    parse_frame(item.data, LENIENT)
                    parsed += 1
                except FrameError:
                    pass
            else:
                junk.append(item)
        if not chunk:
            break
    return time.process_time() - started, junk, parsed


@pytest.mark.parametrize("name", list(PATTERNS))
def test_cpu_per_mb_is_within_a_factor_of_a_plain_read(name):
    data = PATTERNS[name]()
    assert len(data) >= SIZE * 0.99
    plain = min(baseline(data) for _ in range(3))
    spent, junk, parsed = split_and_parse(data)
    megabytes = len(data) / 1e6
    # A floor of 1 ms per 10 MB keeps a near-zero baseline from making the bound meaningless.
    allowed = FACTOR * max(plain, 0.001) / megabytes
    assert spent / megabytes <= allowed, (
        f"{name}: {spent / megabytes * 1000:.1f} ms/MB against {plain / megabytes * 1000:.2f} "
        f"ms/MB for the plain loop"
    )
    # Junk is reported per run, or per max_frame_size bytes of a run without any boundary:
    # never per byte or per line of the same run.
    assert len(junk) <= len(data) // LARGEST_ENCODABLE_FRAME + 1
    if name.startswith(("repeated", "many")):
        assert parsed == len(data) // len(data[: data.index(b"\r\n") + 2])
        assert junk == []


def test_a_run_of_hashes_before_a_frame_is_one_item_and_the_frame_is_found():
    frame = encode_frame("ST=32;CN=2011;PW=1;MN=A;CP=&&&&")
    splitter = FrameSplitter()
    items = []
    data = b"x" + b"#" * 5000 + frame
    for index in range(0, len(data), 7):
        items += splitter.feed(data[index : index + 7])
    items += splitter.close()
    assert [type(item) for item in items] == [Junk, RawFrame]
    assert items[0].data == data[: -len(frame)]
    assert items[1].data == frame


def test_damaged_headers_in_one_line_are_one_item():
    # Each '##0001' is a header whose frame has no CRLF where it should: one run, one item.
    frame = encode_frame("ST=32;CN=2011;PW=1;MN=A;CP=&&&&")
    items = FrameSplitter().feed(b"##0001" * 50 + b"\r\n" + frame)
    assert [type(item) for item in items] == [Junk, RawFrame]
    assert items[0].offset == 0 and items[0].data == b"##0001" * 50 + b"\r\n"


def test_blank_lines_give_no_items_in_any_chunking():
    frame = encode_frame("ST=32;CN=2011;PW=1;MN=A;CP=&&&&")
    data = b"\r\n" * 3000 + frame + b"\n\r\n" * 1000 + frame
    for size in (1, 3, 64, 4096):
        splitter = FrameSplitter()
        items = []
        for index in range(0, len(data), size):
            items += splitter.feed(data[index : index + size])
        items += splitter.close()
        assert [type(item) for item in items] == [RawFrame, RawFrame]


def test_the_cli_prints_one_line_per_run_of_junk(capsys, tmp_path):
    # Before: 1 MiB of '#' came out as 77 MB of JSON, one line per byte.
    from ecer.cli import main

    path = tmp_path / "hashes.bin"
    path.write_bytes(b"#" * (1 << 20))
    assert main(["hj212", "parse", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert 1 <= len(lines) <= (1 << 20) // LARGEST_ENCODABLE_FRAME + 1
