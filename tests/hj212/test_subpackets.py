"""Subpacketed messages (Flag bit D, PNUM/PNO) reassembled with a timeout."""

from __future__ import annotations

from datetime import datetime

import pytest

from ecer.hj212.codec import (
    STRICT,
    Frame,
    IncompletePacket,
    SubpacketAssembler,
    build_data_response,
    encode_frame,
    parse_frame,
)
from tests.hj212.conftest import EXAMPLE_MN

QN = "20160801085000001"


def subpacket(pno: int, cp: str, pnum: int = 3, qn: str = QN) -> Frame:
    # Flag=7: version 2017 (000001), D=1 (packet numbers present), A=1 (reply required).
    segment = (
        f"QN={qn};ST=32;CN=2061;PW=123456;MN={EXAMPLE_MN};Flag=7;PNUM={pnum};PNO={pno};CP=&&{cp}&&"
    )
    return parse_frame(encode_frame(segment), STRICT)


PARTS = {
    1: "DataTime=20160801080000;w01018-Avg=50.1,w01018-Flag=N",
    2: "DataTime=20160801080000;w21003-Avg=1.2,w21003-Flag=N",
    3: "DataTime=20160801080000;w21011-Avg=0.3,w21011-Flag=N",
}


def test_subpacket_header_fields_are_parsed():
    part = subpacket(2, PARTS[2])
    assert (part.pnum, part.pno, part.has_packet_numbers, part.reply_required) == (3, 2, True, True)


@pytest.mark.parametrize("order", [(1, 2, 3), (3, 1, 2), (2, 3, 1)])
def test_message_completes_when_the_last_subpacket_arrives(order):
    assembler = SubpacketAssembler(timeout=60)
    results = [assembler.add(subpacket(pno, PARTS[pno]), now=i) for i, pno in enumerate(order)]
    assert results[:2] == [None, None]
    message = results[2]
    assert set(message.pollutants) == {"w01018", "w21003", "w21011"}
    assert message.cp == ";".join(PARTS[pno] for pno in (1, 2, 3))
    assert (message.pnum, message.pno, message.has_packet_numbers) == (None, None, False)
    assert message.data_time == datetime(2016, 8, 1, 8, 0)
    assert assembler.pending == 0


def test_incomplete_message_expires_after_the_timeout():
    assembler = SubpacketAssembler(timeout=30)
    assembler.add(subpacket(1, PARTS[1]), now=100.0)
    assembler.add(subpacket(3, PARTS[3]), now=110.0)
    assert assembler.expire(now=129.9) == []
    expired = assembler.expire(now=130.0)
    assert expired == [IncompletePacket(EXAMPLE_MN, QN, "2061", 3, (1, 3))]
    assert assembler.pending == 0


def test_late_subpacket_after_expiry_starts_a_new_message():
    assembler = SubpacketAssembler(timeout=30)
    assembler.add(subpacket(1, PARTS[1]), now=0.0)
    assembler.expire(now=31.0)
    assert assembler.add(subpacket(2, PARTS[2]), now=32.0) is None
    assert assembler.pending == 1


def test_duplicate_subpacket_is_ignored_and_counted():
    assembler = SubpacketAssembler()
    assembler.add(subpacket(1, PARTS[1]), now=0.0)
    assert assembler.add(subpacket(1, PARTS[1]), now=1.0) is None
    assembler.add(subpacket(2, PARTS[2]), now=2.0)
    assert assembler.add(subpacket(3, PARTS[3]), now=3.0) is not None
    assert assembler.duplicates == 1


def test_retransmission_after_completion_does_not_reopen_the_message():
    assembler = SubpacketAssembler()
    for pno in (1, 2, 3):
        assembler.add(subpacket(pno, PARTS[pno]), now=0.0)
    assert assembler.add(subpacket(3, PARTS[3]), now=1.0) is None
    assert (assembler.pending, assembler.duplicates) == (0, 1)


def test_messages_with_different_qn_are_kept_apart():
    assembler = SubpacketAssembler()
    assembler.add(subpacket(1, PARTS[1], pnum=2), now=0.0)
    other = "20160801090000001"
    assert assembler.add(subpacket(2, PARTS[2], pnum=2, qn=other), now=0.0) is None
    assert assembler.pending == 2


def test_a_frame_without_subpackets_passes_straight_through():
    segment = f"QN={QN};ST=32;CN=2011;PW=123456;MN={EXAMPLE_MN};Flag=5;CP=&&&&"
    frame = parse_frame(encode_frame(segment), STRICT)
    assert SubpacketAssembler().add(frame, now=0.0) is frame


def test_each_subpacket_is_answered_on_its_own_with_the_uploads_qn():
    # HJ 212-2017 Annex C: every subpacket with A=1 gets its own 9014 data response.
    replies = [build_data_response(subpacket(pno, PARTS[pno])) for pno in (1, 2, 3)]
    assert all(f"QN={QN};ST=91;CN=9014".encode() in reply for reply in replies)


def test_timeout_must_be_positive():
    with pytest.raises(ValueError):
        SubpacketAssembler(timeout=0)
