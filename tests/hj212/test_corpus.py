"""The real traffic corpus (two hours of 2016 field loggers), counts as its README states.

README facts: 2016-08-24_00.h212 has 9,455 lines, 9,447 of which pass the Annex A CRC and
length check; 2016-08-24_05.h212 has 8,696 lines, 8,692 pass. The failures are real damage
and must each be reported with the offset of the line they start on.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from ecer.hj212.cli import describe
from ecer.hj212.codec import LENIENT, STRICT, FrameError, parse_frame
from ecer.hj212.framing import RawFrame, split_stream

EXPECTED = {
    "2016-08-24_00.h212": (9455, 9447, 8),
    "2016-08-24_05.h212": (8696, 8692, 4),
}


def line_starts(data: bytes) -> set[int]:
    starts = {0}
    index = data.find(b"\r\n")
    while index != -1:
        starts.add(index + 2)
        index = data.find(b"\r\n", index + 2)
    return starts


@cache
def parsed(path: Path) -> tuple[bytes, tuple[dict, ...]]:
    data = path.read_bytes()
    return data, tuple(describe(item, LENIENT) for item in split_stream(data))


@pytest.fixture(params=sorted(EXPECTED))
def corpus(request, corpus_dir):
    return (request.param, *parsed(corpus_dir / request.param))


def test_line_count_matches_the_readme(corpus):
    name, data, _ = corpus
    assert data.count(b"\r\n") == EXPECTED[name][0]


def test_ok_frames_and_errors_match_the_readme(corpus):
    name, _, results = corpus
    counts = Counter(result["ok"] for result in results)
    assert (counts[True], counts[False]) == EXPECTED[name][1:]


def test_every_error_is_reported_at_the_start_of_its_line(corpus):
    _, data, results = corpus
    offsets = [result["offset"] for result in results if not result["ok"]]
    assert offsets == sorted(offsets)
    assert set(offsets) <= line_starts(data)


def test_the_readme_damage_cases_are_named(corpus_dir):
    data, results = parsed(corpus_dir / "2016-08-24_00.h212")
    errors = {r["offset"]: r["error"] for r in results if not r["ok"]}
    corrupted_header = data.index(b"##9ST=")
    crc_line = data.index(b"\r\n2BC0\r\n") + 2
    assert errors[corrupted_header] == "header is not '##' + 4 digits"
    assert errors[crc_line] == "bytes outside any frame"
    assert errors[data.rindex(b"##", 0, crc_line)].startswith("CRC:")


def test_binary_junk_line_is_one_error(corpus_dir):
    data, results = parsed(corpus_dir / "2016-08-24_05.h212")
    junk_line = data.index(b"##test")
    errors = [r for r in results if not r["ok"]]
    assert [e["offset"] for e in errors].count(junk_line) == 1


def test_strict_accepts_exactly_the_frames_lenient_accepts_without_deviations(corpus_dir):
    data = (corpus_dir / "2016-08-24_05.h212").read_bytes()
    strict_ok = lenient_clean = 0
    for item in split_stream(data):
        if not isinstance(item, RawFrame):
            continue
        try:
            lenient = parse_frame(item.data, LENIENT)
        except FrameError:
            continue
        clean = lenient.deviations == ()
        lenient_clean += clean
        try:
            parse_frame(item.data, STRICT)
            strict_ok += 1
        except FrameError:
            assert not clean
    assert strict_ok == lenient_clean > 0


def test_corpus_is_hjt_212_2005_traffic(corpus):
    _, _, results = corpus
    versions = Counter(r["version"] for r in results if r["ok"])
    assert set(versions) == {"2005"}
