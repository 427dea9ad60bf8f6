"""Registers: who sees and edits which items, the count a target reads (``figure``), the
steps of an item, and the Excel import and export.

Scope (``ecer.web.accounts.scope``): the city, leaders and departments see every item; a
district user sees and edits its own district's items; enterprises see none. Only the city
verifies (已核查): a target counts verified items only (``ecer.core.registers``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import registers as core
from ecer.core.creditcode import CreditCodeError, validate_credit_code
from ecer.plan.schema import feed_register
from ecer.web import sheets
from ecer.web.catalog.models import Area, Target
from ecer.web.cells import cell_date, cell_number, cell_text
from ecer.web.registers.models import DATE_FIELDS, ORDER, Item, Register, Status, Step
from ecer.web.uploads.evidence import EvidenceRefused, check_evidence

# Evidence: the accepted types, each recognised by its first bytes (not only its name).


# --- who sees what -------------------------------------------------------------------------
def can_view(scope: Any) -> bool:
    return bool(scope.sees_all_areas or scope.role == "district")


def items_in_scope(scope: Any, register: Register) -> QuerySet[Item]:
    areas = scope.areas(Area.objects.all())
    return register.items.filter(area__in=areas).select_related("area")


def can_edit(scope: Any, area: Area) -> bool:
    """The city edits every item; a district user its own district's."""
    return bool(scope.is_city_admin or (scope.role == "district" and area.pk == scope.area_id))


def editable_areas(scope: Any) -> QuerySet[Area]:
    """The districts whose items the user may register (never the city itself)."""
    districts = Area.objects.exclude(kind=Area.Kind.CITY)
    if scope.is_city_admin:
        return districts
    if scope.role == "district":
        return districts.filter(pk=scope.area_id)
    return districts.none()


# --- the target's figure -------------------------------------------------------------------
def register_of(target: Target) -> Register | None:
    code = feed_register(target.feed)
    if code is None:
        return None
    return Register.objects.filter(plan=target.plan, code=code).first()


def area_items(register: Register, area: Area) -> QuerySet[Item]:
    """The items a target counts for ``area``: all of them for the city, else the district's."""
    items = register.items.all()
    return items if area.is_city else items.filter(area=area)


def core_items(register: Register, area: Area) -> list[core.Item]:
    return [i.as_core() for i in area_items(register, area)]


def figure(
    target: Target, register: Register, items: Iterable[core.Item], year: int, **kw: Any
) -> float:
    return core.figure(
        core.Kind(target.kind),
        items,
        year,
        base_year=target.base_year,
        measure=core.Measure(register.measure),
        **kw,
    )


def series(
    target: Target, register: Register, items: Iterable[core.Item], year: int
) -> list[tuple[int, float]]:
    return core.series(
        core.Kind(target.kind),
        items,
        year,
        base_year=target.base_year,
        measure=core.Measure(register.measure),
    )


def counted(target: Target, register: Register, area: Area, year: int) -> QuerySet[Item]:
    """The items behind the target's figure for ``area`` at the end of ``year``: the remaining
    ones for an elimination target, the verified ones counted otherwise."""
    end = core.year_end(year)
    items = area_items(register, area)
    if target.kind == Target.Kind.ELIMINATION:
        return items.filter(registered_on__lte=end).exclude(
            Q(verified_on__isnull=False) & Q(verified_on__lte=end)
        )
    items = items.filter(verified_on__isnull=False, verified_on__lte=end)
    if target.kind == Target.Kind.CUMULATIVE_INCREASE:
        items = items.filter(verified_on__gt=core.year_end(target.base_year))
    return items


# --- steps ---------------------------------------------------------------------------------
class StepError(ValueError):
    pass


