"""Every route × every role × own/other scope, with the status each must get.

"own" and "other" are objects inside and outside the role's scope: for the district user
(海城区) its district's figures vs 铁山港区's; for the transport department its own target
(charging piles) vs one it neither leads nor co-leads. Roles that see everything or nothing get
the same pair. ``LOGIN`` means a redirect to a sign-in page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Observation
from tests.web.accounts.conftest import World

LOGIN = "login"
ROLES = ["anonymous", "no_role", "city_admin", "leader", "department", "district", "enterprise"]


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    url: Callable[[World, str, str], str]  # (world, role, "own"|"other") -> path
    expected: dict[str, tuple[Any, Any]]  # role -> (own, other)
    data: dict[str, str] | None = None
    obs_status: str | None = None  # reset observations to this status before each request
    json: Callable[[World, str, str], dict[str, Any]] | None = None  # a JSON body


def _pair(role: str, world: World, kind: str) -> tuple[Any, Any]:
    if kind == "area":
        if role == "department":
            return Area.objects.get(code="beihai"), Area.objects.get(code="haicheng")
        return Area.objects.get(code="haicheng"), Area.objects.get(code="tieshangang")
    if kind == "target":
        if role == "department":
            return world.other_target, world.own_target
        return world.own_target, world.other_target
    if kind == "project":
        return world.own_project, world.other_project
    if kind == "enterprise":
        return world.own_enterprise, world.other_enterprise
    if kind == "point":
        return world.own_point, world.other_point
    if role == "department":
        return world.city_obs, world.own_obs
    return world.own_obs, world.other_obs


def pick(kind: str) -> Callable[[World, str, str], Any]:
    def choose(world: World, role: str, which: str) -> Any:
        own, other = _pair(role, world, kind)
        return own if which == "own" else other

    return choose


area_of = pick("area")
target_of = pick("target")
obs_of = pick("obs")
firm_of = pick("enterprise")
reduction_of = pick("project")
point_of = pick("point")


def error_list_of(world: World, role: str, which: str) -> int:
    """A refused import's error list of the role's own user, or of another user."""
    from ecer.web.uploads.models import ErrorList

    others = [u for r, u in world.users.items() if r != role]
    owner = world.users.get(role) if which == "own" else None
    stored = ErrorList.objects.create(
        user=owner or others[0], importer="x", file_name="a.csv", total=1, kept=1, content=b"x"
    )
    return stored.pk


def same(**statuses: Any) -> dict[str, tuple[Any, Any]]:
    return {role: (status, status) for role, status in statuses.items()}


def project_of(world: World, role: str, which: str) -> Any:
    """A project in the role's own district (haicheng) or another one (tieshangang)."""
    from ecer.web.projects.demo import create_project

    area = area_of(world, role, which)
    if area.is_city:  # the department's "own" area is the city: use a district project
        area = Area.objects.get(code="haicheng")
    name = f"权限测试项目 {area.code}"
    from ecer.web.projects.models import Project

    found = Project.objects.filter(name=name).first()
    if found is not None:
        return found
    return create_project(
        {
            "name": name,
            "enterprise_name": "测试企业",
            "enterprise_code": "91450500MA5KD0101D",
            "area": area.code,
            "industry_code": "1491",
            "industry_name": "营养食品制造",
            "status": "planned",
            "first_full_year": 2025,
            "value_added_10k_yuan": 100.0,
        },
        [("electricity", 100, "10^4 kWh")],
    )


def register_item_of(world: World, role: str, which: str) -> Any:
    """A coal-boiler register item in the project's district (haicheng own, tieshangang
    other), with one evidence file on its registration step."""
    from datetime import date

    from django.core.files.base import ContentFile

    from ecer.web.registers.models import Item, Register, Step

    area = reduction_of(world, role, which).area
    identifier = f"PERM-{area.code}"
    item = Item.objects.filter(identifier=identifier).first()
    if item is None:
        item = Item.objects.create(
            register=Register.objects.get(code="coal_boilers_small"),
            identifier=identifier,
            name="权限测试锅炉",
            area=area,
            location="测试路1号",
            size=4.0,
            registered_on=date(2023, 1, 1),
        )
        Step.objects.create(
            item=item,
            status="registered",
            date=date(2023, 1, 1),
            evidence=ContentFile(b"%PDF-1.4", name="boiler.pdf"),
        )
    return item


def rights_account_of(world: World, role: str, which: str) -> str:
    """The enterprise user's own account, or another enterprise's."""
    from ecer.web.catalog.setup import DEMO_ENTERPRISE_CODE
    from ecer.web.rights import services

    code = DEMO_ENTERPRISE_CODE if which == "own" else "91450500MA5KD011X5"
    services.open_account(code, f"测试企业 {which}")
    return code


def first_entry(world: World, role: str, which: str) -> int:
    from ecer.web.rights import services

    code = rights_account_of(world, role, which)
    holding = services.holding(services.open_account(code), "energy", 2025)
    return services.allocate(holding, "10").pk


