"""Progress of the catalog's targets: turns database rows into ecer.core inputs and back.

No formula lives here; every number comes from ecer.core.progress and ecer.core.warning.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ecer.core import progress as core_progress
from ecer.core import warning as core_warning
from ecer.web.audit.models import Status
from ecer.web.catalog.models import ANNUAL, Area, Observation, Plan, Target


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    area: Area
    result: core_progress.ProgressResult
    warning: core_warning.WarningAssessment
    uses_demo_data: bool
    as_of_time_progress: float

    @property
    def completion_percent(self) -> float | None:
        if self.result.completion is None:
            return None
        return self.result.completion * 100

    @property
    def bar_percent(self) -> float:
        """Width of a progress bar [%], clipped to 0–100."""
        value = self.completion_percent or 0.0
        return max(0.0, min(100.0, value))

    @property
    def time_progress_percent(self) -> float:
        """Time progress at the latest observation, or at the evaluated year without one [%]."""
        share = self.result.time_progress
        return (self.as_of_time_progress if share is None else share) * 100


def target_spec(target: Target) -> core_progress.TargetSpec:
    return core_progress.TargetSpec(
        kind=core_progress.TargetKind(target.kind),
        base_year=target.base_year,
        target_year=target.target_year,
        target_value=target.target_value,
        base_value=target.base_value,
    )


def core_observations(observations: Iterable[Observation]) -> list[core_progress.Observation]:
    return [
        core_progress.Observation(
            year=o.year, quarter=None if o.quarter == ANNUAL else o.quarter, value=o.value
        )
        for o in observations
    ]


def latest_year(plan: Plan) -> int:
    """The latest year with any observation, or the base year when there are none."""
    year = (
        Observation.objects.filter(target__plan=plan, status=Status.APPROVED)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return int(year) if year is not None else plan.base_year


def evaluate_targets(
    plan: Plan,
    area: Area,
    year: int,
    targets: Iterable[Target] | None = None,
    scope: Any = None,
) -> list[TargetProgress]:
    """Progress of each target from its approved observations (default targets: all of the
    plan's that apply to the area, narrowed to the user's scope when one is given)."""
    if targets is None:
        queryset = plan.targets.select_related("section")
        if not area.is_city:
            queryset = queryset.filter(applies_to_districts=True)
        if scope is not None:
            queryset = scope.targets(queryset)
        targets = queryset.order_by("sort_order")
    targets = list(targets)
    by_target: dict[int, list[Observation]] = defaultdict(list)
    approved = Observation.objects.filter(
        target__in=targets, area=area, year__lte=year, status=Status.APPROVED
    )
    for obs in approved:
        by_target[obs.target_id].append(obs)
    thresholds = core_warning.WarningThresholds()
    as_of = (year, None)
    results = []
    for target in targets:
        observations = by_target.get(target.id, [])
        result = core_progress.evaluate(
            target_spec(target), core_observations(observations), as_of=as_of
        )
        results.append(
            TargetProgress(
                target=target,
                area=area,
                result=result,
                warning=core_warning.target_warning(result, thresholds),
                uses_demo_data=any(o.is_demo for o in observations),
                as_of_time_progress=core_progress.time_progress(
                    target.base_year, target.target_year, as_of
                ),
            )
        )
    return results


def status_counts(items: Iterable[TargetProgress]) -> dict[str, int]:
    counts: dict[str, int] = {s.value: 0 for s in core_progress.ProgressStatus}
    for item in items:
        counts[item.result.status.value] += 1
    return counts
