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
  outside any frame — is reported as :class:`Junk` running up to the next boundary: just
  after the next CRLF, or the next ``##``, whichever comes first. Resynchronising on the
  next ``##`` means a damaged frame never hides a valid frame that follows it.
* Runs made only of CR and LF bytes between frames (blank lines) are skipped silently.
* Junk with no boundary in sight is cut at ``max_frame_size`` bytes so memory stays bounded.

Offsets are positions in the whole stream (0 = first byte ever fed).
"""

from __future__ import annotations

from dataclasses import dataclass

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


class FrameSplitter:
    """Split a byte stream, fed in arbitrary chunks, into frames and junk.

    max_frame_size: Longest frame accepted, CRLF included [bytes]; frames whose header
        declares more are junk. Defaults to the largest a 4-digit length can describe.
    """

    def __init__(self, max_frame_size: int = LARGEST_ENCODABLE_FRAME) -> None:
        if max_frame_size < 12:
            raise ValueError("max_frame_size must allow at least an empty frame (12 bytes)")
        self.max_frame_size = max_frame_size
        self._buffer = bytearray()
        self._base = 0  # stream offset of self._buffer[0]

    @property
    def buffered(self) -> int:
        """Bytes held back waiting for the rest of a frame [bytes]."""
        return len(self._buffer)

    def feed(self, chunk: bytes | bytearray | memoryview) -> list[Item]:
        """Add bytes; return the frames and junk now complete, in stream order."""
        buffer = self._buffer
        buffer += chunk
        items: list[Item] = []
        size = len(buffer)
        pos = 0
        while pos < size:
            if buffer[pos] == 0x23:  # '#'
                if pos + 1 == size:
                    break  # a lone '#' may be the start of '##'
                if buffer[pos + 1] == 0x23:
                    step = self._at_header(buffer, pos, size, items)
                    if step is None:
                        break
                    pos = step
                    continue
            end = _junk_end(buffer, pos)
            if end is None:
                if size - pos <= self.max_frame_size:
                    break
                keep = 1 if buffer[size - 1] in (0x23, 0x0D) else 0
                end = size - keep
                self._emit_junk(buffer, pos, end, "no frame boundary", items)
            else:
                self._emit_junk(buffer, pos, end, "bytes outside any frame", items)
            pos = end
        del buffer[:pos]
        self._base += pos
        return items

    def close(self) -> list[Item]:
        """End of stream: whatever is still buffered is junk (a frame cut short)."""
        items: list[Item] = []
        if self._buffer:
            self._emit_junk(self._buffer, 0, len(self._buffer), "stream ended mid-frame", items)
            self._base += len(self._buffer)
            self._buffer.clear()
        return items

    def _at_header(self, buffer: bytearray, pos: int, size: int, items: list[Item]) -> int | None:
        """Handle a ``##`` at ``pos``; return the next position, or None to wait for bytes."""
        digits = bytes(buffer[pos + 2 : pos + 6])
        if not digits.isdigit():
            if len(digits) < 4 and (not digits or digits.isdigit()):
                return None  # header not complete yet
            return self._damaged(buffer, pos, size, "header is not '##' + 4 digits", items)
        if len(digits) < 4:
            return None
        declared = int(digits)
        end = pos + 6 + declared + 6
        if end - pos > self.max_frame_size:
            reason = f"declared data length {declared} exceeds the maximum frame size"
            return self._damaged(buffer, pos, size, reason, items)
        crlf = buffer.find(_CRLF, pos + 6, end)
        if crlf == end - 2:
            items.append(RawFrame(self._base + pos, bytes(buffer[pos:end])))
            return end
        if crlf == -1:
            if size < end:
                return None
            reason = f"no CRLF where the declared data length {declared} ends the frame"
            return self._damaged(buffer, pos, size, reason, items)
        reason = (
            f"CRLF after {crlf - pos - 6} bytes of data and CRC, but the header declares "
            f"{declared} + 4: frame truncated, bytes lost or CRC on the next line"
        )
        return self._damaged(buffer, pos, size, reason, items)

    def _damaged(
        self, buffer: bytearray, pos: int, size: int, reason: str, items: list[Item]
    ) -> int | None:
        end = _junk_end(buffer, pos)
        if end is None:
            if size - pos <= self.max_frame_size:
                return None
            end = size - (1 if buffer[size - 1] in (0x23, 0x0D) else 0)
        self._emit_junk(buffer, pos, end, reason, items)
        return end

    def _emit_junk(
        self, buffer: bytearray, start: int, end: int, reason: str, items: list[Item]
    ) -> None:
        data = bytes(buffer[start:end])
        if data.strip(b"\r\n"):
            items.append(Junk(self._base + start, data, reason))


def _junk_end(buffer: bytearray, start: int) -> int | None:
    """End of junk starting at ``start``: after the next CRLF or at the next ``##``."""
    crlf = buffer.find(_CRLF, start)
    header = buffer.find(_HEADER, start + 1)
    if crlf != -1 and (header == -1 or crlf + 2 <= header):
        return crlf + 2
    if header != -1:
        return header
    return None


def split_stream(data: bytes, max_frame_size: int = LARGEST_ENCODABLE_FRAME) -> list[Item]:
    """Split a complete byte stream at once (convenience for files and tests)."""
    splitter = FrameSplitter(max_frame_size)
    return splitter.feed(data) + splitter.close()