SCOPED_VIEW = {
    "anonymous": (LOGIN, LOGIN),
    "no_role": (403, 403),
    "city_admin": (200, 200),
    "leader": (200, 200),
    "department": (200, 404),
    "district": (200, 404),
    "enterprise": (404, 404),
}
AREA_VIEW = {**SCOPED_VIEW, "department": (200, 200)}
ENTRY = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=403,
    department=200,
    district=200,
    enterprise=403,
)
CITY_ADMIN_POST = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=302,
    leader=403,
    department=403,
    district=403,
    enterprise=403,
)
ALL_ROLES_200 = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=200,
    department=200,
    district=200,
    enterprise=200,
)
# A department sees no enterprise's reports (docs/security.md "Roles and scopes").
ENTERPRISE_VIEW = {**SCOPED_VIEW, "department": (404, 404), "enterprise": (200, 404)}
ENTERPRISE_ENTRY = {
    "anonymous": (LOGIN, LOGIN),
    "no_role": (403, 403),
    "city_admin": (200, 200),
    "leader": (403, 403),
    "department": (404, 404),
    "district": (403, 404),
    "enterprise": (200, 404),
}
REPORT_IMPORT = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=403,
    department=403,
    district=403,
    enterprise=200,
)
REDUCTION_VIEW = {**SCOPED_VIEW, "department": (200, 200), "enterprise": (403, 403)}
REDUCTION_ENTRY = {
    **REDUCTION_VIEW,
    "leader": (403, 403),
    "department": (403, 403),
}
REDUCTION_REVIEW = {
    **REDUCTION_VIEW,
    "city_admin": (302, 302),
    "leader": (403, 403),
    "department": (403, 403),
    "district": (403, 404),
}
CITY_ADMIN_ONLY = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=403,
    department=403,
    district=403,
    enterprise=403,
)
PUBLIC = {role: (200, 200) for role in ROLES}
SIGNED_IN = {**PUBLIC, "anonymous": (LOGIN, LOGIN)}
ENTERPRISE_KEYS = {
    **same(no_role=403, city_admin=403, leader=403, department=403, district=403),
    "anonymous": (LOGIN, LOGIN),
    "enterprise": (200, 404),
}
PROJECT_LIST = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=200,
    department=200,
    district=200,
    enterprise=403,
)
ALWAYS_REDIRECT = {role: (302, 302) for role in ROLES}
ADMIN_ONLY = same(
    anonymous=LOGIN,
    no_role=LOGIN,
    city_admin=200,
    leader=LOGIN,
    department=LOGIN,
    district=LOGIN,
    enterprise=LOGIN,
)

API_AUTH = {"anonymous": (401, 401), "no_role": (401, 401)}
# Monitoring points: "own" is in 海城区 with the enterprise user's credit code, "other" in
# 铁山港区 with another code. The transport department has no monitoring pages at all (the
# Ecology and Environment department sees every point: tests/web/test_monitoring.py).
MONITORING_LIST = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=200,
    department=403,
    district=200,
    enterprise=200,
)
MONITORING_POINT = {
    "anonymous": (LOGIN, LOGIN),
    "no_role": (403, 403),
    "city_admin": (200, 200),
    "leader": (200, 200),
    "department": (403, 403),
    "district": (200, 404),
    "enterprise": (200, 404),
}


def api_key_of(world: World, role: str, which: str) -> int:
    """A key of the enterprise user's own enterprise, or of another enterprise's user."""
    from django.contrib.auth import get_user_model

    from ecer.web.accounts.models import ApiKey, Membership, Role

    if which == "own":
        owner = world.users["enterprise"]
    else:
        owner, created = get_user_model().objects.get_or_create(username="otherfirm")
        if created:
            Membership.objects.create(
                user=owner, role=Role.ENTERPRISE, enterprise_code="91450512MA5TG0034R"
            )
    key = ApiKey.objects.filter(user=owner).first() or ApiKey.issue(owner, "logger")[0]
    return key.pk


def done_report_job() -> int:
    from ecer.web.reports.models import ReportJob

    job = ReportJob.objects.create(
        kind="annual_xlsx", year=2022, status="done", content=b"x", filename="a.xlsx"
    )
    return int(job.pk)


CITY_REPORTS = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=200,
    department=200,
    district=403,
    enterprise=403,
)


def observation_body(
    world: World, role: str, which: str, year: int | None = None
) -> dict[str, Any]:
    obs = obs_of(world, role, which)
    return {
        "target": obs.target.code,
        "area": obs.area.code,
        "year": year or obs.year,
        "quarter": obs.quarter,
        "value": 2.0,
        "unit": obs.target.observation_unit,
    }


# Plan tasks (issue 20): the transport department leads OWN_TASK, which the districts also
# answer for (三 names the county governments); OTHER_TASK (五(二)) is the city's alone.
OWN_TASK = "vehicle_inspection_maintenance"
OTHER_TASK = "district_target_assessment"


def task_path(world: World, role: str, which: str) -> str:
    return OWN_TASK if which == "own" else OTHER_TASK


def task_report_of(world: World, role: str, which: str) -> Any:
    """A draft report on OWN_TASK by the role's own unit (transport, 海城区), or by another
    district (铁山港区); roles without a unit get the transport department's."""
    from ecer.web.catalog.models import Department, Task
    from ecer.web.tasks.models import ProgressReport

    if which == "other":
        unit = {"area": Area.objects.get(code="tieshangang")}
    elif role == "district":
        unit = {"area": Area.objects.get(code="haicheng")}
    else:
        unit = {"department": Department.objects.get(code="transport")}
    report, _created = ProgressReport.objects.get_or_create(
        task=Task.objects.get(code=OWN_TASK),
        year=2025,
        quarter=1,
        **unit,
        defaults={"done_text": "权限测试", "percent": 10},
    )
    return report


def task_evidence_path(world: World, role: str, which: str) -> str:
    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile

    from ecer.web.tasks.models import Evidence

    report = task_report_of(world, role, which)
    evidence = report.evidence.first()
    if evidence is None:
        evidence = Evidence(
            report=report,
            name="a.pdf",
            kind=Evidence.Kind.PDF,
            size=5,
            sha256="0" * 64,
            uploaded_by=get_user_model().objects.first(),
        )
        evidence.file.save("a.pdf", ContentFile(b"%PDF-"), save=False)
        evidence.save()
    return f"/tasks/reports/{report.pk}/evidence/{evidence.pk}/"


