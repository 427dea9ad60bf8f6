"""Import of target observations from CSV or Excel: validate every row first, then write all
rows in one transaction, so a file with any error changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.web.audit.models import Status
from ecer.web.audit.signals import figures_received
from ecer.web.catalog.models import ANNUAL, Area, Observation, Plan, Target
from ecer.web.cells import cell_integer, cell_number, cell_text
from ecer.web.uploads.reader import BoundedWorkbook, Reading, UploadRejected, csv_rows

REQUIRED_COLUMNS = ["target", "area", "year", "value", "unit"]
# Data rows of one file; ECER_IMPORT_MAX_ROWS applies when it is lower.
MAX_ROWS = 100_000


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # 1-based row number as a spreadsheet shows it (the header is row 1)
    column: str
    message: str

    def __str__(self) -> str:
        row = _("第 %(row)s 行") % {"row": self.row}
        return f"{self.file}: {row}, {self.column}: {self.message}"


class ObservationImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportSummary:
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return _("%(file)s：新增 %(created)s 条，更新 %(updated)s 条，未变 %(unchanged)s 条") % {
            "file": self.file,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True)
class _ValidRow:
    row: int
    target: Target
    area: Area
    year: int
    quarter: int
    value: float
    source: str
    note: str


def read_table(name: str, content: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows of a .csv (UTF-8, optional BOM) or .xlsx file as (row number, {column: value}),
    read within the upload limits (ecer.web.uploads.reader)."""
    reading = Reading(max_rows=MAX_ROWS)
    try:
        yield from _table(name, content, reading)
    except UploadRejected as exc:
        raise ObservationImportError([RowError(name, exc.row, exc.column, exc.message)]) from None


def _table(name: str, content: bytes, reading: Reading) -> Iterator[tuple[int, dict[str, Any]]]:
    suffix = Path(name).suffix.lower()
    rows: Iterator[tuple[int, Sequence[Any]]]
    if suffix == ".csv":
        rows = csv_rows(content, reading)
    elif suffix == ".xlsx":
        rows = BoundedWorkbook(content, reading).rows()
    else:
        raise ObservationImportError(
            [
                RowError(
                    name,
                    1,
                    "-",
                    _("不支持的文件类型 %(suffix)s，请上传 .csv 或 .xlsx") % {"suffix": suffix},
                )
            ]
        )
    first = next(rows, None)
    if first is None:
        raise ObservationImportError([RowError(name, 1, "-", _("文件为空"))])
    columns = [str(c).strip().lower() if c is not None else "" for c in first[1]]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ObservationImportError([RowError(name, 1, c, _("缺少必需的列")) for c in missing])
    for index, values in rows:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield index, {c: (values[i] if i < len(values) else None) for i, c in enumerate(columns)}


