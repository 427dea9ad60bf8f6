"""The dual-control accounts of each area beside the indicator service's answer for the plan's
two energy targets: intensity (feed ``energy.intensity``) and total consumption
(``energy.total``).

The indicator service computes both from ``services.evaluate`` itself (``indicators.feeds``),
so the page, the export and ``ecer energy report`` take the status and warning light of each
target from it, and the accounts from the same ``FeedContext``: each area is evaluated once,
and the figures shown agree with the plan overview by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ecer.web.audit.version import data_version
from ecer.web.catalog.models import Area, Plan
from ecer.web.energy.services import DualControl
from ecer.web.indicators import service as indicators
from ecer.web.indicators.feeds import FeedContext
from ecer.web.indicators.service import Indicator

INTENSITY_FEED = "energy.intensity"
TOTAL_FEED = "energy.total"


@dataclass(frozen=True)
class AreaStatus:
    """One area at the end of one year.

    control: The dual-control accounts (``services.evaluate``).
    intensity, total: The indicators of the plan's intensity and total-consumption targets;
        None when the plan has no such target or it does not apply to the area.
    """

    control: DualControl
    intensity: Indicator | None
    total: Indicator | None

    @property
    def area(self) -> Area:
        return self.control.area


def area_statuses(
    plan: Plan, year: int, areas: Sequence[Area], version: str | None = None
) -> list[AreaStatus]:
    """Accounts and indicators of each area at the end of ``year``, in the order given
    (``version``: the data version already read for the same response, if any)."""
    context = FeedContext(plan, year)
    targets = [t for t in (indicators.by_feed(plan, f) for f in (INTENSITY_FEED, TOTAL_FEED)) if t]
    version = version or data_version()
    out = []
    for area in areas:
        applying = [t for t in targets if area.is_city or t.applies_to_districts]
        items = {
            item.target.feed: item
            for item in indicators.evaluate(
                plan, area, year, targets=applying, context=context, version=version
            )
        }
        out.append(
            AreaStatus(
                control=context.control(area),
                intensity=items.get(INTENSITY_FEED),
                total=items.get(TOTAL_FEED),
            )
        )
    return out
