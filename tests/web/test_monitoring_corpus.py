"""Real field traffic through the storage writer, then the validity-rate page.

Two data loggers of the corpus (../shared/corpus/hj212, read-only) sending real-time data
(CN=2011) are registered as points of one enterprise, their frames of 2016-08-24 stored
through ``ecer.hj212.storage``'s writer, and the validity page for that day is read.

Counted by hand in the corpus (``grep -a "MN=…;" | grep CN=2011 | grep DataTime=20160824``):
- LD130102000172, a value per minute: 56 frames in the 00 file and 60 in the 05 file = 116,
  each with COD (011), NH3-N (060) and flow (B01) flagged N, except one NH3-N flagged D.
  Valid: 116 + 115 + 116 = 347. Due: 1,440 minutes × 3 factors = 4,320. Rate 8.03 %.
- ZG130102201215, a value every 30 s: 103 + 120 = 223 frames; COD flagged N, flow flagged
  D in every one. Valid: 223 + 0 = 223. Due: 2,880 × 2 = 5,760. Rate 3.87 %.
- The enterprise: (347 + 223) / (4,320 + 5,760) = 570 / 10,080 = 5.65 %.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from ecer.hj212.codec import LENIENT, FrameError, parse_frame
from ecer.hj212.framing import RawFrame, split_stream
from ecer.hj212.storage import (
    DUPLICATE,
    STORED,
    FrameWriter,
    PostgresFrameWriter,
    ReceivedFrame,
    SQLiteFrameWriter,
    postgres_conninfo,
)
from ecer.web.monitoring.models import Measurement, MonitoringPoint, PointPollutant

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "hj212"
FILES = ("2016-08-24_00.h212", "2016-08-24_05.h212")
CODE = "91130102MA0CORPUS1"
POINTS = {
    # MN: (interval [s], factors)
    "LD130102000172": (60, ["w01018", "w21003", "w00000"]),
    "ZG130102201215": (30, ["w01018", "w00000"]),
}


def corpus_frames(mn: str) -> list[bytes]:
    if not all((CORPUS / name).is_file() for name in FILES):
        pytest.fail(f"HJ 212 corpus missing in {CORPUS.resolve()}")
    frames = []
    for name in FILES:
        for item in split_stream((CORPUS / name).read_bytes()):
            if isinstance(item, RawFrame) and f"MN={mn};".encode() in item.data:
                frames.append(item.data)
    return frames


def writer() -> FrameWriter:
    """The storage writer on the test database (Django's own in-memory SQLite connection)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return SQLiteFrameWriter("test-database", connection=connection.connection)
    name = connection.settings_dict["NAME"]
    return PostgresFrameWriter(postgres_conninfo(os.environ["DATABASE_URL"], dbname=name))


def test_validity_page_on_real_traffic(admin_client: Any) -> None:
    store = writer()
    try:
        for mn, (seconds, factors) in POINTS.items():
            point = MonitoringPoint.objects.create(
                mn=mn,
                name=f"语料 {mn}",
                enterprise_name="语料企业",
                enterprise_code=CODE,
                medium="water",
                password="123456",
                tolerance="lenient",
                data_cn="2011",
                interval_seconds=seconds,
            )
            for code in factors:
                PointPollutant.objects.create(point=point, pollutant=code)
            batch = []
            for data in corpus_frames(mn):
                try:
                    frame = parse_frame(data, LENIENT)
                except FrameError:
                    continue
                received_at = datetime(2016, 8, 24, 6, tzinfo=UTC)
                batch.append(
                    ReceivedFrame(received_at, "corpus", data, frame, STORED, "", point.pk)
                )
            results = store.write_batch(batch)
            outcomes = {(item.frame.cn, r.status) for item, r in zip(batch, results, strict=True)}
            # Every real-time frame is new; loggers repeat some hourly and daily uploads.
            assert ("2011", STORED) in outcomes
            assert ("2011", DUPLICATE) not in outcomes
    finally:
        if connection.vendor != "sqlite":
            store.close()

    real_time = Measurement.objects.filter(point__mn="LD130102000172", cn="2011", kind="Rtd")
    assert real_time.filter(data_time__date="2016-08-24").count() >= 116 * 3
    response = admin_client.get("/monitoring/validity/?start=2016-08-24&end=2016-08-24")
    assert response.status_code == 200
    [enterprise] = response.context["enterprises"]
    by_mn = {s.point.mn: s.validity for s in enterprise.points}
    assert (by_mn["LD130102000172"].valid, by_mn["LD130102000172"].expected) == (347, 4320)
    assert (by_mn["ZG130102201215"].valid, by_mn["ZG130102201215"].expected) == (223, 5760)
    assert (enterprise.validity.valid, enterprise.validity.expected) == (570, 10080)
    html = response.content.decode()
    for shown in ("8.03%", "3.87%", "5.65%"):
        assert shown in html
