"""The example packets of HJ 212-2017 (ch. 6 example and Annex C command examples).

Each example is framed (length + Annex A CRC), parsed strictly, and must re-encode to the
very same bytes.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from ecer.hj212.codec import DATA_FLAGS, STRICT, encode_frame, parse_frame
from tests.hj212.conftest import EXAMPLE_MN

QN = "20160801085857223"
HEAD = f"QN={QN};ST=32;PW=123456;MN={EXAMPLE_MN}"

# (CN, Flag, data segment) of HJ 212-2017 Annex C, as quoted by several implementations
# (the standard's text itself was not available verbatim here).
EXAMPLES = [
    ("1062", 5, f"QN={QN};ST=32;CN=1062;PW=100000;MN={EXAMPLE_MN};Flag=5;CP=&&RtdInterval=30&&"),
    ("1072", 5, f"QN={QN};ST=32;CN=1072;PW=123456;MN={EXAMPLE_MN};Flag=5;CP=&&NewPW=654321&&"),
    ("2011", 5, f"QN={QN};ST=32;CN=2011;PW=123456;MN={EXAMPLE_MN};Flag=5;CP=&&&&"),
    ("2012", 5, f"QN={QN};ST=32;CN=2012;PW=123456;MN={EXAMPLE_MN};Flag=5;CP=&&&&"),
    (
        "2021",
        5,
        f"QN={QN};ST=32;CN=2021;PW=123456;MN={EXAMPLE_MN};Flag=5;"
        "CP=&&DataTime=20160801085857;SB1-RS=1;SB2-RS=0&&",
    ),
    (
        "3019",
        5,
        f"QN={QN};ST=32;CN=3019;PW=123456;MN={EXAMPLE_MN};Flag=5;"
        f"CP=&&DataTime=20160801085857;PolId=w01018;w01018-SN={EXAMPLE_MN[:-1]}1&&",
    ),
    ("9011", 4, f"QN={QN};ST=91;CN=9011;PW=123456;MN={EXAMPLE_MN};Flag=4;CP=&&QnRtn=1&&"),
    ("9012", 4, f"QN={QN};ST=91;CN=9012;PW=123456;MN={EXAMPLE_MN};Flag=4;CP=&&ExeRtn=1&&"),
    ("9013", 4, f"QN={QN};ST=91;CN=9013;PW=123456;MN={EXAMPLE_MN};Flag=4;CP=&&&&"),
    ("9014", 4, f"QN={QN};ST=91;CN=9014;PW=123456;MN={EXAMPLE_MN};Flag=4;CP=&&&&"),
]


@pytest.mark.parametrize(("cn", "flag", "segment"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_standard_example_parses_strictly(cn, flag, segment):
    frame = parse_frame(encode_frame(segment), STRICT)
    assert (frame.cn, frame.flag, frame.qn, frame.mn) == (cn, flag, QN, EXAMPLE_MN)
    assert frame.version == "2017"
    assert frame.deviations == ()


@pytest.mark.parametrize(("cn", "flag", "segment"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_flag_5_asks_for_a_reply_and_flag_4_does_not(cn, flag, segment):
    # Flag = V5..V0 D A: 5 = 000001 0 1 (2017, no subpackets, reply), 4 = 000001 0 0.
    frame = parse_frame(encode_frame(segment), STRICT)
    assert frame.reply_required is (flag == 5)
    assert frame.has_packet_numbers is False


def test_the_chapter_6_example_packet_is_accepted_byte_for_byte():
    packet = (
        b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
        b"Flag=5;CP=&&RtdInterval=30&&1C80\r\n"
    )
    frame = parse_frame(packet, STRICT)
    assert frame.items == {"RtdInterval": "30"}
    assert encode_frame(packet[6:-6]) == packet


def test_the_data_response_example_from_an_independent_implementation_parses():
    # Printed by xiaoyao9184/hj-t212-parser's tests as its 9014 output.
    packet = (
        b"##0087QN=20160801085000001;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;"
        b"Flag=4;CP=&&&&C241\r\n"
    )
    assert parse_frame(packet, STRICT).cn == "9014"


def test_equipment_states_of_the_2021_example():
    frame = parse_frame(encode_frame(EXAMPLES[4][2]), STRICT)
    assert frame.equipment == {"SB1": {"RS": "1"}, "SB2": {"RS": "0"}}
    assert frame.data_time == datetime(2016, 8, 1, 8, 58, 57)


def test_serial_number_item_of_the_3019_example():
    frame = parse_frame(encode_frame(EXAMPLES[5][2]), STRICT)
    assert frame.items["PolId"] == "w01018"
    assert frame.pollutants["w01018"]["SN"] == EXAMPLE_MN[:-1] + "1"


def test_realtime_upload_with_every_value_kind():
    segment = (
        f"{HEAD};CN=2011;Flag=5;CP=&&DataTime=20160801084000;"
        "w01018-Rtd=50.1,w01018-Flag=N,w01018-EFlag=A01,w01018-SampleTime=20160801083000;"
        "a21026-ZsRtd=-1.5,a21026-Flag=D&&"
    )
    frame = parse_frame(encode_frame(segment), STRICT)
    assert frame.pollutants == {
        "w01018": {"Rtd": 50.1, "Flag": "N", "EFlag": "A01", "SampleTime": "20160801083000"},
        "a21026": {"ZsRtd": -1.5, "Flag": "D"},
    }


def test_minute_data_with_min_avg_max_cou():
    segment = (
        f"{HEAD};CN=2051;Flag=4;CP=&&DataTime=20160801084000;"
        "w00000-Cou=12.5,w00000-Min=0.1,w00000-Avg=0.2,w00000-Max=0.3&&"
    )
    frame = parse_frame(encode_frame(segment), STRICT)
    assert frame.pollutants["w00000"] == {"Cou": 12.5, "Min": 0.1, "Avg": 0.2, "Max": 0.3}


@pytest.mark.parametrize("letter", sorted(DATA_FLAGS))
def test_every_data_flag_of_the_standard_is_accepted(letter):
    segment = f"{HEAD};CN=2011;Flag=4;CP=&&w01018-Rtd=1,w01018-Flag={letter}&&"
    assert parse_frame(encode_frame(segment), STRICT).pollutants["w01018"]["Flag"] == letter


def test_data_flag_table_has_the_eight_letters_with_meanings():
    assert "".join(DATA_FLAGS) == "NFMSDCTB"
    assert DATA_FLAGS["D"] == "在线监控（监测）仪器仪表故障"


def test_info_items_are_kept_by_code():
    segment = f"{HEAD};CN=3020;Flag=4;CP=&&DataTime=20160801084000;PolId=w01018;i12001-Info=1&&"
    assert parse_frame(encode_frame(segment), STRICT).info == {"i12001": "1"}
