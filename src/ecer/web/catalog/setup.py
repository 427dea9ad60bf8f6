"""`ecer setup`: load the plan, the demo data and the demo accounts; safe to run again."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from ecer.plan.loader import default_plan_path, load_plan_file
from ecer.web.catalog.demo import demo_rows
from ecer.web.catalog.loading import load_catalog_into_db
from ecer.web.catalog.observations_io import import_observations

DEMO_ADMIN = "admin"


def run_setup(*, with_demo: bool) -> Iterator[str]:
    catalog = load_plan_file(default_plan_path())
    yield str(load_catalog_into_db(catalog))
    if not with_demo:
        return
    from ecer.web.catalog.models import Plan

    plan = Plan.objects.get(code=catalog.plan.code)
    yield str(import_observations("demo", demo_rows(plan), plan=plan, is_demo=True))
    yield from ensure_demo_users()


def _credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-credentials.txt"


@transaction.atomic
def ensure_demo_users() -> Iterator[str]:
    """Create the demo administrator once; its password is kept in DATA_DIR to be shown again."""
    user_model = get_user_model()
    store = _credentials_file()
    known = dict(
        line.split(":", 1) for line in store.read_text(encoding="utf-8").splitlines() if ":" in line
    ) if store.exists() else {}
    user = user_model.objects.filter(username=DEMO_ADMIN).first()
    if user is None or DEMO_ADMIN not in known:
        password = secrets.token_urlsafe(9)
        if user is None:
            user = user_model.objects.create_superuser(DEMO_ADMIN, "", password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        known[DEMO_ADMIN] = password
        store.parent.mkdir(parents=True, exist_ok=True)
        store.write_text("".join(f"{k}:{v}\n" for k, v in known.items()), encoding="utf-8")
        store.chmod(0o600)
    yield "Demo accounts (示例账号) — sign in at http://127.0.0.1:8000/login/"
    yield f"  city administrator 市级管理员: {DEMO_ADMIN} / {known[DEMO_ADMIN]}"
