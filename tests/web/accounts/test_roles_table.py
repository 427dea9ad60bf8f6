"""The roles table of docs/security.md ("Roles and scopes") is what the code does: for each
module × role, the module's page opens (view) and its entry page opens (change) exactly when
the table says so. Probes use the permission matrix's routes on the role's own objects."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.web.accounts.conftest import World
from tests.web.accounts.test_permission_matrix import ROUTES

DOC = Path(__file__).resolve().parents[3] / "docs" / "security.md"
COLUMNS = {
    "city admin": "city_admin",
    "department": "department",
    "district": "district",
    "enterprise": "enterprise",
    "leader": "leader",
}
# Module -> (route whose page shows it, route of its entry page or None when nobody edits it
# outside the admin).
PROBES: dict[str, tuple[str, str | None]] = {
    "targets": ("catalog:target", "catalog:observation_new"),
    "energy": ("energy:district", "energy:edit_year"),
    "enterprises": ("enterprises:detail", "enterprises:report_edit"),
    "monitoring": ("monitoring:point", None),
    "reductions": ("reductions:project", "reductions:edit"),
    "projects": ("projects:detail", "projects:new"),
    "rights": ("rights:account", "rights:allocate"),
    "reports": ("reports:index", None),
    "quality": ("quality:findings", "quality:rules"),
    "tasks": ("tasks:detail", "tasks:report_new"),
    "programmes": ("programmes:project", "programmes:edit"),
    "cases": ("cases:list", None),  # moves are posted on a case's page (the matrix checks them)
    "notifications": ("notifications:centre", "notifications:webhooks"),
    "audit": ("audit:search", None),
    "leaders' views": ("leaders:map", None),
    "admin": ("admin:index", "admin:catalog_observation_changelist"),
}


def read_table() -> dict[str, dict[str, tuple[bool, bool]]]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Roles and scopes", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    table: dict[str, dict[str, tuple[bool, bool]]] = {}
    for line in rows[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        module = cells[0]
        table[module] = {}
        for title, cell in zip(header[1:], cells[1:], strict=True):
            words = re.sub(r"\(.*?\)", "", cell)  # notes in brackets are for people
            table[module][COLUMNS[title]] = ("view" in words, "change" in words)
    return table


def test_the_table_covers_every_module_and_role() -> None:
    table = read_table()
    assert set(table) == set(PROBES)
    assert all(set(cells) == set(COLUMNS.values()) for cells in table.values())


ROUTE = {route.name: route for route in ROUTES}


@pytest.mark.django_db
@pytest.mark.parametrize("module", sorted(PROBES))
def test_the_code_does_what_the_table_says(module: str, world: World, client: Any) -> None:
    view_route, change_route = PROBES[module]
    failures = []
    for role, (can_view, can_change) in read_table()[module].items():
        client.logout()
        client.force_login(world.users[role])
        status = client.get(ROUTE[view_route].url(world, role, "own")).status_code
        if (status == 200) != can_view:
            failures.append(f"{role} view {view_route}: {status}, table says {can_view}")
        if change_route is None:
            if can_change:
                failures.append(f"{role}: the table says change, but nothing edits {module}")
            continue
        status = client.get(ROUTE[change_route].url(world, role, "own")).status_code
        if (status == 200) != can_change:
            failures.append(f"{role} change {change_route}: {status}, table says {can_change}")
    assert not failures, "\n".join(failures)