def advance(
    item: Item,
    status: str,
    on: date,
    user: Any,
    scope: Any,
    *,
    note: str = "",
    evidence: Any = None,
    source: str = "",
) -> Step:
    """Move ``item`` to ``status`` on ``on``: the next step only, not before the last one's
    date nor in the future; verification is the city's and needs the item done."""
    wanted = Status(status)
    if not can_edit(scope, item.area):
        raise StepError(_("无权修改该条目"))
    if wanted == Status.VERIFIED and not scope.can_review:
        raise StepError(_("核查由市级完成"))
    current = ORDER.index(Status(item.status))
    target = ORDER.index(wanted)
    if target <= current:
        raise StepError(_("只能推进到后续步骤"))
    if wanted == Status.VERIFIED and item.done_on is None:
        raise StepError(_("条目完成后才能核查"))
    last = getattr(item, DATE_FIELDS[ORDER[current]])
    if on < last:
        raise StepError(_("日期早于上一步骤（%(date)s）") % {"date": last})
    if on > timezone.localdate():
        raise StepError(_("日期不能晚于今天"))
    step = Step(item=item, status=wanted, date=on, note=note, recorded_by=user, source=source)
    if evidence is not None:
        try:
            content, digest = check_evidence(evidence)
        except EvidenceRefused as exc:
            raise StepError(str(exc)) from None
        step.evidence.save(evidence.name, ContentFile(content), save=False)
        step.evidence_sha256, step.evidence_size = digest, len(content)
    with transaction.atomic():
        step.save()
        setattr(item, DATE_FIELDS[wanted], on)
        item.status = wanted
        item.save()
    return step


# --- Excel ---------------------------------------------------------------------------------
SHEET = "台账"
COLUMNS = [
    ("identifier", "编号"),
    ("name", "名称"),
    ("area", "所在县区"),
    ("location", "位置"),
    ("owner", "责任主体"),
    ("credit_code", "统一社会信用代码"),
    ("size", "规模"),
    ("registered_on", "登记日期"),
    ("rectifying_on", "开始整治日期"),
    ("done_on", "完成日期"),
    ("verified_on", "核查日期"),
    ("note", "备注"),
]
OPTIONAL = {"owner", "credit_code", "size", "rectifying_on", "done_on", "verified_on", "note"}
EXPORT_COLUMNS = [*COLUMNS[:7], ("unit", "规模单位"), ("status", "状态"), *COLUMNS[7:]]
IMPORT_SOURCE = "Excel 导入"


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    steps: int = 0
    errors: list[sheets.RowError] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    area: Area
    dates: dict[Status, date]


def import_register(register: Register, content: bytes, scope: Any, user: Any) -> ImportSummary:
    """Import a register workbook: every row is checked first; with any error nothing changes
    and ``SheetImportError`` names each (sheet, row, column, rule)."""
    workbook = sheets.open_workbook(content)
    sheet, errors = sheets.read_sheet(workbook, SHEET, COLUMNS, required=True, optional=OPTIONAL)
    if sheet is None:
        raise sheets.SheetImportError(errors)
    rows = _check_rows(register, sheet, scope, errors)
    if errors:
        raise sheets.SheetImportError(errors)
    return _apply(register, rows, user)


def _check_rows(
    register: Register, sheet: sheets.Sheet, scope: Any, errors: list[sheets.RowError]
) -> list[_Row]:
    def error(number: int, column: str, message: str) -> None:
        errors.append(sheets.RowError(sheet.name, number, sheet.headers[column], message))

    areas: dict[str, Area] = {}
    for area in editable_areas(scope):
        areas[area.code.lower()] = area
        areas[area.name] = area
    existing = {i.identifier: i for i in register.items.select_related("area")}
    max_size = register.max_size()
    today = timezone.localdate()
    seen: dict[str, int] = {}
    checked: list[_Row] = []
    for number, raw in sheet.rows:
        before = len(errors)
        values: dict[str, Any] = {}
        for code in ("identifier", "name", "location", "owner", "credit_code", "note"):
            values[code] = cell_text(raw.get(code))
        for code in ("identifier", "name", "location"):
            if not values[code]:
                error(number, code, _("必填"))
        for code, limit in (("identifier", 80), ("name", 200), ("location", 300), ("owner", 200)):
            if len(values[code]) > limit:
                error(number, code, _("超过 %(n)s 个字符") % {"n": limit})
        identifier = values["identifier"]
        if identifier in seen:
            error(number, "identifier", _("与第 %(row)s 行编号重复") % {"row": seen[identifier]})
        elif identifier:
            seen[identifier] = number
        area_text = cell_text(raw.get("area"))
        area = areas.get(area_text) or areas.get(area_text.lower())
        if area is None:
            error(number, "area", _("不是您可以登记的县区：%(v)s") % {"v": area_text or "—"})
        if values["credit_code"]:
            try:
                values["credit_code"] = validate_credit_code(values["credit_code"]).code
            except CreditCodeError as exc:
                error(number, "credit_code", _("统一社会信用代码无效：%(r)s") % {"r": exc})
        size_raw = raw.get("size")
        size = None
        if cell_text(size_raw) != "":
            size = cell_number(size_raw)
            if size is None:
                error(number, "size", _("不是有限的数值"))
            elif size < 0:
                error(number, "size", _("不能为负数"))
            elif max_size is not None and size > max_size:
                error(
                    number,
                    "size",
                    _("超过本台账的界定值 %(max)s %(unit)s")
                    % {"max": f"{max_size:g}", "unit": register.size_unit},
                )
        elif register.measure == "size":
            error(number, "size", _("必填（目标按规模合计）"))
        values["size"] = size
        dates: dict[Status, date] = {}
        for status in ORDER:
            column = DATE_FIELDS[status]
            if cell_text(raw.get(column)) == "":
                continue
            parsed = cell_date(raw.get(column))
            if parsed is None:
                error(number, column, _("不是日期（如 2024-05-01）"))
            elif parsed > today:
                error(number, column, _("日期不能晚于今天"))
            else:
                dates[status] = parsed
        if Status.REGISTERED not in dates and not any(
            e.row == number and e.column == sheet.headers["registered_on"] for e in errors
        ):
            error(number, "registered_on", _("必填"))
        _check_dates(dates, scope, number, error)
        old = existing.get(identifier)
        if old is not None and area is not None:
            _check_existing(old, area, dates, scope, number, error)
        if len(errors) == before and area is not None:
            checked.append(_Row(number, values, area, dates))
    return checked