# Key programmes (重点工程, issue 20 item 3): the transport department leads OWN_PROGRAMME;
# the "own" project is in 海城区 and linked to the enterprise user's enterprise, the "other"
# one in 铁山港区, under a programme the transport department does not lead.
OWN_PROGRAMME = "transport_logistics"
OTHER_PROGRAMME = "vocs_remediation"


def programme_of(world: World, role: str, which: str) -> str:
    return OWN_PROGRAMME if which == "own" else OTHER_PROGRAMME


def programme_project_of(world: World, role: str, which: str) -> Any:
    """A key-programme project with one progress entry carrying an evidence file."""
    from datetime import date

    from django.core.files.base import ContentFile

    from ecer.web.programmes.models import Programme, ProgressEntry, Project

    code = f"PERM-{which}"
    project = Project.objects.filter(code=code).first()
    if project is None:
        own = which == "own"
        project = Project.objects.create(
            programme=Programme.objects.get(code=programme_of(world, role, which)),
            code=code,
            name="权限测试工程项目",
            area=Area.objects.get(code="haicheng" if own else "tieshangang"),
            owner_name="测试业主",
            enterprise=world.own_enterprise if own else world.other_enterprise,
            investment_planned=100.0,
            start_on=date(2024, 1, 1),
            planned_completion_on=date(2026, 12, 31),
        )
        ProgressEntry.objects.create(
            project=project,
            month=date(2024, 3, 1),
            percent=10.0,
            evidence=ContentFile(b"%PDF-1.4", name="progress.pdf"),
        )
    return project


PROGRAMME_PROJECT_VIEW = {
    **SCOPED_VIEW,
    "department": (200, 200),
    "enterprise": (200, 404),
}
PROGRAMME_EDIT = {
    **PROGRAMME_PROJECT_VIEW,
    "leader": (403, 403),
    "department": (200, 403),
    "enterprise": (403, 404),
}
PROGRAMME_IMPORT = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=403,
    department=200,
    district=200,
    enterprise=403,
)

TASK_PAGES = {**ALL_ROLES_200, "enterprise": (403, 403)}
# The leaders' views show areas: every role with areas in its scope (docs/security.md).
LEADER_VIEWS = {**ALL_ROLES_200, "enterprise": (403, 403)}
TASK_REPORT_ENTRY = {
    **SCOPED_VIEW,
    "city_admin": (403, 403),
    "leader": (403, 403),
}
TASK_REPORT_POST = {**TASK_REPORT_ENTRY, "department": (302, 404), "district": (302, 404)}


def case_of(world: World, role: str, which: str) -> int:
    """A case on the enterprise user's own point (海城区), or on another enterprise's point."""
    from django.utils import timezone

    from ecer.web.cases.models import Case

    point = world.own_point if which == "own" else world.other_point
    now = timezone.now()
    case, _ = Case.objects.get_or_create(
        source_key=f"matrix:{which}",
        defaults={
            "source": "exceedance",
            "title": f"案件 {which}",
            "point": point,
            "area": point.area,
            "enterprise_code": point.enterprise_code,
            "assignee": "enterprise",
            "opened_at": now,
            "entered_at": now,
            "due_at": now,
        },
    )
    return case.pk


def notification_of(world: World, role: str, which: str) -> int:
    """A notification of the role's own user, or of another user."""
    from ecer.web.quality.models import Notification

    others = [u for r, u in world.users.items() if r != role]
    user = world.users.get(role) if which == "own" else others[0]
    user = user or others[0]
    return Notification.objects.create(user=user, title="通知", url="/").pk


def webhook_of(world: World, role: str, which: str) -> int:
    from ecer.web.notifications.models import WebhookEndpoint

    return WebhookEndpoint.objects.create(
        name="群", provider="wecom", url="https://robot.example/send"
    ).pk


CASE_PAGES = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=200,
    leader=200,
    department=200,
    district=200,
    enterprise=200,
)
CASE_VIEW = {
    **CASE_PAGES,
    "department": (404, 404),  # its own department's cases only (red warnings of its targets)
    "district": (200, 404),
    "enterprise": (200, 404),
}
CASE_MOVE = {
    "anonymous": (LOGIN, LOGIN),
    "no_role": (403, 403),
    "city_admin": (302, 302),
    "leader": (403, 403),
    "department": (404, 404),
    "district": (403, 404),
    "enterprise": (302, 404),
}
CASE_EVIDENCE = {**CASE_VIEW, "city_admin": (404, 404), "leader": (404, 404),
                 "district": (404, 404), "enterprise": (404, 404)}  # fmt: skip
OWN_NOTIFICATION = {
    **same(anonymous=LOGIN, no_role=403),
    **{r: (302, 404) for r in ("city_admin", "leader", "department", "district", "enterprise")},
}
ALL_ROLES_POST = same(
    anonymous=LOGIN,
    no_role=403,
    city_admin=302,
    leader=302,
    department=302,
    district=302,
    enterprise=302,
)

