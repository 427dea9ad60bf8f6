"""Issue #19 class 3: every import is bounded by its file's real size, never by its claims.

The import endpoints are found from the URLconf (a view that reads request.FILES must carry
the ecer.web.uploads mark), and every one is fed files that lie about their size, an
over-long cell, too many rows and columns, and a body over the limit: each gets a clear 4xx
or validation error naming the rule, within bounded work (the reader's counters, never the
clock), and nothing is stored.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ecer.web.uploads import reader
from ecer.web.uploads.reader import ReadCounters
from ecer.web.uploads.registry import ImportEndpoint
from tests.web import uploads_hostile as hostile

# Small limits, so each hostile file is a few KB and breaks exactly one of them.
LIMITS = {
    "ECER_UPLOAD_MAX_BYTES": 200_000,
    "ECER_REQUEST_MAX_BYTES": 250_000,
    "ECER_IMPORT_MAX_UNZIPPED_BYTES": 3_000_000,
    "ECER_IMPORT_MAX_ZIP_RATIO": 100,
    "ECER_IMPORT_MAX_SHARED_STRINGS": 1000,
    "ECER_IMPORT_MAX_STYLES": 100,
    "ECER_IMPORT_MAX_ROWS": 50,
    "ECER_IMPORT_MAX_COLUMNS": 60,
    "ECER_IMPORT_MAX_CELL_CHARS": 300,
    "ECER_IMPORT_ERRORS_SHOWN": 200,
}
# What each rule's message says (the page must name the rule broken).
RULE_WORDS = {
    "zip-ratio": "压缩比超过上限 100 倍",
    "zip-size": "超过上限 3,000,000 字节",
    "shared-strings": "共享字符串 1,001 个，超过上限 1,000 个",
    "styles": "单元格格式 101 种，超过上限 100 种",
    "rows": "数据行数超过上限 50 行",
    "columns": "列数超过上限 60 列",
    "cell": "超过上限 300 字符",
    "time": "秒的时限",
}
NOT_DATA = {"uploads.errorlist", "sessions.session"}


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, namespace)
        else:
            yield f"{prefix}{entry.name}", entry


def _innermost(view: Callable[..., Any]) -> Callable[..., Any]:
    while hasattr(view, "__wrapped__"):
        view = view.__wrapped__
    return view


def upload_views() -> list[tuple[str, Callable[..., Any]]]:
    """Every view of the URLconf whose code reads uploaded files."""
    found = []
    for name, pattern in _patterns(get_resolver()):
        if name.startswith("admin:"):
            continue  # generic; the admin takes no files (test below)
        try:
            source = inspect.getsource(_innermost(pattern.callback))
        except (OSError, TypeError):
            continue
        if "request.FILES" in source:
            found.append((name, pattern.callback))
    return found


ENDPOINTS = [(name, view.import_endpoint) for name, view in upload_views()]  # type: ignore[attr-defined]


def test_every_view_that_reads_uploads_is_marked_and_bounded() -> None:
    views = upload_views()
    assert {name for name, _view in views} >= {
        "catalog:observation_import",
        "energy:import",
        "enterprises:import",
        "reductions:evidence",
    }
    unmarked = [
        name
        for name, view in views
        if not isinstance(getattr(view, "import_endpoint", None), ImportEndpoint)
    ]
    assert unmarked == [], f"views reading request.FILES without @import_endpoint: {unmarked}"


def test_the_admin_site_takes_no_files() -> None:
    """The admin's views pass request.FILES to every form; no model it edits has a file."""
    from django.contrib import admin
    from django.db import models

    with_files = [
        model._meta.label
        for model in admin.site._registry
        if any(isinstance(f, models.FileField) for f in model._meta.get_fields())
    ]
    assert with_files == []


