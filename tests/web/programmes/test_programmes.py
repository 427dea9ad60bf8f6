"""The key programmes' project library (重点工程项目库, issue #20 item 3; plan 三(一)…三(十))."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from ecer.core.programmes import ProjectStatus
from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department, Target
from ecer.web.indicators import service as indicators
from ecer.web.programmes import io as project_io
from ecer.web.programmes import services
from ecer.web.programmes.models import Programme, ProgressEntry, Project

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"


def client_for(django_user_model: Any, name: str, **membership: Any) -> Client:
    user = django_user_model.objects.create_user(name, "", PASSWORD)
    Membership.objects.create(user=user, **membership)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def haicheng(django_user_model: Any, loaded_plan: Any) -> Client:
    return client_for(
        django_user_model, "haicheng", role=Role.DISTRICT, area=Area.objects.get(code="haicheng")
    )


@pytest.fixture
def yinhai(django_user_model: Any, loaded_plan: Any) -> Client:
    return client_for(
        django_user_model, "yinhai", role=Role.DISTRICT, area=Area.objects.get(code="yinhai")
    )


@pytest.fixture
def transport(django_user_model: Any, loaded_plan: Any) -> Client:
    return client_for(
        django_user_model,
        "transport",
        role=Role.DEPARTMENT,
        department=Department.objects.get(code="transport"),
    )


def make_project(code: str, area: str, programme: str = "transport_logistics", **kw: Any) -> Any:
    values: dict[str, Any] = {
        "name": f"项目 {code}",
        "owner_name": "测试业主",
        "investment_planned": 1000.0,
        "start_on": date(2024, 1, 1),
        "planned_completion_on": date(2024, 12, 31),
        **kw,
    }
    return Project.objects.create(
        programme=Programme.objects.get(code=programme),
        code=code,
        area=Area.objects.get(code=area),
        **values,
    )


# --- plan data -------------------------------------------------------------------------------
def test_the_ten_programmes_are_loaded_with_their_targets(loaded_plan: Any) -> None:
    programmes = list(Programme.objects.order_by("sort_order"))
    assert [p.section.clause for p in programmes] == [f"三({n})" for n in "一二三四五六七八九十"]
    vocs = Programme.objects.get(code="vocs_remediation")
    assert [t.code for t in vocs.targets.all()] == ["vocs_reduction"]
    assert [d.code for d in vocs.lead_departments.all()] == ["ecology_environment"]
    # Loading the plan again changes nothing.
    from ecer.plan.loader import default_plan_path, load_plan_file
    from ecer.web.catalog.loading import load_catalog_into_db

    summary = load_catalog_into_db(load_plan_file(default_plan_path()))
    assert not summary.created and not summary.updated and not summary.deleted


# --- pages, figures from the core and the indicator service ---------------------------------
def test_the_programme_page_rolls_up_its_projects_and_reads_its_targets(
    admin_client: Any, loaded_plan: Any
) -> None:
    done = make_project("P1", "haicheng", completed_on=date(2024, 12, 1), saving_tce=800.0)
    ProgressEntry.objects.create(
        project=done, month=date(2024, 11, 1), percent=100.0, investment_to_date=950.0
    )
    late = make_project(
        "P2",
        "hepu",
        investment_planned=3000.0,
        planned_completion_on=date(2030, 12, 31),
        start_on=date(2020, 1, 1),
        nox_t=30.0,
        saving_tce=2500.0,
    )
    ProgressEntry.objects.create(
        project=late, month=date(2021, 1, 1), percent=5.0, investment_to_date=150.0
    )
    make_project("P3", "yinhai", programme="vocs_remediation")  # another programme
    page = admin_client.get("/programmes/transport_logistics/").content.decode()
    assert 'data-projects="2"' in page
    # Completed 950 + 150 = 1100 of planned 1000 + 3000 = 4000 万元: 27.5 %.
    assert 'id="investment-completion" data-value="27.5"' in page
    assert 'id="saving" data-value="3300.0"' in page
    assert 'data-project="P1" data-status="completed"' in page
    # P2: 5 % done against years of elapsed schedule: behind.
    assert 'data-project="P2" data-status="behind"' in page
    # The targets' figures are the indicator service's, the same as on the target page.
    city = Area.objects.get(kind="city")
    for code in ("new_energy_vehicles_added", "charging_piles_added", "nox_reduction"):
        target = Target.objects.get(code=code)
        year = indicators.default_year(loaded_plan, city)
        shown = indicators.indicator(target, city, year)
        assert (
            f'data-target="{code}" data-value="{shown.value if shown.value is not None else ""}"'
            in page
        )
    index = admin_client.get("/programmes/").content.decode()
    assert 'data-programme="transport_logistics" data-projects="2"' in index
    assert 'data-programme="vocs_remediation" data-projects="1"' in index


def test_pages_survive_bad_stored_values(admin_client: Any, loaded_plan: Any) -> None:
    from django.db import connection

    good = make_project("GOOD", "haicheng")
    bad = make_project("BAD", "haicheng")
    entry = ProgressEntry.objects.create(project=bad, month=date(2024, 3, 1), percent=10.0)
    from tests.web.test_bad_stored_numbers import _drop_checks

    # Past the CHECK constraints, as a database restored from before them could hold.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:  # dropped inside the test's transaction, which rolls back
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for model in (ProgressEntry, Project):
                _drop_checks(cursor, connection.ops.quote_name(model._meta.db_table))
        table = ProgressEntry._meta.db_table
        cursor.execute(f"UPDATE {table} SET percent = %s WHERE id = %s", [1e308, entry.pk])
        cursor.execute(
            f"UPDATE {Project._meta.db_table} SET investment_planned = %s WHERE id = %s",
            [float("inf"), bad.pk],
        )
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    for path in (
        "/programmes/",
        "/programmes/transport_logistics/",
        f"/programmes/projects/{bad.pk}/",
        f"/programmes/projects/{good.pk}/",
        "/programmes/export.xlsx",
    ):
        response = admin_client.get(path)
        assert response.status_code == 200, path
    page = admin_client.get("/programmes/transport_logistics/").content.decode()
    assert 'data-project="BAD" data-status="bad"' in page
    assert "1 个项目的数据异常，未计入合计" in page
    assert 'data-projects="1"' in page  # the summary counts the usable project only
    detail = admin_client.get(f"/programmes/projects/{bad.pk}/").content.decode()
    # The problem names the record and field (the house's wording for a stored value).
    assert "数据异常：重点工程项目" in detail and "计划总投资（万元）" in detail


# --- scope ------------------------------------------------------------------------------------
def test_an_outsider_district_neither_sees_nor_edits_another_districts_project(
    haicheng: Client, yinhai: Client, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    project = make_project("HC-1", "haicheng", planned_completion_on=date(2026, 12, 31))
    assert haicheng.get(f"/programmes/projects/{project.pk}/").status_code == 200
    for path in ("", "edit/"):
        assert yinhai.get(f"/programmes/projects/{project.pk}/{path}").status_code == 404
    pdf = b"%PDF-1.4 evidence"
    response = yinhai.post(
        f"/programmes/projects/{project.pk}/progress/",
        {"month": "2024-05", "percent": "50", "evidence": SimpleUploadedFile("e.pdf", pdf)},
    )
    assert response.status_code == 404
    response = yinhai.post(
        f"/programmes/projects/{project.pk}/edit/",
        {"code": "HC-1", "name": "改名", "area": Area.objects.get(code="yinhai").pk},
    )
    assert response.status_code == 404
    assert not ProgressEntry.objects.exists()
    assert Project.objects.get(pk=project.pk).name == "项目 HC-1"
    listing = yinhai.get("/programmes/transport_logistics/").content.decode()
    assert "HC-1" not in listing
    # Nor can it put a project in another district.
    response = yinhai.post(
        "/programmes/transport_logistics/new/",
        {
            "code": "YH-X",
            "name": "越界",
            "area": Area.objects.get(code="haicheng").pk,
            "owner_name": "某单位",
            "investment_planned": "10",
            "start_on": "2024-01-01",
            "planned_completion_on": "2024-12-31",
        },
    )
    assert response.status_code == 200 and "area" in response.context["form"].errors
    assert not Project.objects.filter(code="YH-X").exists()

    # The owner district reports, with evidence checked by its content, kept with its hash.
    response = haicheng.post(
        f"/programmes/projects/{project.pk}/progress/",
        {"month": "2024-05", "percent": "50", "evidence": SimpleUploadedFile("e.pdf", b"nope")},
    )
    assert not ProgressEntry.objects.exists()  # not a PDF: nothing recorded
    response = haicheng.post(
        f"/programmes/projects/{project.pk}/progress/",
        {
            "month": "2024-05",
            "percent": "50",
            "investment_to_date": "400",
            "evidence": SimpleUploadedFile("e.pdf", pdf),
        },
    )
    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert (entry.percent, entry.investment_to_date) == (50.0, 400.0)
    assert entry.evidence_sha256 == hashlib.sha256(pdf).hexdigest()
    evidence = f"/programmes/projects/{project.pk}/progress/{entry.pk}/evidence/"
    assert haicheng.get(evidence).content == pdf
    assert yinhai.get(evidence).status_code == 404
    # A later month cannot report less work done than an earlier one.
    haicheng.post(
        f"/programmes/projects/{project.pk}/progress/", {"month": "2024-06", "percent": "40"}
    )
    assert ProgressEntry.objects.count() == 1
    # Every change is kept with who made it, and the audit trail shows it to the district.
    history = haicheng.get(f"/audit/programmes.progressentry/{entry.pk}/")
    assert history.status_code == 200
    assert yinhai.get(f"/audit/programmes.project/{project.pk}/").status_code == 404


def test_a_department_edits_the_projects_of_the_programmes_it_leads_or_owns(
    transport: Client, loaded_plan: Any
) -> None:
    led = make_project("TR-1", "haicheng")
    other = make_project("EE-1", "hepu", programme="vocs_remediation")
    owned = make_project(
        "EE-2",
        "hepu",
        programme="vocs_remediation",
        owner_department=Department.objects.get(code="transport"),
    )
    assert transport.get(f"/programmes/projects/{led.pk}/edit/").status_code == 200
    assert transport.get(f"/programmes/projects/{owned.pk}/edit/").status_code == 200
    assert transport.get(f"/programmes/projects/{other.pk}/").status_code == 200
    assert transport.get(f"/programmes/projects/{other.pk}/edit/").status_code == 403
    assert transport.get("/programmes/transport_logistics/new/").status_code == 200
    assert transport.get("/programmes/vocs_remediation/new/").status_code == 403


def test_an_enterprise_sees_its_own_projects_only(django_user_model: Any, loaded_plan: Any) -> None:
    from ecer.web.enterprises.models import Enterprise

    haicheng = Area.objects.get(code="haicheng")
    mine = Enterprise.objects.create(
        credit_code="91450521MA5HP0040E", name="本企业", area=haicheng,
        industry_code="2511", industry_name="炼油",
    )  # fmt: skip
    own = make_project("EN-1", "haicheng", enterprise=mine)
    other = make_project("EN-2", "haicheng")
    firm = client_for(
        django_user_model, "firm", role=Role.ENTERPRISE, enterprise_code=mine.credit_code
    )
    assert firm.get(f"/programmes/projects/{own.pk}/").status_code == 200
    assert firm.get(f"/programmes/projects/{own.pk}/edit/").status_code == 403
    assert firm.get(f"/programmes/projects/{other.pk}/").status_code == 404
    listing = firm.get("/programmes/transport_logistics/").content.decode()
    assert "EN-1" in listing and "EN-2" not in listing


def test_links_must_be_in_scope_and_in_the_projects_district(
    haicheng: Client, loaded_plan: Any
) -> None:
    from ecer.web.reductions.models import ReductionProject

    def reduction(area: str) -> ReductionProject:
        return ReductionProject.objects.create(
            name=f"{area}减排", type="closure", area=Area.objects.get(code=area),
            sector="工业锅炉", source_name="锅炉", status="planned",
        )  # fmt: skip

    own, foreign = reduction("haicheng"), reduction("hepu")
    data = {
        "code": "HC-L",
        "name": "关联测试",
        "area": Area.objects.get(code="haicheng").pk,
        "owner_name": "某单位",
        "investment_planned": "10",
        "start_on": "2024-01-01",
        "planned_completion_on": "2024-12-31",
    }
    response = haicheng.post(
        "/programmes/transport_logistics/new/", {**data, "reduction": foreign.pk}
    )
    assert response.status_code == 200 and "reduction" in response.context["form"].errors
    assert not Project.objects.exists()
    response = haicheng.post("/programmes/transport_logistics/new/", {**data, "reduction": own.pk})
    assert response.status_code == 302
    assert Project.objects.get().reduction == own


# --- Excel ------------------------------------------------------------------------------------
def workbook(projects: list[dict[str, Any]], progress: list[dict[str, Any]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = project_io.PROJECTS
    sheet.append([label for _code, label in project_io.PROJECT_COLUMNS])
    for row in projects:
        sheet.append([row.get(code) for code, _label in project_io.PROJECT_COLUMNS])
    if progress is not None:
        entries = book.create_sheet(project_io.PROGRESS)
        entries.append([label for _code, label in project_io.PROGRESS_COLUMNS])
        for row in progress:
            entries.append([row.get(code) for code, _label in project_io.PROGRESS_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def project_rows() -> list[dict[str, Any]]:
    return [
        {
            "code": f"IM-{i}",
            "programme": "三(四)" if i % 2 else "transport_logistics",
            "name": f"导入项目{i}",
            "area": "haicheng",
            "owner_name": "导入业主",
            "investment_planned": 100.0 * i,
            "start_on": date(2024, 1, 1),
            "planned_completion_on": date(2025, 6, 30),
            "nox_t": 1.5,
        }
        for i in range(1, 7)
    ]


def upload(client: Client, content: bytes) -> Any:
    return client.post("/programmes/import/", {"file": SimpleUploadedFile("p.xlsx", content)})


def errors_of(response: Any) -> list[tuple[str, int, str, str]]:
    html = response.content.decode()
    found = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
    return [(sheet, int(row), column, message) for sheet, row, column, message in found]


def test_an_import_with_bad_rows_changes_nothing_and_names_each_error(
    haicheng: Client, loaded_plan: Any
) -> None:
    existing = make_project("KEEP", "haicheng", name="原名称")
    rows = project_rows()
    bad = [dict(r) for r in rows]
    bad[0]["investment_planned"] = "inf"  # row 2
    bad[1]["area"] = "yinhai"  # row 3: not the district's own
    bad[2]["planned_completion_on"] = date(2023, 12, 31)  # row 4: before the start
    bad[3]["programme"] = "三(十一)"  # row 5: no such programme
    bad[4]["code"] = "IM-1"  # row 6: the code of row 2
    bad.append(dict(rows[5], code="KEEP", name="新名称"))  # row 8 (valid: its own project)
    progress = [
        {"project": "IM-6", "month": "2024-03", "percent": 20},
        {"project": "IM-6", "month": "2024-04", "percent": 120},  # row 3: above 100
        {"project": "NOPE", "month": "2024-04", "percent": 10},  # row 4: unknown project
    ]
    response = upload(haicheng, workbook(bad, progress))
    assert response.status_code == 200
    assert [(s, r, c) for s, r, c, _m in errors_of(response)] == [
        ("项目", 2, "计划总投资（万元）"),
        ("项目", 3, "所在县区"),
        ("项目", 4, "计划完成日期"),
        ("项目", 5, "重点工程"),
        ("项目", 6, "项目编号"),
        ("月度进展", 3, "完成进度（%）"),
        ("月度进展", 4, "项目编号"),
    ]
    messages = [m for *_rest, m in errors_of(response)]
    assert "不是有限的数值" in messages[0] and "yinhai" in messages[1]
    assert "早于开工日期" in messages[2] and "三(十一)" in messages[3]
    assert "与第 2 行项目编号重复" in messages[4]
    assert "0 到 100" in messages[5] and "NOPE" in messages[6]
    assert list(Project.objects.values_list("code", flat=True)) == ["KEEP"]
    assert Project.objects.get(pk=existing.pk).name == "原名称"
    assert not ProgressEntry.objects.exists()

    response = upload(haicheng, workbook(rows, progress[:1]))
    assert response.status_code == 302
    assert Project.objects.count() == 7
    assert ProgressEntry.objects.get().project.code == "IM-6"
    # The export reads back as the same library: a re-import records nothing new.
    export = haicheng.get("/programmes/export.xlsx")
    assert export.status_code == 200
    sheets = load_workbook(io.BytesIO(export.content))
    assert sheets.sheetnames == [project_io.PROJECTS, project_io.PROGRESS]
    history = sum(p.history.count() for p in Project.objects.all())
    response = upload(haicheng, export.content)
    assert response.status_code == 302
    assert ProgressEntry.objects.count() == 1
    assert sum(p.history.count() for p in Project.objects.all()) == history + 7  # saved again


def test_an_import_cannot_touch_another_districts_project_or_lower_reported_progress(
    haicheng: Client, loaded_plan: Any
) -> None:
    foreign = make_project("YH-1", "yinhai")
    own = make_project("HC-2", "haicheng")
    ProgressEntry.objects.create(project=own, month=date(2024, 5, 1), percent=60.0)
    row = dict(project_rows()[0], code="YH-1")
    response = upload(
        haicheng,
        workbook([row], [{"project": "HC-2", "month": "2024-06", "percent": 30}]),
    )
    assert [(s, r, c) for s, r, c, _m in errors_of(response)] == [
        ("项目", 2, "项目编号"),
        ("月度进展", 2, "完成进度（%）"),
    ]
    assert Project.objects.get(pk=foreign.pk).area.code == "yinhai"
    assert ProgressEntry.objects.count() == 1


def test_the_status_shown_is_the_core_functions(loaded_plan: Any) -> None:
    project = make_project("ST-1", "haicheng")
    ProgressEntry.objects.create(project=project, month=date(2024, 6, 1), percent=40.0)
    # 2024-07-01: 182/365 = 49.9 % expected; 40 + 10 >= 49.9 -> on schedule.
    assert services.view_of(project, date(2024, 7, 1)).status == ProjectStatus.ON_SCHEDULE
    assert services.view_of(project, date(2025, 1, 1)).status == ProjectStatus.OVERDUE


def test_the_demo_loads_once(loaded_plan: Any) -> None:
    from ecer.web.programmes.demo import load_demo

    assert list(load_demo(loaded_plan)) == ["重点工程示例项目：新增 30 个"]
    counts = (Project.objects.count(), ProgressEntry.objects.count())
    assert list(load_demo(loaded_plan)) == ["重点工程示例项目：新增 0 个"]
    assert (Project.objects.count(), ProgressEntry.objects.count()) == counts
    for programme in Programme.objects.all():
        assert programme.projects.count() == 3, programme.code
    statuses = {services.view_of(p).status for p in Project.objects.all()}
    assert statuses == set(ProjectStatus)


def test_the_edit_form_shows_the_stored_schedule_and_saves_it_back(
    haicheng: Client, loaded_plan: Any
) -> None:
    project = make_project("HC-E", "haicheng", completed_on=date(2024, 12, 20))
    page = haicheng.get(f"/programmes/projects/{project.pk}/edit/").content.decode()
    # <input type=date> shows only ISO dates.
    for day in ("2024-01-01", "2024-12-31", "2024-12-20"):
        assert f'value="{day}"' in page
    form = haicheng.get(f"/programmes/projects/{project.pk}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["investment_planned"] = "1200"
    response = haicheng.post(f"/programmes/projects/{project.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    project.refresh_from_db()
    assert project.investment_planned == 1200.0
    assert project.completed_on == date(2024, 12, 20)
    assert project.history.first().history_user.username == "haicheng"