def _check_dates(dates: dict[Status, date], scope: Any, number: int, error: Any) -> None:
    if Status.VERIFIED in dates:
        if not scope.can_review:
            error(number, "verified_on", _("核查由市级完成，县区不能填写核查日期"))
        if Status.DONE not in dates:
            error(number, "verified_on", _("条目完成后才能核查：缺少完成日期"))
    previous: tuple[Status, date] | None = None
    for status in ORDER:
        if status not in dates:
            continue
        if previous is not None and dates[status] < previous[1]:
            error(
                number,
                DATE_FIELDS[status],
                _("早于%(step)s（%(date)s）") % {"step": previous[0].label, "date": previous[1]},
            )
        previous = (status, dates[status])


def _check_existing(
    old: Item, area: Area, dates: dict[Status, date], scope: Any, number: int, error: Any
) -> None:
    if not can_edit(scope, old.area):
        error(number, "identifier", _("该编号属于您无权修改的条目"))
        return
    for status in ORDER:
        recorded = getattr(old, DATE_FIELDS[status])
        if recorded is None:
            continue
        given = dates.get(status)
        if given is None:
            error(
                number,
                DATE_FIELDS[status],
                _("已记录的步骤不能通过导入撤销（%(d)s）") % {"d": recorded},
            )
        elif given != recorded:
            error(
                number,
                DATE_FIELDS[status],
                _("与已记录的日期 %(d)s 不符；更正请在条目页办理") % {"d": recorded},
            )


@transaction.atomic
def _apply(register: Register, rows: list[_Row], user: Any) -> ImportSummary:
    summary = ImportSummary()
    existing = {i.identifier: i for i in register.items.all()}
    for row in rows:
        item = existing.get(row.values["identifier"])
        if item is None:
            item = Item(register=register, identifier=row.values["identifier"])
            summary.created += 1
        else:
            summary.updated += 1
        for name in ("name", "location", "owner", "credit_code", "size", "note"):
            setattr(item, name, row.values[name])
        item.area = row.area
        new_steps = []
        for status in ORDER:
            on = row.dates.get(status)
            if on is None:
                continue
            if getattr(item, DATE_FIELDS[status]) is None:
                new_steps.append(
                    Step(status=status, date=on, recorded_by=user, source=IMPORT_SOURCE)
                )
            setattr(item, DATE_FIELDS[status], on)
            item.status = status
        item.save()
        for step in new_steps:
            step.item = item
            step.save()
        summary.steps += len(new_steps)
    return summary


def export_registers(
    registers: Iterable[tuple[Register, Iterable[Item]]], *, single: bool = False
) -> bytes:
    """The registers' items, one sheet per register: named 台账 for a single register (the
    layout the import reads back), else by the register's code."""
    out = []
    for register, items in registers:
        rows = []
        for item in items:
            row = {code: getattr(item, code, None) for code, _label in EXPORT_COLUMNS}
            row["area"] = item.area.name
            row["unit"] = register.size_unit
            row["status"] = item.get_status_display()
            rows.append(row)
        out.append((SHEET if single else register.code[:31], EXPORT_COLUMNS, rows))
    return sheets.save(sheets.write_sheets(out))