def _stored() -> dict[str, int]:
    return {
        model._meta.label_lower: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.label_lower not in NOT_DATA
    }


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> list[ReadCounters]:
    seen: list[ReadCounters] = []

    def new() -> ReadCounters:
        seen.append(ReadCounters())
        return seen[-1]

    monkeypatch.setattr(reader, "new_counters", new)
    return seen


@pytest.fixture
def bounded(settings: Any, tmp_path: Any) -> Any:
    for name, value in LIMITS.items():
        setattr(settings, name, value)
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def _url(name: str, client: Any) -> str:
    if name.startswith("tasks:"):
        # Progress reports are filed by the responsible department: post as its user.
        from django.contrib.auth import get_user_model

        from ecer.web.accounts.models import Membership, Role
        from ecer.web.catalog.models import Task

        task = Task.objects.filter(lead_departments__code="transport").order_by("pk").first()
        user = get_user_model().objects.create_user("uploader", "", "pw-for-tests-only")
        Membership.objects.create(
            user=user, role=Role.DEPARTMENT, department=task.lead_departments.get()
        )
        client.force_login(user)
        if name == "tasks:report_new":
            return reverse(name, args=[task.code])
        from ecer.web.tasks.models import ProgressReport

        report = ProgressReport.objects.create(
            task=task,
            department=task.lead_departments.get(),
            year=2024,
            quarter=1,
            percent=10,
            done_text="上传测试",
        )
        return reverse(name, args=[report.pk])
    if name == "programmes:import":
        return reverse(name)
    if name == "programmes:progress":
        from ecer.web.catalog.models import Area
        from ecer.web.programmes.models import Programme, Project

        project = Project.objects.create(
            programme=Programme.objects.get(code="transport_logistics"),
            code="UPLOAD-1",
            name="上传测试项目",
            area=Area.objects.get(code="haicheng"),
            owner_name="测试业主",
            investment_planned=100.0,
            start_on="2024-01-01",
            planned_completion_on="2025-12-31",
        )
        return reverse(name, args=[project.pk])
    if name == "registers:import":
        return reverse(name, args=["coal_boilers_small"])
    if name == "registers:step":
        from ecer.web.catalog.models import Area
        from ecer.web.registers.models import Item, Register

        item = Item.objects.create(
            register=Register.objects.get(code="coal_boilers_small"),
            identifier="上传测试-1",
            name="上传测试锅炉",
            area=Area.objects.get(code="haicheng"),
            registered_on="2023-01-01",
        )
        return reverse(name, args=[item.pk])
    if name == "cases:move":
        # Rectification evidence is uploaded by the case's enterprise.
        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from ecer.web.accounts.models import Membership, Role
        from ecer.web.cases.models import Case

        now = timezone.now()
        case = Case.objects.create(
            source="exceedance",
            source_key="upload-bounds",
            title="上传测试",
            enterprise_code="91450521MA5HP0040E",
            assignee="enterprise",
            state="verified",
            opened_at=now,
            entered_at=now,
            due_at=now,
        )
        user = get_user_model().objects.create_user("firm-uploader", "", "pw-for-tests-only")
        Membership.objects.create(
            user=user, role=Role.ENTERPRISE, enterprise_code=case.enterprise_code
        )
        client.force_login(user)
        return reverse(name, args=[case.pk])
    if name == "reductions:evidence":
        from django.utils import timezone

        from ecer.web.monitoring.demo import ensure_demo_points
        from ecer.web.reductions.demo import load_demo
        from ecer.web.reductions.models import ReductionProject

        ensure_demo_points(timezone.now())
        list(load_demo())
        return reverse(name, args=[ReductionProject.objects.order_by("pk").first().pk])
    return reverse(name)


def _headers(client: Any, endpoint: ImportEndpoint) -> dict[str, list[Any]]:
    if endpoint.template:
        response = client.get(reverse(endpoint.template))
        assert response.status_code == 200
        return hostile.template_sheets(response.content)
    return {"数据": ["target", "area", "year", "quarter", "value", "unit", "source", "note"]}


