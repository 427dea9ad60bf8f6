"""Reduction projects: rows in, ``ecer.core.reductions`` out (ledger, totals, progress, checks).

Choices written down once:
* Monitored summaries cover the point's valid data (flag N) over the last
  ``SUMMARY_DAYS`` days, never before the day after completion. HJ 212 flows are converted
  to the units of the accounting methods: water L/s → m³/d (× 86.4), flue gas m³/s → m³/h
  (× 3600).
* Totals count verified projects (``core.COUNTED_STATUSES``). The four targets' progress is
  the indicator service's (``ecer.web.indicators``, fed by ``core.progress_by_pollutant`` on
  these projects); the targets and years are the plan's, never this module's.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from ecer.core import reductions as core
from ecer.core.monitoring import is_valid
from ecer.web.monitoring import services as monitoring
from ecer.web.monitoring.models import Measurement, MonitoringPoint
from ecer.web.numbers import bad_data_text
from ecer.web.reductions.models import ReductionProject

logger = logging.getLogger(__name__)

FEEDS: dict[core.Pollutant, str] = {
    core.Pollutant.COD: "reductions.cod",
    core.Pollutant.NH3_N: "reductions.nh3n",
    core.Pollutant.NOX: "reductions.nox",
    core.Pollutant.VOCS: "reductions.vocs",
}
"""The plan-file feed (``ecer.plan.schema.FEED_KINDS``) of each pollutant's target."""

SUMMARY_DAYS = 90
WATER_FLOW, GAS_FLOW = "w00000", "a00000"
FLOW_FACTORS = {WATER_FLOW: 86.4, GAS_FLOW: 3600.0}  # L/s → m³/d, m³/s → m³/h


def with_details(queryset: QuerySet[ReductionProject]) -> QuerySet[ReductionProject]:
    return queryset.select_related("area", "point").prefetch_related("lines", "evidence", "claims")


def core_projects(projects: Iterable[ReductionProject], strict: bool = False) -> list[core.Project]:
    """The projects as ``ecer.core`` sees them. A project holding a stored value its domain
    refuses raises ``BadStoredValue`` when ``strict`` (the plan's targets: the indicator
    shows 数据异常), else it is left out of the figures and named by ``project_problems``."""
    out = []
    for project in projects:
        try:
            out.append(project.as_core())
        except ValueError as exc:  # BadStoredValue, or a required input stored as NULL (NaN)
            if strict:
                raise
            logger.warning("reduction project %s left out: %s", project.pk, exc)
    return out


def project_problems(projects: Iterable[ReductionProject]) -> list[str]:
    """ "<project>：数据异常：…" for each project left out of the figures by ``core_projects``."""
    problems = []
    for project in projects:
        try:
            project.as_core()
        except ValueError as exc:
            problems.append(f"{project.name}：{bad_data_text(exc)}")
    return problems


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
    projects: Sequence[ReductionProject],
    years: Iterable[int],
    base_year: int,
    counted: Iterable[str] = (core.ProjectStatus.VERIFIED,),
) -> tuple[core.LedgerRow, ...]:
    """The ledger of ``projects`` for ``years`` against the plan's ``base_year``."""
    statuses = frozenset(core.ProjectStatus(s) for s in counted)
    return core.ledger(core_projects(projects), years, base_year=base_year, counted=statuses)


def totals_in_effect(
    projects: Sequence[ReductionProject],
    year: int,
    base_years: Mapping[core.Pollutant, int],
    *by: core.Dimension,
    counted: Iterable[str] = (core.ProjectStatus.VERIFIED,),
) -> dict[tuple[str | int, ...], float]:
    """Reductions in effect in ``year`` [t] by ``by`` and then pollutant (last key), for the
    pollutants of ``base_years``, each against its own target's base year."""
    statuses = frozenset(core.ProjectStatus(s) for s in counted)
    projects_core = core_projects(projects)
    out: dict[tuple[str | int, ...], float] = {}
    for pollutant, base_year in base_years.items():
        rows = core.ledger(projects_core, [year], base_year=base_year, counted=statuses)
        mine = [r for r in rows if r.pollutant is pollutant]
        out.update(core.totals(mine, *by, core.Dimension.POLLUTANT))
    return out
