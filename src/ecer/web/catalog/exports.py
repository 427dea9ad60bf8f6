"""Excel export of the target table (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ecer.web.catalog.labels import LEVEL_HEX, STATUS_LABELS
from ecer.web.catalog.models import Area, Plan
from ecer.web.indicators.service import Indicator
from ecer.web.sheets import Workbook

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def target_table_columns() -> list[str]:
    return [
        _("条款"),
        _("目标代码"),
        _("目标名称"),
        _("类型"),
        _("目标值"),
        _("目标单位"),
        _("基期值"),
        _("最新值"),
        _("指标单位"),
        _("最新时期"),
        _("完成进度(%)"),
        _("时序进度(%)"),
        _("时序进度要求值"),
        _("状态"),
        _("预警"),
        _("牵头部门"),
        _("配合部门"),
        _("示例数据"),
    ]


def target_table_rows(items: Sequence[Indicator]) -> list[list[object]]:
    rows: list[list[object]] = []
    for item in items:
        t, r = item.target, item.result
        latest = r.latest
        rows.append(
            [
                t.section.clause,
                t.code,
                t.name,
                t.get_kind_display(),
                item.target_value,
                t.unit,
                r.base,
                latest.value if latest else None,
                t.observation_unit,
                (f"{latest.year}" + (f"Q{latest.quarter}" if latest.quarter else ""))
                if latest
                else None,
                round(item.completion_percent, 1) if item.completion_percent is not None else None,
                round(item.time_progress_percent, 1),
                r.required_value,
                str(STATUS_LABELS[r.status.value]),
                str(item.warning.level.label_zh),
                "、".join(d.name for d in t.lead_departments.all()),
                "、".join(d.name for d in t.co_departments.all()),
                _("是") if item.uses_demo_data else "",
            ]
        )
    return rows


def target_table_workbook(
    plan: Plan,
    area: Area,
    year: int,
    items: Sequence[Indicator],
    generated_at: datetime,
    version: str,
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("目标进度")
    columns = target_table_columns()
    title = _("%(plan)s — %(area)s %(year)s 年目标进度") % {
        "plan": plan.name,
        "area": area.name,
        "year": year,
    }
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    note = _("数据版本 %(version)s · 生成时间 %(time)s") % {
        "version": version,
        "time": generated_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    if any(i.uses_demo_data for i in items):
        note += " · " + _("含示例数据，非北海市真实统计数据")
    sheet.append([note])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    sheet.append(columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    level_column = columns.index(_("预警")) + 1
    for item, row in zip(items, target_table_rows(items), strict=True):
        sheet.append(row)
        # The level's colour, the same as on the pages and in the PDF reports.
        colour = LEVEL_HEX[item.warning.level.value]
        sheet.cell(sheet.max_row, level_column).fill = PatternFill("solid", fgColor=colour)
    widths = [8, 28, 40, 12, 10, 10, 10, 10, 16, 10, 12, 12, 14, 12, 12, 30, 40, 10]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "D4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
