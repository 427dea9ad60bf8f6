"""Excel import and export of the districts' energy data (openpyxl).

The import workbook has two sheets: 年度数据 (one row per area and year: GDP, deductions,
sectors, value added) and 分品种能耗 (one row per area, year and energy carrier). Every row of
both sheets is validated first; only a file without a single error is written, in one
transaction. A carrier row replaces all carriers stored for its area and year.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ecer.core import energy as core_energy
from ecer.web.audit.signals import figures_received
from ecer.web.catalog.labels import LEVEL_HEX, STATUS_LABELS
from ecer.web.catalog.models import Area, Plan
from ecer.web.cells import cell_integer, cell_number, cell_text
from ecer.web.energy import services
from ecer.web.energy.models import (
    PRODUCTION_SECTORS,
    SECTORS,
    CarrierConsumption,
    DistrictEnergyYear,
    carrier_error,
    sector_field,
    value_added_field,
)
from ecer.web.sheets import (
    HEADER_FILL,
    RowError,
    Sheet,
    SheetImportError,
    Workbook,
    open_workbook,
    read_sheet,
    save,
    sheet_from_rows,
    write_sheets,
)

if TYPE_CHECKING:
    from ecer.web.energy.status import AreaStatus
    from ecer.web.indicators.service import Indicator

YEAR_SHEET = "年度数据"
CARRIER_SHEET = "分品种能耗"
HELP_SHEET = "填表说明"

_NUMBER_FIELDS = [
    "gdp_current_10k_yuan",
    "gdp_index",
    "raw_material_tce",
    "renewable_tce",
    "separately_listed_tce",
    *(sector_field(s) for s in SECTORS),
    *(value_added_field(s) for s in PRODUCTION_SECTORS),
]
_TEXT_FIELDS = ["source", "note"]
# Columns that may be left empty (empty deductions count as 0).
_OPTIONAL = {
    "gdp_index",
    "raw_material_tce",
    "renewable_tce",
    "separately_listed_tce",
    *(sector_field(s) for s in SECTORS),
    *(value_added_field(s) for s in PRODUCTION_SECTORS),
    "source",
    "note",
}
_ZERO_WHEN_EMPTY = {"raw_material_tce", "renewable_tce", "separately_listed_tce"}


def year_columns() -> list[tuple[str, str]]:
    """(code, Chinese header) of the 年度数据 sheet."""
    fields = DistrictEnergyYear._meta
    return [
        ("area", _("地区")),
        ("year", _("年份")),
        *((name, str(fields.get_field(name).verbose_name)) for name in _NUMBER_FIELDS),
        *((name, str(fields.get_field(name).verbose_name)) for name in _TEXT_FIELDS),
    ]


def carrier_columns() -> list[tuple[str, str]]:
    """(code, Chinese header) of the 分品种能耗 sheet."""
    return [
        ("area", _("地区")),
        ("year", _("年份")),
        ("carrier", _("能源品种")),
        ("quantity", _("消费量")),
        ("unit", _("计量单位")),
        ("kgce_per_base_unit", _("实测折标系数")),
    ]


@dataclass
class ImportSummary:
    years_created: int = 0
    years_updated: int = 0
    carrier_rows: int = 0
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return _("年度数据新增 %(c)s 条、更新 %(u)s 条；分品种能耗写入 %(n)s 条") % {
            "c": self.years_created,
            "u": self.years_updated,
            "n": self.carrier_rows,
        }


@dataclass(frozen=True)
class _YearRow:
    row: int
    area: Area
    year: int
    values: dict[str, Any]


@dataclass(frozen=True)
class _CarrierRow:
    row: int
    area: Area
    year: int
    carrier: str
    quantity: float
    unit: str
    kgce_per_base_unit: float | None


def read_workbook(content: bytes) -> tuple[Sheet, Sheet | None]:
    """The two sheets of an uploaded workbook; SheetImportError when it cannot be read."""
    workbook = open_workbook(content)
    years, errors = read_sheet(
        workbook, YEAR_SHEET, year_columns(), required=True, optional=_OPTIONAL
    )
    carriers, carrier_errors = read_sheet(
        workbook,
        CARRIER_SHEET,
        carrier_columns(),
        required=False,
        optional={"kgce_per_base_unit"},
    )
    errors += carrier_errors
    if errors or years is None:
        raise SheetImportError(errors)
    return years, carriers


def _area_and_year(
    sheet: Sheet,
    row: int,
    data: dict[str, Any],
    areas: dict[str, Area],
    period: tuple[int, int],
    errors: list[RowError],
) -> tuple[Area | None, int | None]:
    key = cell_text(data.get("area"))
    area = areas.get(key)
    if area is None:
        errors.append(
            RowError(
                sheet.name, row, sheet.headers["area"], _("未知的地区 “%(area)s”") % {"area": key}
            )
        )
    year = cell_integer(data.get("year"))
    if year is None:
        errors.append(
            RowError(
                sheet.name,
                row,
                sheet.headers["year"],
                _("年份必须是整数，收到 “%(v)s”") % {"v": cell_text(data.get("year"))},
            )
        )
    elif not period[0] <= year <= period[1]:
        errors.append(
            RowError(
                sheet.name,
                row,
                sheet.headers["year"],
                _("年份 %(year)s 不在规划期 %(start)s–%(end)s 内")
                % {"year": year, "start": period[0], "end": period[1]},
            )
        )
        year = None
    return area, year


def validate(
    years: Sheet, carriers: Sheet | None, plan: Plan
) -> tuple[list[_YearRow], list[_CarrierRow], list[RowError]]:
    """Check every row of both sheets; return the valid rows and every error found."""
    areas: dict[str, Area] = {}
    for a in Area.objects.all():
        areas[a.code] = a
        areas[a.name] = a
    period = (plan.base_year, plan.target_year)
    errors: list[RowError] = []
    year_rows: list[_YearRow] = []
    seen: dict[tuple[int, int], int] = {}
    for row, data in years.rows:
        row_errors: list[RowError] = []
        area, year = _area_and_year(years, row, data, areas, period, row_errors)
        values: dict[str, Any] = {}
        for name in _NUMBER_FIELDS:
            raw = data.get(name)
            if cell_text(raw) == "":
                if name not in _OPTIONAL:
                    row_errors.append(RowError(years.name, row, years.headers[name], _("必须填写")))
                values[name] = 0.0 if name in _ZERO_WHEN_EMPTY else None
                continue
            number = cell_number(raw)
            if number is None:
                row_errors.append(
                    RowError(
                        years.name,
                        row,
                        years.headers[name],
                        _("必须是数字，收到 “%(v)s”") % {"v": cell_text(raw)},
                    )
                )
            values[name] = number
        for name in _TEXT_FIELDS:
            values[name] = cell_text(data.get(name))
        if not row_errors and area is not None and year is not None:
            instance = DistrictEnergyYear(area=area, year=year, **values)
            try:
                instance.clean()
            except Exception as exc:  # django ValidationError with a message dict
                for name, messages in getattr(exc, "message_dict", {}).items():
                    column = years.headers.get(name, name)
                    row_errors.extend(RowError(years.name, row, column, m) for m in messages)
            key = (area.pk, year)
            if key in seen:
                row_errors.append(
                    RowError(
                        years.name,
                        row,
                        years.headers["year"],
                        _("与第 %(row)s 行重复（同一地区、年份）") % {"row": seen[key]},
                    )
                )
            seen[key] = row
        if row_errors or area is None or year is None:
            errors.extend(row_errors)
            continue
        year_rows.append(_YearRow(row, area, year, values))

    carrier_rows: list[_CarrierRow] = []
    if carriers is not None:
        carrier_rows = _validate_carriers(carriers, areas, period, year_rows, errors)
    if not errors:
        _check_deductions(years, carriers, year_rows, carrier_rows, errors)
    return year_rows, carrier_rows, errors


def _validate_carriers(
    sheet: Sheet,
    areas: dict[str, Area],
    period: tuple[int, int],
    year_rows: Sequence[_YearRow],
    errors: list[RowError],
) -> list[_CarrierRow]:
    in_file = {(r.area.pk, r.year) for r in year_rows}
    stored = set(DistrictEnergyYear.objects.values_list("area_id", "year"))
    by_name = {c.name_zh: c.code for c in core_energy.CARRIERS.values()}
    seen: dict[tuple[int, int, str], int] = {}
    valid = []
    for row, data in sheet.rows:
        row_errors: list[RowError] = []
        area, year = _area_and_year(sheet, row, data, areas, period, row_errors)
        raw_carrier = cell_text(data.get("carrier"))
        carrier = raw_carrier if raw_carrier in core_energy.CARRIERS else by_name.get(raw_carrier)
        if carrier is None:
            row_errors.append(
                RowError(
                    sheet.name,
                    row,
                    sheet.headers["carrier"],
                    _("未知的能源品种 “%(code)s”") % {"code": raw_carrier},
                )
            )
        quantity = cell_number(data.get("quantity"))
        if quantity is None:
            row_errors.append(
                RowError(
                    sheet.name,
                    row,
                    sheet.headers["quantity"],
                    _("必须是数字，收到 “%(v)s”") % {"v": cell_text(data.get("quantity"))},
                )
            )
        unit_text = cell_text(data.get("unit"))
        raw_coefficient = data.get("kgce_per_base_unit")
        coefficient = None
        if cell_text(raw_coefficient) != "":
            coefficient = cell_number(raw_coefficient)
            if coefficient is None:
                row_errors.append(
                    RowError(
                        sheet.name,
                        row,
                        sheet.headers["kgce_per_base_unit"],
                        _("必须是数字，收到 “%(v)s”") % {"v": cell_text(raw_coefficient)},
                    )
                )
        unit = unit_text
        if carrier is not None and quantity is not None and not row_errors:
            error = carrier_error(carrier, quantity, unit_text, coefficient)
            if error is not None:
                row_errors.append(RowError(sheet.name, row, sheet.headers[error[0]], error[1]))
            else:
                unit = core_energy.get_unit(unit_text).code
        if area is not None and year is not None:
            if (area.pk, year) not in in_file and (area.pk, year) not in stored:
                row_errors.append(
                    RowError(
                        sheet.name,
                        row,
                        sheet.headers["year"],
                        _("%(area)s %(year)s 年在“%(sheet)s”表和已有数据中都不存在")
                        % {"area": area.name, "year": year, "sheet": YEAR_SHEET},
                    )
                )
            if carrier is not None:
                key = (area.pk, year, carrier)
                if key in seen:
                    row_errors.append(
                        RowError(
                            sheet.name,
                            row,
                            sheet.headers["carrier"],
                            _("与第 %(row)s 行重复（同一地区、年份、品种）") % {"row": seen[key]},
                        )
                    )
                seen[key] = row
        if row_errors:
            errors.extend(row_errors)
            continue
        assert area is not None and year is not None and carrier is not None
        assert quantity is not None
        valid.append(_CarrierRow(row, area, year, carrier, quantity, unit, coefficient))
    return valid


def _check_deductions(
    years: Sheet,
    carriers: Sheet | None,
    year_rows: Sequence[_YearRow],
    carrier_rows: Sequence[_CarrierRow],
    errors: list[RowError],
) -> None:
    """Deductions may not exceed the gross consumption the carriers give (after the import)."""
    new_carriers: dict[tuple[int, int], list[CarrierConsumption]] = defaultdict(list)
    first_row: dict[tuple[int, int], int] = {}
    for c in carrier_rows:
        key = (c.area.pk, c.year)
        first_row.setdefault(key, c.row)
        new_carriers[key].append(
            CarrierConsumption(
                carrier=c.carrier,
                quantity=c.quantity,
                unit=c.unit,
                kgce_per_base_unit=c.kgce_per_base_unit,
            )
        )
    file_years = {(r.area.pk, r.year): r for r in year_rows}
    keys = set(file_years) | set(new_carriers)
    stored = {
        (r.area_id, r.year): r
        for r in DistrictEnergyYear.objects.filter(
            area_id__in={k[0] for k in keys}
        ).prefetch_related("carriers")
    }
    for key in sorted(keys):
        file_row = file_years.get(key)
        row = (
            DistrictEnergyYear(area=file_row.area, year=file_row.year, **file_row.values)
            if file_row is not None
            else stored[key]
        )
        lines = (
            new_carriers[key]
            if key in new_carriers
            else (list(stored[key].carriers.all()) if key in stored else [])
        )
        message = services.deduction_error(row, services.gross_tce(row, lines))
        if message is None:
            continue
        if file_row is not None:
            errors.append(
                RowError(years.name, file_row.row, years.headers["raw_material_tce"], message)
            )
        else:
            assert carriers is not None
            errors.append(
                RowError(carriers.name, first_row[key], carriers.headers["quantity"], message)
            )


@transaction.atomic
def write(
    year_rows: Sequence[_YearRow], carrier_rows: Sequence[_CarrierRow], *, is_demo: bool = False
) -> ImportSummary:
    summary = ImportSummary()
    for r in year_rows:
        _, created = DistrictEnergyYear.objects.update_or_create(
            area=r.area, year=r.year, defaults={**r.values, "is_demo": is_demo}
        )
        if created:
            summary.years_created += 1
        else:
            summary.years_updated += 1
    by_year: dict[tuple[int, int], list[_CarrierRow]] = defaultdict(list)
    for c in carrier_rows:
        by_year[(c.area.pk, c.year)].append(c)
    for (area_id, year), lines in by_year.items():
        energy_year = DistrictEnergyYear.objects.get(area_id=area_id, year=year)
        energy_year.carriers.all().delete()
        CarrierConsumption.objects.bulk_create(
            CarrierConsumption(
                energy_year=energy_year,
                carrier=c.carrier,
                quantity=c.quantity,
                unit=c.unit,
                kgce_per_base_unit=c.kgce_per_base_unit,
            )
            for c in lines
        )
        summary.carrier_rows += len(lines)
    keys = {(r.area.pk, r.year) for r in year_rows}
    received = [
        row
        for row in DistrictEnergyYear.objects.filter(area_id__in={k[0] for k in keys})
        if (row.area_id, row.year) in keys
    ]
    figures_received.send(sender=DistrictEnergyYear, records=received)
    return summary


def import_workbook(content: bytes, plan: Plan, *, is_demo: bool = False) -> ImportSummary:
    """Validate the whole workbook, then write it in one transaction; any error writes nothing."""
    years, carriers = read_workbook(content)
    year_rows, carrier_rows, errors = validate(years, carriers, plan)
    if errors:
        raise SheetImportError(errors)
    return _write_and_check(year_rows, carrier_rows, is_demo=is_demo)


def import_rows(
    year_rows: Sequence[dict[str, Any]],
    carrier_rows: Sequence[dict[str, Any]],
    plan: Plan,
    *,
    is_demo: bool = False,
) -> ImportSummary:
    """Import rows keyed by column code (as the demo loader builds them), same checks as a file."""
    years = sheet_from_rows(YEAR_SHEET, year_columns(), year_rows)
    carriers = sheet_from_rows(CARRIER_SHEET, carrier_columns(), carrier_rows)
    valid_years, valid_carriers, errors = validate(years, carriers, plan)
    if errors:
        raise SheetImportError(errors)
    return _write_and_check(valid_years, valid_carriers, is_demo=is_demo)


def _write_and_check(
    year_rows: Sequence[_YearRow], carrier_rows: Sequence[_CarrierRow], *, is_demo: bool
) -> ImportSummary:
    summary = write(year_rows, carrier_rows, is_demo=is_demo)
    touched = {(r.area.pk, r.year) for r in year_rows} | {(c.area.pk, c.year) for c in carrier_rows}
    for row in (
        DistrictEnergyYear.objects.filter(area_id__in={k[0] for k in touched})
        .prefetch_related("carriers")
        .select_related("area")
    ):
        if (row.area_id, row.year) in touched:
            message = services.sector_warning(row)
            if message is not None:
                summary.warnings.append(message)
    return summary


def rows_workbook(
    year_rows: Sequence[dict[str, Any]], carrier_rows: Sequence[dict[str, Any]]
) -> bytes:
    """A workbook in the import format, from rows keyed by column code."""
    return save(
        write_sheets(
            [
                (YEAR_SHEET, year_columns(), year_rows),
                (CARRIER_SHEET, carrier_columns(), carrier_rows),
            ]
        )
    )


def template_workbook() -> bytes:
    """The empty import template with a sheet of instructions, carriers and units."""
    content = rows_workbook([], [])
    workbook = load_workbook(io.BytesIO(content))
    help_sheet = workbook.create_sheet(HELP_SHEET)
    lines = [
        [_("填表说明")],
        [_("“年度数据”每个地区每年一行；“分品种能耗”每个地区、年份、能源品种一行。")],
        [_("地区填写代码或名称；年份须在规划期内。能耗单位为吨标准煤，产值单位为万元。")],
        [_("地区生产总值指数以上年为 100（可比价），基期年可留空。")],
        [_("导入时先检查全部行，有任何错误则不写入任何数据。")],
        [],
        [_("地区代码"), _("地区名称")],
        *([a.code, a.name] for a in services.areas()),
        [],
        [_("能源品种代码"), _("能源品种"), _("可用单位"), _("参考折标系数（千克标准煤/基本单位）")],
        *(
            [
                c.code,
                c.name_zh,
                "、".join(f"{core_energy.UNITS[u].name_zh}（{u}）" for u in c.accepted_units),
                c.kgce_per_base_unit if c.kgce_per_base_unit is not None else _("须填实测系数"),
            ]
            for c in core_energy.CARRIERS.values()
        ),
    ]
    for line in lines:
        help_sheet.append(line)
    help_sheet["A1"].font = Font(bold=True, size=13)
    for letter, width in zip("ABCD", (22, 16, 60, 30), strict=True):
        help_sheet.column_dimensions[letter].width = width
    return save(workbook)


def overview_columns() -> list[str]:
    return [
        _("地区"),
        _("年份"),
        _("可比价地区生产总值（万元）"),
        _("能源消费总量（吨标准煤）"),
        _("扣除量（吨标准煤）"),
        _("考核能耗（吨标准煤）"),
        _("能耗强度（考核口径，吨标准煤/万元）"),
        _("能耗强度（总量口径，吨标准煤/万元）"),
        _("强度累计下降（考核口径，%）"),
        _("强度累计下降（总量口径，%）"),
        _("基本目标（规划期，%）"),
        _("激励目标（规划期，%）"),
        _("当年应降（基本，%）"),
        _("当年应降（激励，%）"),
        _("目标完成情况"),
        _("年度总量目标（吨标准煤）"),
        _("免于总量考核"),
        _("强度预警"),
        _("强度状态"),
        _("总量预警"),
        _("总量状态"),
        _("示例数据"),
    ]


def _status(item: Indicator | None) -> str | None:
    """The indicator's status label (the words of the plan overview and ``ecer progress``)."""
    return None if item is None else str(STATUS_LABELS[item.status.value])


