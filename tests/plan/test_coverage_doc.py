"""docs/coverage.md, the mission coverage table (issue 20), is checked against the plan file and
the URLconf, so it cannot silently drift: every code it cites exists, every page resolves, every
row has a status (and a reason when it is not full), every task, target, register and rule of the
plan is on some row, and the count at the top is the count of the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import Resolver404, resolve

from ecer.plan.schema import PlanCatalog

DOC = Path(__file__).resolve().parents[2] / "docs" / "coverage.md"
ROW = re.compile(r"^\| (R-\d+(?:\.\d+)?-\d{2}) \|")
ID_CLAUSE = re.compile(r"^R-(\d+)(?:\.(\d+))?-\d{2}$")
TOKEN = re.compile(r"`([^`]+)`")
SUMMARY = re.compile(r"\*\*Requirements: (\d+) — full (\d+), partial (\d+), missing (\d+)\.\*\*")
HEADING = re.compile(r"^## (\S+) ")
STATUSES = ("full", "partial", "missing")
KINDS = ("task", "target", "register", "rule")
NUMERALS = "一二三四五六七八九十"

# The key-programme library (/programmes/, /programmes/<code>/) is built on another branch
# (ecer.web.programmes). Until that app is installed its URLs cannot resolve; rows may cite them
# all the same, and only this prefix is excused, only while the app is absent.
PROGRAMMES_APP = "ecer.web.programmes"
PROGRAMMES_PREFIX = "/programmes/"


@dataclass(frozen=True)
class Row:
    id: str
    clause: str
    requirement: str
    carriers: tuple[str, ...]
    status: str
    note: str


def parse(text: str) -> list[Row]:
    rows, clause = [], ""
    for line in text.splitlines():
        heading = HEADING.match(line)
        if heading:
            clause = heading[1]
        if not ROW.match(line):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 5, f"a row has five cells: {line}"
        rid, requirement, carried, status, note = cells
        rows.append(Row(rid, clause, requirement, tuple(TOKEN.findall(carried)), status, note))
    return rows


@pytest.fixture(scope="module")
def text() -> str:
    return DOC.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rows(text: str) -> list[Row]:
    found = parse(text)
    assert found, "docs/coverage.md has no requirement rows"
    return found


def codes(rows: list[Row], kind: str) -> set[str]:
    prefix = f"{kind}:"
    return {c[len(prefix) :] for r in rows for c in r.carriers if c.startswith(prefix)}


def clause_of_id(rid: str) -> str:
    """R-3.4-01 -> 三(四); R-2-05 -> 二."""
    match = ID_CLAUSE.match(rid)
    assert match, rid
    head = NUMERALS[int(match[1]) - 1]
    return f"{head}({NUMERALS[int(match[2]) - 1]})" if match[2] else head


def test_ids_are_unique_and_name_the_clause_they_are_filed_under(rows: list[Row]) -> None:
    ids = [r.id for r in rows]
    assert len(ids) == len(set(ids)), "duplicate ids"
    misplaced = [r.id for r in rows if clause_of_id(r.id) != r.clause]
    assert not misplaced, f"rows under the wrong clause heading: {misplaced}"


def test_every_cited_code_exists_in_the_plan(rows: list[Row], catalog: PlanCatalog) -> None:
    known = {
        "task": {t.code for t in catalog.tasks},
        "target": {t.code for t in catalog.targets},
        "register": {r.code for r in catalog.registers},
        "rule": {r.code for r in catalog.rules},
    }
    unknown = []
    for row in rows:
        assert row.carriers, f"{row.id} names nothing that carries it"
        for token in row.carriers:
            if token.startswith("/"):
                continue
            kind, _, code = token.partition(":")
            assert kind in KINDS, f"{row.id}: unknown kind of carrier {token!r}"
            if code not in known[kind]:
                unknown.append(f"{row.id} {token}")
    assert not unknown, "codes not in the plan file: " + ", ".join(unknown)


def test_a_task_is_cited_under_its_own_clause(rows: list[Row], catalog: PlanCatalog) -> None:
    clause = {t.code: t.clause for t in catalog.tasks}
    wrong = [
        f"{r.id} {c}"
        for r in rows
        for c in r.carriers
        if c.startswith("task:") and clause.get(c[5:], r.clause) != r.clause
    ]
    assert not wrong, "tasks cited under another clause: " + ", ".join(wrong)


def test_every_cited_page_resolves(rows: list[Row]) -> None:
    programmes_installed = apps.is_installed(PROGRAMMES_APP)
    unresolved = []
    for row in rows:
        for path in (c for c in row.carriers if c.startswith("/")):
            if path.startswith(PROGRAMMES_PREFIX) and not programmes_installed:
                continue  # see PROGRAMMES_APP above
            try:
                resolve(path)
            except Resolver404:
                unresolved.append(f"{row.id} {path}")
    assert not unresolved, "pages that do not resolve: " + ", ".join(unresolved)


def test_the_programmes_excuse_holds_only_while_the_app_is_absent(
    rows: list[Row], catalog: PlanCatalog
) -> None:
    cited = [c for r in rows for c in r.carriers if c.startswith(PROGRAMMES_PREFIX)]
    assert cited, "the key programmes are cited (三)"
    if not apps.is_installed(PROGRAMMES_APP):
        return
    # Once the library is installed its pages resolve, and a programme cited by its code
    # (/programmes/<code>/) is one of the plan file's programmes.
    known = {p.code for p in getattr(catalog, "programmes", ())}
    for path in cited:
        resolve(path)
        code = path[len(PROGRAMMES_PREFIX) :].strip("/")
        if code and "/" not in code:
            assert code in known, f"{path}: no programme {code!r} in the plan file"


def test_every_row_has_a_status_and_every_shortfall_a_reason(rows: list[Row]) -> None:
    for row in rows:
        assert row.status in STATUSES, f"{row.id}: status {row.status!r}"
        assert row.requirement, f"{row.id}: no requirement"
        if row.status != "full":
            # A partial row says what is not carried; a missing row says why (issue 20).
            assert len(row.note) >= 20, f"{row.id} is {row.status} without a stated reason"


def test_every_task_target_register_and_rule_is_on_a_row(
    rows: list[Row], catalog: PlanCatalog
) -> None:
    for kind, plan_codes in (
        ("task", {t.code for t in catalog.tasks}),
        ("target", {t.code for t in catalog.targets}),
        ("register", {r.code for r in catalog.registers}),
        ("rule", {r.code for r in catalog.rules}),
    ):
        absent = sorted(plan_codes - codes(rows, kind))
        assert not absent, f"{kind}s of the plan on no row of docs/coverage.md: {absent}"


def test_every_clause_of_the_plan_has_rows(rows: list[Row], catalog: PlanCatalog) -> None:
    # 三 and 四 and 五 are headings over their numbered clauses.
    leaves = {s.clause for s in catalog.sections} - {"三", "四", "五"}
    assert leaves == {r.clause for r in rows}


def test_the_count_at_the_top_is_the_rows(text: str, rows: list[Row]) -> None:
    summary = SUMMARY.search(text)
    assert summary, "docs/coverage.md states its counts at the top"
    total, full, partial, missing = (int(g) for g in summary.groups())
    assert total == len(rows)
    assert (full, partial, missing) == tuple(sum(r.status == s for r in rows) for s in STATUSES)


def test_the_parser_sees_a_broken_row() -> None:
    # The checks above are only as good as the parser: a row it misread would pass unseen.
    good = "## 三(一) 标题\n| R-3.1-01 | 要求 | `task:x` `/tasks/` | partial | not carried: y |\n"
    (row,) = parse(good)
    expected = Row("R-3.1-01", "三(一)", "要求", ("task:x", "/tasks/"), "partial", "not carried: y")
    assert row == expected
    with pytest.raises(AssertionError, match="five cells"):
        parse("| R-3.1-01 | 要求 | `task:x` | partial |\n")
