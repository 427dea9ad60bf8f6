"""The reports as Excel workbooks (openpyxl): merged headers, units, totals and footnotes.

A target's status and warning level are written on its level's colour (``LEVEL_HEX`` of
``ecer.web.catalog.labels``), the colour the web pages and the PDF give it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ecer.core import assessment as core
from ecer.web.catalog.labels import STATUS_LABELS, level_hex, level_ink_hex
from ecer.web.reports.documents import AnnualDocument, MidtermDocument
from ecer.web.reports.services import MidtermArea, MidtermRow
from ecer.web.sheets import Workbook

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


def _points(line: core.IndicatorScore) -> object:
    return None if line.points is None else round(line.points, 2)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _level_cell(ws: Worksheet, row: int, col: int, text: str, level: str) -> None:
    """A status or warning cell on its warning level's colour."""
    cell = ws.cell(row, col, text)
    cell.fill = PatternFill("solid", fgColor=level_hex(level))
    cell.font = Font(color=level_ink_hex(level))
    cell.alignment = CENTER
    cell.border = BOX


def _status_text(row: MidtermRow) -> str:
    return str(STATUS_LABELS.get(row.status.value, row.status.value))


def _title(ws: Worksheet, text: str, width: int, subtitle: str) -> None:
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.cell(1, 1, text).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = CENTER
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(2, 1, subtitle).alignment = Alignment(horizontal="right")


def _header_cell(ws: Worksheet, row: int, col: int, text: str) -> None:
    cell = ws.cell(row, col, text)
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = CENTER
    cell.border = BOX


def _footnotes(ws: Worksheet, start: int, notes: Sequence[str], width: int) -> None:
    ws.cell(start, 1, _("注：")).font = Font(bold=True)
    for k, note in enumerate(notes, start=1):
        row = start + k
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        ws.cell(row, 1, f"{k}. {note}").alignment = WRAP
        ws.row_dimensions[row].height = 30


def _widths(ws: Worksheet, widths: Sequence[int]) -> None:
    for k, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(k)].width = w


ANNUAL_TOTAL_LABEL = gettext_noop("合计／平均")  # translated where written