ROUTES = [
    Route(
        "catalog:dashboard",
        "get",
        lambda w, r, s: "/?year=2022",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=200,
            department=200,
            district=302,
            enterprise=302,  # an enterprise's start page is its to-do
        ),
    ),
    Route(
        "home:todo",
        "get",
        lambda w, r, s: "/todo/",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=200,
            department=200,
            district=200,
            enterprise=200,
        ),
    ),
    Route("catalog:area", "get", lambda w, r, s: f"/areas/{area_of(w, r, s).code}/", AREA_VIEW),
    Route(
        "catalog:target", "get", lambda w, r, s: f"/targets/{target_of(w, r, s).code}/", SCOPED_VIEW
    ),
    Route(
        "catalog:export_targets",
        "get",
        lambda w, r, s: f"/export/targets.xlsx?area={area_of(w, r, s).code}",
        AREA_VIEW,
    ),
    Route("catalog:observations", "get", lambda w, r, s: "/observations/", ALL_ROLES_200),
    Route("catalog:observation_new", "get", lambda w, r, s: "/observations/new/", ENTRY),
    Route("catalog:observation_import", "get", lambda w, r, s: "/observations/import/", ENTRY),
    Route(
        "catalog:observation",
        "get",
        lambda w, r, s: f"/observations/{obs_of(w, r, s).pk}/",
        SCOPED_VIEW,
    ),
    Route(
        "catalog:observation_submit",
        "post",
        lambda w, r, s: f"/observations/{obs_of(w, r, s).pk}/submit/",
        {
            **SCOPED_VIEW,
            "city_admin": (302, 302),
            "leader": (403, 403),
            "department": (302, 404),
            "district": (302, 404),
        },
        obs_status=Status.DRAFT,
    ),
    Route(
        "catalog:observation_approve",
        "post",
        lambda w, r, s: f"/observations/{obs_of(w, r, s).pk}/approve/",
        CITY_ADMIN_POST,
        obs_status=Status.SUBMITTED,
    ),
    Route(
        "catalog:observation_return",
        "post",
        lambda w, r, s: f"/observations/{obs_of(w, r, s).pk}/return/",
        CITY_ADMIN_POST,
        data={"reason": "数据来源不明"},
        obs_status=Status.SUBMITTED,
    ),
    Route(
        "catalog:observation_correct",
        "post",
        lambda w, r, s: f"/observations/{obs_of(w, r, s).pk}/correct/",
        CITY_ADMIN_POST,
        data={"value": "2.5", "reason": "统计局修订"},
        obs_status=Status.APPROVED,
    ),
    Route(
        "catalog:review_queue",
        "get",
        lambda w, r, s: "/review/",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=403,
            department=403,
            district=403,
            enterprise=403,
        ),
    ),
    Route(
        "audit:search",
        "get",
        lambda w, r, s: "/audit/",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=200,
            department=403,
            district=403,
            enterprise=403,
        ),
    ),
    Route(
        "audit:record",
        "get",
        lambda w, r, s: f"/audit/catalog.observation/{obs_of(w, r, s).pk}/",
        SCOPED_VIEW,
    ),
    Route(
        "energy:overview",
        "get",
        lambda w, r, s: "/energy/?year=2022",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=200,
            department=200,
            district=302,
            enterprise=403,
        ),
    ),
    Route(
        "energy:export_overview",
        "get",
        lambda w, r, s: "/energy/export.xlsx?year=2022",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=200,
            department=200,
            district=200,
            enterprise=403,
        ),
    ),
    Route(
        "energy:district",
        "get",
        lambda w, r, s: f"/energy/{area_of(w, r, s).code}/?year=2022",
        AREA_VIEW,
    ),
    Route(
        "energy:edit_year",
        "get",
        lambda w, r, s: f"/energy/{area_of(w, r, s).code}/2022/edit/",
        CITY_ADMIN_ONLY,
    ),
    Route("energy:import", "get", lambda w, r, s: "/energy/import/", CITY_ADMIN_ONLY),
    Route(
        "energy:import_template",
        "get",
        lambda w, r, s: "/energy/import/template.xlsx",
        CITY_ADMIN_ONLY,
    ),
    Route("enterprises:list", "get", lambda w, r, s: "/enterprises/", ALL_ROLES_200),
    Route(
        "enterprises:benchmarks", "get", lambda w, r, s: "/enterprises/benchmarks/", ALL_ROLES_200
    ),
    Route(
        "enterprises:import", "get", lambda w, r, s: "/enterprises/reports/import/", REPORT_IMPORT
    ),
    Route(
        "enterprises:import_template",
        "get",
        lambda w, r, s: "/enterprises/reports/import/template.xlsx",
        REPORT_IMPORT,
    ),
    Route(
        "enterprises:detail",
        "get",
        lambda w, r, s: f"/enterprises/{firm_of(w, r, s).credit_code}/",
        ENTERPRISE_VIEW,
    ),
    Route(
        "enterprises:report",
        "get",
        lambda w, r, s: f"/enterprises/{firm_of(w, r, s).credit_code}/reports/2023/",
        ENTERPRISE_VIEW,
    ),
    Route(
        "enterprises:report_edit",
        "get",
        lambda w, r, s: f"/enterprises/{firm_of(w, r, s).credit_code}/reports/2023/edit/",
        ENTERPRISE_ENTRY,
    ),
    Route(
        "enterprises:report_submit",
        "post",
        lambda w, r, s: f"/enterprises/{firm_of(w, r, s).credit_code}/reports/2023/submit/",
        {**ENTERPRISE_ENTRY, "city_admin": (302, 302), "enterprise": (302, 404)},
    ),
    Route(
        "enterprises:report_review",
        "post",
        lambda w, r, s: f"/enterprises/{firm_of(w, r, s).credit_code}/reports/2023/review/",
        {**ENTERPRISE_ENTRY, "city_admin": (302, 302), "enterprise": (403, 404)},
        data={"decision": "return", "reason": "请补充"},
    ),
    Route(
        "enterprises:api_keys",
        "get",
        lambda w, r, s: "/enterprises/api-keys/",
        {**ENTERPRISE_KEYS, "enterprise": (200, 200)},
    ),
    Route(
        "enterprises:api_key_revoke",
        "get",
        lambda w, r, s: f"/enterprises/api-keys/{api_key_of(w, r, s)}/revoke/",
        ENTERPRISE_KEYS,
    ),
    Route(
        "api:upload_readings",
        "post",
        lambda w, r, s: "/api/meters/readings",
        {
            **API_AUTH,
            "city_admin": (200, 200),
            "leader": (403, 403),
            "department": (403, 403),
            "district": (403, 403),
            "enterprise": (200, 403),
        },
        json=lambda w, r, s: {"enterprise": firm_of(w, r, s).credit_code, "readings": []},
    ),
    Route("monitoring:points", "get", lambda w, r, s: "/monitoring/", MONITORING_LIST),
    Route(
        "monitoring:point",
        "get",
        lambda w, r, s: f"/monitoring/points/{point_of(w, r, s).pk}/",
        MONITORING_POINT,
    ),
    Route("monitoring:alarms", "get", lambda w, r, s: "/monitoring/alarms/", MONITORING_LIST),
    Route("monitoring:validity", "get", lambda w, r, s: "/monitoring/validity/", MONITORING_LIST),
    Route("projects:register", "get", lambda w, r, s: "/projects/", PROJECT_LIST),
    Route("projects:worklist", "get", lambda w, r, s: "/projects/worklist.xlsx", PROJECT_LIST),
    Route("projects:new", "get", lambda w, r, s: "/projects/new/", CITY_ADMIN_ONLY),
    Route(
        "projects:detail",
        "get",
        lambda w, r, s: f"/projects/{project_of(w, r, s).pk}/",
        AREA_VIEW,
    ),
    Route(
        "projects:edit",
        "get",
        lambda w, r, s: f"/projects/{project_of(w, r, s).pk}/edit/",
        CITY_ADMIN_ONLY,
    ),
    Route(
        "projects:budget",
        "get",
        lambda w, r, s: f"/projects/budget/{area_of(w, r, s).code}/",
        AREA_VIEW,
    ),
    Route(
        "rights:ledger",
        "get",
        lambda w, r, s: "/rights/",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=200,
            department=403,
            district=403,
            enterprise=302,
        ),
    ),
    Route(
        "reductions:overview",
        "get",
        lambda w, r, s: "/reductions/",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=200,
            leader=200,
            department=200,
            district=200,
            enterprise=403,
        ),
    ),
    Route(
        "reductions:project",
        "get",
        lambda w, r, s: f"/reductions/{reduction_of(w, r, s).pk}/",
        REDUCTION_VIEW,
    ),
    Route(
        "reductions:new",
        "get",
        lambda w, r, s: "/reductions/new/",
        {**ENTRY, "department": (403, 403)},
    ),
    Route(
        "reductions:edit",
        "get",
        lambda w, r, s: f"/reductions/{reduction_of(w, r, s).pk}/edit/",
        REDUCTION_ENTRY,
    ),
    Route(
        "reductions:evidence",
        "post",
        lambda w, r, s: f"/reductions/{reduction_of(w, r, s).pk}/evidence/",
        {**REDUCTION_ENTRY, "city_admin": (302, 302), "district": (302, 404)},
        data={"title": "缺文件"},
    ),
    Route(
        "reductions:evidence_file",
        "get",
        lambda w, r, s: (
            f"/reductions/{reduction_of(w, r, s).pk}/evidence/"
            f"{reduction_of(w, r, s).evidence.get().pk}/"
        ),
        REDUCTION_VIEW,
    ),
    Route(
        "reductions:close",
        "post",
        lambda w, r, s: f"/reductions/{reduction_of(w, r, s).pk}/close/",
        REDUCTION_REVIEW,
        data={"finding_key": "x", "reason": "y"},
    ),
    Route(
        "reductions:decide",
        "post",
        lambda w, r, s: f"/reductions/{reduction_of(w, r, s).pk}/decide/",
        REDUCTION_REVIEW,
        data={"decision": "reject", "reason": ""},
    ),
    Route(
        "registers:index",
        "get",
        lambda w, r, s: "/registers/",
        {**REDUCTION_VIEW, "department": (200, 200), "district": (200, 200)},
    ),
    Route(
        "registers:register",
        "get",
        lambda w, r, s: f"/registers/coal_boilers_small/?area={area_of(w, r, s).code}",
        # ?area= names an area outside an enterprise user's scope: 404 before the view.
        {**REDUCTION_VIEW, "enterprise": (404, 404)},
    ),
    Route(
        "registers:export",
        "get",
        lambda w, r, s: "/registers/export.xlsx?register=coal_boilers_small",
        {**REDUCTION_VIEW, "department": (200, 200), "district": (200, 200)},
    ),
    Route(
        "registers:template",
        "get",
        lambda w, r, s: "/registers/template.xlsx",
        {**REDUCTION_VIEW, "department": (200, 200), "district": (200, 200)},
    ),
    Route(
        "registers:item",
        "get",
        lambda w, r, s: f"/registers/items/{register_item_of(w, r, s).pk}/",
        REDUCTION_VIEW,
    ),
    Route(
        "registers:evidence",
        "get",
        lambda w, r, s: (
            f"/registers/items/{register_item_of(w, r, s).pk}/steps/"
            f"{register_item_of(w, r, s).steps.get().pk}/evidence/"
        ),
        REDUCTION_VIEW,
    ),
    Route(
        "registers:new",
        "get",
        lambda w, r, s: "/registers/coal_boilers_small/new/",
        {**ENTRY, "department": (403, 403)},
    ),
    Route(
        "registers:step",
        "post",
        lambda w, r, s: f"/registers/items/{register_item_of(w, r, s).pk}/step/",
        {**REDUCTION_ENTRY, "city_admin": (302, 302), "district": (302, 404)},
        data={"status": "verified", "date": "2024-01-01"},
    ),
    Route(
        "registers:import",
        "post",
        lambda w, r, s: "/registers/coal_boilers_small/import/",
        # Allowed: a post without a file gets the errors page saying so.
        {**REDUCTION_ENTRY, "city_admin": (200, 200), "district": (200, 200)},
    ),
    Route(
        "rights:account",
        "get",
        lambda w, r, s: f"/rights/accounts/{rights_account_of(w, r, s)}/",
        {
            "anonymous": (LOGIN, LOGIN),
            "no_role": (403, 403),
            "city_admin": (200, 200),
            "leader": (200, 200),
            "department": (404, 404),
            "district": (404, 404),
            "enterprise": (200, 404),
        },
    ),
    Route("rights:allocate", "get", lambda w, r, s: "/rights/allocate/", CITY_ADMIN_ONLY),
    Route("rights:trade", "get", lambda w, r, s: "/rights/trade/", CITY_ADMIN_ONLY),
    Route("rights:surrender", "get", lambda w, r, s: "/rights/surrender/", CITY_ADMIN_ONLY),
    Route(
        "rights:reverse",
        "post",
        lambda w, r, s: f"/rights/entries/{first_entry(w, r, s)}/reverse/",
        CITY_ADMIN_POST,
        data={"reason": "权限测试"},
    ),
    Route("reports:index", "get", lambda w, r, s: "/reports/?year=2022", PROJECT_LIST),
    Route(
        "reports:generate",
        "post",
        lambda w, r, s: "/reports/generate/",
        same(
            anonymous=LOGIN,
            no_role=403,
            city_admin=302,
            leader=302,
            department=302,
            district=403,
            enterprise=403,
        ),
        data={"kind": "annual_xlsx", "year": "2022"},
    ),
    Route(
        "reports:job", "get", lambda w, r, s: f"/reports/jobs/{done_report_job()}/", CITY_REPORTS
    ),
    Route(
        "reports:download",
        "get",
        lambda w, r, s: f"/reports/jobs/{done_report_job()}/download/",
        CITY_REPORTS,
    ),
    Route("reports:scheme", "get", lambda w, r, s: "/reports/scheme/", CITY_ADMIN_ONLY),
    Route("login", "get", lambda w, r, s: "/login/", PUBLIC),
    Route("logout", "post", lambda w, r, s: "/logout/", ALWAYS_REDIRECT),
    Route(
        "set_language",
        "post",
        lambda w, r, s: "/i18n/setlang/",
        ALWAYS_REDIRECT,
        data={"language": "en", "next": "/"},
    ),
    Route("admin:index", "get", lambda w, r, s: "/admin/", ADMIN_ONLY),
    Route("api:api-root", "get", lambda w, r, s: "/api/", {role: (404, 404) for role in ROLES}),
    # The API's schema and docs are for signed-in users (docs/security.md, "Defaults").
    Route("catalog:terms", "get", lambda w, r, s: "/help/terms/", SIGNED_IN),
    Route("api:openapi-json", "get", lambda w, r, s: "/api/openapi.json", SIGNED_IN),
    Route("api:openapi-view", "get", lambda w, r, s: "/api/docs", SIGNED_IN),
    Route(
        "api:list_observations",
        "get",
        lambda w, r, s: "/api/observations",
        {
            **{role: (200, 200) for role in ROLES},
            **API_AUTH,
        },
    ),
    Route(
        "api:create_observation",
        "post",
        lambda w, r, s: "/api/observations",
        {
            **API_AUTH,
            "city_admin": (201, 201),
            "leader": (403, 403),
            "department": (201, 400),
            "district": (201, 400),
            "enterprise": (403, 403),
        },
        json=lambda w, r, s: observation_body(w, r, s, year=2024),
    ),
    Route(
        "api:update_observation",
        "put",
        lambda w, r, s: f"/api/observations/{obs_of(w, r, s).pk}",
        {
            **API_AUTH,
            "city_admin": (200, 200),
            "leader": (403, 403),
            "department": (200, 404),
            "district": (200, 404),
            "enterprise": (404, 404),
        },
        json=observation_body,
        obs_status=Status.DRAFT,
    ),
    Route(
        "api:correct_observation",
        "post",
        lambda w, r, s: f"/api/observations/{obs_of(w, r, s).pk}/correct",
        {
            **API_AUTH,
            "city_admin": (200, 200),
            "leader": (403, 403),
            "department": (403, 404),
            "district": (403, 404),
            "enterprise": (404, 404),
        },
        json=lambda w, r, s: {"value": 3.0, "reason": "复核"},
        obs_status=Status.APPROVED,
    ),
    Route("quality:findings", "get", lambda w, r, s: "/quality/", ALL_ROLES_200),
    Route("quality:export", "get", lambda w, r, s: "/quality/export.xlsx", ALL_ROLES_200),
    Route("quality:run", "post", lambda w, r, s: "/quality/run/", CITY_ADMIN_POST),
    Route("quality:rules", "get", lambda w, r, s: "/quality/rules/", CITY_ADMIN_ONLY),
    Route("quality:rule_version", "get", lambda w, r, s: "/quality/rules/1/", CITY_ADMIN_ONLY),
    Route("quality:rule_text", "get", lambda w, r, s: "/quality/rules/text/", CITY_ADMIN_ONLY),
    Route("quality:overdue", "get", lambda w, r, s: "/quality/overdue/", ALL_ROLES_200),
    Route(
        "quality:notifications", "get", lambda w, r, s: "/quality/notifications/", ALL_ROLES_POST
    ),
    Route("cases:list", "get", lambda w, r, s: "/cases/", CASE_PAGES),
    Route("cases:stats", "get", lambda w, r, s: "/cases/stats/", CASE_PAGES),
    Route("cases:detail", "get", lambda w, r, s: f"/cases/{case_of(w, r, s)}/", CASE_VIEW),
    Route(
        "cases:move",
        "post",
        lambda w, r, s: f"/cases/{case_of(w, r, s)}/move/",
        CASE_MOVE,
        data={"action": "verify", "note": "核实"},
    ),
    Route(
        "cases:evidence",
        "get",
        lambda w, r, s: f"/cases/{case_of(w, r, s)}/steps/999999/evidence/",
        CASE_EVIDENCE,
    ),
    Route("notifications:centre", "get", lambda w, r, s: "/notifications/", ALL_ROLES_200),
    Route(
        "notifications:open",
        "get",
        lambda w, r, s: f"/notifications/{notification_of(w, r, s)}/open/",
        OWN_NOTIFICATION,
    ),
    Route(
        "notifications:read_all", "post", lambda w, r, s: "/notifications/read-all/", ALL_ROLES_POST
    ),
    Route(
        "notifications:preferences",
        "get",
        lambda w, r, s: "/notifications/settings/",
        ALL_ROLES_200,
    ),
    Route(
        "notifications:deliveries",
        "get",
        lambda w, r, s: "/notifications/deliveries/",
        ALL_ROLES_200,
    ),
    Route(
        "notifications:webhooks", "get", lambda w, r, s: "/notifications/webhooks/", CITY_ADMIN_ONLY
    ),
    Route(
        "notifications:webhook_edit",
        "get",
        lambda w, r, s: f"/notifications/webhooks/{webhook_of(w, r, s)}/",
        CITY_ADMIN_ONLY,
    ),
    Route(
        "notifications:webhook_delete",
        "post",
        lambda w, r, s: f"/notifications/webhooks/{webhook_of(w, r, s)}/delete/",
        CITY_ADMIN_POST,
    ),
    Route(
        "quality:district",
        "get",
        lambda w, r, s: f"/quality/districts/{area_of(w, r, s).code}/",
        AREA_VIEW,
    ),
    Route(
        "quality:enterprise",
        "get",
        lambda w, r, s: f"/quality/enterprises/{firm_of(w, r, s).credit_code}/",
        ENTERPRISE_VIEW,
    ),
    Route(
        "api:approve_report",
        "post",
        lambda w, r, s: f"/api/enterprises/{firm_of(w, r, s).credit_code}/reports/2023/approve",
        {
            **API_AUTH,
            "city_admin": (400, 400),  # the world's reports are drafts: nothing to approve
            "leader": (403, 403),
            "department": (404, 404),
            "district": (403, 404),
            "enterprise": (403, 404),
        },
        json=lambda w, r, s: {"justification": ""},
    ),
    Route(
        "api:approve_observation",
        "post",
        lambda w, r, s: f"/api/observations/{obs_of(w, r, s).pk}/approve",
        {
            **API_AUTH,
            "city_admin": (200, 200),
            "leader": (403, 403),
            "department": (403, 404),
            "district": (403, 404),
            "enterprise": (404, 404),
        },
        json=lambda w, r, s: {"justification": ""},
        obs_status=Status.SUBMITTED,
    ),
    Route("tasks:list", "get", lambda w, r, s: "/tasks/", TASK_PAGES),
    Route("catalog:filing", "get", lambda w, r, s: "/observations/file/", ENTRY),
    Route("catalog:filing_export", "get", lambda w, r, s: "/observations/file/export.xlsx", ENTRY),
    Route(
        "catalog:filing_import",
        "get",
        lambda w, r, s: "/observations/file/import/",
        {**ENTRY, **same(city_admin=302, department=302, district=302)},
    ),
    Route("leaders:map", "get", lambda w, r, s: "/leaders/map/", LEADER_VIEWS),
    Route("leaders:lights", "get", lambda w, r, s: "/leaders/lights/", LEADER_VIEWS),
    Route(
        "leaders:lights_export", "get", lambda w, r, s: "/leaders/lights/export.xlsx", LEADER_VIEWS
    ),
    Route("leaders:screen", "get", lambda w, r, s: "/leaders/screen/", LEADER_VIEWS),
    Route("leaders:screen_panels", "get", lambda w, r, s: "/leaders/screen/panels/", LEADER_VIEWS),
    Route("leaders:phone", "get", lambda w, r, s: "/leaders/phone/", LEADER_VIEWS),
    Route("tasks:league", "get", lambda w, r, s: "/tasks/league/", TASK_PAGES),
    Route("tasks:detail", "get", lambda w, r, s: f"/tasks/{task_path(w, r, s)}/", SCOPED_VIEW),
    Route(
        "tasks:report_new",
        "get",
        lambda w, r, s: f"/tasks/{task_path(w, r, s)}/report/",
        TASK_REPORT_ENTRY,
    ),
    Route(
        "tasks:milestone_new",
        "post",
        lambda w, r, s: f"/tasks/{task_path(w, r, s)}/milestones/",
        CITY_ADMIN_POST,
        data={"name": "节点", "due": "2025-06-30", "percent": "50"},
    ),
    Route(
        "tasks:report",
        "get",
        lambda w, r, s: f"/tasks/reports/{task_report_of(w, r, s).pk}/",
        SCOPED_VIEW,
    ),
    Route(
        "tasks:report_edit",
        "get",
        lambda w, r, s: f"/tasks/reports/{task_report_of(w, r, s).pk}/edit/",
        TASK_REPORT_ENTRY,
    ),
    Route(
        "tasks:report_submit",
        "post",
        lambda w, r, s: f"/tasks/reports/{task_report_of(w, r, s).pk}/submit/",
        TASK_REPORT_POST,
    ),
    Route(
        "tasks:report_review",
        "post",
        lambda w, r, s: f"/tasks/reports/{task_report_of(w, r, s).pk}/review/",
        CITY_ADMIN_POST,
        data={"decision": "return", "reason": "权限测试"},
    ),
    Route("tasks:evidence", "get", task_evidence_path, SCOPED_VIEW),
    Route("programmes:index", "get", lambda w, r, s: "/programmes/", ALL_ROLES_200),
    Route(
        "programmes:programme",
        "get",
        lambda w, r, s: f"/programmes/{programme_of(w, r, s)}/",
        ALL_ROLES_200,
    ),
    Route("programmes:export", "get", lambda w, r, s: "/programmes/export.xlsx", ALL_ROLES_200),
    Route("programmes:template", "get", lambda w, r, s: "/programmes/template.xlsx", ALL_ROLES_200),
    # Allowed: a post without a file gets the errors page saying so.
    Route("programmes:import", "post", lambda w, r, s: "/programmes/import/", PROGRAMME_IMPORT),
    Route(
        "programmes:project",
        "get",
        lambda w, r, s: f"/programmes/projects/{programme_project_of(w, r, s).pk}/",
        PROGRAMME_PROJECT_VIEW,
    ),
    Route(
        "programmes:edit",
        "get",
        lambda w, r, s: f"/programmes/projects/{programme_project_of(w, r, s).pk}/edit/",
        PROGRAMME_EDIT,
    ),
    Route(
        "programmes:progress",
        "post",
        lambda w, r, s: f"/programmes/projects/{programme_project_of(w, r, s).pk}/progress/",
        {
            **PROGRAMME_EDIT,
            "city_admin": (302, 302),
            "department": (302, 403),
            "district": (302, 404),
        },
        data={"month": "2024-05", "percent": "20"},
    ),
    Route(
        "programmes:evidence",
        "get",
        lambda w, r, s: (
            f"/programmes/projects/{programme_project_of(w, r, s).pk}/progress/"
            f"{programme_project_of(w, r, s).entries.get().pk}/evidence/"
        ),
        PROGRAMME_PROJECT_VIEW,
    ),
    Route(
        "programmes:new",
        "get",
        lambda w, r, s: f"/programmes/{programme_of(w, r, s)}/new/",
        {
            **ENTRY,
            "department": (200, 403),
        },
    ),
    Route(
        "uploads:errors",
        "get",
        lambda w, r, s: f"/uploads/errors/{error_list_of(w, r, s)}.csv",
        {
            **{role: (200, 404) for role in ROLES},
            "anonymous": (LOGIN, LOGIN),
            "no_role": (403, 403),
        },
    ),
    # Probes and metrics: no session (the reverse proxy keeps them internal, docs/deploy.md).
    Route("health:healthz", "get", lambda w, r, s: "/healthz", PUBLIC),
    Route("health:readyz", "get", lambda w, r, s: "/readyz", PUBLIC),
    Route("health:metrics", "get", lambda w, r, s: "/metrics", PUBLIC),
    Route(
        "admin:catalog_observation_changelist",
        "get",
        lambda w, r, s: "/admin/catalog/observation/",
        ADMIN_ONLY,
    ),
]