def _post(client: Any, url: str, endpoint: ImportEndpoint, name: str, content: bytes) -> Any:
    data = {endpoint.field: SimpleUploadedFile(name, content), "title": "材料"}
    return client.post(url, data, follow=endpoint.kind == "file")


def _hostile_workbooks(
    headers: dict[str, list[Any]],
) -> list[tuple[str, bytes, Callable[[ReadCounters], bool]]]:
    """(rule, file, bound on the work done) for every way an xlsx may lie or overflow."""
    one_row = hostile.with_rows(headers, [["x"] * 3])
    long_row = hostile.with_rows(headers, [["x" * 301]])
    many_rows = hostile.with_rows(headers, [["x"] for _ in range(60)])
    wide_row = hostile.with_rows(headers, [["x"] * 61])
    columns = LIMITS["ECER_IMPORT_MAX_COLUMNS"] + 1
    rows = LIMITS["ECER_IMPORT_MAX_ROWS"] + 1
    not_opened: Callable[[ReadCounters], bool] = lambda c: c.workbooks_opened == 0 and c.rows == 0  # noqa: E731
    return [
        # A few KB of deflate that expand past the limit: refused from the declared sizes.
        (
            "zip-ratio",
            hostile.zip_bomb(one_row, 2_000_000),
            lambda c: not_opened(c) and c.bytes_scanned == 0,
        ),
        # Parts under 1 MB each (too small for the ratio check) that add up past the limit.
        (
            "zip-size",
            hostile.rewrite(
                one_row,
                lambda n, d: (
                    [(f"xl/media/{i}.bin", b"\0" * 900_000) for i in range(4)] if not n else d
                ),
            ),
            lambda c: not_opened(c) and c.bytes_scanned == 0,
        ),
        # Counted in the parts before openpyxl reads them.
        ("shared-strings", hostile.shared_strings_bomb(one_row, 1001), not_opened),
        ("styles", hostile.styles_bomb(one_row, 101), not_opened),
        # The sheet claims 16,384 columns × 1,048,576 rows: only what it holds is read.
        (
            "",
            hostile.dimension_lie(one_row),
            lambda c: c.rows <= len(headers) * 2 and c.cells <= c.rows * columns,
        ),
        # A real cell at XFD1048576: reading stops at the row limit.
        (
            "rows",
            hostile.far_cell(one_row),
            lambda c: c.rows <= rows * len(headers) and c.cells <= c.rows * columns,
        ),
        ("cell", long_row, lambda c: c.rows <= 2 * len(headers)),
        ("rows", many_rows, lambda c: c.rows <= rows * len(headers)),
        ("columns", wide_row, lambda c: c.rows <= 2 * len(headers)),
    ]


def _hostile_csv() -> list[tuple[str, bytes, Callable[[ReadCounters], bool]]]:
    header = b"target,area,year,quarter,value,unit,source,note\n"
    rows = LIMITS["ECER_IMPORT_MAX_ROWS"] + 1
    return [
        ("cell", header + b"x," + b"y" * 301 + b"\n", lambda c: c.rows <= 2),
        # Longer than the csv module's own field limit (131,072 characters).
        ("cell", header + b"x," + b"y" * 140_000 + b"\n", lambda c: c.rows <= 2),
        ("rows", header + b"x\n" * 60, lambda c: c.rows <= rows),
        ("columns", header + b"x," * 61 + b"x\n", lambda c: c.rows <= 2),
    ]


