"""Every page survives whatever numbers are in the database (issue #19, class 2).

Non-finite and absurd values are written straight into every float column of every ECER
table, past the model layer and the CHECK constraints (as a database restored from before
the rules, or edited by hand, could hold them). Then every page reachable from the
navigation, and every detail page linked from there, is opened as each role: none answers
500 (a record the service can place shows "数据异常" in its cell; the net answers 409 naming
the record and field).

The raw writes go past the CHECKs (SQLite's ``ignore_check_constraints``; on PostgreSQL the
table's CHECK constraints are dropped inside the test's transaction, which rolls back): this proves
the reading side for every value that can exist in a database — rows written before the
CHECK migrations (which now repair them, see docs/security.md "Numbers"), NaN that SQLite
keeps as NULL in a nullable column, and values beyond a field's own bounds.
"""

from __future__ import annotations

import re
import sys
import traceback
from typing import Any
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.core.signals import got_request_exception
from django.db import connection
from django.urls import Resolver404, resolve

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department
from ecer.web.numbers import FiniteFloatField

pytestmark = pytest.mark.django_db

BAD_VALUES = (float("inf"), float("-inf"), 1e308, -1e308, float("nan"))
START = (
    "/",
    "/energy/",
    "/projects/",
    "/reductions/",
    "/reports/",
    "/enterprises/",
    "/programmes/",
)
HREF = re.compile(r'href="(/[^"#?]*)')
# Links that change state or leave the pages under test.
SKIP = ("/logout/", "/admin/", "/i18n/", "/static/", "/media/", "/en/")
PER_ROUTE = 2  # detail pages of one kind: two of each are enough to reach every template


def _poison_every_float_column() -> int:
    """Write BAD_VALUES into a few rows of every FiniteFloatField column; the count written."""
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        else:  # ALTER TABLE waits for no deferred foreign-key checks
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        dropped: set[str] = set()
        for model in apps.get_models():
            if not model.__module__.startswith("ecer.") or model.__name__.startswith("Historical"):
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            pk = connection.ops.quote_name(model._meta.pk.column)
            for field in model._meta.local_fields:
                if not isinstance(field, FiniteFloatField):
                    continue
                column = connection.ops.quote_name(field.column)
                if connection.vendor == "postgresql" and table not in dropped:
                    _drop_checks(cursor, table)
                    dropped.add(table)
                cursor.execute(f"SELECT {pk} FROM {table} ORDER BY {pk} LIMIT 6")
                for index, (row_id,) in enumerate(cursor.fetchall()):
                    value = BAD_VALUES[index % len(BAD_VALUES)]
                    if value != value and not field.null:
                        value = float("inf")  # SQLite stores NaN as NULL
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", [value, row_id]
                    )
                    written += 1
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")
    return written


def _drop_checks(cursor: Any, table: str) -> None:
    """Drop a table's own CHECK constraints (PostgreSQL; the test's transaction restores them)."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c' "
        "AND conislocal",
        [table],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")


def _users(django_user_model: Any) -> dict[str, Any]:
    def user(name: str, **membership: Any) -> Any:
        u = django_user_model.objects.create_user(name, "", "pw-for-tests-only")
        Membership.objects.create(user=u, **membership)
        return u

    from ecer.web.enterprises.models import Enterprise

    firm = Enterprise.objects.order_by("pk").first()
    assert firm is not None
    admin = user("cityadmin", role=Role.CITY_ADMIN)
    return {
        "city_admin": admin,
        "leader": user("leader", role=Role.LEADER),
        "department": user(
            "transport", role=Role.DEPARTMENT, department=Department.objects.get(code="transport")
        ),
        "district": user("haicheng", role=Role.DISTRICT, area=Area.objects.get(code="haicheng")),
        "enterprise": user("firm", role=Role.ENTERPRISE, enterprise_code=firm.credit_code),
    }


def _crawl(client: Any) -> dict[str, int]:
    """GET the start pages and every page they link to (two per route); path → status."""
    seen: dict[str, int] = {}
    per_route: dict[str, int] = {}
    queue = list(START)
    depth = {path: 0 for path in queue}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if depth[path] >= 2 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in HREF.findall(response.content.decode()):
            link = urlparse(link).path
            if link in seen or link in depth or link.startswith(SKIP):
                continue
            try:
                route = resolve(link).route
            except Resolver404:
                continue
            if per_route.get(route, 0) >= PER_ROUTE:
                continue
            per_route[route] = per_route.get(route, 0) + 1
            depth[link] = depth[path] + 1
            queue.append(link)
    return seen


def test_every_page_survives_non_finite_and_absurd_stored_values(
    full_demo: Any, client: Any, django_user_model: Any
) -> None:
    users = _users(django_user_model)
    assert _poison_every_float_column() > 100
    errors: list[str] = []

    def record(sender: Any, request: Any = None, **kwargs: Any) -> None:
        exc = sys.exc_info()[1]
        frames = traceback.extract_tb(exc.__traceback__)[-4:] if exc else []
        where = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
        errors.append(f"{getattr(request, 'path', '?')}: {exc!r} at {where}")

    got_request_exception.connect(record)
    client.raise_request_exception = False
    failures = []
    try:
        for role, user in users.items():
            client.force_login(user)
            statuses = _crawl(client)
            assert len(statuses) > 5, (role, statuses)
            failures += [(role, path, code) for path, code in statuses.items() if code >= 500]
    finally:
        got_request_exception.disconnect(record)
    assert not failures, "\n".join(sorted(set(errors)))
