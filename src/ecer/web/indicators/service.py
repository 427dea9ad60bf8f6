"""The indicator service: value, basis, status, warning and data version of any target in any
area at the end of any year of the plan.

``evaluate`` is the one function every surface calls: the plan overview, a target's and a
district's page, the module pages (/energy/, /reductions/, the benchmark page), the
assessment, the annual workbook, the mid-term evaluation, the briefing, the Excel exports and
the CLI. A reported target is judged on its approved observations; a computed one on its
feed (``feeds.COMPUTED``), and approved observations of it are shown beside as the reported
figure with the difference (``Reconciliation``).
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ecer.core import progress as core_progress
from ecer.core import warning as core_warning
from ecer.core.reconciliation import Reconciliation, reconcile
from ecer.web.audit.models import Status
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import ANNUAL, Area, Observation, Plan, Target
from ecer.web.energy.models import DistrictEnergyYear
from ecer.web.indicators import feeds
from ecer.web.indicators.feeds import Alternative, FeedContext, FeedResult
from ecer.web.numbers import (
    BAD_VALUE_TEXT,
    bad_data_text,
    require_stored_values,
    stored_value_problems,
)

logger = logging.getLogger(__name__)

REPORTED = "reported"


@dataclass(frozen=True)
class Indicator:
    """One target in one area at the end of one year: the one answer every surface shows.

    result: Progress (``ecer.core.progress``). warning: Warning level (``ecer.core.warning``).
    basis: What the status is judged on (填报值, 考核口径, 已核查项目…).
    target_value: The target applying to this area [target unit].
    alternatives: The same figure on the other legitimate bases (总量口径…).
    reconciliation: The reported figure of a computed target and the difference.
    data_version: The data version the figures were computed from (``audit.version``).
    """

    target: Target
    area: Area
    year: int
    result: core_progress.ProgressResult
    warning: core_warning.WarningAssessment
    basis: str
    target_value: float | None
    uses_demo_data: bool
    as_of_time_progress: float
    data_version: str
    series: tuple[tuple[int, float], ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    reconciliation: Reconciliation | None = None
    problems: tuple[str, ...] = ()

    @property
    def is_computed(self) -> bool:
        return self.target.is_computed

    @property
    def value(self) -> float | None:
        """The latest value judged [indicator unit]."""
        return None if self.result.latest is None else self.result.latest.value

    @property
    def status(self) -> core_progress.ProgressStatus:
        return self.result.status

    @property
    def level(self) -> core_warning.WarningLevel:
        return self.warning.level

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
        """Time progress at the latest value, or at the evaluated year without one [%]."""
        share = self.result.time_progress
        return (self.as_of_time_progress if share is None else share) * 100


def tolerance_pct() -> float:
    """The reconciliation tolerance in force [%] (``ECER_RECONCILE_TOLERANCE_PCT``)."""
    return float(settings.ECER_RECONCILE_TOLERANCE_PCT)


def plan_targets(plan: Plan, area: Area, scope: Any = None) -> list[Target]:
    """The plan's targets that apply to the area (narrowed to the user's scope when given)."""
    queryset = plan.targets.select_related("section")
    if not area.is_city:
        queryset = queryset.filter(applies_to_districts=True)
    if scope is not None:
        queryset = scope.targets(queryset)
    return list(queryset.order_by("sort_order"))


def _approved(targets: Sequence[Target], area: Area, year: int) -> dict[int, list[Observation]]:
    by_target: dict[int, list[Observation]] = defaultdict(list)
    for obs in Observation.objects.filter(
        target__in=targets, area=area, year__lte=year, status=Status.APPROVED
    ):
        by_target[obs.target_id].append(obs)
    return by_target


def _reported(target: Target, year: int, observations: list[Observation]) -> FeedResult:
    require_stored_values(*observations)
    result = core_progress.evaluate(
        feeds.target_spec(target),
        [
            core_progress.Observation(
                year=o.year, quarter=None if o.quarter == ANNUAL else o.quarter, value=o.value
            )
            for o in observations
            if math.isfinite(o.value)
        ],
        as_of=(year, None),
    )
    return FeedResult(
        result=result,
        warning=core_warning.target_warning(result, core_warning.WarningThresholds()),
        basis=_("填报值"),
        target_value=target.target_value,
        uses_demo_data=any(o.is_demo for o in observations),
        series=tuple(sorted((o.year, o.value) for o in observations if o.quarter == ANNUAL)),
    )


def _bad_data(target: Target, year: int, exc: Exception) -> FeedResult:
    logger.warning("indicator %s %s: bad stored data: %s", target.code, year, exc)
    reason = bad_data_text(exc)
    # The target's own values may be the bad ones: judge without them (no status, no value).
    own_values_bad = bool(stored_value_problems(target))
    result, warning = feeds._no_data(target, year, reason, usable_target=not own_values_bad)
    return FeedResult(
        result=result,
        warning=warning,
        basis=str(BAD_VALUE_TEXT),
        target_value=None if own_values_bad else target.target_value,
        uses_demo_data=False,
        problems=(reason,),
    )


def _reconciliation(
    fed: FeedResult, observations: list[Observation], year: int
) -> Reconciliation | None:
    latest = fed.result.latest
    if latest is None:
        return None
    reported = [o for o in observations if o.year == latest.year and o.quarter == ANNUAL]
    if not reported or not math.isfinite(reported[0].value):
        return None
    return reconcile(latest.year, reported[0].value, latest.value, tolerance_pct())


def evaluate(
    plan: Plan,
    area: Area,
    year: int,
    targets: Iterable[Target] | None = None,
    scope: Any = None,
    context: FeedContext | None = None,
    version: str | None = None,
) -> list[Indicator]:
    """The indicator of each target in ``area`` at the end of ``year`` (default targets: all
    the plan's that apply to the area, narrowed to the user's scope when one is given).

    ``context`` shares the modules' accounts between calls for several areas of one year.
    """
    chosen = plan_targets(plan, area, scope) if targets is None else list(targets)
    ctx = context or FeedContext(plan, year)
    version = version or data_version()
    approved = _approved(chosen, area, year)
    out = []
    for target in chosen:
        observations = approved.get(target.id, [])
        try:
            require_stored_values(target)
            if target.feed == REPORTED:
                fed = _reported(target, year, observations)
                reconciliation = None
            else:
                fed = feeds.feed_of(target)(target, area, ctx)
                reconciliation = _reconciliation(fed, observations, year)
        except (ArithmeticError, ValueError) as exc:
            # A stored input the domain rules would refuse (±Infinity, 1e308 written past
            # the model layer) makes the accounting refuse it too: a problem on this
            # indicator, not an error page for everyone.
            fed = _bad_data(target, year, exc)
            reconciliation = None
        out.append(
            Indicator(
                target=target,
                area=area,
                year=year,
                result=fed.result,
                warning=fed.warning,
                basis=fed.basis,
                target_value=fed.target_value,
                uses_demo_data=fed.uses_demo_data,
                as_of_time_progress=core_progress.time_progress(
                    target.base_year, target.target_year, (year, None)
                ),
                data_version=version,
                series=fed.series,
                alternatives=fed.alternatives,
                reconciliation=reconciliation,
                problems=fed.problems,
            )
        )
    return out


def indicator(target: Target, area: Area, year: int, **kwargs: Any) -> Indicator:
    """One target's indicator (see ``evaluate``)."""
    [item] = evaluate(target.plan, area, year, targets=[target], **kwargs)
    return item