@pytest.mark.parametrize(("name", "endpoint"), ENDPOINTS, ids=[n for n, _e in ENDPOINTS])
def test_every_import_refuses_files_that_lie_or_overflow(
    admin_client: Any,
    loaded_plan: Any,
    bounded: Any,
    counters: list[ReadCounters],
    name: str,
    endpoint: ImportEndpoint,
) -> None:
    url = _url(name, admin_client)
    if endpoint.kind == "file":
        # Stored as uploaded, never parsed: the file's own size is the bound.
        before = _stored()
        response = _post(admin_client, url, endpoint, "a.pdf", b"%PDF" + b"x" * 200_001)
        assert "文件过大" in response.content.decode() and "200,000" in response.content.decode()
        assert _stored() == before
        return
    headers = _headers(admin_client, endpoint)
    cases = [("a.xlsx", *case) for case in _hostile_workbooks(headers)]
    if endpoint.kind == "table":
        cases += [("a.csv", *case) for case in _hostile_csv()]
    for file_name, rule, content, bound in cases:
        counters.clear()
        before = _stored()
        response = _post(admin_client, url, endpoint, file_name, content)
        page = response.content.decode()
        assert response.status_code == 200, (rule, response.status_code)
        assert 'id="import-errors"' in page, rule
        if rule:
            assert RULE_WORDS[rule] in page, (name, rule)
        assert _stored() == before, (name, rule)
        assert counters, (name, rule)
        assert all(bound(c) for c in counters), (name, rule, counters)


@pytest.mark.parametrize(("name", "endpoint"), ENDPOINTS, ids=[n for n, _e in ENDPOINTS])
def test_every_import_stops_at_its_deadline(
    admin_client: Any,
    loaded_plan: Any,
    bounded: Any,
    counters: list[ReadCounters],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    endpoint: ImportEndpoint,
) -> None:
    if endpoint.kind == "file":
        return  # stored as uploaded; no reading to time
    url = _url(name, admin_client)
    headers = _headers(admin_client, endpoint)
    ticks = iter(range(0, 10**6, 10))  # each look at the clock: ten seconds later
    monkeypatch.setattr(reader, "clock", lambda: float(next(ticks)))
    bounded.ECER_IMPORT_MAX_SECONDS = 45.0
    before = _stored()
    response = _post(
        admin_client, url, endpoint, "a.xlsx", hostile.with_rows(headers, [["x"]] * 40)
    )
    assert RULE_WORDS["time"] in response.content.decode()
    assert _stored() == before
    # Stopped at the fifth look at the clock, not after reading the file.
    assert sum(c.deadline_checks for c in counters) <= 5


@pytest.mark.parametrize(("name", "endpoint"), ENDPOINTS, ids=[n for n, _e in ENDPOINTS])
def test_every_import_answers_413_to_a_body_over_the_limit(
    admin_client: Any,
    loaded_plan: Any,
    bounded: Any,
    counters: list[ReadCounters],
    name: str,
    endpoint: ImportEndpoint,
) -> None:
    url = _url(name, admin_client)
    before = _stored()
    response = _post(admin_client, url, endpoint, "a.xlsx", b"x" * 300_000)
    assert response.status_code == 413
    assert "请求内容过大" in response.content.decode()
    assert "250,000" in response.content.decode()
    assert _stored() == before
    assert counters == []  # nothing was read


def test_the_json_api_answers_413_in_json(
    admin_client: Any, loaded_plan: Any, bounded: Any
) -> None:
    body = (
        '{"readings": ['
        + ",".join(['{"meter": "m", "time": "2024-01-01T00:00+08:00", "value": 1}'] * 5000)
        + "]}"
    )
    response = admin_client.post("/api/meters/readings", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["rule"] == "request-size"
    assert "请求内容过大" in response.json()["detail"]


def test_a_body_the_view_finds_too_big_is_413_too(
    admin_client: Any, loaded_plan: Any, settings: Any
) -> None:
    """Fields over DATA_UPLOAD_MAX_MEMORY_SIZE when the Content-Length passed the first check."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = (
        '{"readings": ['
        + ",".join(['{"meter": "m", "time": "2024-01-01T00:00+08:00", "value": 1}'] * 100)
        + "]}"
    )
    response = admin_client.post("/api/meters/readings", body, content_type="application/json")
    assert response.status_code == 413
