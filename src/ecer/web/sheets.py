"""Workbooks people fill in: reading named sheets by their headers, and writing them back.

Every workbook the platform writes is a ``sheets.Workbook`` (tests/web/accounts/
test_exports_safety.py fails on any other): saving it neutralises text that a spreadsheet
would read as a formula (formula injection, issue #19). Shared by every Excel import and
template. Columns are found by code or by their Chinese
header, in any order; errors name the sheet, the row as the spreadsheet shows it and the
column header as written in the file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ecer.web.cells import cell_text
from ecer.web.uploads.reader import BoundedWorkbook, Reading, UploadRejected

# The content type of every Excel workbook the platform sends.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Data rows of one sheet; ECER_IMPORT_MAX_ROWS applies when it is lower.
MAX_ROWS = 10_000
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# Text beginning with one of these is read as a formula (or DDE) by spreadsheet programs.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
# Text that begins with one of them but can never be a formula: a signed number, a dash.
_HARMLESS = re.compile(r"[-+]?\d+(?:[.,]\d+)*%?|[-—–]+")


def is_formula_text(value: object) -> bool:
    """Would a spreadsheet treat this text as a formula?"""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_LEADS)
        and _HARMLESS.fullmatch(value) is None
    )


def neutralise(value: object) -> object:
    """Text that would be read as a formula, prefixed with an apostrophe so that it stays
    text in every program (the OWASP rule for CSV/formula injection); everything else,
    numbers and dates above all, unchanged."""
    if is_formula_text(value):
        return "'" + str(value)
    return value


def neutralise_workbook(workbook: openpyxl.Workbook) -> None:
    """Apply ``neutralise`` to every cell of every sheet, in place."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                # A formula cell holds its text "=…", so it is neutralised like any other.
                if isinstance(cell, Cell) and is_formula_text(cell.value):
                    cell.value = neutralise(cell.value)
                    cell.data_type = "s"


class Workbook(openpyxl.Workbook):
    """The workbook the platform writes: ``save`` neutralises every text cell that a
    spreadsheet would read as a formula. Nothing here writes formulas on purpose."""

    def save(self, filename: Any) -> None:
        neutralise_workbook(self)
        super().save(filename)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as the spreadsheet shows it; the header is row 1
    column: str  # the column header as in the file
    message: str

    def __str__(self) -> str:
        return _("%(sheet)s 第 %(row)s 行 “%(column)s”：%(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class SheetImportError(Exception):
    """A workbook that cannot be imported, with every error found."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class Sheet:
    name: str
    headers: dict[str, str]  # code -> header as written in the file
    rows: list[tuple[int, dict[str, Any]]]


def sheet_from_rows(
    name: str, columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, Any]]
) -> Sheet:
    """A sheet built from rows keyed by column code (for loaders that do not read a file)."""
    return Sheet(name, dict(columns), [(i, r) for i, r in enumerate(rows, start=2)])


def open_workbook(content: bytes) -> BoundedWorkbook:
    """The workbook opened within the upload limits (ecer.web.uploads.reader)."""
    try:
        return BoundedWorkbook(content, Reading(max_rows=MAX_ROWS))
    except UploadRejected as exc:
        raise SheetImportError([rejected(exc)]) from None


def rejected(exc: UploadRejected) -> RowError:
    return RowError(exc.sheet, exc.row, exc.column, exc.message)


def read_sheet(
    workbook: BoundedWorkbook,
    name: str,
    columns: Sequence[tuple[str, str]],
    *,
    required: bool,
    optional: Collection[str] = (),
) -> tuple[Sheet | None, list[RowError]]:
    """The sheet's rows keyed by column code; a missing required column is an error."""
    if name not in workbook.sheetnames:
        if required:
            return None, [RowError(name, 1, "-", _("缺少工作表 “%(name)s”") % {"name": name})]
        return None, []
    try:
        return _read_rows(workbook.rows(name), name, columns, optional)
    except UploadRejected as exc:
        return None, [rejected(exc)]


def _read_rows(
    rows: Iterator[tuple[int, Sequence[Any]]],
    name: str,
    columns: Sequence[tuple[str, str]],
    optional: Collection[str],
) -> tuple[Sheet | None, list[RowError]]:
    header = next(rows, (1, ()))[1]
    by_text = {}
    for code, label in columns:
        by_text[code.lower()] = code
        by_text[label.lower()] = code
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, cell in enumerate(header):
        text = cell_text(cell)
        code = by_text.get(text.lower())
        if code is not None and code not in positions:
            positions[code] = index
            headers[code] = text
    errors = [
        RowError(name, 1, label, _("缺少必需的列"))
        for code, label in columns
        if code not in positions and code not in optional
    ]
    for code, label in columns:
        headers.setdefault(code, label)
    data = []
    for number, values in rows:
        if all(v is None or cell_text(v) == "" for v in values):
            continue
        data.append(
            (
                number,
                {c: (values[i] if i < len(values) else None) for c, i in positions.items()},
            )
        )
    return Sheet(name, headers, data), errors


def write_sheets(
    sheets: Sequence[tuple[str, Sequence[tuple[str, str]], Sequence[dict[str, Any]]]],
) -> Workbook:
    """A workbook with one sheet per (title, columns, rows keyed by column code)."""
    workbook = Workbook()
    for index, (title, columns, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append([label for _code, label in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows:
            sheet.append([row.get(code) for code, _label in columns])
        for column in range(1, len(columns) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 16
        sheet.freeze_panes = "C2"
    return workbook


def save(workbook: openpyxl.Workbook) -> bytes:
    """The workbook as .xlsx bytes, neutralised (also one read back with load_workbook)."""
    neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