def by_feed(plan: Plan, feed: str) -> Target | None:
    """The plan's target fed by ``feed`` (e.g. ``energy.intensity``), if it has one."""
    return plan.targets.filter(feed=feed).select_related("section").first()


def status_counts(items: Iterable[Indicator]) -> dict[str, int]:
    counts: dict[str, int] = {s.value: 0 for s in core_progress.ProgressStatus}
    for item in items:
        counts[item.result.status.value] += 1
    return counts


def default_year(plan: Plan, area: Area) -> int:
    """The year every page opens on for ``area``: the latest year for which its assessed data
    (the dual-control accounts, from the base year on without a gap) are complete; without
    such accounts, the latest year with an approved figure of the area; else the base year.
    Another area's early figure for a later year does not move it."""
    years = set(
        DistrictEnergyYear.objects.filter(
            area=area, year__gte=plan.base_year, year__lte=plan.target_year
        ).values_list("year", flat=True)
    )
    if plan.base_year in years:
        year = plan.base_year
        while year + 1 in years:
            year += 1
        return year
    latest = (
        Observation.objects.filter(
            target__plan=plan,
            area=area,
            status=Status.APPROVED,
            year__gte=plan.base_year,
            year__lte=plan.target_year,
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return int(latest) if latest is not None else plan.base_year