def _names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.namespace == "admin":
                continue  # the admin's own routes are covered by the admin rows below
            names |= _names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_named_route_is_in_the_matrix() -> None:
    covered = {route.name for route in ROUTES}
    missing = _names(get_resolver()) - covered
    assert not missing, f"routes without a permission-matrix row: {sorted(missing)}"


def _request(client: Any, route: Route, path: str, body: dict[str, Any] | None) -> Any:
    if route.method == "get":
        return client.get(path)
    if body is not None:
        send = client.put if route.method == "put" else client.post
        return send(path, data=json.dumps(body), content_type="application/json")
    return client.post(path, route.data or {})


def _outcome(response: Any) -> Any:
    if response.status_code == 302 and "login" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_route_permissions(route: Route, world: World, client: Any) -> None:
    failures = []
    for role in ROLES:
        for index, which in enumerate(("own", "other")):
            # Each request starts from the world's three observations.
            keep = [world.own_obs.pk, world.other_obs.pk, world.city_obs.pk]
            Observation.objects.exclude(pk__in=keep).delete()
            if route.obs_status:
                Observation.objects.update(status=route.obs_status, value=1.0)
            client.logout()
            if role != "anonymous":
                client.force_login(world.users[role])
            path = route.url(world, role, which)
            body = route.json(world, role, which) if route.json else None
            got = _outcome(_request(client, route, path, body))
            want = route.expected[role][index]
            if got != want:
                failures.append(
                    f"{role}/{which} {route.method.upper()} {path}: got {got}, want {want}"
                )
    assert not failures, "\n".join(failures)
