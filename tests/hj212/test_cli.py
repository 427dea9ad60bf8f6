"""``ecer hj212 parse``: one JSON object per frame or piece of junk."""

from __future__ import annotations

import io
import json
import select
import subprocess
import sys

import pytest

from ecer.cli import main
from ecer.hj212.codec import encode_frame

UPLOAD = encode_frame(
    "QN=20160801085857223;ST=32;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&DataTime=20160801084000;w01018-Rtd=50.1,w01018-Flag=N;011-Avg=3,011-Flag=D&&"
)
OLD = (
    b"##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;"
    b"B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n"
)
GARBAGE = b"garbage\r\n"
STREAM = UPLOAD + GARBAGE + OLD + UPLOAD[:-6] + b"0000\r\n"
OK_KEYS = {"ok", "version", "qn", "st", "cn", "mn", "flag", "data_time", "pollutants", "deviations"}


def run(capsys, *argv):
    status = main(["hj212", "parse", *argv])
    return status, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


@pytest.fixture
def stream_file(tmp_path):
    path = tmp_path / "capture.h212"
    path.write_bytes(STREAM)
    return path


def test_it_prints_one_object_per_frame_and_junk(capsys, stream_file):
    status, lines = run(capsys, str(stream_file))
    assert status == 0
    assert [line["ok"] for line in lines] == [True, False, True, False]


def test_an_accepted_frame_has_exactly_the_documented_keys(capsys, stream_file):
    _, lines = run(capsys, str(stream_file))
    assert set(lines[0]) == OK_KEYS
    assert lines[0] == {
        "ok": True,
        "version": "2017",
        "qn": "20160801085857223",
        "st": "32",
        "cn": "2011",
        "mn": "010000A8900016F000169DC0",
        "flag": 5,
        "data_time": "2016-08-01T08:40:00",
        "pollutants": {"w01018": {"Rtd": 50.1, "Flag": "N"}, "011": {"Avg": 3.0, "Flag": "D"}},
        "deviations": [],
    }


def test_errors_carry_the_stream_offset(capsys, stream_file):
    _, lines = run(capsys, str(stream_file))
    assert set(lines[1]) == {"ok", "offset", "error"}
    assert lines[1]["offset"] == len(UPLOAD)
    assert lines[3]["offset"] == len(UPLOAD) + len(GARBAGE) + len(OLD)
    assert lines[3]["error"].startswith("CRC:")


def test_default_is_lenient_and_reports_deviations(capsys, stream_file):
    _, lines = run(capsys, str(stream_file))
    assert lines[2]["version"] == "2005"
    assert lines[2]["qn"] is None
    assert lines[2]["flag"] is None
    assert lines[2]["deviations"] == ["missing_qn", "missing_flag", "datatime_milliseconds"]


def test_strict_rejects_the_deviating_frame(capsys, stream_file):
    _, lines = run(capsys, "--strict", str(stream_file))
    assert [line["ok"] for line in lines] == [True, False, False, False]
    assert lines[2]["error"].startswith("QN:")


def test_dash_reads_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(STREAM)))
    status, lines = run(capsys, "-")
    assert status == 0
    assert len(lines) == 4


def test_no_argument_reads_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(UPLOAD)))
    assert run(capsys)[1][0]["cn"] == "2011"


def test_unreadable_input_exits_1(capsys, tmp_path):
    status = main(["hj212", "parse", str(tmp_path / "missing.h212")])
    assert status == 1
    assert "cannot read" in capsys.readouterr().err


def test_hj212_without_subcommand_prints_help(capsys):
    assert main(["hj212"]) == 2
    assert "parse" in capsys.readouterr().out


def test_the_corpus_through_the_cli(capsys, corpus_dir):
    # README: 8,692 of the 8,696 lines of this file are valid frames.
    status, lines = run(capsys, str(corpus_dir / "2016-08-24_05.h212"))
    assert status == 0
    assert sum(line["ok"] for line in lines) == 8692
    assert sum(not line["ok"] for line in lines) == 4


def cli_process(*argv: str, **kwargs) -> subprocess.Popen:
    code = "import sys; from ecer.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, "hj212", "parse", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def test_a_live_feed_gets_each_line_as_soon_as_its_frame_is_complete():
    # Issue #25: nothing came out until 64 KiB had arrived. One frame goes in, its line must
    # come out while the input is still open (the timeout only guards against a hang).
    with cli_process("-", stdin=subprocess.PIPE) as process:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(OLD)
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "no line while the input stays open"
        assert json.loads(process.stdout.readline())["mn"] == "LD130133000015"
        process.stdin.write(GARBAGE)
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready
        assert json.loads(process.stdout.readline())["ok"] is False
        process.stdin.close()
        assert process.wait(60) == 0


def test_a_closed_output_pipe_ends_it_quietly(corpus_dir):
    # `ecer hj212 parse capture | head -1`: before, "cannot read FILE" and status 1.
    with cli_process(str(corpus_dir / "2016-08-24_00.h212")) as process:
        assert process.stdout is not None and process.stderr is not None
        assert json.loads(process.stdout.readline())["ok"] is True
        process.stdout.close()
        assert process.wait(60) == 0
        assert process.stderr.read() == b""
