"""Incremental splitting of an HJ 212 byte stream into frames and junk.

An HJ 212 frame is ``##`` + 4 decimal digits (data segment length in bytes) + data segment
+ 4 hex digits (CRC) + ``\\r\\n`` (HJ 212-2017 ch. 6, table of the communication packet
structure, 通讯包结构组成). :class:`FrameSplitter` only
finds the frame boundaries; it does not check the CRC or look inside the data segment
(that is :func:`ecer.hj212.codec.parse_frame`'s job). It is pure: bytes in, items out, no
I/O and no clock, so the asyncio gateway, the CLI and the tests share it.

Rules, in order, at the current position:

* ``##`` + 4 digits: the header declares where the frame ends. If ``\\r\\n`` sits exactly
  there and nowhere earlier after the header, the bytes are a :class:`RawFrame`. A CRLF
  before the declared end (truncated frame, bytes lost, CRC on the next line) or a missing
  CRLF at the declared end means the frame is damaged.
* Anything else — a damaged frame, ``##`` not followed by 4 digits (``##9ST=…``), bytes
  outside any frame — is junk running up to the next boundary: just after the next CRLF,
  or the next ``##`` + digit (a possible header), whichever comes first. Resynchronising on
  the next header means a damaged frame never hides a valid frame that follows it.
* A run of junk is one :class:`Junk` item: pieces that end at a header which turns out to
  be damaged too are joined (one item per junk line, not per ``##`` in it), with the reason
  of the first piece.
* Runs made only of CR and LF bytes between frames (blank lines, or CR/LF right before a
  ``##``) are skipped silently.
* Junk with no boundary in sight is cut at ``max_frame_size`` bytes so memory stays bounded
  (one item per ``max_frame_size`` bytes of such a run at most).

Linear time on any input, however it is chunked (issue #25): no byte is searched again
while the splitter waits for more (it remembers how far it looked), runs of blank lines and
of ``#`` are skipped by C-level searches, and whole frames are taken without a call.
``tests/hj212/test_linear.py`` feeds 10 MB of each pathological pattern.

Offsets are positions in the whole stream (0 = first byte ever fed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

# ## + 4-digit length + at most 9999 data bytes + 4 CRC digits + CRLF.
LARGEST_ENCODABLE_FRAME = 2 + 4 + 9999 + 4 + 2
_HEADER = b"##"
_CRLF = b"\r\n"


@dataclass(frozen=True, slots=True)
class RawFrame:
    """A structurally complete frame.

    offset: Stream offset of its first ``#`` [bytes].
    data: The frame, ``##`` through the final CRLF.
    """

    offset: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Junk:
    """Bytes that are not a frame.

    offset: Stream offset of the first byte [bytes].
    data: The bytes.
    reason: Why they are not a frame (English, for logs and the CLI).
    """

    offset: int
    data: bytes
    reason: str


Item = RawFrame | Junk
_Buffer = bytes | bytearray
# RawFrame(offset, data) with its slots set directly, one per frame: the frozen dataclass's
# __init__ goes through object.__setattr__, twice as slow.
_new = object.__new__
_set_offset, _set_data = (getattr(RawFrame, item.name).__set__ for item in fields(RawFrame))


class FrameSplitter:
    """Split a byte stream, fed in arbitrary chunks, into frames and junk.

    max_frame_size: Longest frame accepted, CRLF included [bytes]; frames whose header
        declares more are junk. Defaults to the largest a 4-digit length can describe.

    Linear in the bytes fed, however they are chunked: each byte is looked at a bounded
    number of times (a state waiting for more bytes remembers how far it has searched),
    runs of blank lines and of ``#`` are skipped by C-level searches, and the pieces of one
    junk run are reported as one item.
    """

    # Whole frames are taken by a loop of their own; off, the state machine takes them
    # (tests/hj212/test_framing.py compares the two).
    _whole_frames = True

    def __init__(self, max_frame_size: int = LARGEST_ENCODABLE_FRAME) -> None:
        if max_frame_size < 12:
            raise ValueError("max_frame_size must allow at least an empty frame (12 bytes)")
        self.max_frame_size = max_frame_size
        self._buffer: bytes | bytearray = b""
        self._base = 0  # stream offset of self._buffer[0]
        self._resume = 0  # where to go on in the buffer (after a junk run held back)
        self._scanned = 0  # the state at _resume found no boundary before this index
        self._scan_kind = 0  # what was searched up to _scanned: 1 CRLF, 2 CRLF and header
        self._run = -1  # start of a junk run not reported yet (0 when held), else -1
        self._run_reason = ""
        self._memo = (0, -1)  # (from, index of the next CRLF at or after it), per feed
        self._pending = (0, 0)  # (_scanned, _scan_kind) of the state a search stopped in

    @property
    def buffered(self) -> int:
        """Bytes held back waiting for the rest of a frame [bytes]."""
        return len(self._buffer)

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[Item]:
        """Add bytes; return the frames and junk now complete, in stream order."""
        held = self._buffer
        buffer: bytes | bytearray
        if len(chunk) >= len(held):
            buffer = b"".join((held, chunk))  # one copy; frames are then sliced from bytes
        else:  # a trickle into a long pending frame: append, amortised linear
            if not isinstance(held, bytearray):
                held = bytearray(held)
            held += chunk
            buffer = held
        items: list[Item] = []
        size = len(buffer)
        self._memo = (size + 1, -1)
        pos = self._resume
        scanned, kind = self._scanned, self._scan_kind
        run = self._run
        max_frame = self.max_frame_size
        find = buffer.find
        append = items.append
        base = self._base
        whole_frames = self._whole_frames
        copied = isinstance(buffer, bytes)  # a slice of it is a copy already
        while pos < size:
            byte = buffer[pos]
            if byte == 0x23 and (pos + 1 == size or buffer[pos + 1] == 0x23):  # '#', '##'
                # The common case first: whole frames one after the other, each with its
                # CRLF at its declared end only (what _at_header finds, without its state).
                start = pos
                while whole_frames:
                    digits = buffer[pos + 2 : pos + 6]  # fewer only at the end: then end > size
                    if not digits.isdigit():
                        break
                    end = pos + 12 + int(digits)
                    if end > size or end - pos > max_frame or find(_CRLF, pos + 6, end) != end - 2:
                        break
                    if run >= 0:
                        self._emit_run(buffer, run, pos, items)
                        run = -1
                    data = buffer[pos:end] if copied else bytes(buffer[pos:end])
                    frame = _new(RawFrame)  # RawFrame(offset, data), see _new
                    _set_offset(frame, base + pos)
                    _set_data(frame, data)
                    append(frame)
                    pos = end
                    if not buffer.startswith(_HEADER, pos):
                        break
                if pos != start:
                    scanned, kind = 0, 0
                    continue
                if pos + 1 == size:
                    scanned, kind = 0, 0
                    break  # a lone '#' may be the start of '##'
                step = self._at_header(buffer, pos, size, scanned, kind)
                if step is None:
                    scanned, kind = self._pending
                    break
                end, reason = step
                scanned, kind = 0, 0
                if reason:
                    run = self._junk(buffer, run, pos, end, reason, items)
                else:
                    if run >= 0:
                        self._emit_run(buffer, run, pos, items)
                        run = -1
                    items.append(RawFrame(self._base + pos, bytes(buffer[pos:end])))
                pos = end
                continue
            if (byte == 0x0D or byte == 0x0A) and run < 0:
                # Blank lines between frames: every whole CRLF of the run, skipped silently.
                match = _BLANK.match(buffer, pos)
                if match is not None:
                    pos = match.end()
                    scanned, kind = 0, 0
                    continue
                blank_end = _CR_LF_RUN.match(buffer, pos).end()  # type: ignore[union-attr]
                if buffer.startswith(_HEADER, blank_end):  # CR or LF right before a '##'
                    pos = blank_end
                    scanned, kind = 0, 0
                    continue
            junk_end = self._junk_end(buffer, pos, scanned if kind == 2 else 0)
            if junk_end is None:
                if size - pos <= max_frame:
                    scanned, kind = size, 2
                    break
                end = size - _partial_boundary(buffer, size)
                run = self._junk(buffer, run, pos, end, "no frame boundary", items, cut=True)
            else:
                end = junk_end
                run = self._junk(buffer, run, pos, end, "bytes outside any frame", items)
            scanned, kind = 0, 0
            pos = end
        keep = pos
        if run >= 0:
            if pos - run > max_frame:  # a long run of short pieces: report what there is
                self._emit_run(buffer, run, pos, items)
                run = -1
            else:
                keep = run
        if isinstance(buffer, bytearray):
            del buffer[:keep]
            self._buffer = buffer
        else:
            self._buffer = buffer[keep:]
        self._base += keep
        self._resume = pos - keep
        self._scanned = max(scanned - keep, 0)
        self._scan_kind = kind
        self._run = -1 if run < 0 else 0
        return items

    def close(self) -> list[Item]:
        """End of stream: whatever is still buffered is junk (a frame cut short)."""
        items: list[Item] = []
        buffer = self._buffer
        if self._run >= 0:
            # A junk run held back goes on to the end: one item, with the run's reason.
            self._emit_run(buffer, 0, len(buffer), items)
            self._run = -1
        elif buffer:
            self._run_reason = "stream ended mid-frame"
            self._emit_run(buffer, 0, len(buffer), items)
        self._base += len(buffer)
        self._buffer = b""
        self._resume = self._scanned = self._scan_kind = 0
        return items

    def _at_header(
        self, buffer: _Buffer, pos: int, size: int, scanned: int, kind: int
    ) -> tuple[int, str] | None:
        """Handle a ``##`` at ``pos``: (end, "") for a frame, (end, reason) for junk, or None
        to wait for bytes (then ``self`` remembers how far it searched)."""
        digits = bytes(buffer[pos + 2 : pos + 6])
        if not digits.isdigit():
            if len(digits) < 4 and (not digits or digits.isdigit()):
                self._pending = (0, 0)
                return None  # header not complete yet
            return self._damaged(buffer, pos, size, "header is not '##' + 4 digits", scanned, kind)
        if len(digits) < 4:
            self._pending = (0, 0)
            return None
        declared = int(digits)
        end = pos + 6 + declared + 6
        if end - pos > self.max_frame_size:
            reason = f"declared data length {declared} exceeds the maximum frame size"
            return self._damaged(buffer, pos, size, reason, scanned, kind)
        crlf = self._next_crlf(buffer, max(pos + 6, scanned - 1) if kind else pos + 6)
        if crlf > end - 2:
            crlf = -1
        if crlf == end - 2:
            return end, ""
        if crlf == -1:
            if size < end:
                self._pending = (size, max(kind, 1))
                return None
            reason = f"no CRLF where the declared data length {declared} ends the frame"
            return self._damaged(buffer, pos, size, reason, scanned, kind)
        reason = (
            f"CRLF after {crlf - pos - 6} bytes of data and CRC, but the header declares "
            f"{declared} + 4: frame truncated, bytes lost or CRC on the next line"
        )
        return self._damaged(buffer, pos, size, reason, scanned, kind)

    def _damaged(
        self, buffer: _Buffer, pos: int, size: int, reason: str, scanned: int, kind: int
    ) -> tuple[int, str] | None:
        end = self._junk_end(buffer, pos, scanned if kind == 2 else 0)
        if end is None:
            if size - pos <= self.max_frame_size:
                self._pending = (size, 2)
                return None
            end = size - _partial_boundary(buffer, size)
        return end, reason

    def _next_crlf(self, buffer: _Buffer, start: int) -> int:
        """Index of the first CRLF at or after ``start``, or -1; remembered within a feed so
        that many searches from nearby positions in a long line cost one scan."""
        memo_from, memo_at = self._memo
        if memo_from <= start and (memo_at == -1 or memo_at >= start):
            return memo_at
        at = buffer.find(_CRLF, start)
        self._memo = (start, at)
        return at

    def _junk_end(self, buffer: _Buffer, start: int, scanned: int = 0) -> int | None:
        """End of junk starting at ``start``: after the next CRLF or at the next ``##`` +
        digit; None when neither is in the buffer yet.

        scanned: nothing of either was found before this index by an earlier search.
        """
        begin = max(start, scanned - 2)
        crlf = self._next_crlf(buffer, begin)
        limit = len(buffer) if crlf == -1 else crlf
        header = _header_at(buffer, max(start + 1, begin), limit)
        if header != -1:
            return header
        if crlf != -1:
            return crlf + 2
        return None

    def _junk(
        self,
        buffer: _Buffer,
        run: int,
        start: int,
        end: int,
        reason: str,
        items: list[Item],
        cut: bool = False,
    ) -> int:
        """Add the junk piece [start, end) to the run; report the run if the piece ends it.

        A run ends after a CRLF (a line) or where it is cut; a piece that ends at the next
        ``##`` + digit leaves the run open, so one run of junk is one item.
        """
        if run < 0:
            if buffer[start] in _BLANK_BYTES and not buffer[start:end].strip(b"\r\n"):
                return -1  # only CR and LF bytes: skipped, as blank lines are
            run = start
            self._run_reason = reason
        if cut or buffer[end - 2 : end] == _CRLF:
            self._emit_run(buffer, run, end, items)
            return -1
        return run

    def _emit_run(self, buffer: _Buffer, start: int, end: int, items: list[Item]) -> None:
        data = bytes(buffer[start:end])
        if data.strip(b"\r\n"):
            items.append(Junk(self._base + start, data, self._run_reason))


_BLANK = re.compile(rb"[\r\n]*\r\n")
_BLANK_BYTES = b"\r\n"
_CR_LF_RUN = re.compile(rb"[\r\n]+")
_HASHES = b"#" * 1024
_HEADER_DIGIT = re.compile(rb"##[0-9]")


def _header_at(buffer: _Buffer, start: int, limit: int) -> int:
    """Index of the first ``##`` + digit in [start, limit), or -1 (runs of ``#`` skipped
    1 KiB at a time)."""
    find = buffer.find
    while True:
        index = find(_HEADER, start, limit)
        if index == -1:
            return -1
        after = index + 2
        if after >= limit:
            return -1
        byte = buffer[after]
        if 0x30 <= byte <= 0x39:
            return index
        if byte != 0x23:
            match = _HEADER_DIGIT.search(buffer, after + 1, limit)
            return -1 if match is None else match.start()
        # A run of '#': the '##' + digit, if any, sits at the run's end.
        while buffer.startswith(_HASHES, after):
            after += 1024
        while after < limit and buffer[after] == 0x23:
            after += 1
        if after >= limit:
            return -1
        if 0x30 <= buffer[after] <= 0x39:
            return after - 2
        start = after + 1


def _partial_boundary(buffer: _Buffer, size: int) -> int:
    """Bytes at the end of the buffer that may begin a boundary (CR, '#', '##', '##' + digits)."""
    tail = bytes(buffer[max(size - 5, 0) : size])
    for length in range(len(tail), 0, -1):
        piece = tail[-length:]
        if piece[:2] == _HEADER and (len(piece) == 2 or piece[2:].isdigit()):
            return length
    if tail[-1:] in (b"#", b"\r"):
        return 1
    return 0


def split_stream(data: bytes, max_frame_size: int = LARGEST_ENCODABLE_FRAME) -> list[Item]:
    """Split a complete byte stream at once (convenience for files and tests)."""
    splitter = FrameSplitter(max_frame_size)
    return splitter.feed(data) + splitter.close()
