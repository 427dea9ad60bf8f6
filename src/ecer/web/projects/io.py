"""The 两高一低 work list (工作清单) as an Excel workbook (plan 四(三))."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ecer.web.projects.models import Project, two_high_rules
from ecer.web.sheets import Workbook

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def worklist_columns() -> list[str]:
    return [
        _("序号"),
        _("县区"),
        _("项目名称"),
        _("企业名称"),
        _("统一社会信用代码"),
        _("行业代码"),
        _("行业名称"),
        _("项目状态"),
        _("设计产能"),
        _("年综合能源消费量（当量值，吨标准煤）"),
        _("年综合能源消费量（等价值，吨标准煤）"),
        _("新增煤炭消费量（吨/年）"),
        _("预计年增加值（万元）"),
        _("节能审查意见文号"),
        _("环评批复文号"),
        _("能耗单列"),
        _("两高判定"),
        _("判定依据"),
        _("处置意见"),
        _("处置期限"),
        _("整改跟踪"),
        _("跟踪情况"),
        _("示例数据"),
    ]


def worklist_rows(projects: Sequence[Project]) -> list[list[object]]:
    rows: list[list[object]] = []
    rules = two_high_rules()
    for index, p in enumerate(projects, start=1):
        rule = p.classification(rules).rule
        equal = p.energy_equal_tce
        rows.append(
            [
                index,
                p.area.name,
                p.name,
                p.enterprise_name,
                p.enterprise_code,
                p.industry_code,
                p.industry_name,
                p.get_status_display(),
                p.design_capacity,
                round(p.energy_equivalent_tce, 1),
                None if equal is None else round(equal, 1),
                p.new_coal_t,
                p.value_added_10k_yuan,
                p.energy_review_doc or _("未审查"),
                p.eia_doc or _("未批复"),
                p.separately_listed_doc if p.separately_listed else _("否"),
                _("是") if p.two_high else _("否"),
                f"{rule.name}（{rule.source}）",
                p.get_disposal_display(),
                p.disposal_deadline.isoformat() if p.disposal_deadline else "",
                p.get_follow_up_display(),
                p.follow_up_note,
                _("是") if p.is_demo else "",
            ]
        )
    return rows


def worklist_workbook(projects: Sequence[Project], generated_at: datetime, version: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("工作清单")
    columns = worklist_columns()
    sheet.append([_("“两高一低”项目工作清单")])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    note = _("生成时间 %(time)s · 数据版本 %(version)s · 共 %(n)s 个项目") % {
        "time": generated_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "version": version,
        "n": len(projects),
    }
    if any(p.is_demo for p in projects):
        note += " · " + _("含示例数据，非北海市真实项目")
    sheet.append([note])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    sheet.append(columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in worklist_rows(projects):
        sheet.append(row)
    for index in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    sheet.column_dimensions["C"].width = 30
    sheet.freeze_panes = "D4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
