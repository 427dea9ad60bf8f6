"""Reduction projects: rows in, ``ecer.core.reductions`` out (ledger, totals, progress, checks).

Choices written down once:
* Monitored summaries cover the point's valid data (flag N) over the last
  ``SUMMARY_DAYS`` days, never before the day after completion. HJ 212 flows are converted
  to the units of the accounting methods: water L/s → m³/d (× 86.4), flue gas m³/s → m³/h
  (× 3600).
* Totals and progress count verified projects (``core.COUNTED_STATUSES``); the overview can
  preview what completed projects would add.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import reductions as core
from ecer.core.monitoring import is_valid
from ecer.web.monitoring import services as monitoring
from ecer.web.monitoring.models import Measurement, MonitoringPoint
from ecer.web.reductions.models import ReductionProject

SUMMARY_DAYS = 90
WATER_FLOW, GAS_FLOW = "w00000", "a00000"
FLOW_FACTORS = {WATER_FLOW: 86.4, GAS_FLOW: 3600.0}  # L/s → m³/d, m³/s → m³/h


def with_details(queryset: QuerySet[ReductionProject]) -> QuerySet[ReductionProject]:
    return queryset.select_related("area", "point").prefetch_related("lines", "evidence", "claims")


def core_projects(projects: Iterable[ReductionProject]) -> list[core.Project]:
    return [p.as_core() for p in projects]


def monitored_summary(point: MonitoringPoint, today: date) -> core.MonitoredSummary:
    """Valid data of ``point`` over the last SUMMARY_DAYS days up to ``today``."""
    tz = timezone.get_default_timezone()
    end = datetime(today.year, today.month, today.day, tzinfo=tz) + timedelta(days=1)
    start = end - timedelta(days=SUMMARY_DAYS)
    data = monitoring.point_data(point, start, end)
    valid: dict[str, list[float]] = {}
    count = 0
    for code, readings in data.readings.items():
        values = [r.value for r in readings if is_valid(r.flag)]
        count += len(values)
        if values:
            valid[code] = values
    flow = None
    for code, factor in FLOW_FACTORS.items():
        if code in valid:
            flow = statistics.fmean(valid[code]) * factor
    last = (
        Measurement.objects.filter(point=point, flag="N")
        .order_by("-data_time")
        .values_list("data_time", flat=True)
        .first()
    )
    return core.MonitoredSummary(
        point_id=point.mn,
        period_start=start.date(),
        period_end=today,
        valid_count=count,
        last_valid_on=last.astimezone(tz).date() if last else None,
        mean_flow=flow,
        mean_concentration={
            p: statistics.fmean(valid[p.value]) for p in core.Pollutant if p.value in valid
        },
    )


def claims(projects: Iterable[ReductionProject]) -> list[core.ReductionClaim]:
    return [
        core.ReductionClaim(str(c.project_id), core.Pollutant(c.pollutant), c.year, c.tonnes)
        for p in projects
        for c in p.claims.all()
    ]


@dataclass(frozen=True)
class Checked:
    """Every project with its findings, the closed ones marked."""

    projects: list[ReductionProject]
    findings: list[core.Finding]
    closed: dict[str, set[str]]  # project id -> closed finding keys

    def for_project(self, project: ReductionProject) -> list[tuple[core.Finding, bool]]:
        pid = str(project.pk)
        closed = self.closed.get(pid, set())
        return [(f, f.key in closed) for f in self.findings if pid in f.project_ids]

    def open_count(self, project: ReductionProject) -> int:
        return sum(1 for _f, closed in self.for_project(project) if not closed)


def check_all(today: date | None = None) -> Checked:
    """Run every verification rule over all projects (double counting needs them all)."""
    today = today or timezone.localdate()
    projects = list(with_details(ReductionProject.objects.all()).prefetch_related("closures"))
    points = {p.point.mn: p.point for p in projects if p.point_id}
    summaries = {mn: monitored_summary(point, today) for mn, point in points.items()}
    findings = core.check_projects(core_projects(projects), summaries, claims(projects))
    closed = {str(p.pk): {c.finding_key for c in p.closures.all()} for p in projects}
    return Checked(projects, findings, closed)


def decision(project: ReductionProject, checked: Checked) -> core.VerificationDecision:
    return core.may_mark_verified(
        project.as_core(), checked.findings, checked.closed.get(str(project.pk), set())
    )


def ledger(
    projects: Sequence[ReductionProject], years: Iterable[int], counted: Iterable[str]
) -> tuple[core.LedgerRow, ...]:
    statuses = frozenset(core.ProjectStatus(s) for s in counted)
    return core.ledger(core_projects(projects), years, statuses)


def progress(
    projects: Sequence[ReductionProject], year: int, counted: Iterable[str]
) -> dict[core.Pollutant, core.PollutantProgress]:
    statuses = frozenset(core.ProjectStatus(s) for s in counted)
    return core.progress_by_pollutant(core_projects(projects), year, statuses)


def progress_chart(
    progress: dict[core.Pollutant, core.PollutantProgress], year: int
) -> dict[str, object]:
    """Bars: share of each target achieved, against the even-pace share due in ``year`` [%]."""

    def pct(value: float, target: float) -> float:
        return round(value / target * 100, 1)

    pollutants = list(core.Pollutant)
    return {
        "categories": [p.label_zh for p in pollutants],
        "unit": "%",
        "series": [
            {
                "name": _("完成目标的比例"),
                "data": [pct(progress[p].achieved_t, progress[p].target_t) for p in pollutants],
                "levels": [str(progress[p].warning.level) for p in pollutants],
            },
            {
                "name": _("时序进度要求"),
                "data": [
                    pct(progress[p].path_t[year - core.BASE_YEAR], progress[p].target_t)
                    for p in pollutants
                ],
            },
        ],
    }
