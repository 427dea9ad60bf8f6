"""Excel export of the light table: the colours, values and reasons the page shows."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from ecer.web.catalog.labels import LEVEL_HEX, level_ink_hex
from ecer.web.leaders.services import LightTable
from ecer.web.sheets import Workbook, save


def light_table_workbook(
    table: LightTable, columns: list[tuple[str, str]], generated_at: datetime
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("红黄绿灯表")
    sheet.append(
        [
            _("%(year)s 年末 · 数据版本 %(v)s · 生成于 %(at)s")
            % {"year": table.year, "v": table.data_version, "at": f"{generated_at:%Y-%m-%d %H:%M}"}
        ]
    )
    sheet.append([_("地区"), *(name for _code, name in columns), _("红灯"), _("黄灯"), _("绿灯")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append(
            [
                row.area.name,
                *(c.text if c else "—" for c in row.cells),
                row.red,
                row.yellow,
                row.green,
            ]
        )
        for light, cell in zip(row.cells, sheet[sheet.max_row][1:], strict=False):
            if light is None:
                continue
            cell.fill = PatternFill("solid", fgColor=LEVEL_HEX[light.level.value])
            cell.font = Font(color=level_ink_hex(light.level.value))
            cell.comment = Comment(light.reason, "ECER")
    sheet.column_dimensions["A"].width = 12
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 22
    return save(book)
