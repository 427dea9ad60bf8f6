"""`ecer setup`: load the plan, the demo data and the demo accounts; safe to run again."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ecer.plan.loader import default_plan_path, load_plan_file
from ecer.web.audit.models import Status
from ecer.web.catalog.demo import demo_rows
from ecer.web.catalog.loading import load_catalog_into_db
from ecer.web.catalog.observations_io import import_observations
from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE

DEMO_ADMIN = "admin"


def run_setup(*, with_demo: bool) -> Iterator[str]:
    catalog = load_plan_file(default_plan_path())
    yield str(load_catalog_into_db(catalog))
    from ecer.web.reports.services import ensure_default_scheme

    yield f"考核方案 v{ensure_default_scheme().number}"
    from ecer.web.quality.services import ensure_default_rule_set

    rule_set, created = ensure_default_rule_set()
    yield f"数据质量规则集：{rule_set}" + ("（已载入默认规则）" if created else "（已存在）")
    from ecer.web.monitoring.partitions import ensure_ahead

    created_partitions = ensure_ahead()
    if created_partitions:
        yield f"监测数据分区：新建 {len(created_partitions)} 个月分区"
    if not with_demo:
        return
    from ecer.web.catalog.models import Plan

    plan = Plan.objects.get(code=catalog.plan.code)
    yield str(
        import_observations(
            "demo", demo_rows(plan), plan=plan, status=Status.APPROVED, is_demo=True
        )
    )
    from django.utils import timezone

    from ecer.web.energy.demo import load_demo
    from ecer.web.enterprises.demo import load_demo as load_enterprises
    from ecer.web.monitoring.demo import ALREADY_LOADED, ensure_demo_points
    from ecer.web.monitoring.journal import latest_run, refresh

    yield from load_demo(plan)
    yield from load_enterprises()
    points = ensure_demo_points(timezone.now())
    yield points
    # Judged once when the demo points arrive; after that the journal's own schedule judges.
    if points != ALREADY_LOADED or latest_run() is None:
        yield str(refresh(timezone.now()))
    from ecer.web.reductions.demo import load_demo as load_reductions

    yield from load_reductions()
    from ecer.web.registers.demo import load_demo as load_registers

    yield from load_registers(plan)
    from ecer.web.programmes.demo import load_demo as load_programmes

    yield from load_programmes(plan)
    from ecer.web.projects.demo import load_demo as load_projects_demo
    from ecer.web.rights.demo import load_demo as load_rights_demo

    yield from load_projects_demo()
    yield from load_rights_demo()
    # The demo's online data arrive after its reports: check everything once they are in.
    from ecer.web.quality.services import run_all

    yield str(run_all())
    # The demo accounts last: their passwords are what a person looks for.
    yield from ensure_demo_users()


def _credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-credentials.txt"


# The demo accounts, one per role: (user name, role, department code, area code, label).
DEMO_USERS = [
    (DEMO_ADMIN, "city_admin", None, None, "市级管理员（发展改革委）city administrator"),
    (
        "eeb",
        "city_admin",
        "ecology_environment",
        None,
        "市级管理员（生态环境局）city administrator",
    ),
    ("leader", "leader", None, None, "领导（只读）read-only leader"),
    ("transport", "department", "transport", None, "部门用户：市交通运输局 department user"),
    ("haicheng", "district", None, "haicheng", "县区用户：海城区 district user"),
    ("yinhai", "district", None, "yinhai", "县区用户：银海区 district user"),
    ("tieshangang", "district", None, "tieshangang", "县区用户：铁山港区 district user"),
    ("hepu", "district", None, "hepu", "县区用户：合浦县 district user"),
    ("enterprise", "enterprise", None, None, "企业用户（示例企业）enterprise user"),
]


@transaction.atomic
def ensure_demo_users() -> Iterator[str]:
    """Create the demo accounts once; their passwords are kept in DATA_DIR to be shown again."""
    from ecer.web.accounts.models import Membership
    from ecer.web.catalog.models import Area, Department

    user_model = get_user_model()
    store = _credentials_file()
    known: dict[str, str] = {}
    if store.exists():
        for line in store.read_text(encoding="utf-8").splitlines():
            if ":" in line:
                name, password = line.split(":", 1)
                known[name] = password
    # `make run` passes the address it serves on (HOST, PORT).
    address = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
    lines = [f"Demo accounts (示例账号) — sign in at http://{address}/login/"]
    for username, role, department, area, label in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None or username not in known:
            password = secrets.token_urlsafe(9)
            if user is None:
                user = user_model.objects.create_user(username, "", password)
            else:
                user.set_password(password)
            user.is_staff = user.is_superuser = username == DEMO_ADMIN
            user.save()
            known[username] = password
        wanted = {
            "role": role,
            "department": Department.objects.get(code=department) if department else None,
            "area": Area.objects.get(code=area) if area else None,
            "enterprise_code": DEMO_ENTERPRISE_CODE if role == "enterprise" else "",
        }
        membership = Membership.objects.filter(user=user).first()
        # Saved only when it differs: every save is a history entry and bumps the data version.
        if membership is None or any(getattr(membership, k) != v for k, v in wanted.items()):
            Membership.objects.update_or_create(user=user, defaults=wanted)
        lines.append(f"  {label}: {username} / {known[username]}")
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text("".join(f"{k}:{v}\n" for k, v in known.items()), encoding="utf-8")
    store.chmod(0o600)
    yield from lines
