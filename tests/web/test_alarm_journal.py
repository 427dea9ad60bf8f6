"""The alarm journal: the alarms a job judged and kept, whole across its runs.

Hourly data from 1 March 2024 (Beijing); COD is limited to 50 mg/L. The clock of the first
run stands at 10 March 10:20, so the last 7 days are 4–10 March.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine

from ecer.cli import main
from ecer.web.monitoring import journal, services
from ecer.web.monitoring.models import AlarmRecord, AlarmRun, MonitoringPoint, RawFrame
from tests.web.test_rollups import add, beijing, limited_point

pytestmark = pytest.mark.django_db

START = beijing(2024, 3, 1)
NOW = beijing(2024, 3, 10, 10, 20)
LAST_HOUR = 9 * 24 + 9  # 10 March 09:00: the latest hourly value due at NOW


def hour(index: int) -> datetime:
    return START + timedelta(hours=index)


def water(name: str, cod: dict[int, float | None], until: int = LAST_HOUR) -> MonitoringPoint:
    """A water point with hourly COD from hour 0 through ``until``: 20 mg/L unless in ``cod``;
    a value of None leaves the hour out."""
    rows = [(hour(i), cod.get(i, 20.0), "N") for i in range(until + 1)]
    return limited_point(
        "ECERJOURNAL", name, "water", {"w01018": [r for r in rows if r[1] is not None]}
    )


def kept(period: services.Period) -> set[tuple[Any, ...]]:
    return {
        (r.point.name, r.kind, r.start, r.end, r.ongoing, r.count)
        for r in journal.records(MonitoringPoint.objects.all(), period)
    }


def judged(period: services.Period, now: datetime) -> set[tuple[Any, ...]]:
    points = list(MonitoringPoint.objects.prefetch_related("pollutants"))
    return {
        (
            a.point.name,
            a.kind,
            a.start,
            a.end,
            a.ongoing,
            a.exceedance.count if a.exceedance else a.gap.missing if a.gap else None,
        )
        for alarms in services.point_alarm_lists(points, period, now)
        for a in alarms
    }


def frame(point: MonitoringPoint, received: datetime, data_time: datetime) -> None:
    """A stored hourly-data frame in the raw log (what the gateway writes with the values)."""
    RawFrame.objects.create(
        received_at=received,
        peer="10.0.0.9:5100",
        mn=point.mn,
        cn="2061",
        data_time=data_time,
        data=b"",
        text="",
        status="stored",
    )


def test_the_journal_keeps_what_judging_the_period_finds() -> None:
    water("clean", {})
    water("exceeds", {100: 80.0, 101: 90.0, 150: 60.0})
    water("gap ended", {h: None for h in range(120, 126)})
    water("stopped", {}, until=LAST_HOUR - 5)
    water("exceeds now", {LAST_HOUR - 1: 70.0, LAST_HOUR: 75.0})
    limited_point("ECERJOURNAL", "never sent", "water", {"w01018": []})
    period = services.Period.recent(NOW, 7)

    summary = journal.refresh(NOW)

    assert summary is not None and summary.first_day == date(2024, 3, 4)
    assert kept(period) == judged(period, NOW)
    names = {name for name, kind, *_ in kept(period) if kind != "offline"}
    assert names == {"exceeds", "gap ended", "stopped", "exceeds now", "never sent"}
    assert ("stopped", "gap", hour(LAST_HOUR - 4), hour(LAST_HOUR), True, 5) in kept(period)
    assert ("exceeds now", "exceedance", hour(LAST_HOUR - 1), hour(LAST_HOUR), True, 2) in kept(
        period
    )
    # Nothing was ever received: every point is offline since it never sent a frame.
    assert {(name, start) for name, kind, start, *_ in kept(period) if kind == "offline"} == {
        (name, None) for name in ("clean", "exceeds", "gap ended", "stopped", "exceeds now",
                                  "never sent")
    }  # fmt: skip
    run = journal.latest_run()
    assert run is not None and (run.points, run.records) == (6, summary.records)


def test_a_second_run_replaces_the_days_it_judges_again() -> None:
    point = water("exceeds", {100: 80.0}, until=LAST_HOUR - 3)
    journal.refresh(NOW)
    later = NOW + timedelta(hours=3)
    add(point, [(hour(h), 20.0, "N") for h in range(LAST_HOUR - 2, LAST_HOUR + 4)],
        cn="2061", pollutant="w01018")  # fmt: skip

    journal.refresh(later)

    period = services.Period.recent(later, 7)
    assert kept(period) == judged(period, later)
    assert AlarmRecord.objects.filter(kind="gap").count() == 0  # the data came
    assert AlarmRecord.objects.filter(kind="exceedance").count() == 1


def test_an_alarm_reaching_into_the_days_judged_is_judged_again_whole() -> None:
    # COD above the limit from 5 March 22:00 on: the first run judges everything since then.
    exceeding = {h: 80.0 for h in range(4 * 24 + 22, LAST_HOUR + 1)}
    point = water("exceeds", exceeding)
    journal.refresh(NOW)
    [first] = AlarmRecord.objects.filter(kind="exceedance")
    assert (first.start, first.ongoing, first.count) == (hour(4 * 24 + 22), True, 108)

    # Four days on, only 10–14 March are due again; the exceedance began on 5 March.
    later = NOW + timedelta(days=4)
    more = LAST_HOUR + 4 * 24
    rows = [(hour(h), 80.0 if h < more - 2 else 20.0, "N") for h in range(LAST_HOUR + 1, more + 1)]
    add(point, rows, cn="2061", pollutant="w01018")
    summary = journal.refresh(later)

    assert summary is not None and summary.first_day == date(2024, 3, 5)
    [whole] = AlarmRecord.objects.filter(kind="exceedance")
    assert (whole.start, whole.end, whole.ongoing) == (hour(4 * 24 + 22), hour(more - 3), False)
    assert whole.count == more - 3 - (4 * 24 + 22) + 1


def test_a_run_continuing_across_the_edge_of_the_days_judged_stays_one() -> None:
    # An exceedance of 6 March 23:00 that the next value, 7 March 00:00, continues.
    point = water("edge", {6 * 24 - 1: 80.0}, until=6 * 24 - 1)
    journal.refresh(beijing(2024, 3, 7, 0, 30), since=date(2024, 3, 6))
    add(point, [(hour(6 * 24), 90.0, "N"), (hour(6 * 24 + 1), 20.0, "N")],
        cn="2061", pollutant="w01018")  # fmt: skip

    journal.refresh(beijing(2024, 3, 7, 2, 30), days=1)  # judges 7 March only, but …

    [run] = AlarmRecord.objects.filter(kind="exceedance")
    assert (run.start, run.end, run.count, run.peak) == (hour(6 * 24 - 1), hour(6 * 24), 2, 90.0)


def test_late_data_are_judged_from_their_day() -> None:
    # A 6-hour gap on 2 March, judged as such …
    missing = range(30, 36)
    point = water("late", {h: None for h in missing})
    journal.refresh(NOW, since=date(2024, 3, 1))
    assert AlarmRecord.objects.filter(kind="gap").count() == 1
    # … then the logger resends those hours (补发): their frames arrive after the run.
    received = NOW + timedelta(minutes=10)
    add(point, [(hour(h), 20.0, "N") for h in missing], cn="2061", pollutant="w01018")
    for h in missing:
        frame(point, received, hour(h))

    summary = journal.refresh(NOW + timedelta(minutes=20))

    assert summary is not None and summary.first_day == date(2024, 3, 2)
    assert not AlarmRecord.objects.filter(kind="gap").exists()
    # One point judged again from 2 March: the run judged every point from 4 March only.
    assert journal.latest_run().first_day == date(2024, 3, 4)  # type: ignore[union-attr]


def test_an_offline_episode_ends_at_the_first_frame_after_it() -> None:
    point = water("link", {})
    frame(point, NOW - timedelta(hours=3), hour(LAST_HOUR - 2))
    journal.refresh(NOW)
    [offline] = AlarmRecord.objects.filter(kind="offline")
    assert (offline.start, offline.ongoing) == (NOW - timedelta(hours=3), True)

    back = NOW + timedelta(minutes=5)
    frame(point, back, hour(LAST_HOUR - 1))
    frame(point, back + timedelta(minutes=1), hour(LAST_HOUR))
    journal.refresh(NOW + timedelta(minutes=10))
    offline.refresh_from_db()
    assert (offline.end, offline.ongoing) == (back, False)
    assert AlarmRecord.objects.filter(kind="offline").count() == 1

    # Silent again for more than two hours: a second episode from its last frame.
    journal.refresh(back + timedelta(hours=3))
    episodes = AlarmRecord.objects.filter(kind="offline").order_by("start")
    assert [(e.start, e.ongoing) for e in episodes] == [
        (NOW - timedelta(hours=3), False),
        (back + timedelta(minutes=1), True),
    ]


def test_the_list_reads_the_journal_and_runs_it_when_stale(
    admin_client: Any, settings: Any
) -> None:
    settings.ECER_ALARM_MAX_AGE = 300
    water("exceeds", {200: 80.0})
    with time_machine.travel(NOW, tick=False):
        html = admin_client.get("/monitoring/alarms/?kind=exceedance").content.decode()
        assert "共 1 条报警" in html and "判定于 2024-03-10 10:20" in html
        # Within the age allowed the list shows the journal as it is, not the data.
        AlarmRecord.objects.all().delete()
        assert "共 0 条报警" in admin_client.get("/monitoring/alarms/").content.decode()
    with time_machine.travel(NOW + timedelta(minutes=6), tick=False):
        html = admin_client.get("/monitoring/alarms/?kind=exceedance").content.decode()
        assert "共 1 条报警" in html and "判定于 2024-03-10 10:26" in html
    assert AlarmRun.objects.count() == 2


def test_the_list_shows_alarms_reaching_into_the_period_whole(admin_client: Any) -> None:
    water("exceeds", {h: 80.0 for h in range(4 * 24, 6 * 24)})  # 5 and 6 March
    journal.refresh(NOW, since=date(2024, 3, 1))
    with time_machine.travel(NOW, tick=False):
        response = admin_client.get("/monitoring/alarms/?kind=exceedance&start=2024-03-06")
        [alarm] = response.context["alarms"]
        assert (alarm.start, alarm.end, alarm.count) == (hour(4 * 24), hour(6 * 24 - 1), 48)
        assert "48 个有效数据超标，最大 80" in response.content.decode()
        # Before the first day judged the page says so.
        html = admin_client.get("/monitoring/alarms/?start=2024-02-20").content.decode()
        assert "报警自 2024-03-01 起判定" in html
        html = admin_client.get("/monitoring/alarms/?start=2024-03-01").content.decode()
        assert 'data-testid="judged-from"' not in html


def test_the_command_judges_the_days_asked(capsys: pytest.CaptureFixture[str]) -> None:
    water("exceeds", {30: 80.0})
    with time_machine.travel(NOW, tick=False):
        assert main(["monitoring", "alarms", "--days", "2"]) == 0
        assert "judged 1 points from 2024-03-09" in capsys.readouterr().out
        assert not AlarmRecord.objects.filter(kind="exceedance").exists()
        assert main(["monitoring", "alarms", "--since", "2024-03-01"]) == 0
        assert AlarmRecord.objects.filter(kind="exceedance").count() == 1
        assert main(["monitoring", "alarms", "--since", "2024-03-11"]) == 1
        assert "in the future" in capsys.readouterr().err


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_must_not_wait_gives_way_to_one_running() -> None:
    import psycopg
    from django.db import connection

    from ecer.hj212.storage import postgres_conninfo

    water("exceeds", {30: 80.0})
    name = connection.settings_dict["NAME"]
    conninfo = postgres_conninfo(os.environ["DATABASE_URL"], dbname=name)
    with psycopg.connect(conninfo) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [journal.LOCK_KEY])
        assert journal.refresh(NOW, wait=False) is None
        assert not AlarmRun.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [journal.LOCK_KEY])
    assert journal.refresh(NOW, wait=False) is not None


def test_the_admin_shows_the_journal_read_only(admin_client: Any) -> None:
    water("exceeds", {30: 80.0})
    journal.refresh(NOW, since=date(2024, 3, 1))
    record = AlarmRecord.objects.get(kind="exceedance")
    assert "exceeds" in admin_client.get("/admin/monitoring/alarmrecord/").content.decode()
    assert admin_client.get(f"/admin/monitoring/alarmrecord/{record.pk}/change/").status_code == 200
    assert admin_client.get("/admin/monitoring/alarmrecord/add/").status_code == 403
    assert admin_client.get("/admin/monitoring/alarmrun/").status_code == 200


def test_old_runs_are_forgotten_but_the_first_day_judged_is_kept() -> None:
    water("exceeds", {30: 80.0})
    journal.refresh(NOW, since=date(2024, 3, 1))
    for hours in range(1, 200, 6):  # every six hours for eight days
        journal.refresh(NOW + timedelta(hours=hours))
    latest = NOW + timedelta(hours=199)
    kept = AlarmRun.objects.order_by("judged_at")
    assert kept.first().judged_at == NOW  # type: ignore[union-attr]
    assert all(r.judged_at >= latest - journal.RUNS_KEPT for r in kept[1:])
    assert journal.first_day_judged() == date(2024, 3, 1)
    assert journal.latest_run().judged_at == latest  # type: ignore[union-attr]
