"""Excel import and export of the project library.

A workbook has a sheet 项目 (one row per project, matched by 项目编号: new or updated) and an
optional sheet 月度进展 (one row per project and month). Every row of both sheets is checked
first; with any error nothing changes and ``SheetImportError`` names each (sheet, row, column,
rule). Every object a row names (programme, district, department, enterprise, reduction
project, two-high project) must be inside the importing user's scope.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.web import sheets
from ecer.web.catalog.models import Area, Department, Plan
from ecer.web.cells import cell_date, cell_integer, cell_number, cell_text
from ecer.web.enterprises.models import Enterprise
from ecer.web.programmes import services
from ecer.web.programmes.models import Programme, ProgressEntry, Project
from ecer.web.projects.models import Project as TwoHighProject
from ecer.web.reductions.models import ReductionProject

PROJECTS = "项目"
PROGRESS = "月度进展"
PROJECT_COLUMNS = [
    ("code", "项目编号"),
    ("programme", "重点工程"),
    ("name", "项目名称"),
    ("area", "所在县区"),
    ("owner_name", "项目业主"),
    ("owner_department", "业主部门"),
    ("enterprise", "关联用能单位统一社会信用代码"),
    ("reduction", "关联减排项目编号"),
    ("two_high", "关联两高项目编号"),
    ("investment_planned", "计划总投资（万元）"),
    ("start_on", "开工日期"),
    ("planned_completion_on", "计划完成日期"),
    ("completed_on", "实际完成日期"),
    ("saving_tce", "预计年节能量（吨标准煤）"),
    ("cod_t", "预计化学需氧量减排量（吨）"),
    ("nh3n_t", "预计氨氮减排量（吨）"),
    ("nox_t", "预计氮氧化物减排量（吨）"),
    ("vocs_t", "预计挥发性有机物减排量（吨）"),
    ("note", "备注"),
]
PROJECT_OPTIONAL = {
    "owner_department",
    "enterprise",
    "reduction",
    "two_high",
    "completed_on",
    "saving_tce",
    "cod_t",
    "nh3n_t",
    "nox_t",
    "vocs_t",
    "note",
}
PROGRESS_COLUMNS = [
    ("project", "项目编号"),
    ("month", "月份"),
    ("percent", "完成进度（%）"),
    ("investment_to_date", "累计完成投资（万元）"),
    ("note", "进展说明"),
]
PROGRESS_OPTIONAL = {"investment_to_date", "note"}
AMOUNTS = ("saving_tce", "cod_t", "nh3n_t", "nox_t", "vocs_t")
IMPORT_SOURCE = "Excel 导入"


def cell_month(value: Any) -> date | None:
    """A month: a date cell, or text 2024-05 / 2024-05-01; its first day."""
    if isinstance(value, datetime | date):
        return cell_date(value).replace(day=1)  # type: ignore[union-attr]
    text = cell_text(value).replace("/", "-").replace(".", "-")
    parts = text.split("-")
    try:
        if len(parts) in (2, 3):
            return date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        return None
    return None


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    entries: int = 0
    errors: list[sheets.RowError] = field(default_factory=list)


@dataclass
class _ProjectRow:
    number: int
    values: dict[str, Any]
    existing: Project | None


@dataclass
class _ProgressRow:
    number: int
    code: str
    month: date
    percent: float
    investment: float | None
    note: str


class _Checker:
    def __init__(self, plan: Plan, scope: Any, errors: list[sheets.RowError]):
        self.plan, self.scope, self.errors = plan, scope, errors
        self.programmes: dict[str, Programme] = {}
        for programme in plan.programmes.select_related("section"):
            for key in (programme.code, programme.name, programme.section.clause):
                self.programmes[key.lower()] = programme
        self.areas: dict[str, Area] = {}
        for area in services.editable_areas(scope):
            self.areas[area.code.lower()] = area
            self.areas[area.name] = area
        self.departments: dict[str, Department] = {}
        for department in scope.narrow(Department.objects.all()):
            self.departments[department.code.lower()] = department
            self.departments[department.name] = department
        self.existing = {p.code: p for p in Project.objects.select_related("programme", "area")}
        # Codes whose own project row is in error (their progress rows are not judged on it).
        self.codes_in_error: set[str] = set()

    def error(self, sheet: sheets.Sheet, number: int, column: str, message: str) -> None:
        self.errors.append(sheets.RowError(sheet.name, number, sheet.headers[column], message))

    def project_rows(self, sheet: sheets.Sheet) -> list[_ProjectRow]:
        today = timezone.localdate()
        seen: dict[str, int] = {}
        checked = []
        for number, raw in sheet.rows:
            before = len(self.errors)

            def error(column: str, message: str, number: int = number) -> None:
                self.error(sheet, number, column, message)

            values: dict[str, Any] = {
                name: cell_text(raw.get(name)) for name in ("code", "name", "owner_name", "note")
            }
            for name in ("code", "name", "owner_name"):
                if not values[name]:
                    error(name, _("必填"))
            for name, limit in (("code", 60), ("name", 200), ("owner_name", 200)):
                if len(values[name]) > limit:
                    error(name, _("超过 %(n)s 个字符") % {"n": limit})
            code = values["code"]
            if code in seen:
                error("code", _("与第 %(row)s 行项目编号重复") % {"row": seen[code]})
            elif code:
                seen[code] = number
            existing = self.existing.get(code)
            if existing is not None and not services.can_edit(self.scope, existing):
                error("code", _("该编号属于您无权修改的项目"))
            programme_text = cell_text(raw.get("programme"))
            programme = self.programmes.get(programme_text.lower())
            if programme is None:
                error("programme", _("不是本规划的重点工程：%(v)s") % {"v": programme_text or "—"})
            elif not services.can_file(self.scope, programme) and not (
                existing is not None and existing.programme_id == programme.pk
            ):
                error("programme", _("您不能在该重点工程下登记项目"))
            values["programme"] = programme
            area_text = cell_text(raw.get("area"))
            area = self.areas.get(area_text) or self.areas.get(area_text.lower())
            if area is None:
                error("area", _("不是您可以登记的县区：%(v)s") % {"v": area_text or "—"})
            values["area"] = area
            values["owner_department"] = self._department(raw, existing, error)
            values["enterprise"] = self._linked(
                raw, "enterprise", Enterprise, "credit_code", area, existing, error
            )
            values["reduction"] = self._linked(
                raw, "reduction", ReductionProject, "pk", area, existing, error
            )
            values["two_high"] = self._linked(
                raw, "two_high", TwoHighProject, "pk", area, existing, error
            )
            planned = cell_number(raw.get("investment_planned"))
            if cell_text(raw.get("investment_planned")) == "":
                error("investment_planned", _("必填"))
            elif planned is None:
                error("investment_planned", _("不是有限的数值"))
            elif planned < 0:
                error("investment_planned", _("不能为负数"))
            values["investment_planned"] = planned
            for name in AMOUNTS:
                values[name] = self._amount(raw, name, error)
            for name in ("start_on", "planned_completion_on", "completed_on"):
                values[name] = None
                if cell_text(raw.get(name)) == "":
                    if name != "completed_on":
                        error(name, _("必填"))
                    continue
                parsed = cell_date(raw.get(name))
                if parsed is None:
                    error(name, _("不是日期（如 2024-05-01）"))
                values[name] = parsed
            start = values["start_on"]
            if (
                start
                and values["planned_completion_on"]
                and values["planned_completion_on"] < start
            ):
                error("planned_completion_on", _("早于开工日期"))
            done = values["completed_on"]
            if start and done and done < start:
                error("completed_on", _("早于开工日期"))
            if done and done > today:
                error("completed_on", _("日期不能晚于今天"))
            if len(self.errors) == before:
                checked.append(_ProjectRow(number, values, existing))
        return checked

    def _department(
        self, raw: dict[str, Any], existing: Project | None, error: Any
    ) -> Department | None:
        text = cell_text(raw.get("owner_department"))
        if not text:
            return None
        found = self.departments.get(text) or self.departments.get(text.lower())
        kept = existing.owner_department if existing is not None else None
        if found is None and kept is not None and text in (kept.code, kept.name):
            return kept  # unchanged: kept even when the user may not choose it
        if found is None:
            error("owner_department", _("不是您可以选择的部门：%(v)s") % {"v": text})
        return found

    def _linked(
        self,
        raw: dict[str, Any],
        name: str,
        model: Any,
        key: str,
        area: Area | None,
        existing: Project | None,
        error: Any,
    ) -> Any:
        text = cell_text(raw.get(name))
        if not text:
            return None
        value: Any = text
        if key == "pk":
            value = cell_integer(raw.get(name))
            if value is None:
                error(name, _("不是编号（整数）：%(v)s") % {"v": text})
                return None
        # Named by the user: found only inside the user's scope.
        found = self.scope.narrow(model.objects.filter(**{key: value})).first()
        kept = getattr(existing, name) if existing is not None else None
        if found is None and kept is not None and str(getattr(kept, key)) == str(value):
            return kept  # unchanged: kept even when the user may not see it
        if found is None:
            error(name, _("不存在或不在您的权限范围内：%(v)s") % {"v": text})
            return None
        if area is not None and not area.is_city and found.area_id != area.pk:
            error(name, _("不在本项目所在县区（%(a)s）") % {"a": area.name})
        return found

    def _amount(self, raw: dict[str, Any], name: str, error: Any) -> float | None:
        if cell_text(raw.get(name)) == "":
            return None
        value = cell_number(raw.get(name))
        if value is None:
            error(name, _("不是有限的数值"))
        elif value < 0:
            error(name, _("不能为负数"))
        return value

    def progress_rows(
        self, sheet: sheets.Sheet, projects: dict[str, _ProjectRow]
    ) -> list[_ProgressRow]:
        today_month = timezone.localdate().replace(day=1)
        checked: list[_ProgressRow] = []
        seen: dict[tuple[str, date], int] = {}
        for number, raw in sheet.rows:
            before = len(self.errors)

            def error(column: str, message: str, number: int = number) -> None:
                self.error(sheet, number, column, message)

            code = cell_text(raw.get("project"))
            in_file = projects.get(code)
            existing = self.existing.get(code)
            start: date | None = None
            if in_file is not None:
                start = in_file.values["start_on"]
            elif existing is not None and services.can_edit(self.scope, existing):
                start = existing.start_on
            elif code in self.codes_in_error:
                pass  # the project's own row is in error: reported there
            else:
                error("project", _("不是您可以填报的项目：%(v)s") % {"v": code or "—"})
            month = cell_month(raw.get("month"))
            if month is None:
                error("month", _("不是月份（如 2024-05）"))
            else:
                if start is not None and month < start.replace(day=1):
                    error("month", _("早于开工月份（%(m)s）") % {"m": f"{start:%Y-%m}"})
                if month > today_month:
                    error("month", _("不能填报未来月份"))
                if (code, month) in seen:
                    error(
                        "month",
                        _("与第 %(row)s 行重复（同一项目同一月份）") % {"row": seen[(code, month)]},
                    )
                else:
                    seen[(code, month)] = number
            percent = cell_number(raw.get("percent"))
            if percent is None:
                error("percent", _("必填，且为有限的数值"))
            elif not 0 <= percent <= 100:
                error("percent", _("应在 0 到 100 之间"))
            investment = self._amount(raw, "investment_to_date", error)
            if len(self.errors) == before and month is not None and percent is not None:
                checked.append(
                    _ProgressRow(
                        number, code, month, percent, investment, cell_text(raw.get("note"))
                    )
                )
        self._check_sequences(sheet, checked)
        return checked

    def _check_sequences(self, sheet: sheets.Sheet, rows: list[_ProgressRow]) -> None:
        """Work done and investment to date never fall from one month to the next, over the
        months stored and those of the file together."""
        by_project: dict[str, dict[date, tuple[float, float | None, int | None]]] = {}
        for code in {r.code for r in rows}:
            stored = self.existing.get(code)
            months: dict[date, tuple[float, float | None, int | None]] = {}
            if stored is not None:
                for entry in stored.entries.all():
                    months[entry.month] = (entry.percent, entry.investment_to_date, None)
            by_project[code] = months
        for row in rows:
            by_project[row.code][row.month] = (row.percent, row.investment, row.number)
        for months in by_project.values():
            last: dict[str, tuple[float, date]] = {}
            for month in sorted(months):
                percent, investment, number = months[month]
                for column, value in (("percent", percent), ("investment_to_date", investment)):
                    if value is None or not math.isfinite(value):
                        continue
                    previous = last.get(column)
                    if previous is not None and value < previous[0] and number is not None:
                        self.error(
                            sheet,
                            number,
                            column,
                            _("低于 %(m)s 的 %(v)s：累计数不能随月份减少")
                            % {"m": f"{previous[1]:%Y-%m}", "v": f"{previous[0]:g}"},
                        )
                    last[column] = (value, month)


def import_projects(plan: Plan, content: bytes, scope: Any, user: Any) -> ImportSummary:
    """Import a project workbook: every row checked first; any error changes nothing."""
    workbook = sheets.open_workbook(content)
    projects_sheet, errors = sheets.read_sheet(
        workbook, PROJECTS, PROJECT_COLUMNS, required=True, optional=PROJECT_OPTIONAL
    )
    progress_sheet, progress_errors = sheets.read_sheet(
        workbook, PROGRESS, PROGRESS_COLUMNS, required=False, optional=PROGRESS_OPTIONAL
    )
    errors += progress_errors
    if projects_sheet is None or errors:
        raise sheets.SheetImportError(errors)
    checker = _Checker(plan, scope, errors)
    before = len(errors)
    project_rows = checker.project_rows(projects_sheet)
    checked_codes = {r.values["code"] for r in project_rows}
    checker.codes_in_error = {
        cell_text(raw.get("code")) for _n, raw in projects_sheet.rows
    } - checked_codes
    progress_rows: list[_ProgressRow] = []
    if progress_sheet is not None:
        progress_rows = checker.progress_rows(
            progress_sheet, {r.values["code"]: r for r in project_rows}
        )
    if len(errors) > before:
        raise sheets.SheetImportError(errors)
    return _apply(project_rows, progress_rows, user)


@transaction.atomic
def _apply(
    project_rows: list[_ProjectRow], progress_rows: list[_ProgressRow], user: Any
) -> ImportSummary:
    summary = ImportSummary()
    saved: dict[str, Project] = {}
    for row in project_rows:
        project = row.existing or Project(code=row.values["code"])
        if row.existing is None:
            summary.created += 1
        else:
            summary.updated += 1
        for name, value in row.values.items():
            if name != "code":
                setattr(project, name, value)
        project.save()
        saved[project.code] = project
    for progress in progress_rows:
        project = saved.get(progress.code) or Project.objects.get(code=progress.code)
        entry = project.entries.filter(month=progress.month).first() or ProgressEntry(
            project=project, month=progress.month
        )
        unchanged = entry.pk is not None and (
            entry.percent,
            entry.investment_to_date,
            entry.note,
        ) == (progress.percent, progress.investment, progress.note)
        if unchanged:
            continue  # a re-import of an export records nothing new
        entry.percent = progress.percent
        entry.investment_to_date = progress.investment
        entry.note = progress.note
        entry.recorded_by = user
        entry.source = IMPORT_SOURCE
        entry.save()
        summary.entries += 1
    return summary


def export_projects(projects: Iterable[Project]) -> bytes:
    """The projects and their monthly progress, in the layout the import reads back."""
    project_rows = []
    progress_rows = []
    for project in projects:
        row = {code: getattr(project, code, None) for code, _label in PROJECT_COLUMNS}
        row["programme"] = project.programme.code
        row["area"] = project.area.name
        row["owner_department"] = (
            project.owner_department.name if project.owner_department_id else None
        )
        row["enterprise"] = project.enterprise.credit_code if project.enterprise_id else None
        row["reduction"] = project.reduction_id
        row["two_high"] = project.two_high_id
        project_rows.append(row)
        for entry in project.entries.all():
            progress_rows.append(
                {
                    "project": project.code,
                    "month": f"{entry.month:%Y-%m}",
                    "percent": entry.percent,
                    "investment_to_date": entry.investment_to_date,
                    "note": entry.note,
                }
            )
    return sheets.save(
        sheets.write_sheets(
            [(PROJECTS, PROJECT_COLUMNS, project_rows), (PROGRESS, PROGRESS_COLUMNS, progress_rows)]
        )
    )
