"""``parse_frame`` (fast path for the common shapes) against ``parse_frame_reference``.

The fast path checks a frame with compiled patterns and decodes its CP on first use; the
reference checks field by field. They must agree on everything: accepted or not, the error
(offset, field, reason), every field of the frame, the deviations and their order, the
decoded values. Compared on every frame of the corpus under both policies and on fuzzed
frames (re-framed with a valid CRC so that they reach the data segment parser).
"""

from __future__ import annotations

import contextlib
import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecer.hj212.codec import (
    LENIENT,
    STRICT,
    FrameError,
    TolerancePolicy,
    encode_frame,
    parse_frame,
    parse_frame_reference,
)
from ecer.hj212.framing import RawFrame, split_stream
from tests.hj212.test_fuzz import EDITS, mutate

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLICIES = st.sampled_from(
    [STRICT, LENIENT, TolerancePolicy(allow_missing_qn=True, allow_missing_flag=True)]
)


def outcome(parse, data: bytes, policy: TolerancePolicy) -> object:
    try:
        frame = parse(data, policy)
    except FrameError as error:
        return ("error", error.offset, error.field, error.reason)
    # Every field, the mappings materialised (the fast path's are lazy).
    return (
        frame,
        repr(frame),
        {code: dict(values) for code, values in frame.pollutants.items()},
        {code: dict(values) for code, values in frame.equipment.items()},
        dict(frame.info),
        dict(frame.items),
    )


def assert_same(data: bytes, policy: TolerancePolicy) -> None:
    assert outcome(parse_frame, data, policy) == outcome(parse_frame_reference, data, policy)


@cache
def corpus_frames(corpus_dir: Path) -> tuple[bytes, ...]:
    frames: list[bytes] = []
    for name in ("2016-08-24_00.h212", "2016-08-24_05.h212"):
        data = (corpus_dir / name).read_bytes()
        frames += [item.data for item in split_stream(data) if isinstance(item, RawFrame)]
    return tuple(frames)


@pytest.mark.parametrize("policy", [STRICT, LENIENT], ids=["strict", "lenient"])
def test_the_whole_corpus_parses_the_same(corpus_dir, policy):
    frames = corpus_frames(corpus_dir)
    assert len(frames) > 18_000
    for data in frames:
        assert_same(data, policy)


def test_the_fast_path_takes_the_corpus(corpus_dir, monkeypatch):
    # Not a speed test: the shortcut must actually be the path real traffic takes.
    from ecer.hj212 import codec

    referred: list[bytes] = []

    def reference(data: bytes, policy: TolerancePolicy) -> object:
        referred.append(data)
        return parse_frame_reference(data, policy)

    monkeypatch.setattr(codec, "parse_frame_reference", reference)
    frames = corpus_frames(corpus_dir)
    for data in frames:
        with contextlib.suppress(FrameError):
            parse_frame(data, LENIENT)
    assert len(frames) > 18_000 and len(referred) <= 0.01 * len(frames)


HEAD = "ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&"


@pytest.mark.parametrize(
    "cp",
    [
        "DataTime=20160824003817000;01-Rtd=1,01-Flag=N;01-ZsRtd=2,01-Flag=N",
        "01-Rtd=1,01-Flag=N;DataTime=20160824003817000;01-Flag=D",
        "01-Rtd=1;01-Rtd=2;DataTime=20160824003817000",
        "DataTime=20160824003817;DataTime=20160824003818000;011-Rtd=5",
        "DataTime=20161324003817;011-Rtd=5",
        "011-Rtd=1e5",
        "011-Rtd=1234567890123456",
        "011-Rtd=-.5,011-Max=+5.,011-Flag=X",
        "SB1-RS=1;SB1-RT=2.5;a21026-Info=text;QnRtn=1;w01018-EFlag=A01",
        "w01018-Rtd=1;;011-Rtd=2;",
        "a=b=c",
        "-Rtd=5",
        "",
    ],
)
def test_hand_made_shapes(cp):
    for head in (HEAD, "QN=20160801085857223;" + HEAD.replace("CP=", "Flag=5;CP=")):
        data = encode_frame(head + cp + "&&")
        for policy in (STRICT, LENIENT):
            assert_same(data, policy)


