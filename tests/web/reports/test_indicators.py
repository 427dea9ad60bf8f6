"""Every figure a report shows for a plan target is the indicator service's: the mid-term and
briefing PDFs (their text, by pdftotext) and the mid-term and annual workbooks against
``indicators.evaluate`` for 2024 on the full demo; the colours of their status and warning
cells are ``LEVEL_HEX``; and every report prints the data version its indicators were
computed from."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

pytestmark = pytest.mark.django_db

YEAR = 2024
# The city's intensity target and the four key-project reductions (plan 二).
HEADLINE = (
    "energy.intensity",
    "reductions.cod",
    "reductions.nh3n",
    "reductions.nox",
    "reductions.vocs",
)


def _text(content: bytes, tmp_path: Path, name: str) -> str:
    path = shutil.which("pdftotext")
    assert path, "pdftotext not found: run `make pytest` (installs poppler-utils) as root"
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(content)
    return subprocess.run(
        [path, "-layout", str(source), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")


def _area(code: str) -> Any:
    from ecer.web.catalog.models import Area

    return Area.objects.get(code=code)


def _evaluate(plan: Any, code: str) -> dict[str, Any]:
    """The indicator service's answer for each target of the area, by target code."""
    from ecer.web.indicators import service as indicators

    return {i.target.code: i for i in indicators.evaluate(plan, _area(code), YEAR)}


def _headline(plan: Any) -> list[Any]:
    items = [i for i in _evaluate(plan, "beihai").values() if i.target.feed in HEADLINE]
    assert sorted(i.target.feed for i in items) == sorted(HEADLINE)
    return items


def _row_line(text: str, name: str, start: str = "", end: str = "") -> str:
    """The one text line (pdftotext -layout) of the table row whose first cell is ``name``,
    between the markers ``start`` and ``end``. A row's single-line cells share its line."""
    section = text
    if start:
        section = section.split(start, 1)[1]
    if end:
        section = section.split(end, 1)[0]
    lines = [line for line in section.splitlines() if line.strip().startswith(name)]
    assert len(lines) == 1, (name, lines)
    return lines[0]


def _has(line: str, figure: str) -> bool:
    """``figure`` stands in ``line`` as a whole number (no digit glued on either side)."""
    return re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d.,])", line) is not None


def _expect_row(line: str, item: Any) -> None:
    from ecer.web.catalog.labels import STATUS_LABELS

    # The PDF rounds values to four significant digits (``,.4g``).
    assert item.value is not None and _has(line, f"{item.value:,.4g}"), (line, item.value)
    assert _has(line, f"{item.target_value:,.4g}"), (line, item.target_value)
    assert item.completion_percent is not None
    assert _has(line, f"{item.completion_percent:.0f}"), (line, item.completion_percent)
    assert str(STATUS_LABELS[item.status.value]) in line
    assert item.level.label_zh in line


def test_the_midterm_pdf_shows_the_indicators_of_the_city_and_a_districts_own_target(
    reports_demo: Any, tmp_path: Path
) -> None:
    from ecer.web.reports import documents, pdf

    text = _text(pdf.midterm_pdf(documents.midterm(reports_demo, YEAR)), tmp_path, "midterm")
    city_section = ("北海市：各项目标评估", "海城区：各项目标评估")
    for item in _headline(reports_demo):
        _expect_row(_row_line(text, item.target.name, *city_section), item)
    # 2024 on the demo: the city's intensity is behind (red), VOCs behind (red), COD on track.
    city = {i.target.feed: i for i in _headline(reports_demo)}
    assert str(city["energy.intensity"].level) == "red"
    assert str(city["reductions.cod"].status) == "on_track"
    # A district's row carries its decomposed target, not the plan's city figure.
    haicheng = _evaluate(reports_demo, "haicheng")["energy_intensity_decline"]
    line = _row_line(text, haicheng.target.name, "海城区：各项目标评估", "银海区：各项目标评估")
    _expect_row(line, haicheng)
    assert haicheng.target_value != haicheng.target.target_value
    assert not _has(line, f"{haicheng.target.target_value:,.4g}")


def test_the_briefing_pdf_shows_the_citys_indicators(reports_demo: Any, tmp_path: Path) -> None:
    from ecer.web.reports import documents, pdf

    doc = documents.annual(reports_demo, YEAR)
    text = _text(pdf.briefing_pdf(doc), tmp_path, "briefing")
    for item in _headline(reports_demo):
        _expect_row(_row_line(text, item.target.name), item)
    # The tiles count the city's statuses as the overview does.
    statuses = [i.status.value for i in _evaluate(reports_demo, "beihai").values()]
    tiles = text.split("主要目标", 1)[0]
    counts = [int(n) for n in re.findall(r"(\d+)\s+项", tiles)]
    assert counts == [
        len(statuses),
        statuses.count("met"),
        statuses.count("on_track"),
        statuses.count("behind"),
    ]


