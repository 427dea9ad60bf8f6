"""Excel import of annual energy utilisation reports (能源利用状况报告).

Three sheets: 报告 (one row per enterprise and year), 分品种能耗 (one row per report and
carrier) and 产品产量 (one row per report and product). Every row of every sheet is checked
first; a file with any error writes nothing. A report that already exists for the year is an
error: a stored report is changed on its page (or, once approved, by a correction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import creditcode
from ecer.core import energy as core_energy
from ecer.web.audit.models import Status
from ecer.web.audit.signals import figures_received
from ecer.web.cells import cell_integer, cell_number, cell_text
from ecer.web.energy.models import carrier_error
from ecer.web.enterprises.models import (
    EnergyReport,
    Enterprise,
    ProductionUnit,
    ProductOutput,
    ReportCarrier,
)
from ecer.web.sheets import (
    RowError,
    Sheet,
    SheetImportError,
    open_workbook,
    read_sheet,
    save,
    sheet_from_rows,
    write_sheets,
)

REPORT_SHEET = "报告"
CARRIER_SHEET = "分品种能耗"
OUTPUT_SHEET = "产品产量"


def report_columns() -> list[tuple[str, str]]:
    return [
        ("enterprise", _("统一社会信用代码")),
        ("year", _("年份")),
        ("raw_material_tce", _("原料用能（吨标准煤）")),
        ("value_added_10k_yuan", _("工业增加值（万元）")),
        ("savings_tce", _("节能量（吨标准煤）")),
        ("saving_projects", _("节能改造项目")),
        ("note", _("备注")),
    ]


def carrier_columns() -> list[tuple[str, str]]:
    return [
        ("enterprise", _("统一社会信用代码")),
        ("year", _("年份")),
        ("carrier", _("能源品种")),
        ("quantity", _("消费量")),
        ("unit", _("计量单位")),
        ("kgce_per_base_unit", _("实测折标系数")),
    ]


def output_columns() -> list[tuple[str, str]]:
    return [
        ("enterprise", _("统一社会信用代码")),
        ("year", _("年份")),
        ("unit_name", _("装置/生产线")),
        ("product", _("产品")),
        ("output", _("产量")),
        ("output_unit", _("产量单位")),
        ("unit_consumption", _("单位产品能耗")),
    ]


OPTIONAL_REPORT = {
    "raw_material_tce",
    "value_added_10k_yuan",
    "savings_tce",
    "saving_projects",
    "note",
}
OPTIONAL_CARRIER = {"kgce_per_base_unit"}
OPTIONAL_OUTPUT = {"unit_name", "unit_consumption"}


@dataclass
class ImportSummary:
    reports: int = 0
    carriers: int = 0
    outputs: int = 0
    tce: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        return _("导入报告 %(r)s 份、分品种能耗 %(c)s 条、产品产量 %(o)s 条") % {
            "r": self.reports,
            "c": self.carriers,
            "o": self.outputs,
        }


@dataclass
class _Report:
    row: int
    enterprise: Enterprise
    year: int
    values: dict[str, Any]
    carriers: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)


class _Checker:
    """Collects the errors of one sheet row by row."""

    def __init__(self, sheet: Sheet, errors: list[RowError]):
        self.sheet = sheet
        self.errors = errors

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(self.sheet.name, row, self.sheet.headers[column], message))

    def number(self, row: int, data: dict[str, Any], name: str, *, required: bool) -> float | None:
        raw = data.get(name)
        if cell_text(raw) == "":
            if required:
                self.error(row, name, _("必须填写"))
            return None
        value = cell_number(raw)
        if value is None:
            self.error(row, name, _("必须是数字，收到 “%(v)s”") % {"v": cell_text(raw)})
        elif value < 0:
            self.error(row, name, _("不能为负数"))
            return None
        return value


def _key(
    check: _Checker,
    row: int,
    data: dict[str, Any],
    enterprises: dict[str, Enterprise],
    allowed: set[str] | None,
) -> tuple[Enterprise | None, int | None]:
    code = cell_text(data.get("enterprise")).upper()
    enterprise = enterprises.get(code)
    if enterprise is None:
        try:
            creditcode.validate_credit_code(code)
        except creditcode.CreditCodeError as exc:
            check.error(row, "enterprise", _("统一社会信用代码无效：%(r)s") % {"r": exc})
        else:
            check.error(row, "enterprise", _("未登记的用能单位 %(code)s") % {"code": code})
    elif allowed is not None and code not in allowed:
        check.error(row, "enterprise", _("无权为该单位导入报告"))
        enterprise = None
    year = cell_integer(data.get("year"))
    this_year = timezone.localdate().year
    if year is None or not 2000 <= year <= this_year:
        check.error(
            row,
            "year",
            _("年份必须是 2000–%(max)s 的整数，收到 “%(v)s”")
            % {"max": this_year, "v": cell_text(data.get("year"))},
        )
        year = None
    return enterprise, year


def validate(
    reports: Sheet, carriers: Sheet | None, outputs: Sheet | None, allowed: set[str] | None
) -> tuple[list[_Report], list[RowError]]:
    enterprises = {e.credit_code: e for e in Enterprise.objects.all()}
    errors: list[RowError] = []
    check = _Checker(reports, errors)
    found: dict[tuple[int, int], _Report] = {}
    existing = set(EnergyReport.objects.values_list("enterprise_id", "year"))
    for row, data in reports.rows:
        before = len(errors)
        enterprise, year = _key(check, row, data, enterprises, allowed)
        values = {
            name: check.number(row, data, name, required=False)
            for name in ("raw_material_tce", "value_added_10k_yuan", "savings_tce")
        }
        values["raw_material_tce"] = values["raw_material_tce"] or 0.0
        values["savings_tce"] = values["savings_tce"] or 0.0
        values["saving_projects"] = cell_text(data.get("saving_projects"))
        values["note"] = cell_text(data.get("note"))
        if enterprise is None or year is None or len(errors) > before:
            continue
        key = (enterprise.pk, year)
        if key in existing:
            check.error(
                row,
                "year",
                _("%(name)s 已有 %(year)s 年报告，请在报告页面修改")
                % {"name": enterprise.name, "year": year},
            )
        elif key in found:
            check.error(row, "year", _("与第 %(row)s 行重复") % {"row": found[key].row})
        else:
            found[key] = _Report(row, enterprise, year, values)
    if carriers is not None:
        _carriers(carriers, found, enterprises, allowed, errors)
    if outputs is not None:
        _outputs(outputs, found, enterprises, allowed, errors)
    for report in found.values():
        if not report.carriers and carriers is not None:
            check.error(
                report.row, "year", _("“%(s)s”表中没有该报告的能源消费") % {"s": CARRIER_SHEET}
            )
    return list(found.values()), errors


def _carriers(
    sheet: Sheet,
    found: dict[tuple[int, int], _Report],
    enterprises: dict[str, Enterprise],
    allowed: set[str] | None,
    errors: list[RowError],
) -> None:
    check = _Checker(sheet, errors)
    by_name = {c.name_zh: c.code for c in core_energy.CARRIERS.values()}
    seen: dict[tuple[int, int, str], int] = {}
    for row, data in sheet.rows:
        before = len(errors)
        enterprise, year = _key(check, row, data, enterprises, allowed)
        raw = cell_text(data.get("carrier"))
        carrier = raw if raw in core_energy.CARRIERS else by_name.get(raw)
        if carrier is None:
            check.error(row, "carrier", _("未知的能源品种 “%(code)s”") % {"code": raw})
        quantity = check.number(row, data, "quantity", required=True)
        coefficient = check.number(row, data, "kgce_per_base_unit", required=False)
        unit = cell_text(data.get("unit"))
        if len(errors) > before or enterprise is None or year is None:
            continue
        assert carrier is not None and quantity is not None
        problem = carrier_error(carrier, quantity, unit, coefficient)
        if problem is not None:
            check.error(row, problem[0], problem[1])
            continue
        report = found.get((enterprise.pk, year))
        if report is None:
            check.error(row, "year", _("“%(s)s”表中没有这份报告") % {"s": REPORT_SHEET})
            continue
        key = (enterprise.pk, year, carrier)
        if key in seen:
            check.error(row, "carrier", _("与第 %(row)s 行重复") % {"row": seen[key]})
            continue
        seen[key] = row
        report.carriers.append(
            {
                "carrier": carrier,
                "quantity": quantity,
                "unit": core_energy.get_unit(unit).code,
                "kgce_per_base_unit": coefficient,
            }
        )


def _outputs(
    sheet: Sheet,
    found: dict[tuple[int, int], _Report],
    enterprises: dict[str, Enterprise],
    allowed: set[str] | None,
    errors: list[RowError],
) -> None:
    check = _Checker(sheet, errors)
    units = {(u.enterprise_id, u.name): u for u in ProductionUnit.objects.all()}
    for row, data in sheet.rows:
        before = len(errors)
        enterprise, year = _key(check, row, data, enterprises, allowed)
        product = cell_text(data.get("product"))
        if not product:
            check.error(row, "product", _("必须填写"))
        output = check.number(row, data, "output", required=True)
        output_unit = cell_text(data.get("output_unit"))
        if not output_unit:
            check.error(row, "output_unit", _("必须填写"))
        consumption = check.number(row, data, "unit_consumption", required=False)
        unit_name = cell_text(data.get("unit_name"))
        if len(errors) > before or enterprise is None or year is None:
            continue
        unit = None
        if unit_name:
            unit = units.get((enterprise.pk, unit_name))
            if unit is None:
                check.error(
                    row,
                    "unit_name",
                    _("%(name)s 没有名为 “%(u)s” 的装置/生产线")
                    % {"name": enterprise.name, "u": unit_name},
                )
                continue
        report = found.get((enterprise.pk, year))
        if report is None:
            check.error(row, "year", _("“%(s)s”表中没有这份报告") % {"s": REPORT_SHEET})
            continue
        report.outputs.append(
            {
                "unit": unit,
                "product": product,
                "output": output,
                "output_unit": output_unit,
                "unit_consumption": consumption,
            }
        )


@transaction.atomic
def write(reports: Sequence[_Report], user: Any, *, is_demo: bool = False) -> ImportSummary:
    """Store the reports as submitted for review."""
    summary = ImportSummary()
    now = timezone.now()
    stored = []
    for r in reports:
        report = EnergyReport.objects.create(
            enterprise=r.enterprise,
            year=r.year,
            status=Status.SUBMITTED,
            submitted_by=user,
            submitted_at=now,
            is_demo=is_demo,
            **r.values,
        )
        ReportCarrier.objects.bulk_create(ReportCarrier(report=report, **c) for c in r.carriers)
        ProductOutput.objects.bulk_create(ProductOutput(report=report, **o) for o in r.outputs)
        summary.reports += 1
        summary.carriers += len(r.carriers)
        summary.outputs += len(r.outputs)
        stored.append(report)
    figures_received.send(sender=EnergyReport, records=stored)
    return summary


def import_workbook(content: bytes, user: Any, allowed: set[str] | None) -> ImportSummary:
    """Check the whole workbook, then store it in one transaction; any error stores nothing.

    allowed: credit codes the user may report for; None for every enterprise."""
    workbook = open_workbook(content)
    reports, errors = read_sheet(
        workbook, REPORT_SHEET, report_columns(), required=True, optional=OPTIONAL_REPORT
    )
    carriers, more = read_sheet(
        workbook, CARRIER_SHEET, carrier_columns(), required=True, optional=OPTIONAL_CARRIER
    )
    errors += more
    outputs, more = read_sheet(
        workbook, OUTPUT_SHEET, output_columns(), required=False, optional=OPTIONAL_OUTPUT
    )
    errors += more
    if errors or reports is None:
        raise SheetImportError(errors)
    found, errors = validate(reports, carriers, outputs, allowed)
    if errors:
        raise SheetImportError(errors)
    return write(found, user)


def import_rows(
    reports: Sequence[dict[str, Any]],
    carriers: Sequence[dict[str, Any]],
    outputs: Sequence[dict[str, Any]],
    user: Any,
    *,
    is_demo: bool = False,
) -> ImportSummary:
    """Rows keyed by column code (the demo loader), with the same checks as a file."""
    found, errors = validate(
        sheet_from_rows(REPORT_SHEET, report_columns(), reports),
        sheet_from_rows(CARRIER_SHEET, carrier_columns(), carriers),
        sheet_from_rows(OUTPUT_SHEET, output_columns(), outputs),
        None,
    )
    if errors:
        raise SheetImportError(errors)
    return write(found, user, is_demo=is_demo)


def template_workbook() -> bytes:
    workbook = write_sheets(
        [
            (REPORT_SHEET, report_columns(), []),
            (CARRIER_SHEET, carrier_columns(), []),
            (OUTPUT_SHEET, output_columns(), []),
        ]
    )
    help_sheet = workbook.create_sheet(_("填表说明"))
    for line in [
        [_("每个单位每年一份报告；分品种能耗按实物量填写，由平台按 GB/T 2589-2020 折标。")],
        [_("装置/生产线须先在单位页面登记；单位产品能耗按能效标杆对照行的指标单位填写。")],
        [_("导入时先检查全部行，有任何错误则不写入任何数据；导入的报告提交审核。")],
        [],
        [_("能源品种代码"), _("能源品种"), _("可用单位")],
        *([c.code, c.name_zh, "、".join(c.accepted_units)] for c in core_energy.CARRIERS.values()),
    ]:
        help_sheet.append(line)
    return save(workbook)


def credit_codes_for(scope: Any) -> set[str] | None:
    """The enterprises a user may import reports for (None: all)."""
    if scope.is_city_admin:
        return None
    return {scope.enterprise_code} if scope.enterprise_code else set()
