"""CRC checks used on HJ 212 frames.

HJ 212-2017 Annex A (normative) defines the frame check as follows: start with
``CRC_Reg = 0xFFFF``; for every byte, ``CRC_Reg = (CRC_Reg >> 8) ^ byte``, then shift right
eight times, XOR-ing ``0xA001`` whenever the bit shifted out is 1. The result is written as
four hexadecimal digits. This is *not* CRC-16/MODBUS, which XORs the byte into the *low*
byte of the register instead (check values for ``b"123456789"``: HJ 212 ``2F80``, MODBUS
``4B37``). Some field loggers nevertheless send the MODBUS CRC, printed low byte first;
:func:`modbus_crc16` and :func:`swap_bytes` let the codec recognise that deviation.

Implementation: after ``(reg >> 8) ^ byte`` the register holds a value below 256, so the
eight shift rounds are a function of one byte: a 256-entry table ``T``. Only the high byte
of the register feeds the next step, so the chain runs on a byte ``h`` and the full 16-bit
register is needed only after the last byte. Two bytes are consumed per Python iteration
through a 65,536-entry table of the composed step.
"""

from __future__ import annotations

import sys


def _build_step_table() -> tuple[int, ...]:
    table = []
    for value in range(256):
        reg = value
        for _ in range(8):
            # HJ 212-2017 Annex A: shift right, XOR 0xA001 when the bit shifted out is 1.
            reg = (reg >> 1) ^ 0xA001 if reg & 1 else reg >> 1
        table.append(reg)
    return tuple(table)


_STEP = _build_step_table()
_STEP_HIGH = bytes(value >> 8 for value in _STEP)
# _PAIR[w] = two chained steps for the byte pair packed in w in native byte order.
if sys.byteorder == "little":
    # _STEP_HIGH[_STEP_HIGH[w & 0xFF] ^ (w >> 8)], one row of 256 per high byte at a time
    # (the XOR on all 256 bytes as one integer, the outer step by translate): a command
    # starts in well under a millisecond instead of 16 ms for 65,536 Python steps.
    _ONES = int.from_bytes(b"\x01" * 256, "little")
    _FIRST = int.from_bytes(_STEP_HIGH, "little")
    _PAIR = b"".join(
        (_FIRST ^ high * _ONES).to_bytes(256, "little").translate(_STEP_HIGH) for high in range(256)
    )
else:  # pragma: no cover - big-endian hosts
    _PAIR = bytes(_STEP_HIGH[_STEP_HIGH[w >> 8] ^ (w & 0xFF)] for w in range(65536))


def hj212_crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC of an HJ 212 data segment by the HJ 212-2017 Annex A algorithm.

    data: The data segment bytes (between the 4-digit length and the CRC) [bytes].
    Returns the 16-bit check value; ``hj212_crc16(b"123456789") == 0x2F80``.
    """
    view = memoryview(data).cast("B")
    count = len(view)
    if count == 0:
        return 0xFFFF
    high = 0xFF  # high byte of the initial register 0xFFFF
    body = count - 1
    even = body & ~1
    if even:
        pair = _PAIR
        for word in view[:even].cast("H"):
            high = pair[high ^ word]
    if body & 1:
        high = _STEP_HIGH[high ^ view[even]]
    return _STEP[high ^ view[body]]


def modbus_crc16(data: bytes | bytearray | memoryview) -> int:
    """CRC-16/MODBUS (init 0xFFFF, reflected polynomial 0xA001), for deviation detection.

    data: Bytes to check [bytes]. ``modbus_crc16(b"123456789") == 0x4B37``.
    """
    reg = 0xFFFF
    for byte in memoryview(data).cast("B"):
        # CRC-16/MODBUS: the byte enters the LOW byte of the register.
        reg = (reg >> 8) ^ _STEP[(reg ^ byte) & 0xFF]
    return reg


def swap_bytes(value: int) -> int:
    """Exchange the two bytes of a 16-bit value (0x4B37 -> 0x374B)."""
    return ((value & 0xFF) << 8) | (value >> 8)


def format_crc(value: int) -> str:
    """The four upper-case hexadecimal digits a frame carries for ``value``."""
    return f"{value:04X}"
