"""Responses built exactly as HJ 212-2017 Annex C shows them."""

from __future__ import annotations

from ecer.hj212.codec import (
    LENIENT,
    STRICT,
    build_data_response,
    build_notice_response,
    build_request_response,
    encode_frame,
    parse_frame,
)
from tests.hj212.conftest import EXAMPLE_MN
from tests.hj212.test_crc import annex_a_reference

UPLOAD = encode_frame(
    f"QN=20160801085000001;ST=32;CN=2011;PW=123456;MN={EXAMPLE_MN};Flag=5;"
    "CP=&&DataTime=20160801084000;w01018-Rtd=50.1,w01018-Flag=N&&"
)


def test_data_response_is_byte_exact():
    # Expected bytes as printed by an independent implementation (xiaoyao9184/hj-t212-parser)
    # for the 9014 answer to QN=20160801085000001: length 0087, CRC C241.
    expected = (
        b"##0087QN=20160801085000001;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;"
        b"Flag=4;CP=&&&&C241\r\n"
    )
    assert build_data_response(parse_frame(UPLOAD, STRICT)) == expected


def test_notice_response_is_byte_exact():
    segment = (
        b"QN=20160801085000001;ST=91;CN=9013;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&"
    )
    # 87 bytes, like the 9014 response; CRC by the bitwise Annex A reference.
    expected = b"##0087" + segment + b"%04X\r\n" % annex_a_reference(segment)
    assert build_notice_response(parse_frame(UPLOAD, STRICT)) == expected


def test_request_response_carries_qnrtn():
    segment = (
        b"QN=20160801085000001;ST=91;CN=9011;PW=123456;MN=010000A8900016F000169DC0;"
        b"Flag=4;CP=&&QnRtn=1&&"
    )
    expected = b"##%04d" % len(segment) + segment + b"%04X\r\n" % annex_a_reference(segment)
    assert build_request_response(parse_frame(UPLOAD, STRICT)) == expected


def test_request_response_with_another_return_code():
    reply = parse_frame(build_request_response(parse_frame(UPLOAD, STRICT), qn_rtn=2), STRICT)
    assert reply.items == {"QnRtn": "2"}


def test_responses_keep_pw_and_mn_of_the_upload():
    upload = encode_frame("QN=20160801085000001;ST=32;CN=2011;PW=654321;MN=A1;Flag=5;CP=&&&&")
    reply = parse_frame(build_data_response(parse_frame(upload, STRICT)), STRICT)
    assert (reply.pw, reply.mn, reply.st, reply.flag) == ("654321", "A1", "91", 4)


def test_response_to_a_2005_upload_without_qn_has_no_qn_field():
    upload = (
        b"##0073ST=32;CN=8013;PW=123456;MN=ZG130182201205;Flag=0;CP=&&HeartbeatTime=120&&0500\r\n"
    )
    reply = build_data_response(parse_frame(upload, LENIENT))
    # Length by hand: "ST=91;" 6 + "CN=9014;" 8 + "PW=123456;" 10 + "MN=ZG130182201205;" 18
    # + "Flag=4;" 7 + "CP=&&&&" 7 = 56.
    assert reply.startswith(b"##0056ST=91;CN=9014;PW=123456;MN=ZG130182201205;Flag=4;CP=&&&&")
