"""Issue #19: a point is online only on frames the gateway accepted, and a data time the
gateway would refuse (2099) is never a point's latest data time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecer.web.monitoring import services
from ecer.web.monitoring.models import MonitoringPoint, RawFrame
from tests.web.test_rollups import add, beijing

pytestmark = pytest.mark.django_db

NOW = beijing(2024, 3, 10, 10, 20)


@pytest.fixture
def point() -> MonitoringPoint:
    return MonitoringPoint.objects.create(
        mn="ECERHOSTILE0000000000001",
        name="敌意输入测试排放口",
        medium="gas",
        password="123456",
        data_cn="2051",
        interval_seconds=60,
    )


def frame(point: MonitoringPoint, status: str, reason: str = "") -> None:
    RawFrame.objects.create(
        received_at=NOW - timedelta(minutes=1),
        peer="10.0.0.9:5100",
        mn=point.mn,
        cn="2051",
        data=b"",
        text="",
        status=status,
        quarantine_reason=reason,
    )


def test_a_refused_frame_does_not_make_a_point_online(point: MonitoringPoint) -> None:
    frame(point, "quarantined", "wrong password (PW)")
    frame(point, "quarantined", "implausible DataTime 2099-01-01 00:00:00")
    assert services.last_seen([point]) == {}
    [status] = services.point_statuses([point], services.Period(NOW.date(), NOW.date()), NOW)
    assert status.connection.offline


def test_an_accepted_frame_or_its_repeat_makes_a_point_online(point: MonitoringPoint) -> None:
    frame(point, "duplicate")
    assert services.last_seen([point]) == {point.mn: NOW - timedelta(minutes=1)}


def test_a_data_time_in_2099_is_never_the_latest(point: MonitoringPoint) -> None:
    add(point, [(NOW - timedelta(minutes=5), 10.0, "N"), (beijing(2099, 1, 1), 10.0, "N")])
    assert services.latest_data_times([point], NOW) == {point.pk: NOW - timedelta(minutes=5)}


def test_a_data_time_within_the_allowed_skew_is_the_latest(point: MonitoringPoint) -> None:
    add(point, [(NOW + timedelta(minutes=5), 10.0, "N")])
    assert services.latest_data_times([point], NOW) == {point.pk: NOW + timedelta(minutes=5)}
