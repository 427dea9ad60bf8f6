"""FrameSplitter: frames and junk out of a byte stream fed in arbitrary chunks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecer.hj212.codec import encode_frame
from ecer.hj212.framing import FrameSplitter, Junk, RawFrame, split_stream

A = encode_frame("QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=A1;Flag=4;CP=&&w01018-Rtd=1&&")
B = encode_frame("QN=20160801085857224;ST=32;CN=2011;PW=123456;MN=B2;Flag=4;CP=&&&&")


def kinds(items):
    return [(type(item).__name__, item.offset) for item in items]


def test_several_frames_in_one_chunk():
    items = split_stream(A + B + A)
    assert [item.data for item in items] == [A, B, A]
    assert [item.offset for item in items] == [0, len(A), len(A) + len(B)]


def test_one_frame_fed_byte_by_byte():
    splitter = FrameSplitter()
    items = []
    for i in range(len(A)):
        items += splitter.feed(A[i : i + 1])
    assert items == [RawFrame(0, A)]
    assert splitter.buffered == 0


def test_garbage_between_frames_is_junk_with_its_offset():
    items = split_stream(A + b"hello\r\n" + B)
    assert kinds(items) == [("RawFrame", 0), ("Junk", len(A)), ("RawFrame", len(A) + 7)]
    assert items[1].data == b"hello\r\n"


def test_garbage_without_crlf_ends_at_the_next_header():
    items = split_stream(b"\x00\xff#x" + A)
    assert kinds(items) == [("Junk", 0), ("RawFrame", 4)]


def test_truncated_frame_directly_followed_by_a_frame():
    items = split_stream(A[:40] + B)
    assert kinds(items) == [("Junk", 0), ("RawFrame", 40)]


def test_truncated_frame_ending_in_crlf():
    items = split_stream(A[:40] + b"\r\n" + B)
    assert kinds(items) == [("Junk", 0), ("RawFrame", 42)]
    assert "declares" in items[0].reason


def test_frame_with_bytes_lost_inside():
    damaged = A[:20] + A[23:]
    items = split_stream(damaged + B)
    assert kinds(items) == [("Junk", 0), ("RawFrame", len(damaged))]


def test_crc_on_the_next_line():
    # Corpus case: the data segment, CRLF, then the CRC alone on the next line.
    damaged = A[:-6] + b"\r\n" + A[-6:]
    items = split_stream(damaged + B)
    assert kinds(items) == [("Junk", 0), ("Junk", len(A) - 4), ("RawFrame", len(damaged))]


def test_corrupted_header_resynchronises_on_the_next_header():
    damaged = b"##9" + A[6:]
    items = split_stream(damaged + B)
    assert kinds(items) == [("Junk", 0), ("RawFrame", len(damaged))]
    assert items[0].reason == "header is not '##' + 4 digits"


def test_frame_without_header():
    items = split_stream(A[6:] + B)
    assert kinds(items) == [("Junk", 0), ("RawFrame", len(A) - 6)]


def test_binary_junk_line_with_bare_line_feeds():
    junk = b"##test13912345678\x00\nm&\n\x00;VerSion=2.5&&9601\r\n"
    items = split_stream(A + junk + B)
    assert kinds(items) == [("RawFrame", 0), ("Junk", len(A)), ("RawFrame", len(A) + len(junk))]


def test_blank_lines_between_frames_are_skipped():
    assert kinds(split_stream(A + b"\r\n\r\n" + B)) == [("RawFrame", 0), ("RawFrame", len(A) + 4)]


def test_declared_length_over_the_maximum_is_junk():
    splitter = FrameSplitter(max_frame_size=len(A) - 1)
    items = splitter.feed(A + B) + splitter.close()
    assert kinds(items) == [("Junk", 0), ("RawFrame", len(A))]


def test_endless_junk_is_cut_at_the_maximum_frame_size():
    splitter = FrameSplitter(max_frame_size=100)
    items = []
    for _ in range(50):
        items += splitter.feed(b"x" * 37)
    assert splitter.buffered <= 100
    assert all(isinstance(item, Junk) for item in items)
    assert sum(len(item.data) for item in items) + splitter.buffered == 50 * 37


def test_close_reports_a_frame_cut_short():
    splitter = FrameSplitter()
    assert splitter.feed(A + B[:30]) == [RawFrame(0, A)]
    assert splitter.close() == [Junk(len(A), B[:30], "stream ended mid-frame")]


def test_a_lone_hash_at_a_chunk_end_waits_for_the_next_byte():
    splitter = FrameSplitter()
    assert splitter.feed(A[:1]) == []
    assert splitter.feed(A[1:]) == [RawFrame(0, A)]


def test_max_frame_size_must_hold_an_empty_frame():
    with pytest.raises(ValueError):
        FrameSplitter(max_frame_size=11)


STREAM = A + b"junk\r\n" + A[:30] + B + b"##9ST=1\r\n" + B + A[6:] + A


@given(st.lists(st.integers(min_value=1, max_value=len(STREAM)), max_size=20))
def test_chunking_does_not_change_the_result(cuts):
    splitter = FrameSplitter()
    items = []
    previous = 0
    for cut in [*sorted(cuts), len(STREAM)]:
        items += splitter.feed(STREAM[previous:cut])
        previous = max(previous, cut)
    items += splitter.close()
    assert items == split_stream(STREAM)


def test_every_valid_frame_after_damage_is_found():
    frames = [item for item in split_stream(STREAM) if isinstance(item, RawFrame)]
    assert [f.data for f in frames] == [A, B, B, A]


class StateMachineOnly(FrameSplitter):
    """The splitter without its loop for whole frames: every frame through the state
    machine (``_at_header``), the general path the loop must agree with."""

    _whole_frames = False


PIECES = st.one_of(
    st.sampled_from(
        [A, B, A[:30], A[6:], A[:-1], A[:-2], B[:-3] + b"\r\n", b"##9ST=1\r\n", b"##0010"]
    ),
    st.sampled_from([b"\r\n", b"\r", b"\n", b"#", b"##", b"###", b"##1", b"##00", b"\r\n\r\n"]),
    st.binary(max_size=30),
    st.builds(lambda text: encode_frame(text), st.text(max_size=40)),
)


@given(
    st.lists(PIECES, max_size=12),
    st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    st.sampled_from([12, 40, 100, 1000, None]),
)
def test_the_loop_for_whole_frames_finds_what_the_state_machine_finds(pieces, cuts, maximum):
    stream = b"".join(pieces)
    sizes = {} if maximum is None else {"max_frame_size": maximum}
    fast, general = FrameSplitter(**sizes), StateMachineOnly(**sizes)
    previous = 0
    for cut in [*sorted(cut for cut in cuts if cut < len(stream)), len(stream)]:
        chunk = stream[previous:cut]
        previous = max(previous, cut)
        assert fast.feed(chunk) == general.feed(chunk)
        assert fast.buffered == general.buffered
    assert fast.close() == general.close()
