"""Issue #19 class 3, the named cases: the probe's files, at the default limits."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecer.web.uploads import reader
from ecer.web.uploads.reader import BoundedWorkbook, ReadCounters, UploadRejected
from tests.web import uploads_hostile as hostile


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> list[ReadCounters]:
    seen: list[ReadCounters] = []

    def new() -> ReadCounters:
        seen.append(ReadCounters())
        return seen[-1]

    monkeypatch.setattr(reader, "new_counters", new)
    return seen


def _refusal(content: bytes) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        BoundedWorkbook(content)
    return caught.value


def test_a_small_shared_strings_bomb_is_refused_before_openpyxl(
    settings: Any, counters: list[ReadCounters]
) -> None:
    content = hostile.shared_strings_bomb(hostile.workbook({"a": [["x"]]}), 600_000)
    assert len(content) < 2_000_000  # a small upload that would take minutes to open
    refusal = _refusal(content)
    assert refusal.rule in {"shared-strings", "zip-ratio"}
    assert counters[0].workbooks_opened == 0 and counters[0].rows == 0


def test_a_styles_bomb_is_refused_before_openpyxl(counters: list[ReadCounters]) -> None:
    refusal = _refusal(hostile.styles_bomb(hostile.workbook({"a": [["x"]]}), 30_000))
    assert refusal.rule in {"styles", "zip-ratio"}
    assert counters[0].workbooks_opened == 0


def test_a_zip_bomb_of_a_few_kb_is_refused_from_its_declared_sizes(
    counters: list[ReadCounters],
) -> None:
    content = hostile.zip_bomb(hostile.workbook({"a": [["x"]]}), 120 * 1024 * 1024)
    assert len(content) < 200_000
    assert _refusal(content).rule == "zip-ratio"
    assert counters[0].bytes_scanned == 0 and counters[0].workbooks_opened == 0


def test_a_sheet_declaring_a1_to_xfd1048576_reads_only_its_rows(
    counters: list[ReadCounters],
) -> None:
    content = hostile.dimension_lie(hostile.workbook({"a": [["h1", "h2"], [1, 2]]}))
    rows = list(BoundedWorkbook(content).rows("a"))
    assert [values[:2] for _n, values in rows] == [("h1", "h2"), (1, 2)]
    assert counters[0].rows == 2 and counters[0].cells <= 2 * 201


def test_a_csv_cell_longer_than_the_csv_modules_limit_is_a_clear_error(
    admin_client: Any, loaded_plan: Any
) -> None:
    content = b"target,area,year,value,unit\n" + b"x," * 4 + b"y" * 200_000 + b"\n"
    response = admin_client.post(
        "/observations/import/", {"file": SimpleUploadedFile("a.csv", content)}
    )
    assert response.status_code == 200
    assert "超过上限 2,000 字符" in response.content.decode()


def test_a_csv_that_is_not_utf8_names_the_row(admin_client: Any, loaded_plan: Any) -> None:
    content = b"target,area,year,value,unit\nx,y,2021,1,t\n" + "北海".encode("gbk")
    response = admin_client.post(
        "/observations/import/", {"file": SimpleUploadedFile("a.csv", content)}
    )
    page = response.content.decode()
    assert "UTF-8" in page and "<td>3</td>" in page


def test_a_body_of_50_mb_is_413(admin_client: Any, loaded_plan: Any) -> None:
    response = admin_client.generic(
        "POST",
        "/observations/import/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413


def test_100000_bad_rows_give_a_small_page_and_the_full_list_to_download(
    admin_client: Any, loaded_plan: Any, settings: Any
) -> None:
    settings.ECER_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    settings.ECER_REQUEST_MAX_BYTES = 21 * 1024 * 1024
    settings.ECER_IMPORT_ERRORS_KEPT = 5000
    rows = "".join(f"no_such_target,beihai,2021,,{i},t\n" for i in range(100_000))
    content = ("target,area,year,quarter,value,unit\n" + rows).encode()
    response = admin_client.post(
        "/observations/import/", {"file": SimpleUploadedFile("bad.csv", content)}
    )
    page = response.content.decode()
    assert "共 100,000 处错误，仅显示前 200 处" in page
    assert len(response.content) < 200_000
    assert page.count("<tr><td>") == 200
    download = page.split('id="import-errors-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    listed = admin_client.get(download)
    assert listed.status_code == 200
    lines = list(csv.reader(io.StringIO(listed.content.decode("utf-8-sig"))))
    assert len(lines) == 1 + 5000 + 1  # header, the kept errors, "另有 95,000 处错误未列出"
    assert "95,000" in lines[-1][-1]
    assert lines[1][1] == "2"


def test_an_error_list_is_only_its_uploaders(
    admin_client: Any, loaded_plan: Any, django_user_model: Any
) -> None:
    from ecer.web.uploads.models import ErrorList

    owner = django_user_model.objects.get(username="boss")
    stored = ErrorList.objects.create(
        user=owner, importer="x", file_name="a.csv", total=1, kept=1, content=b"x"
    )
    assert admin_client.get(f"/uploads/errors/{stored.pk}.csv").status_code == 200
    other = django_user_model.objects.create_superuser("other", "", "pw-for-tests-only")
    admin_client.force_login(other)
    assert admin_client.get(f"/uploads/errors/{stored.pk}.csv").status_code == 404