def _sheet_rows(ws: Any) -> list[dict[str, Any]]:
    """A target table's rows as {header: cell}, the merged area name filled down."""
    header = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1)}
    rows, area = [], None
    for r in range(3, ws.max_row + 1):
        area = ws.cell(r, header["地区"]).value or area
        rows.append({"地区": area, **{h: ws.cell(r, c) for h, c in header.items() if h != "地区"}})
    return rows


def _expect_cells(row: dict[str, Any], item: Any) -> None:
    from ecer.web.catalog.labels import LEVEL_HEX, LEVEL_INK_HEX, STATUS_LABELS

    # Excel keeps 15 significant digits.
    for header, value in (("最新值", item.value), ("目标值", item.target_value)):
        expected = value if value is None else pytest.approx(value, rel=1e-13)
        assert row[header].value == expected, (header, item)
    assert row["口径"].value == item.basis
    assert row["状态"].value == str(STATUS_LABELS[item.status.value])
    assert row["预警等级"].value == item.level.label_zh
    for cell in (row["状态"], row["预警等级"]):
        assert cell.fill.fgColor.rgb[-6:] == LEVEL_HEX[item.level.value]
        assert cell.font.color.rgb[-6:] == LEVEL_INK_HEX[item.level.value]


def test_the_midterm_workbook_is_the_indicators_of_every_area(reports_demo: Any) -> None:
    from ecer.web.catalog.models import Area
    from ecer.web.reports import documents, excel

    doc = documents.midterm(reports_demo, YEAR)
    wb = openpyxl.load_workbook(io.BytesIO(excel.midterm_workbook(doc)))
    rows = _sheet_rows(wb["中期评估"])
    expected = {a.name: _evaluate(reports_demo, a.code) for a in Area.objects.all()}
    assert len(rows) == sum(len(items) for items in expected.values())
    names = {a: {i.target.name: i for i in items.values()} for a, items in expected.items()}
    for row in rows:
        _expect_cells(row, names[row["地区"]][row["目标"].value])
    levels = {str(i.level) for items in expected.values() for i in items.values()}
    assert {"red", "yellow", "green"} <= levels  # every colour is checked
    headline = [r for r in rows if r["地区"] == "北海市"]
    assert (
        len([r for r in headline if names["北海市"][r["目标"].value].target.feed in HEADLINE]) == 5
    )


def test_the_annual_workbook_shows_the_citys_indicators(reports_demo: Any) -> None:
    from ecer.web.reports import documents, excel

    doc = documents.annual(reports_demo, YEAR)
    wb = openpyxl.load_workbook(io.BytesIO(excel.annual_workbook(doc)))
    ws = wb["全市目标进度"]
    assert doc.data_version in ws["A1"].value
    rows = _sheet_rows(ws)
    expected = {i.target.name: i for i in _evaluate(reports_demo, "beihai").values()}
    assert {r["目标"].value for r in rows} == set(expected)
    for row in rows:
        assert row["地区"] == "北海市"
        _expect_cells(row, expected[row["目标"].value])


def test_every_report_prints_the_data_version_of_its_indicators(
    reports_demo: Any, tmp_path: Path
) -> None:
    from ecer.web.audit.version import data_version
    from ecer.web.reports import documents, excel, pdf

    annual = documents.annual(reports_demo, YEAR)
    mid = documents.midterm(reports_demo, YEAR)
    current = data_version()
    for doc, rows in ((annual, annual.city.rows), (mid, [r for m in mid.areas for r in m.rows])):
        assert doc.data_version == current
        assert {r.indicator.data_version for r in rows} == {current}
    # A version handed in is the one the indicators carry and the one every format prints.
    stamp = "v4711@20250101T000000Z"
    annual = documents.annual(reports_demo, YEAR, version=stamp)
    mid = documents.midterm(reports_demo, YEAR, version=stamp)
    assert {r.indicator.data_version for r in annual.city.rows} == {stamp}
    assert {r.indicator.data_version for m in mid.areas for r in m.rows} == {stamp}
    for content, name in (
        (pdf.briefing_pdf(annual), "briefing"),
        (pdf.annual_pdf(annual), "annual"),
        (pdf.midterm_pdf(mid), "midterm"),
    ):
        assert stamp in _text(content, tmp_path, name), name
    for workbook in (excel.annual_workbook(annual), excel.midterm_workbook(mid)):
        wb = openpyxl.load_workbook(io.BytesIO(workbook))
        cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        assert any(stamp in c for c in cells)