def validate_rows(
    name: str, rows: Iterable[tuple[int, dict[str, Any]]], plan: Plan, scope: Any = None
) -> tuple[list[_ValidRow], list[RowError]]:
    targets = {t.code: t for t in plan.targets.all()}
    stored = {
        (o.target_id, o.area_id, o.year, o.quarter): o
        for o in Observation.objects.filter(target__plan=plan).only(
            "target_id", "area_id", "year", "quarter", "status", "value"
        )
    }
    areas = {a.code: a for a in Area.objects.all()}
    areas_by_name = {a.name: a for a in areas.values()}
    valid: list[_ValidRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str, int, int], int] = {}

    for row, data in rows:
        row_errors: list[RowError] = []

        def err(
            column: str, message: str, row: int = row, bucket: list[RowError] = row_errors
        ) -> None:
            bucket.append(RowError(name, row, column, message))

        code = cell_text(data.get("target"))
        target = targets.get(code)
        if target is None:
            err("target", _("未知的目标代码 “%(code)s”") % {"code": code})
        area_key = cell_text(data.get("area"))
        area = areas.get(area_key) or areas_by_name.get(area_key)
        if area is None:
            err("area", _("未知的地区 “%(area)s”") % {"area": area_key})
        year = cell_integer(data.get("year"))
        if year is None:
            err("year", _("年份必须是整数，收到 “%(v)s”") % {"v": cell_text(data.get("year"))})
        elif not plan.base_year <= year <= plan.target_year:
            err(
                "year",
                _("年份 %(year)s 不在规划期 %(start)s–%(end)s 内")
                % {"year": year, "start": plan.base_year, "end": plan.target_year},
            )
        raw_quarter = data.get("quarter")
        quarter = ANNUAL if cell_text(raw_quarter) == "" else cell_integer(raw_quarter)
        if quarter is None or not 0 <= quarter <= 4:
            err(
                "quarter",
                _("季度必须是 1–4，全年留空或填 0，收到 “%(v)s”") % {"v": cell_text(raw_quarter)},
            )
        value = cell_number(data.get("value"))
        if value is None:
            err(
                "value",
                _("数值必须是有限的数字，收到 “%(v)s”") % {"v": cell_text(data.get("value"))},
            )
        elif target is not None and (domain := target.value_error(value)) is not None:
            err(
                "value", _("目标 %(code)s 的数值%(error)s") % {"code": target.code, "error": domain}
            )
        unit = cell_text(data.get("unit"))
        if target is not None and unit != target.observation_unit:
            err(
                "unit",
                _("单位 “%(unit)s” 与目标 %(code)s 的指标单位 “%(expected)s” 不符")
                % {"unit": unit, "code": target.code, "expected": target.observation_unit},
            )
        if (
            target is not None
            and area is not None
            and not area.is_city
            and not target.applies_to_districts
        ):
            err("area", _("目标 %(code)s 未分解到县区，只能填报全市数值") % {"code": target.code})
        if (
            target is not None
            and area is not None
            and scope is not None
            and not scope.can_submit(target, area)
        ):
            err(
                "area",
                _("您无权填报 %(area)s 的目标 %(code)s") % {"area": area.name, "code": target.code},
            )
        if not row_errors and target and area and year is not None and quarter is not None:
            key = (target.code, area.code, year, quarter)
            if key in seen:
                err("target", _("与第 %(row)s 行重复（同一目标、地区、时期）") % {"row": seen[key]})
            seen[key] = row
            existing = stored.get((target.pk, area.pk, year, quarter))
            if existing is not None and existing.value != value:
                if existing.status == Status.APPROVED:
                    err(
                        "value",
                        _("该数值已审核，只能通过更正修改（原值 %(old)s）")
                        % {"old": existing.value},
                    )
                elif existing.status == Status.SUBMITTED:
                    err("value", _("该数值已提交待审核，审核前不能修改"))
        if row_errors:
            errors.extend(row_errors)
            continue
        assert target and area and year is not None and quarter is not None and value is not None
        valid.append(
            _ValidRow(
                row,
                target,
                area,
                year,
                quarter,
                value,
                cell_text(data.get("source")),
                cell_text(data.get("note")),
            )
        )
    return valid, errors


@transaction.atomic
def write_rows(
    name: str, rows: list[_ValidRow], *, status: str, user: Any = None, is_demo: bool = False
) -> ImportSummary:
    """Store validated rows with the given workflow status (an upload is a submission)."""
    summary = ImportSummary(file=name)
    now = timezone.now()
    workflow: dict[str, Any] = {"status": status}
    if status in (Status.SUBMITTED, Status.APPROVED):
        workflow.update(submitted_by=user, submitted_at=now)
    if status == Status.APPROVED:
        workflow.update(reviewed_by=user, reviewed_at=now)
    received = []
    for r in rows:
        obj, created = Observation.objects.get_or_create(
            target=r.target,
            area=r.area,
            year=r.year,
            quarter=r.quarter,
            defaults={
                "value": r.value,
                "source": r.source,
                "note": r.note,
                "is_demo": is_demo,
                **workflow,
            },
        )
        if created:
            summary.created += 1
        elif (obj.value, obj.source, obj.note, obj.is_demo) == (r.value, r.source, r.note, is_demo):
            summary.unchanged += 1
        else:
            obj.value, obj.source, obj.note, obj.is_demo = r.value, r.source, r.note, is_demo
            if obj.status != Status.APPROVED:
                for field, value in workflow.items():
                    setattr(obj, field, value)
                obj.return_reason = ""
            obj.save()
            summary.updated += 1
        if obj.status == Status.SUBMITTED:
            received.append(obj)
    figures_received.send(sender=Observation, records=received)
    return summary


def import_observations(
    name: str,
    rows: Iterable[tuple[int, dict[str, Any]]],
    *,
    plan: Plan | None = None,
    scope: Any = None,
    user: Any = None,
    status: str = Status.SUBMITTED,
    is_demo: bool = False,
) -> ImportSummary:
    """Validate all rows, then write them in one transaction; any error raises and writes nothing.

    Imported rows are submitted for review (demo data is loaded as approved)."""
    plan = plan or active_plan()
    valid, errors = validate_rows(name, rows, plan, scope=scope)
    if errors:
        raise ObservationImportError(errors)
    return write_rows(name, valid, status=status, user=user, is_demo=is_demo)


def import_observation_file(path: str | Path) -> ImportSummary:
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ObservationImportError([RowError(str(path), 0, "-", str(exc))]) from None
    return import_observations(str(path), read_table(path.name, content))


def active_plan() -> Plan:
    plan = Plan.objects.order_by("-target_year", "code").first()
    if plan is None:
        raise LookupError(_("尚未载入规划方案：请先运行 ecer setup 或 ecer plan load"))
    return plan
