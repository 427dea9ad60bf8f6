"""Task progress reports: file with evidence, return, correct, resubmit, accept; the computed
status, the versions, the history, the league table, scope and the reminders (issue 20)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ecer.core.tasks import TaskStatus
from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department, Plan, Task
from ecer.web.quality import reminders
from ecer.web.tasks import services
from ecer.web.tasks.models import Evidence, Milestone, ProgressReport, ReportEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TASK = "vehicle_inspection_maintenance"  # 三(四), led by 市交通运输局


def user(django_user_model: Any, name: str, **membership: Any) -> Any:
    created = django_user_model.objects.create_user(name, "", "a-long-test-password-1")
    Membership.objects.create(user=created, **membership)
    return created


@pytest.fixture
def people(
    loaded_plan: Any, django_user_model: Any, settings: Any, tmp_path: Any
) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    return {
        "city": user(django_user_model, "city", role=Role.CITY_ADMIN),
        "transport": user(
            django_user_model,
            "transport",
            role=Role.DEPARTMENT,
            department=Department.objects.get(code="transport"),
        ),
        "housing": user(
            django_user_model,
            "housing",
            role=Role.DEPARTMENT,
            department=Department.objects.get(code="housing_construction"),
        ),
        "haicheng": user(
            django_user_model,
            "haicheng",
            role=Role.DISTRICT,
            area=Area.objects.get(code="haicheng"),
        ),
    }


# The clock of these tests: inside 2025Q4, the plan's last quarter.
TODAY = date(2025, 11, 20)


@pytest.fixture
def clock() -> Iterator[None]:
    moment = datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


def league_row(year: int, quarter: int, name: str) -> Any:
    table = services.league(Plan.objects.get(), year, quarter, timezone.localdate())
    return next(r for r in table.departments if r.unit == name)


def test_it_files_returns_corrects_and_accepts(
    client: Any, people: dict[str, Any], clock: None
) -> None:
    task = Task.objects.get(code=TASK)
    today = timezone.localdate()
    assert today == TODAY
    client.force_login(people["city"])
    response = client.post(
        reverse("tasks:milestone_new", args=[TASK]),
        {"name": "完成制度建设方案", "due": (today - timedelta(days=1)).isoformat(), "percent": 50},
    )
    assert response.status_code == 302 and task.milestones.count() == 1
    assert services.task_status(task, today) is TaskStatus.OVERDUE
    before = league_row(2025, 4, "市交通运输局")

    client.force_login(people["transport"])
    response = client.post(
        reverse("tasks:report_new", args=[TASK]),
        {
            "year": 2025,
            "quarter": 4,
            "done_text": "起草了检验与维护制度",
            "percent": 40,
            "problems": "",
            "next_steps": "报市政府审定",
            "file": SimpleUploadedFile("方案.pdf", PDF),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = ProgressReport.objects.get(task=task)
    evidence = report.evidence.get()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence.kind, evidence.size) == (Evidence.Kind.PDF, len(PDF))
    client.post(reverse("tasks:report_submit", args=[report.pk]))

    client.force_login(people["city"])
    client.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"decision": "return", "reason": "未达到节点要求的50%，请补充"},
    )
    report.refresh_from_db()
    assert report.status == "returned" and "50%" in report.return_reason

    client.force_login(people["transport"])
    client.post(
        reverse("tasks:report_edit", args=[report.pk]),
        {"done_text": "制度已印发", "percent": 60, "problems": "", "next_steps": "组织实施"},
    )
    client.post(reverse("tasks:report_submit", args=[report.pk]))
    client.force_login(people["city"])
    client.post(
        reverse(
            "tasks:report_review",
            args=[report.pk],
        ),
        {"decision": "accept"},
    )

    report.refresh_from_db()
    assert report.status == "approved"
    assert [(v.number, v.percent) for v in report.versions.all()] == [(1, 40.0), (2, 60.0)]
    assert [e.action for e in report.events.all()] == [
        "created",
        "evidence",
        "submitted",
        "returned",
        "edited",
        "submitted",
        "accepted",
    ]
    task = Task.objects.get(code=TASK)
    assert services.task_status(task, today) is TaskStatus.IN_PROGRESS
    after = league_row(2025, 4, "市交通运输局")
    assert (after.overdue, after.on_time) == (before.overdue - 1, before.on_time + 1)
    assert after.outstanding == before.outstanding - 1
    page = client.get(reverse("tasks:detail", args=[TASK])).content.decode()
    assert "未达到节点要求的50%" in page and "审核通过" in page


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("假的.pdf", b"just text, not a PDF", "不是 PDF"),
        ("表.xlsx", b"PK\x03\x04broken zip", "不是可读取的 Excel"),
        ("photo.jpg", b"GIF89a\x01\x00\x01\x00", "不是 PDF"),
    ],
)
def test_evidence_is_checked_by_content(
    client: Any, people: dict[str, Any], name: str, content: bytes, error: str
) -> None:
    client.force_login(people["transport"])
    response = client.post(
        reverse("tasks:report_new", args=[TASK]),
        {
            "year": 2025,
            "quarter": 1,
            "done_text": "x",
            "percent": 10,
            "file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_an_oversized_file_is_refused(client: Any, people: dict[str, Any], settings: Any) -> None:
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = len(PDF) - 1
    client.force_login(people["transport"])
    response = client.post(
        reverse("tasks:report_new", args=[TASK]),
        {
            "year": 2025,
            "quarter": 1,
            "done_text": "x",
            "percent": 10,
            "file": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    assert "上限" in response.content.decode() and not Evidence.objects.exists()


def test_each_unit_sees_its_tasks(client: Any, people: dict[str, Any]) -> None:
    client.force_login(people["haicheng"])
    page = client.get(reverse("tasks:list")).content.decode()
    assert f'data-task="{TASK}"' in page  # 三: the county governments answer for it too
    assert 'data-task="district_target_assessment"' not in page  # 五(二): the city's
    client.force_login(people["housing"])
    assert client.get(reverse("tasks:detail", args=[TASK])).status_code == 404
    assert client.get(reverse("tasks:report_new", args=[TASK])).status_code == 404


def test_another_units_report_is_out_of_reach(client: Any, people: dict[str, Any]) -> None:
    task = Task.objects.get(code=TASK)
    report = ProgressReport.objects.create(
        task=task,
        area=Area.objects.get(code="haicheng"),
        year=2025,
        quarter=1,
        done_text="x",
        percent=10,
    )
    client.force_login(people["transport"])
    assert client.get(reverse("tasks:report", args=[report.pk])).status_code == 404
    assert client.post(reverse("tasks:report_review", args=[report.pk])).status_code == 403


def test_the_plan_due_year_is_a_milestone(loaded_plan: Any) -> None:
    task = Task.objects.get(code="logistics_green_transition")  # 到2025年…基本实现绿色转型
    assert task.due_year == 2025
    assert services.task_status(task, date(2025, 12, 31)) is TaskStatus.NOT_STARTED
    assert services.task_status(task, date(2026, 1, 1)) is TaskStatus.OVERDUE


def test_overdue_reports_and_milestones_escalate(people: dict[str, Any], settings: Any) -> None:
    task = Task.objects.get(code=TASK)
    Milestone.objects.create(task=task, name="节点", due=date(2025, 9, 30), percent=50)
    settings.ECER_SCHEDULE_LOOKBACK_DAYS = 60
    today = date(2025, 10, 16)  # 2025Q3 report due 15 days after 30 September
    items = {e.item.key: e for e in reminders.expected_items(today)}
    report = items[f"task-q:{TASK}:transport:2025Q3"]
    assert report.item.due == date(2025, 10, 15) and report.item.submitted_at is None
    assert f"task-q:{TASK}:haicheng:2025Q3" in items
    assert f"task-m:{TASK}:2025-09-30:0" in items
    assert people["transport"] in reminders.responsible_users(report)
    summary = reminders.remind(today)
    assert summary.reminders > 0
    assert people["transport"].notifications.filter(title__contains="任务进展报告").exists()
    assert ReportEvent.objects.count() == 0


def test_a_task_with_reports_stays_when_the_plan_file_drops_it(loaded_plan: Any) -> None:
    from ecer.plan.loader import default_plan_path, load_plan_file
    from ecer.web.catalog.loading import CatalogLoadError, load_catalog_into_db

    catalog = load_plan_file(default_plan_path())
    ProgressReport.objects.create(
        task=Task.objects.get(code=TASK),
        department=Department.objects.get(code="transport"),
        year=2025,
        quarter=1,
        done_text="x",
        percent=10,
    )
    trimmed = catalog.model_copy(
        update={"tasks": tuple(t for t in catalog.tasks if t.code != TASK)}
    )
    with pytest.raises(CatalogLoadError, match=TASK):
        load_catalog_into_db(trimmed)
    assert Task.objects.filter(code=TASK).exists()
