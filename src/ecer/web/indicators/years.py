"""The year a page shows: ``?year=`` when given and inside the plan period, else the year the
indicator service opens on for the area shown (``service.default_year``). One rule for every
page, so no page opens on another year than the rest."""

from __future__ import annotations

from django.http import Http404

from ecer.web.catalog.models import Area, Plan
from ecer.web.indicators.service import default_year


def requested_year(raw: str | None, plan: Plan, area: Area, first: int | None = None) -> int:
    """The year asked for (``raw``, e.g. ``request.GET.get("year")``) or the default one.

    first: The earliest year the page can show (default the plan's base year); the default
        year is never before it. A year that is not a whole number or lies outside
        ``first..target_year`` is a 404.
    """
    first = plan.base_year if first is None else first
    if raw is None or raw.strip() == "":
        return max(first, default_year(plan, area))
    try:
        year = int(raw)
    except ValueError:
        raise Http404("bad year") from None
    if not first <= year <= plan.target_year:
        raise Http404("year outside the plan period")
    return year