def overview_rows(statuses: Sequence[AreaStatus]) -> list[list[object]]:
    rows: list[list[object]] = []
    for status in statuses:
        c = status.control
        f = c.current
        target = c.target
        rows.append(
            [
                c.area.name,
                c.year,
                _round(f.comparable_gdp_10k_yuan, 1) if f else None,
                _round(f.consumption.gross_tce, 1) if f else None,
                _round(f.consumption.deducted_tce, 1) if f else None,
                _round(f.consumption.assessed_tce, 1) if f else None,
                _round(f.assessed.intensity, 4) if f else None,
                _round(f.gross.intensity, 4) if f else None,
                _round(f.assessed.decline_pct, 2) if f else None,
                _round(f.gross.decline_pct, 2) if f else None,
                target.basic_decline_pct if target else None,
                target.incentive_decline_pct if target else None,
                _round(c.interim_basic_pct, 2),
                _round(c.interim_incentive_pct, 2),
                c.dual.attainment.label_zh if c.dual else None,
                _round(c.budget_adjustment.adjusted_budget_tce, 1) if c.budget_adjustment else None,
                (_("是") if c.dual.exempt_from_total_assessment else _("否")) if c.dual else None,
                c.intensity_warning.level.label_zh,
                _status(status.intensity),
                c.total_warning.level.label_zh,
                _status(status.total),
                _("是") if c.uses_demo_data else "",
            ]
        )
    return rows


