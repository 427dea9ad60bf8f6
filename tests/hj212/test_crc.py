"""HJ 212-2017 Annex A CRC."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from ecer.hj212.crc import _PAIR, format_crc, hj212_crc16, modbus_crc16, swap_bytes


def annex_a_reference(data: bytes) -> int:
    """HJ 212-2017 Annex A, written out bit by bit as the standard states it."""
    reg = 0xFFFF
    for byte in data:
        reg = (reg >> 8) ^ byte
        for _ in range(8):
            check = reg & 0x0001
            reg >>= 1
            if check == 1:
                reg ^= 0xA001
    return reg


def test_it_gives_the_hj212_check_value_2f80():
    assert hj212_crc16(b"123456789") == 0x2F80


def test_modbus_check_value_is_4b37_not_the_hj212_one():
    assert modbus_crc16(b"123456789") == 0x4B37
    assert modbus_crc16(b"123456789") != hj212_crc16(b"123456789")


def test_it_matches_the_standards_example_packet():
    # HJ 212-2017 ch. 6 example packet: "##0101QN=…;CN=1062;…;CP=&&RtdInterval=30&&1C80":
    # the data segment is 101 bytes and carries CRC 1C80.
    segment = (
        b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
        b"Flag=5;CP=&&RtdInterval=30&&"
    )
    assert len(segment) == 101
    assert format_crc(hj212_crc16(segment)) == "1C80"


def test_empty_input_leaves_the_initial_register():
    assert hj212_crc16(b"") == 0xFFFF


@given(st.binary(max_size=300))
def test_table_driven_crc_equals_the_bitwise_annex_a_algorithm(data):
    assert hj212_crc16(data) == annex_a_reference(data)


@given(st.binary(max_size=50))
def test_it_accepts_bytearray_and_memoryview(data):
    assert hj212_crc16(bytearray(data)) == hj212_crc16(memoryview(data)) == hj212_crc16(data)


def test_swap_bytes_exchanges_high_and_low_byte():
    assert swap_bytes(0x4B37) == 0x374B


def test_format_crc_pads_to_four_upper_case_digits():
    assert format_crc(0x0A1) == "00A1"


def test_the_pair_table_is_two_annex_a_steps_for_every_pair():
    """Every entry of the 65,536-entry table (built by translate, see crc.py) against two
    steps of Annex A written out bit by bit: the high byte after XOR and eight shifts."""

    def step_high(value: int) -> int:
        for _ in range(8):
            value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
        return value >> 8

    high = [step_high(value) for value in range(256)]
    if sys.byteorder == "little":  # the first byte of the pair is the low byte of w
        expected = bytes(high[high[w & 0xFF] ^ (w >> 8)] for w in range(65536))
    else:  # pragma: no cover - big-endian hosts
        expected = bytes(high[high[w >> 8] ^ (w & 0xFF)] for w in range(65536))
    assert expected == _PAIR
