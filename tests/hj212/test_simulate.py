"""Simulated stations: plausible, standard-conforming traffic; a run against a gateway."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from datetime import datetime

import pytest

from ecer.cli import main
from ecer.hj212.codec import STRICT, parse_frame
from ecer.hj212.framing import RawFrame, split_stream
from ecer.hj212.simulate import (
    DAILY,
    HOURLY,
    MINUTE,
    REALTIME,
    REFERENCE_O2_PERCENT,
    QnClock,
    Readings,
    converted_concentration,
    data_frame,
    emitted_mass_kg,
    interval_start,
    station_fleet,
)
from ecer.hj212.storage import MEASUREMENT_TABLE, RAW_FRAME_TABLE
from tests.hj212.conftest import CORPUS_FILES
from tests.hj212.test_durability import Server
from tests.hj212.test_storage import fresh_sqlite

WATER, GAS = station_fleet(2)
MOMENT = datetime(2024, 3, 1, 10, 17, 33)


def test_converted_concentration_worked_example():
    # 100 mg/m³ measured at 9 % O2, reference 6 %: 100 × (21 − 6) / (21 − 9) = 100 × 15/12
    # = 125 mg/m³.
    assert converted_concentration(100.0, 9.0, 6.0) == pytest.approx(125.0)


def test_emitted_mass_worked_example():
    # COD 50 mg/L at 20 L/s for 10 min: 50 × 20 × 600 = 600 000 mg = 0.6 kg.
    assert emitted_mass_kg(50.0, 20.0, 600.0) == pytest.approx(0.6)


def test_interval_start():
    assert interval_start(MOMENT, 600) == datetime(2024, 3, 1, 10, 10)
    assert interval_start(MOMENT, 3600) == datetime(2024, 3, 1, 10, 0)
    assert interval_start(MOMENT, 86400) == datetime(2024, 3, 1)


def test_qns_increase_even_within_one_millisecond():
    clock = QnClock()
    qns = [clock.next(1_700_000_000.0) for _ in range(3)]
    assert len(set(qns)) == 3 and qns == sorted(qns)
    assert all(len(qn) == 17 and qn.isdigit() for qn in qns)


@pytest.mark.parametrize("station", [WATER, GAS], ids=["water", "gas"])
@pytest.mark.parametrize("cn", [REALTIME, MINUTE, HOURLY, DAILY])
def test_every_simulated_frame_conforms_to_hj212_2017(station, cn):
    frame = parse_frame(
        data_frame(station, Readings(station), cn, MOMENT, "20240301101733001"), STRICT
    )
    assert (frame.cn, frame.mn, frame.data_time, frame.reply_required) == (
        cn,
        station.mn,
        MOMENT,
        True,
    )
    expected = (
        {"w01018", "w21003", "w00000", "w01001"}
        if station is WATER
        else {"a21002", "a21026", "a34013", "a19001", "a00000", "a01012"}
    )
    assert set(frame.pollutants) == expected


def test_water_values_are_plausible_and_cou_is_the_emitted_mass():
    frame = parse_frame(data_frame(WATER, Readings(WATER), MINUTE, MOMENT, "20240301101733001"))
    cod, flow = frame.pollutants["w01018"], frame.pollutants["w00000"]
    assert 10 < cod["Avg"] < 100 and cod["Min"] <= cod["Avg"] <= cod["Max"]
    assert 6 < frame.pollutants["w01001"]["Avg"] < 9  # pH
    # Cou over the 600 s minute-data interval [kg] = Avg [mg/L] × flow [L/s] × 600 × 1e-6.
    assert cod["Cou"] == pytest.approx(cod["Avg"] * flow["Avg"] * 600e-6, rel=1e-2)
    # Flow Cou [m³] = flow [L/s] × 600 s / 1000.
    assert flow["Cou"] == pytest.approx(flow["Avg"] * 0.6, rel=1e-2)


def test_gas_converted_values_follow_the_oxygen_rule():
    frame = parse_frame(data_frame(GAS, Readings(GAS), HOURLY, MOMENT, "20240301101733001"))
    nox, o2 = frame.pollutants["a21002"], frame.pollutants["a19001"]
    assert 5 < o2["Avg"] < 15
    expected = converted_concentration(nox["Avg"], o2["Avg"], REFERENCE_O2_PERCENT)
    assert nox["ZsAvg"] == pytest.approx(expected, rel=1e-3)


def measurements_and_statuses(path) -> tuple[int, list[tuple[str, int]]]:
    with closing(sqlite3.connect(path)) as db:
        count = db.execute(f"SELECT count(*) FROM {MEASUREMENT_TABLE}").fetchone()[0]
        statuses = db.execute(
            f"SELECT status, count(*) FROM {RAW_FRAME_TABLE} GROUP BY status"
        ).fetchall()
    return count, statuses


def test_simulate_against_a_running_gateway(tmp_path, capsys):
    path = fresh_sqlite(tmp_path)
    url = f"sqlite:///{path}"
    server = Server(url, tmp_path)
    try:
        status = main(
            [
                "hj212",
                "simulate",
                "--port",
                str(server.port),
                "--stations",
                "4",
                "--seconds",
                "2",
                "--interval",
                "1",
                "--register",
                "--database-url",
                url,
                "--json",
            ]
        )
    finally:
        server.process.terminate()
        assert server.wait() == 0
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "registered 4 monitoring points"
    report = json.loads(lines[1])
    # Each station: daily, hourly and minute catch-up, then real-time every second.
    assert report["sent"] >= 4 * 4
    assert report["acknowledged"] == report["sent"] == report["expected"]
    assert report["errors"] == 0
    assert report["latency_p50_ms"] <= report["latency_p95_ms"]
    measurements, statuses = measurements_and_statuses(path)
    assert statuses == [("stored", report["sent"])]
    assert measurements > report["sent"]


def test_replay_sends_a_capture(tmp_path, capsys, corpus_dir):
    capture = tmp_path / "capture.h212"
    lines = (corpus_dir / CORPUS_FILES[0]).read_bytes().splitlines(keepends=True)[:300]
    capture.write_bytes(b"".join(lines))
    frames = sum(isinstance(item, RawFrame) for item in split_stream(capture.read_bytes()))
    path = fresh_sqlite(tmp_path)
    server = Server(f"sqlite:///{path}", tmp_path)
    try:
        main(
            [
                "hj212",
                "simulate",
                "--port",
                str(server.port),
                "--stations",
                "2",
                "--seconds",
                "1",
                "--replay",
                str(capture),
                "--json",
            ]
        )
        # These 2005-era frames ask for no reply, so the client cannot know when they are
        # stored: wait for the server to log them (a SIGTERM stops reading at once).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            _, statuses = measurements_and_statuses(path)
            if sum(count for _, count in statuses) >= 2 * frames:
                break
            time.sleep(0.1)
    finally:
        server.process.terminate()
        assert server.wait() == 0
    report = json.loads(capsys.readouterr().out)
    assert report["sent"] == 2 * frames
    # Unregistered stations of 2016 speaking HJ/T 212-2005: all logged, in quarantine.
    _, statuses = measurements_and_statuses(path)
    assert sum(count for _, count in statuses) >= 2 * frames
    assert dict(statuses).get("stored", 0) == 0