def _level_fill(level: object) -> PatternFill:
    """The warning level's colour, the same as on the pages (``LEVEL_HEX``)."""
    colour = LEVEL_HEX.get(str(level), LEVEL_HEX["unknown"])
    return PatternFill("solid", fgColor=colour)


def overview_workbook(
    statuses: Sequence[AreaStatus], year: int, generated_at: datetime, version: str
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("能耗双控")
    columns = overview_columns()
    sheet.append([_("%(year)s 年能耗双控情况") % {"year": year}])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    note = _("生成时间 %(time)s · 数据版本 %(version)s") % {
        "time": generated_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "version": version,
    }
    if any(s.control.uses_demo_data for s in statuses):
        note += " · " + _("含示例数据，非北海市真实统计数据")
    sheet.append([note])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    sheet.append(columns)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    intensity_column = columns.index(_("强度状态")) + 1
    total_column = columns.index(_("总量状态")) + 1
    for status, row in zip(statuses, overview_rows(statuses), strict=True):
        sheet.append(row)
        # A status cell takes its warning level's colour, as on the page.
        for column, item in ((intensity_column, status.intensity), (total_column, status.total)):
            if item is not None:
                sheet.cell(row=sheet.max_row, column=column).fill = _level_fill(item.level)
    for index in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.freeze_panes = "B4"
    return save(workbook)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