@pytest.mark.parametrize(
    ("seen", "other"),
    [
        # The same skeleton, a value missing: the '=' are counted.
        ("QnRtn=1;B01-Rtd=5", "QnRtn=1;B01-Rtd"),
        ("DataTime=20160824003817;B01-Rtd=5", "DataTime;B01-Rtd=5"),
        # A plain value ending like a number's key: not a place a number may go back.
        ("QnRtn=x-Rtd;B01-Rtd=5", "QnRtn=x-Rtd=7;B01-Rtd"),
        ("QnRtn=AlarmTime;B01-Rtd=5", "QnRtn=AlarmTime=20160824003817;B01-Rtd"),
        # Numbers as the standard writes them, and not.
        ("B01-Rtd=5", "B01-Rtd=5.5.5"),
        ("B01-Rtd=5", "B01-Rtd=1234567890123456"),
        ("B01-Rtd=5,B01-Flag=N", "B01-Rtd=-,B01-Flag=N"),
        ("DataTime=20160824003817", "DataTime=201608240038170"),
    ],
)
def test_a_skeleton_seen_vouches_only_for_its_own_layout(seen, other):
    for policy in (LENIENT, STRICT):
        for head in (HEAD, "QN=20160801085857223;" + HEAD.replace("CP=", "Flag=5;CP=")):
            assert_same(encode_frame(head + seen + "&&"), policy)
            assert_same(encode_frame(head + other + "&&"), policy)


@FUZZ
@given(st.data(), EDITS, POLICIES)
def test_mutated_real_frames_parse_the_same(corpus_dir, data, edits, policy):
    frame = data.draw(st.sampled_from(corpus_frames(corpus_dir)[::25]))
    assert_same(mutate(frame, edits), policy)


@FUZZ
@given(st.data(), EDITS, POLICIES)
def test_mutated_segments_with_a_valid_crc_parse_the_same(corpus_dir, data, edits, policy):
    frame = data.draw(st.sampled_from(corpus_frames(corpus_dir)[::25]))
    assert_same(encode_frame(mutate(frame[6:-6], edits)), policy)


ITEM_TEXT = st.sampled_from(
    [
        *("DataTime", "011", "w01018", "B01", "SB1", "-", "Rtd", "Flag", "ZsRtd", "Info"),
        *("RS", "=", ";", ",", "N", "X", "1", "20160824003817", "000", ".", "+", "e", "QnRtn"),
    ]
)


@FUZZ
@given(st.lists(ITEM_TEXT, max_size=40), POLICIES)
def test_generated_cp_texts_parse_the_same(pieces, policy):
    assert_same(encode_frame(HEAD + "".join(pieces) + "&&"), policy)


# Values that may take the place of a frame's values: numbers as the standard writes them
# and not (too many digits, two points, a sign alone), times and QNs of every length, and
# text with the separators the skeleton must not be fooled by.
OTHER_VALUES = st.one_of(
    st.from_regex(r"[-+]?[0-9]{0,17}(\.[0-9]{0,3})?(\.[0-9])?", fullmatch=True),
    st.from_regex(r"[0-9]{12,18}", fullmatch=True),
    st.text(alphabet="0123456789.+-eNXD;,=&", max_size=12),
)


@FUZZ
@given(st.data())
def test_segments_with_a_skeleton_seen_parse_the_same(corpus_dir, data):
    # The fast path knows a data segment by its skeleton (its CP without its numbers,
    # times and QN) once one like it was checked: the same fields and keys with another
    # value in one place, valid or not, must still parse as the reference parses them.
    # LENIENT: the policy under which the corpus's frames take the fast path.
    frame = data.draw(st.sampled_from(corpus_frames(corpus_dir)[::25]))
    assert_same(frame, LENIENT)  # the skeleton now seen
    segment = frame[6:-6].decode("ascii")
    values = list(re.finditer(r"(?<==)[^;,=]*", segment))
    if segment.startswith("QN="):  # the header's QN, then the values of CP
        values = values[:1] + [value for value in values if value.start() > segment.find("&&")]
    else:
        values = [value for value in values if value.start() > segment.find("&&")]
    place = data.draw(st.sampled_from(values))
    twin = segment[: place.start()] + data.draw(OTHER_VALUES) + segment[place.end() :]
    assert_same(encode_frame(twin), LENIENT)


@FUZZ
@given(st.data())
def test_segments_laid_out_as_one_seen_parse_the_same(corpus_dir, data):
    # The fast path also knows a data segment by its layout (the same bytes but for
    # digits) once one like it was taken: other digits anywhere (the QN, MN, CN, a key's
    # code, a number, DataTime, even an impossible date) must still parse as the reference
    # parses them, whether the fast path takes the twin on what it decided before or not.
    frame = data.draw(st.sampled_from(corpus_frames(corpus_dir)[::25]))
    assert_same(frame, LENIENT)  # the layout now seen
    segment = bytearray(frame[6:-6])
    digits = [index for index, byte in enumerate(segment) if 0x30 <= byte <= 0x39]
    for index in data.draw(st.lists(st.sampled_from(digits), min_size=1, max_size=4)):
        segment[index] = ord(data.draw(st.sampled_from("0123456789")))
    assert_same(encode_frame(bytes(segment)), LENIENT)
