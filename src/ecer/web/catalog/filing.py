"""The filing grid (一屏填报): every figure one unit owes for a year, on one form.

A district files each target decomposed to districts by quarter and for the year; a
department (or the city) files the city figure of its targets for the year. Each cell is
checked as a single figure would be (the target's unit and domain, the plan period, the
user's scope); one bad cell saves nothing. Values typed as text are read here — the
workbook import and the form read the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ecer.web.audit import workflow
from ecer.web.audit.models import Status
from ecer.web.catalog.models import ANNUAL, Area, Observation, Plan, Target

QUARTERS = (1, 2, 3, 4)
ORDER = (*QUARTERS, ANNUAL)
# Column headers of the grid and its workbook, by quarter (0: the whole year).
PERIOD_LABELS = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度", ANNUAL: "全年"}


@dataclass(eq=False)  # a cell is itself: typed values are keyed by cell
class Cell:
    target: Target
    quarter: int
    observation: Observation | None
    typed: str = ""  # what the user entered this time
    error: str = ""

    @property
    def name(self) -> str:
        return f"v-{self.target.pk}-{self.quarter}"

    @property
    def editable(self) -> bool:
        return self.observation is None or self.observation.is_editable

    @property
    def shown(self) -> str:
        if self.typed:
            return self.typed
        if self.observation is None:
            return ""
        return f"{self.observation.value:g}"


@dataclass
class Row:
    target: Target
    cells: dict[int, Cell]  # by quarter; only the periods this unit files
    previous: Observation | None = None  # last year's approved annual figure

    def cell(self, quarter: int) -> Cell | None:
        return self.cells.get(quarter)

    @property
    def columns(self) -> list[tuple[str, Cell | None]]:
        """(period label, cell or None) in the grid's column order."""
        return [(_(PERIOD_LABELS[q]), self.cells.get(q)) for q in ORDER]


@dataclass
class Grid:
    area: Area
    year: int
    rows: list[Row] = field(default_factory=list)

    @property
    def cells(self) -> list[Cell]:
        return [c for row in self.rows for c in row.cells.values()]

    @property
    def errors(self) -> list[Cell]:
        return [c for c in self.cells if c.error]

    def row_for(self, label: str) -> Row | None:
        """The row a workbook names by Chinese target name or by code."""
        text = label.strip()
        return next((r for r in self.rows if text in (r.target.name, r.target.code)), None)


def periods(target: Target, area: Area) -> tuple[int, ...]:
    """The periods a unit files for ``target`` in ``area``: quarters and the year for a target
    decomposed to districts filed by a district, the year for a city figure."""
    if not area.is_city and target.applies_to_districts:
        return (*QUARTERS, ANNUAL)
    return (ANNUAL,)


def build(plan: Plan, area: Area, year: int, scope: Any) -> Grid:
    """The grid of what the user may file for ``area`` in ``year``: the figures the reminders
    ask for (``quality.reminders``). A computed target's filed figure is the reported one its
    indicator is reconciled with (``indicators.service``)."""
    targets = [
        t
        for t in scope.targets(plan.targets.all()).order_by("sort_order")
        if scope.can_submit(t, area) and (area.is_city or t.applies_to_districts)
    ]
    existing = {
        (o.target_id, o.quarter): o
        for o in Observation.objects.filter(target__in=targets, area=area, year=year)
    }
    previous = {
        o.target_id: o
        for o in Observation.objects.filter(
            target__in=targets, area=area, year=year - 1, quarter=ANNUAL, status=Status.APPROVED
        )
    }
    grid = Grid(area, year)
    for target in targets:
        cells = {q: Cell(target, q, existing.get((target.pk, q))) for q in periods(target, area)}
        grid.rows.append(Row(target, cells, previous.get(target.pk)))
    return grid


def _parse(text: str) -> float:
    cleaned = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def fill(grid: Grid, values: Mapping[Cell, str]) -> None:
    """Check each typed value as one figure; errors are kept on the cells."""
    for cell, text in values.items():
        cell.typed = text.strip()
        if not cell.typed:
            continue
        if not cell.editable:
            cell.error = _("该数值已提交或已审核，不能在此修改")
            continue
        try:
            value = _parse(cell.typed)
        except ValueError:
            cell.error = _("“%(text)s”不是数字") % {"text": cell.typed}
            continue
        candidate = cell.observation or Observation(
            target=cell.target, area=grid.area, year=grid.year, quarter=cell.quarter
        )
        candidate.value = value
        try:
            candidate.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            cell.error = "；".join(
                str(m) for messages in exc.message_dict.values() for m in messages
            )
            continue
        cell.observation = candidate


def typed_values(grid: Grid, data: Mapping[str, str]) -> dict[Cell, str]:
    return {cell: data.get(cell.name, "") for cell in grid.cells if cell.name in data}


@transaction.atomic
def save(grid: Grid, user: Any, *, submit: bool) -> tuple[int, int]:
    """Save every typed cell (nothing when any cell has an error) and, with ``submit``,
    submit every draft or returned figure of the grid. Returns (saved, submitted)."""
    if grid.errors:
        return 0, 0
    saved = submitted = 0
    for cell in grid.cells:
        obs = cell.observation
        if obs is None:
            continue
        if cell.typed and obs.is_editable:
            obs.save()
            saved += 1
        if submit and obs.pk is not None and obs.is_editable:
            workflow.submit(obs, user)
            submitted += 1
    return saved, submitted
