"""Excel export of the findings list (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from ecer.web.quality.models import Finding
from ecer.web.sheets import Workbook


def findings_workbook(findings: Iterable[Finding]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("数据质量问题")
    headers = [
        _("发现时间"),
        _("数据类型"),
        _("数据"),
        _("地区"),
        _("用能单位"),
        _("规则"),
        _("级别"),
        _("状态"),
        _("说明"),
        _("规则集版本"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    tz = timezone.get_default_timezone()
    for f in findings:
        sheet.append(
            [
                f.found_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                str(f.get_record_kind_display()),
                f.label,
                f.area.name if f.area else "",
                f.enterprise.name if f.enterprise else "",
                f.rule_code,
                str(f.get_severity_display()),
                str(f.get_status_display()),
                f.message,
                str(f.rule_set),
            ]
        )
    for column, width in zip("ABCDEFGHIJ", (17, 16, 40, 10, 24, 24, 8, 14, 80, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
