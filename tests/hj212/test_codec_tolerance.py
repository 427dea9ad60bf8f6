"""Strict by default; each field deviation accepted only by its policy flag, and recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from ecer.hj212.codec import (
    LENIENT,
    STRICT,
    FrameError,
    TolerancePolicy,
    encode_frame,
    parse_frame,
)
from ecer.hj212.crc import format_crc, modbus_crc16, swap_bytes
from tests.hj212.conftest import EXAMPLE_MN

QN = "20160801085857223"
HEAD = f"QN={QN};ST=32;CN=2011;PW=123456;MN={EXAMPLE_MN};Flag=4"
# A real HJ/T 212-2005 line from the corpus (no QN, no Flag, 17-digit DataTime).
OLD = (
    b"##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;"
    b"B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n"
)


def frame_of(segment: str) -> bytes:
    return encode_frame(segment)


def with_crc(frame: bytes, crc: str) -> bytes:
    return frame[:-6] + crc.encode() + b"\r\n"


def test_frame_error_is_a_value_error_with_offset_field_and_reason():
    error = FrameError(7, "CRC", "bad")
    assert isinstance(error, ValueError)
    assert (error.offset, error.field, error.reason) == (7, "CRC", "bad")


def test_a_wrong_crc_is_reported_at_the_crc_position():
    frame = with_crc(frame_of(f"{HEAD};CP=&&&&"), "0000")
    with pytest.raises(FrameError) as caught:
        parse_frame(frame, LENIENT)
    assert (caught.value.field, caught.value.offset) == ("CRC", len(frame) - 6)


def test_crc_hex_digits_compare_case_insensitively():
    frame = frame_of(f"{HEAD};CP=&&&&")
    assert parse_frame(with_crc(frame, frame[-6:-2].decode().lower()), STRICT).cn == "2011"


def test_plain_modbus_crc_is_refused_even_when_lenient():
    segment = f"{HEAD};CP=&&&&"
    frame = with_crc(frame_of(segment), format_crc(modbus_crc16(segment.encode())))
    with pytest.raises(FrameError, match="CRC"):
        parse_frame(frame, LENIENT)


def test_byte_swapped_modbus_crc_is_refused_by_strict():
    segment = f"{HEAD};CP=&&&&"
    frame = with_crc(frame_of(segment), format_crc(swap_bytes(modbus_crc16(segment.encode()))))
    with pytest.raises(FrameError, match="CRC"):
        parse_frame(frame, STRICT)


def test_byte_swapped_modbus_crc_is_accepted_by_its_flag_and_recorded():
    segment = f"{HEAD};CP=&&&&"
    frame = with_crc(frame_of(segment), format_crc(swap_bytes(modbus_crc16(segment.encode()))))
    policy = TolerancePolicy(allow_modbus_crc_swapped=True)
    assert parse_frame(frame, policy).deviations == ("modbus_crc_byte_swapped",)


def test_length_mismatch_is_reported_at_the_length_field():
    frame = frame_of(f"{HEAD};CP=&&&&")
    with pytest.raises(FrameError) as caught:
        parse_frame(b"##0099" + frame[6:], LENIENT)
    assert (caught.value.field, caught.value.offset) == ("length", 2)


def test_length_counts_bytes_of_utf8_text():
    # "总磷" is 6 bytes in UTF-8, so the segment is 6 - 2 = 4 bytes longer than its characters.
    segment = f"{HEAD};CP=&&DataTime=20160801084000;i13004-Info=总磷&&"
    frame = frame_of(segment)
    assert int(frame[2:6]) == len(segment) + 4
    assert parse_frame(frame, STRICT).info == {"i13004": "总磷"}


def test_gbk_text_is_decoded_and_counted_in_bytes():
    segment = f"{HEAD};CP=&&DataTime=20160801084000;i13004-Info=总磷&&".encode("gbk")
    assert parse_frame(encode_frame(segment), STRICT).info == {"i13004": "总磷"}


def test_error_offsets_count_bytes_after_non_ascii_text():
    # The bad value sits after 2 GBK characters (4 bytes): its offset is in bytes.
    prefix = f"{HEAD};CP=&&i13004-Info=总磷;w01018-Rtd="
    frame = encode_frame(f"{prefix}x&&".encode("gbk"))
    with pytest.raises(FrameError) as caught:
        parse_frame(frame, STRICT)
    assert caught.value.offset == 6 + len(prefix.encode("gbk"))


def test_the_2005_line_is_refused_by_strict_at_the_missing_qn():
    with pytest.raises(FrameError) as caught:
        parse_frame(OLD, STRICT)
    assert caught.value.field == "QN"


def test_the_2005_line_is_accepted_by_lenient_with_its_deviations():
    frame = parse_frame(OLD, LENIENT)
    assert frame.deviations == ("missing_qn", "missing_flag", "datatime_milliseconds")
    assert frame.version == "2005"
    assert frame.data_time == datetime(2016, 8, 24, 0, 38, 17)
    assert frame.pollutants["011"] == {"Rtd": 231.0, "Flag": "N"}


def test_each_deviation_needs_its_own_flag():
    only_qn = TolerancePolicy(allow_missing_qn=True)
    with pytest.raises(FrameError) as caught:
        parse_frame(OLD, only_qn)
    assert caught.value.field == "Flag"


def test_datatime_with_milliseconds_keeps_them():
    frame = parse_frame(
        frame_of(f"{HEAD};CP=&&DataTime=20160801084000123&&"),
        TolerancePolicy(allow_datatime_milliseconds=True),
    )
    assert frame.data_time == datetime(2016, 8, 1, 8, 40, 0, 123000)
    assert frame.deviations == ("datatime_milliseconds",)


def test_impossible_datatime_is_an_error_in_any_mode():
    with pytest.raises(FrameError) as caught:
        parse_frame(frame_of(f"{HEAD};CP=&&DataTime=20161301084000&&"), LENIENT)
    assert caught.value.field == "DataTime"


def test_duplicate_key_is_refused_by_strict():
    segment = f"{HEAD};CP=&&01-Rtd=1.0,01-Flag=N;01-ZsRtd=2.0,01-Flag=D&&"
    with pytest.raises(FrameError) as caught:
        parse_frame(frame_of(segment), STRICT)
    assert caught.value.field == "01-Flag"
    assert caught.value.offset == 6 + segment.index("01-Flag=D")


def test_duplicate_key_keeps_the_first_value_when_allowed():
    segment = f"{HEAD};CP=&&01-Rtd=1.0,01-Flag=N;01-ZsRtd=2.0,01-Flag=D&&"
    frame = parse_frame(frame_of(segment), TolerancePolicy(allow_duplicate_keys=True))
    assert frame.pollutants["01"] == {"Rtd": 1.0, "Flag": "N", "ZsRtd": 2.0}
    assert frame.deviations == ("duplicate_key",)


@pytest.mark.parametrize(
    ("cn", "cp"), [("8013", "HeartbeatTime=120"), ("9015", "DataTime=20160823234442;CON-RT=0")]
)
def test_vendor_heartbeats_need_the_vendor_command_flag(cn, cp):
    frame = frame_of(f"QN={QN};ST=91;CN={cn};PW=123456;MN={EXAMPLE_MN};Flag=4;CP=&&{cp}&&")
    with pytest.raises(FrameError, match="CN"):
        parse_frame(frame, STRICT)
    policy = TolerancePolicy(allow_vendor_commands=True)
    assert parse_frame(frame, policy).deviations == ("vendor_command",)


def test_data_segment_over_1024_bytes_needs_the_oversize_flag():
    values = ";".join(f"w01018-Rtd={i}" if i == 0 else f"x{i:05d}-Rtd=1.0" for i in range(80))
    frame = frame_of(f"{HEAD};CP=&&{values}&&")
    assert int(frame[2:6]) > 1024
    with pytest.raises(FrameError, match="length"):
        parse_frame(frame, STRICT)
    assert parse_frame(frame, LENIENT).deviations == ("oversize_data_segment",)


def test_nul_system_code_needs_the_invalid_st_flag():
    frame = frame_of(f"QN={QN};ST=\x00\x00;CN=2011;PW=123456;MN={EXAMPLE_MN};Flag=4;CP=&&&&")
    with pytest.raises(FrameError, match="ST"):
        parse_frame(frame, STRICT)
    assert parse_frame(frame, LENIENT).deviations == ("invalid_st",)


def test_unknown_header_field_needs_its_flag():
    frame = frame_of(f"{HEAD};VerSion=2.5;CP=&&&&")
    with pytest.raises(FrameError, match="VerSion"):
        parse_frame(frame, STRICT)
    assert parse_frame(frame, LENIENT).deviations == ("unknown_field",)


def test_unknown_data_flag_needs_its_flag():
    frame = frame_of(f"{HEAD};CP=&&w01018-Rtd=1,w01018-Flag=X&&")
    with pytest.raises(FrameError, match="w01018-Flag"):
        parse_frame(frame, STRICT)
    assert parse_frame(frame, LENIENT).deviations == ("unknown_data_flag",)


def test_unknown_version_bits_need_their_flag():
    frame = frame_of(f"QN={QN};ST=32;CN=2011;PW=123456;MN={EXAMPLE_MN};Flag=8;CP=&&&&")
    with pytest.raises(FrameError, match="Flag"):
        parse_frame(frame, STRICT)
    assert parse_frame(frame, LENIENT).deviations == ("unknown_flag_version",)


def test_d_bit_without_packet_numbers_needs_its_flag():
    frame = frame_of(f"QN={QN};ST=32;CN=2011;PW=123456;MN={EXAMPLE_MN};Flag=7;CP=&&&&")
    with pytest.raises(FrameError, match="Flag"):
        parse_frame(frame, STRICT)
    assert parse_frame(frame, LENIENT).deviations == ("missing_packet_numbers",)


@pytest.mark.parametrize(
    ("segment", "field"),
    [
        (f"{HEAD};CP=&&w01018-Rtd=abc&&", "w01018-Rtd"),
        (f"{HEAD};CP=&&w01018-Rtd=nan&&", "w01018-Rtd"),
        (f"{HEAD};CP=&&w01018-Rtd=1_0&&", "w01018-Rtd"),
        (f"{HEAD};CP=&&w01018-Rtd&&", "CP"),
        (f"{HEAD};CP=&&w01018-Rtd=1", "CP"),
        (f"{HEAD}", "CP"),
        (f"QN=2016;ST=32;CN=2011;PW=1;MN={EXAMPLE_MN};Flag=4;CP=&&&&", "QN"),
        (f"QN={QN};ST=32;CN=20111;PW=1;MN={EXAMPLE_MN};Flag=4;CP=&&&&", "CN"),
        (f"QN={QN};ST=32;CN=2011;PW=1;Flag=4;CP=&&&&", "MN"),
        (f"QN={QN};ST=32;CN=2011;PW=1;MN={EXAMPLE_MN};Flag=256;CP=&&&&", "Flag"),
        (f"{HEAD};PNUM=2;CP=&&&&", "PNO"),
        (f"QN={QN};ST=32;CN=2011;PW=1;MN=A;Flag=7;PNUM=2;PNO=3;CP=&&&&", "PNO"),
    ],
)
def test_broken_fields_are_errors_even_when_lenient(segment, field):
    with pytest.raises(FrameError) as caught:
        parse_frame(frame_of(segment), LENIENT)
    assert caught.value.field == field


def test_lenient_preset_allows_every_deviation_and_strict_none():
    flags = [name for name in TolerancePolicy.__dataclass_fields__]
    assert all(getattr(LENIENT, name) for name in flags)
    assert not any(getattr(STRICT, name) for name in flags)
    with pytest.raises(AttributeError):
        STRICT.allow_missing_qn = True  # type: ignore[misc]
    assert replace(STRICT, allow_missing_qn=True).allow_missing_qn


@pytest.mark.parametrize(
    ("segment", "version"),
    [
        (f"QN={QN};ST=32;CN=2011;PW=1;MN=LD130133000015;Flag=0;CP=&&w01018-Rtd=1&&", "2005"),
        (f"QN={QN};ST=32;CN=2011;PW=1;MN=LD130133000015;Flag=4;CP=&&011-Rtd=1&&", "2017"),
        (f"QN={QN};ST=32;CN=2011;PW=1;MN=LD130133000015;CP=&&w01018-Rtd=1&&", "2017"),
        (f"QN={QN};ST=32;CN=2011;PW=1;MN={EXAMPLE_MN};CP=&&011-Rtd=1&&", "2005"),
        (f"QN={QN};ST=32;CN=2011;PW=1;MN={EXAMPLE_MN};CP=&&&&", "2017"),
        (f"QN={QN};ST=32;CN=2011;PW=1;MN=LD130133000015;CP=&&&&", "2005"),
    ],
)
def test_version_from_flag_bits_then_codes_then_mn_length(segment, version):
    assert parse_frame(frame_of(segment), LENIENT).version == version
