"""Formula injection (issue #19, class 6): every Excel export, for every role, carries no text
cell that a spreadsheet would run as a formula, whatever people typed into the data."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Department
from ecer.web.sheets import Workbook, save

SRC = Path(__file__).resolve().parents[3] / "src" / "ecer"
# Judged here independently of the code under test: text starting with one of these is a
# formula unless it is a plain signed number or a dash.
FORMULA_START = ("=", "+", "-", "@")
HARMLESS = re.compile(r"[-+]?\d+(?:[.,]\d+)*%?|[-—–]+")
# Free-text fields people fill in; each gets a formula-leading prefix below.
TEXT_FIELDS = {
    *("name", "title", "note", "notes", "remark", "reason", "message", "source_name", "label"),
}


def _unsafe(value: object) -> bool:
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_START)
        and HARMLESS.fullmatch(value) is None
    )


def _xlsx_route_names(resolver: URLResolver, prefix: str = "") -> list[str]:
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names += _xlsx_route_names(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name and str(entry.pattern).endswith(".xlsx"):
            names.append(prefix + entry.name)
    return names


def _poison_free_text() -> int:
    """Prefix every free-text field of the platform's own models with '=' (as a hostile
    user could type it); returns how many columns were changed."""
    from django.apps import apps

    changed = 0
    for model in apps.get_models():
        if not model.__module__.startswith("ecer.") or model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            if (
                field.name in TEXT_FIELDS
                and isinstance(field, models.CharField | models.TextField)
                and not field.unique
                and not field.choices
            ):
                # QuerySet.update of Django's own class: some ledgers refuse updates by design.
                queryset = model._default_manager.exclude(**{field.name: ""})
                models.QuerySet.update(
                    queryset, **{field.name: Concat(Value("=cmd|"), F(field.name))}
                )
                changed += 1
    return changed


def _users(django_user_model: Any) -> dict[str, Any]:
    from ecer.web.enterprises.models import Enterprise

    firm = Enterprise.objects.order_by("pk").first()
    assert firm is not None, "the demo has enterprises"
    memberships = {
        "city_admin": {"role": Role.CITY_ADMIN},
        "leader": {"role": Role.LEADER},
        "department": {"role": Role.DEPARTMENT, "department": Department.objects.first()},
        "district": {"role": Role.DISTRICT, "area": Area.objects.get(code="haicheng")},
        "enterprise": {"role": Role.ENTERPRISE, "enterprise_code": firm.credit_code},
    }
    users = {}
    for role, membership in memberships.items():
        user = django_user_model.objects.create_user(f"x-{role}", "", "pw-for-tests-only-1")
        Membership.objects.create(user=user, **membership)
        users[role] = user
    return users


@pytest.mark.django_db
def test_no_export_for_any_role_holds_a_live_formula(
    full_demo: Any, client: Any, django_user_model: Any
) -> None:
    from ecer.web.quality.services import run_all
    from ecer.web.reports import jobs
    from ecer.web.reports.models import ReportJob

    run_all()  # the data-quality findings, so that their export has rows
    assert _poison_free_text() >= 5
    users = _users(django_user_model)
    urls = {name: reverse(name) for name in _xlsx_route_names(get_resolver())}
    assert len(urls) >= 5, urls
    for kind in (ReportJob.Kind.ANNUAL_XLSX, ReportJob.Kind.MIDTERM_XLSX):
        job = ReportJob.objects.create(kind=kind, year=2024, created_by=users["city_admin"])
        jobs.start(job)
        job.refresh_from_db()
        assert job.status == ReportJob.Status.DONE, job.error
        urls[f"reports:download {kind}"] = reverse("reports:download", args=[job.pk])

    failures, neutralised, opened = [], dict.fromkeys(urls, 0), dict.fromkeys(urls, 0)
    for role, user in users.items():
        client.force_login(user)
        for name, url in urls.items():
            response = client.get(url)
            if response.status_code != 200:
                continue
            opened[name] += 1
            book = load_workbook(io.BytesIO(response.content))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        if cell.data_type == "f" or _unsafe(cell.value):
                            failures.append(f"{role} {url} {sheet.title}!{cell.coordinate}")
                        elif isinstance(cell.value, str) and cell.value.startswith("'=cmd|"):
                            neutralised[name] += 1
        client.logout()
    assert not failures, failures[:20]
    assert all(opened.values()), f"exports nobody could open: {opened}"
    # The hostile text reached the exports that show names (the test can fail).
    shown = {name: n for name, n in neutralised.items() if "template" not in name}
    assert all(shown.values()), f"exports without any hostile text: {shown}"


def test_the_workbook_neutralises_formula_text_and_keeps_numbers() -> None:
    book = Workbook()
    sheet = book.active
    values = ["=1+1", "+cmd", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "-", "-3.5", "北海", -5, 2.5]
    sheet.append([*values, dt.date(2024, 1, 2)])
    back = load_workbook(io.BytesIO(save(book))).active
    got = [cell.value for cell in back[1]]
    assert got[:4] == ["'=1+1", "'+cmd", "'-2+3+cmd|' /C calc'!A0", "'@SUM(A1)"]
    assert got[4:9] == ["-", "-3.5", "北海", -5, 2.5]
    assert isinstance(got[7], int) and isinstance(got[8], float)
    assert got[9] == dt.datetime(2024, 1, 2)
    assert all(cell.data_type != "f" for cell in back[1])


def test_every_workbook_is_written_through_sheets() -> None:
    """No module builds an openpyxl workbook of its own (which would skip the neutraliser)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if path.name == "sheets.py" and path.parent.name == "web":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"from openpyxl import [^\n]*\bWorkbook\b|openpyxl\.Workbook\b", text):
            offenders.append(f"{path.relative_to(SRC)}: builds an openpyxl workbook")
        if re.search(r"\b(workbook|wb|book)\.save\(", text) and "load_workbook" in text:
            offenders.append(f"{path.relative_to(SRC)}: saves a loaded workbook itself")
    assert not offenders, f"use ecer.web.sheets.Workbook and sheets.save: {offenders}"
