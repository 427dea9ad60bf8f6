"""The four reduction targets (plan 二) as /reductions/ and ``ecer reductions report`` show them.

Every official figure is the indicator service's (``ecer.web.indicators``): the reduction in
effect of the verified projects, the plan's target, completion, status and warning, so the
reduction page, the plan overview and ``ecer progress`` give one answer. The targets and
their base and target years are the plan file's (the targets with the feeds
``services.FEEDS``); nothing here holds a plan value.

The preview is a what-if beside the official figure, never in its place: the same targets
judged by ``ecer.core.reductions.progress_by_pollutant`` with completed but not yet verified
projects counted too (预览，不作为考核口径).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.utils.translation import gettext as _

from ecer.core import reductions as core
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.indicators import service as indicators
from ecer.web.reductions import services
from ecer.web.reductions.models import ReductionProject

PREVIEW_STATUSES = (core.ProjectStatus.VERIFIED.value, core.ProjectStatus.COMPLETED.value)
"""Statuses the preview counts: verified and completed (建成未核定) projects."""


@dataclass(frozen=True)
class Figure:
    """One pollutant's target: the official indicator and, when asked, the preview.

    indicator: The indicator service's answer (the official figure).
    preview: Progress counting completed projects too (what-if); None unless asked.
    """

    pollutant: core.Pollutant
    indicator: indicators.Indicator
    preview: core.PollutantProgress | None = None

    @property
    def preview_completion_percent(self) -> float | None:
        if self.preview is None or self.preview.result.completion is None:
            return None
        return self.preview.result.completion * 100


def plan_targets(plan: Plan) -> dict[core.Pollutant, Target]:
    """The plan's reduction targets by pollutant (those the plan has)."""
    found = {p: indicators.by_feed(plan, feed) for p, feed in services.FEEDS.items()}
    return {p: t for p, t in found.items() if t is not None}


def base_years(targets: Mapping[core.Pollutant, Target]) -> dict[core.Pollutant, int]:
    """Each target's base year: projects completed in or before it are in the base."""
    return {p: t.base_year for p, t in targets.items()}


def official(
    plan: Plan, area: Area, year: int, targets: Mapping[core.Pollutant, Target]
) -> list[Figure]:
    """The indicator of each reduction target in ``area`` at the end of ``year``."""
    items = indicators.evaluate(plan, area, year, targets=list(targets.values()))
    return [Figure(p, item) for p, item in zip(targets, items, strict=True)]


def with_preview(
    figures: Sequence[Figure], projects: Sequence[ReductionProject], year: int
) -> list[Figure]:
    """The figures with the preview of each: the same target, base and target year as the
    indicator, completed projects counted too."""
    projects_core = services.core_projects(projects)
    statuses = frozenset(core.ProjectStatus(s) for s in PREVIEW_STATUSES)
    out = []
    for figure in figures:
        target, value = figure.indicator.target, figure.indicator.target_value
        if value is None:
            out.append(figure)
            continue
        progress = core.progress_by_pollutant(
            projects_core,
            year,
            {figure.pollutant: value},
            base_year=target.base_year,
            target_year=target.target_year,
            counted=statuses,
        )[figure.pollutant]
        out.append(replace(figure, preview=progress))
    return out


def chart(figures: Sequence[Figure]) -> dict[str, object]:
    """Bars: completion of each target [%] coloured by its warning level, against the time
    progress; with the preview's completion as a third series when there is one."""

    def pct(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    series: list[dict[str, object]] = [
        {
            "name": _("完成目标的比例"),
            "data": [pct(f.indicator.completion_percent) for f in figures],
            "levels": [str(f.indicator.level) for f in figures],
        },
        {
            "name": _("时序进度要求"),
            "data": [pct(f.indicator.time_progress_percent) for f in figures],
        },
    ]
    if any(f.preview is not None for f in figures):
        series.append(
            {
                "name": _("预览：含已建成未核定项目（不作为考核口径）"),
                "data": [pct(f.preview_completion_percent) for f in figures],
            }
        )
    return {"categories": [f.pollutant.label_zh for f in figures], "unit": "%", "series": series}