def annual_workbook(doc: AnnualDocument) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("年度考核结果")
    weights = {i.code: i.weight for i in doc.indicators}
    width = 16
    _title(
        ws,
        doc.title,
        width,
        _("考核方案 v%(v)s · 数据版本 %(d)s") % {"v": doc.scheme.number, "d": doc.data_version},
    )
    # Two header rows; groups merged over their columns.
    groups = [
        (1, 1, _("县区")),
        (2, 5, _("能耗强度降低（%(w)g 分）") % {"w": weights.get(core.IndicatorCode.INTENSITY, 0)}),
        (6, 8, _("能源消费总量（%(w)g 分）") % {"w": weights.get(core.IndicatorCode.TOTAL, 0)}),
        (9, 9, _("污染物减排（%(w)g 分）") % {"w": weights.get(core.IndicatorCode.POLLUTANTS, 0)}),
        (10, 10, _("重点任务（%(w)g 分）") % {"w": weights.get(core.IndicatorCode.TASKS, 0)}),
        (11, 11, _("加分")),
        (12, 12, _("扣分")),
        (13, 13, _("综合得分")),
        (14, 14, _("等级")),
        (15, 15, _("否决事项")),
        (16, 16, _("免考与扣除（方案四（一））")),
    ]
    subs = {
        2: _("累计下降（%）"),
        3: _("当年应降·基本目标（%）"),
        4: _("当年应降·激励目标（%）"),
        5: _("得分"),
        6: _("考核能耗（吨标准煤）"),
        7: _("年度总量目标（吨标准煤）"),
        8: _("得分"),
        9: _("得分"),
        10: _("得分"),
    }
    for first, last, text in groups:
        _header_cell(ws, 3, first, text)
        if first != last:
            ws.merge_cells(start_row=3, start_column=first, end_row=3, end_column=last)
        for col in range(first, last + 1):
            if col in subs:
                _header_cell(ws, 4, col, subs[col])
        if first == last and first not in subs:
            ws.merge_cells(start_row=3, start_column=first, end_row=4, end_column=last)
    row = 5
    for a in doc.assessments:
        r = a.result
        dual, total = a.input.intensity, a.input.total
        values: list[object] = [
            a.area.name,
            _round(dual.actual_decline_pct if dual else None, 2),
            _round(dual.basic_decline_pct if dual else None, 2),
            _round(dual.incentive_decline_pct if dual else None, 2),
            _points(r.line(core.IndicatorCode.INTENSITY)),
            _round(total.assessed_tce if total else None, 0),
            _round(total.budget_tce if total else None, 0),
            _points(r.line(core.IndicatorCode.TOTAL)),
            _points(r.line(core.IndicatorCode.POLLUTANTS)),
            _points(r.line(core.IndicatorCode.TASKS)),
            round(r.bonus, 2),
            round(r.deduction, 2),
            _round(r.score, 2),
            r.grade.label_zh,
            "；".join(r.vetoes),
            "；".join(r.exemptions_zh),
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            cell.border = BOX
            cell.alignment = WRAP
            if isinstance(value, float):
                cell.number_format = "#,##0" if col in (6, 7) else "0.00"
        row += 1
    s = doc.summary
    totals: dict[int, object] = {
        1: _(ANNUAL_TOTAL_LABEL),
        6: round(s.assessed_tce, 0),
        7: round(s.budget_tce, 0),
        13: _round(s.mean_score, 2),
    }
    for col in range(1, width + 1):
        cell = ws.cell(row, col, totals.get(col))
        cell.fill = TOTAL_FILL
        cell.border = BOX
        cell.font = Font(bold=True)
        if col in (6, 7):
            cell.number_format = "#,##0"
    _footnotes(ws, row + 2, doc.footnotes(), width)
    _widths(ws, [10, 9, 11, 11, 7, 14, 14, 7, 9, 9, 6, 6, 9, 9, 22, 40])
    ws.freeze_panes = "B5"

    detail = wb.create_sheet(_("评分明细"))
    for col, text in enumerate(
        [_("县区"), _("指标"), _("权重（分）"), _("得分（分）"), _("计分方式"), _("依据")], start=1
    ):
        _header_cell(detail, 1, col, text)
    row = 2
    for a in doc.assessments:
        for line in a.result.lines:
            for col, value in enumerate(
                [
                    a.area.name,
                    line.name_zh,
                    line.weight,
                    _points(line),
                    line.status.label_zh,
                    line.reason_zh,
                ],
                start=1,
            ):
                detail.cell(row, col, value).alignment = WRAP
            row += 1
        detail.cell(row, 1, a.area.name)
        detail.cell(row, 2, _("评定理由"))
        detail.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
        detail.cell(row, 3, "；".join(a.result.reasons_zh)).alignment = WRAP
        row += 1
    _widths(detail, [10, 22, 10, 10, 16, 80])

    city = wb.create_sheet(_("全市目标进度"))
    _targets_sheet(
        city,
        _("%(area)s %(year)s 年规划目标进度（数据版本 %(d)s）")
        % {"area": doc.city.area.name, "year": doc.year, "d": doc.data_version},
        doc.plan.base_year,
        [doc.city],
    )
    return _save(wb)


def midterm_workbook(doc: MidtermDocument) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("汇总")
    width = 5
    _title(ws, doc.title, width, _("数据版本 %(d)s") % {"d": doc.data_version})
    for col, text in enumerate(
        [_("地区"), _("目标数（项）"), _("已达标（项）"), _("进度正常（项）"), _("进度滞后（项）")],
        start=1,
    ):
        _header_cell(ws, 3, col, text)
    row = 4
    for area, counts in doc.counts():
        for col, value in enumerate(
            [area.name, counts["total"], counts["met"], counts["on_track"], counts["behind"]],
            start=1,
        ):
            ws.cell(row, col, value).border = BOX
        row += 1
    _footnotes(ws, row + 1, doc.footnotes(), width)
    _widths(ws, [14, 12, 12, 14, 14])

    table = wb.create_sheet(_("中期评估"))
    _targets_sheet(table, doc.title, doc.plan.base_year, doc.areas)

    behind = wb.create_sheet(_("进度滞后清单"))
    for col, text in enumerate(
        [
            _("地区"),
            _("目标"),
            _("完成进度（%）"),
            _("时序进度（%）"),
            _("预警等级"),
            _("责任部门"),
        ],
        start=1,
    ):
        _header_cell(behind, 1, col, text)
    for k, (area, r) in enumerate(doc.behind, start=2):
        for col, value in enumerate(
            [area.name, r.target.name, _round(r.completion_pct, 1), _round(r.time_progress_pct, 1)],
            start=1,
        ):
            behind.cell(k, col, value).border = BOX
        _level_cell(behind, k, 5, r.level.label_zh, r.level.value)
        behind.cell(k, 6, r.departments).border = BOX
    _widths(behind, [10, 34, 12, 12, 14, 40])
    return _save(wb)


TARGET_COLUMNS = 15
STATUS_COLUMN, LEVEL_COLUMN = 12, 13


def _targets_sheet(ws: Worksheet, title: str, base_year: int, areas: Sequence[MidtermArea]) -> None:
    """Each area's plan targets, one row each, as the indicator service gives them: value,
    basis, the target applying to the area, progress, status and warning level."""
    head = [
        _("地区"),
        _("目标"),
        _("单位"),
        _("口径"),
        _("%(y)s 年基期值") % {"y": base_year},
        _("最新值"),
        _("最新年份"),
        _("目标值"),
        _("目标值单位"),
        _("完成进度（%）"),
        _("时序进度（%）"),
        _("状态"),
        _("预警等级"),
        _("评估"),
        _("责任部门"),
    ]
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
    ws.cell(1, 1, title).font = Font(bold=True, size=13)
    for col, text in enumerate(head, start=1):
        _header_cell(ws, 2, col, text)
    row = 3
    for m in areas:
        first = row
        for r in m.rows:
            t = r.target
            values: list[object] = [
                m.area.name,
                t.name,
                t.observation_unit,
                r.indicator.basis,
                r.base_value,
                r.latest_value,
                r.latest_year,
                r.target_value,
                t.unit,
                _round(r.completion_pct, 1),
                _round(r.time_progress_pct, 1),
                None,
                None,
                r.sentence,
                r.departments,
            ]
            for col, value in enumerate(values, start=1):
                cell = ws.cell(row, col, value)
                cell.border = BOX
                cell.alignment = WRAP
            _level_cell(ws, row, STATUS_COLUMN, _status_text(r), r.level.value)
            _level_cell(ws, row, LEVEL_COLUMN, r.level.label_zh, r.level.value)
            row += 1
        if row - 1 > first:
            # The area's name once, over its rows.
            ws.merge_cells(start_row=first, start_column=1, end_row=row - 1, end_column=1)
            ws.cell(first, 1).alignment = CENTER
    _widths(ws, [10, 34, 14, 12, 12, 12, 9, 12, 12, 11, 11, 10, 16, 40, 36])
    ws.freeze_panes = "C3"


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
