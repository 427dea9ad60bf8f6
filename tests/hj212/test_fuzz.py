"""Property-based fuzzing: bad input only ever raises FrameError, never anything else."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecer.hj212.codec import LENIENT, STRICT, Frame, FrameError, encode_frame, parse_frame
from ecer.hj212.framing import FrameSplitter, Junk, RawFrame, split_stream

POLICIES = st.sampled_from([STRICT, LENIENT])
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Characters that matter to the parser, to make mutations hit structure often.
INTERESTING = st.sampled_from(list(b"#;,=-&\r\n0123456789.ABCDEFNabcdef\x00\xff\xc0"))


@cache
def real_frames(corpus_dir: Path) -> tuple[bytes, ...]:
    data = (corpus_dir / "2016-08-24_00.h212").read_bytes()[:200_000]
    frames = tuple(item.data for item in split_stream(data) if isinstance(item, RawFrame))
    return frames[::10]


def mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    buffer = bytearray(data)
    for operation, position, byte in edits:
        if not buffer:
            buffer.append(byte)
            continue
        index = position % len(buffer)
        if operation == 0:
            buffer[index] = byte
        elif operation == 1:
            buffer.insert(index, byte)
        else:
            del buffer[index]
    return bytes(buffer)


EDITS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 10_000), INTERESTING | st.integers(0, 255)),
    min_size=1,
    max_size=6,
)


def parses_or_frame_error(data: bytes, policy) -> None:
    try:
        result = parse_frame(data, policy)
    except FrameError as error:
        assert 0 <= error.offset <= len(data)
    else:
        assert isinstance(result, Frame)


@FUZZ
@given(st.binary(max_size=2000), POLICIES)
def test_random_bytes_only_raise_frame_error(data, policy):
    parses_or_frame_error(data, policy)


@FUZZ
@given(st.binary(max_size=400), POLICIES)
def test_random_data_segments_with_valid_framing_only_raise_frame_error(segment, policy):
    parses_or_frame_error(encode_frame(segment), policy)


@FUZZ
@given(st.data(), EDITS, POLICIES)
def test_mutated_real_frames_only_raise_frame_error(corpus_dir, data, edits, policy):
    frame = data.draw(st.sampled_from(real_frames(corpus_dir)))
    parses_or_frame_error(mutate(frame, edits), policy)


@FUZZ
@given(st.data(), EDITS, POLICIES)
def test_mutated_segments_reframed_with_a_valid_crc_only_raise_frame_error(
    corpus_dir, data, edits, policy
):
    # Re-framing gives the mutation a correct length and CRC, so it reaches the field parser.
    frame = data.draw(st.sampled_from(real_frames(corpus_dir)))
    parses_or_frame_error(encode_frame(mutate(frame[6:-6], edits)), policy)


@FUZZ
@given(st.lists(st.binary(max_size=300) | INTERESTING.map(lambda b: bytes([b])), max_size=30))
def test_splitter_never_raises_and_accounts_for_frames_in_order(chunks):
    splitter = FrameSplitter(max_frame_size=256)
    items = []
    for chunk in chunks:
        items += splitter.feed(chunk)
    items += splitter.close()
    offsets = [item.offset for item in items]
    assert offsets == sorted(offsets)
    stream = b"".join(chunks)
    for item in items:
        assert stream[item.offset : item.offset + len(item.data)] == item.data
        assert isinstance(item, RawFrame | Junk)


@FUZZ
@given(st.data(), st.lists(st.binary(max_size=80), min_size=1, max_size=5))
def test_valid_frames_after_garbage_are_all_found(corpus_dir, data, garbage):
    frames = [data.draw(st.sampled_from(real_frames(corpus_dir))) for _ in garbage]
    stream = b"".join(junk + frame for junk, frame in zip(garbage, frames, strict=True))
    found = [item.data for item in split_stream(stream) if isinstance(item, RawFrame)]
    # A garbage tail may swallow a frame's "##" only if it ends in "#"; all others are found.
    expected = [f for junk, f in zip(garbage, frames, strict=True) if not junk.endswith(b"#")]
    assert [f for f in found if f in frames] == found
    for frame in expected:
        assert frame in found


@pytest.mark.parametrize("policy", [STRICT, LENIENT])
def test_non_bytes_like_input_is_not_silently_accepted(policy):
    with pytest.raises(TypeError):
        parse_frame("##0000FFFF\r\n", policy)  # type: ignore[arg-type]
