"""The filing grid as a workbook: exported with Chinese target names, imported by name (or
code); a file with any bad cell changes nothing and each error names its row and column."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from ecer.web.catalog.filing import ORDER, PERIOD_LABELS, Cell, Grid, fill
from ecer.web.sheets import RowError, SheetImportError, Workbook, open_workbook, save
from ecer.web.uploads.reader import UploadRejected

LOCKED = PatternFill("solid", fgColor="EEEEEE")


def headers() -> list[str]:
    return [_("目标"), _("单位"), _("上年值"), *(_(PERIOD_LABELS[q]) for q in ORDER)]


def sheet_title(grid: Grid) -> str:
    return _("%(area)s%(year)s年") % {"area": grid.area.name, "year": grid.year}


def workbook(grid: Grid) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(grid)
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in grid.rows:
        values: list[Any] = [
            row.target.name,
            row.target.observation_unit,
            row.previous.value if row.previous else None,
        ]
        for quarter in ORDER:
            cell = row.cell(quarter)
            values.append(cell.observation.value if cell and cell.observation else None)
        sheet.append(values)
        for quarter, excel_cell in zip(ORDER, sheet[sheet.max_row][3:], strict=True):
            cell = row.cell(quarter)
            if cell is None or not cell.editable:
                excel_cell.fill = LOCKED
    sheet.column_dimensions["A"].width = 48
    return save(book)


def read(grid: Grid, content: bytes) -> None:
    """Fill ``grid`` from a workbook in the exported layout; raises SheetImportError with
    every problem (and fills nothing) when any row or cell is wrong."""
    book = open_workbook(content)
    name = book.sheetnames[0]
    header = headers()
    errors: list[RowError] = []
    values: dict[Cell, str] = {}
    located: dict[Cell, tuple[int, str]] = {}
    try:
        rows = book.rows(name)
        first = next(rows, None)
        found = [str(v).strip() if v is not None else "" for v in (first[1] if first else [])]
        if found[: len(header)] != header:
            raise SheetImportError(
                [RowError(name, 1, "-", _("表头应为：%(h)s") % {"h": "、".join(header)})]
            )
        for number, raw in rows:
            cells = [("" if v is None else str(v)).strip() for v in raw]
            if not any(cells):
                continue
            row = grid.row_for(cells[0])
            if row is None:
                problem = _("“%(t)s”不是本表可填报的目标") % {"t": cells[0]}
                errors.append(RowError(name, number, header[0], problem))
                continue
            for offset, quarter in enumerate(ORDER, start=3):
                text = cells[offset] if offset < len(cells) else ""
                cell = row.cell(quarter)
                if cell is None:
                    if text:
                        errors.append(
                            RowError(name, number, header[offset], _("该目标不按此时期填报"))
                        )
                    continue
                if text and (cell.observation is None or text != cell.shown):
                    values[cell] = text
                    located[cell] = (number, header[offset])
    except UploadRejected as exc:
        raise SheetImportError([RowError(exc.sheet, exc.row, exc.column, exc.message)]) from None
    finally:
        book.close()
    fill(grid, values)
    errors += [RowError(name, *located[c], c.error) for c in grid.errors]
    if errors:
        raise SheetImportError(sorted(errors, key=lambda e: e.row))
