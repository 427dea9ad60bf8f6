"""Every page docs/coverage.md cites as carrying a requirement of the plan opens for the city
administrator on the demo data (issue 20): the table's "carried by" is a page that works, not
only a route that resolves (tests/plan/test_coverage_doc.py checks the routes and codes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from tests.plan.test_coverage_doc import DOC, PROGRAMMES_APP, PROGRAMMES_PREFIX, parse

pytestmark = pytest.mark.django_db


def cited_pages() -> list[str]:
    rows = parse(DOC.read_text(encoding="utf-8"))
    pages = {c for r in rows for c in r.carriers if c.startswith("/")}
    if not apps.is_installed(PROGRAMMES_APP):
        # Built on another branch; see tests/plan/test_coverage_doc.py.
        pages = {p for p in pages if not p.startswith(PROGRAMMES_PREFIX)}
    return sorted(pages)


def test_every_cited_page_opens_for_the_city(full_demo: Any, admin_client: Any) -> None:
    pages = cited_pages()
    assert len(pages) > 100
    failed = []
    for path in pages:
        response = admin_client.get(path)
        if response.status_code != 200:
            failed.append(f"{path} {response.status_code}")
    assert not failed, "cited pages that do not open: " + ", ".join(failed)
