"""The schedule (a table of plain callables), the recorded runs, and the report task."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ecer.web.jobs import queue, routines
from ecer.web.jobs.models import JobRun
from ecer.web.jobs.runs import run_entry
from ecer.web.jobs.schedule import SCHEDULE, Entry, ScheduleError, entries, find


def test_every_entry_names_a_callable_that_exists() -> None:
    for entry in SCHEDULE:
        assert callable(entry.callable()), entry
    assert {e.name for e in SCHEDULE} >= {
        "alarms",
        "partitions",
        "compaction",
        "rollups",
        "reminders",
    }


def test_intervals_can_be_changed_and_bad_ones_are_named() -> None:
    table = {e.name: e.interval for e in entries("alarms=60, rollups=7200")}
    assert table["alarms"] == 60 and table["rollups"] == 7200
    assert table["partitions"] == find("partitions").interval
    for bad, said in (("nosuch=5", "unknown job 'nosuch'"), ("alarms=x", "alarms=SECONDS"),
                      ("alarms=0", "at least 1 second")):  # fmt: skip
        with pytest.raises(ScheduleError, match=said):
            entries(bad)


def test_the_beat_schedule_sends_each_entry_with_an_expiry() -> None:
    schedule = queue.beat_schedule()
    assert set(schedule) == {e.name for e in SCHEDULE}
    alarms = schedule["alarms"]
    assert alarms["task"] == "ecer.scheduled" and alarms["args"] == ("alarms",)
    assert alarms["options"]["expires"] == find("alarms").interval


def test_a_management_command_can_be_an_entry() -> None:
    output = Entry("check", "manage:check", 60).callable()()
    assert "no issues" in str(output)


def test_tasks_are_acknowledged_late_and_requeued_when_a_worker_dies() -> None:
    conf = queue.app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert queue.scheduled.max_retries == queue.MAX_RETRIES
    assert queue.scheduled.retry_backoff == queue.RETRY_BACKOFF


@pytest.mark.django_db
def test_a_run_is_recorded_with_its_output() -> None:
    output = run_entry("partitions", task_id="abc", attempt=2)
    run = JobRun.objects.get()
    assert (run.name, run.task_id, run.attempt, run.state) == ("partitions", "abc", 2, "succeeded")
    assert run.output == output and run.finished_at is not None


@pytest.mark.django_db
def test_a_failed_run_is_recorded_as_retrying_or_failed(monkeypatch: Any) -> None:
    def broken() -> str:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(routines, "partitions", broken)
    with pytest.raises(RuntimeError):
        run_entry("partitions", final=False)
    with pytest.raises(RuntimeError):
        run_entry("partitions", final=True)
    states = list(JobRun.objects.order_by("pk").values_list("state", "error"))
    assert states == [
        ("retrying", "RuntimeError: the disk is full"),
        ("failed", "RuntimeError: the disk is full"),
    ]


@pytest.mark.django_db
def test_the_alarm_job_writes_the_journal() -> None:
    from ecer.web.monitoring.models import AlarmRun

    run_entry("alarms")
    assert AlarmRun.objects.count() == 1


@pytest.mark.django_db
def test_the_notification_job_sends_the_outbox(django_user_model: Any, settings: Any) -> None:
    """An e-mail queued by ``notify`` leaves with the scheduled job (no in-process thread)."""
    from django.core import mail

    from ecer.web.notifications import outbox
    from ecer.web.notifications.models import Channel, Delivery, DeliveryState, Kind

    settings.ECER_NOTIFY_BACKGROUND = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = django_user_model.objects.create_user("admin", "admin@example.org", "pw-for-tests")
    outbox.notify([user], outbox.Message(Kind.OVERDUE, "到期提醒", "", "/"))
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert email.state != DeliveryState.SENT and not mail.outbox
    assert "sent 1" in run_entry("notifications")
    email.refresh_from_db()
    assert email.state == DeliveryState.SENT
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_with_a_broker_a_report_goes_to_the_queue(monkeypatch: Any, settings: Any) -> None:
    from ecer.web.reports import jobs
    from ecer.web.reports.models import ReportJob

    settings.ECER_REPORTS_INLINE = False
    settings.ECER_BROKER_URL = "amqp://127.0.0.1:5672//"
    sent: list[int] = []
    monkeypatch.setattr(queue.report, "delay", lambda job_id: sent.append(job_id))
    job = ReportJob.objects.create(kind=ReportJob.Kind.ANNUAL_XLSX, year=2024)
    jobs.start(job)
    assert sent == [job.pk]


@pytest.mark.django_db
def test_ecer_jobs_run_and_list(capsys: Any) -> None:
    from ecer.cli import main

    assert main(["jobs", "run", "partitions"]) == 0
    assert main(["jobs", "list"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"^partitions +every +86400 s +succeeded \d{4}-", listing, re.MULTILINE)
    assert re.search(r"^reminders +every +86400 s +never run$", listing, re.MULTILINE)
    assert main(["jobs", "run", "nosuch"]) == 2
    assert "no scheduled job 'nosuch'" in capsys.readouterr().err
