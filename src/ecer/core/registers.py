"""Registers (台账): the count a target reads from the items behind it.

An item moves 已登记 (registered) → 整治中 (in rectification) → 已完成 (done) → 已核查
(verified). The plan's "淘汰/消除" (三(五), 三(八), 三(十)) and "新增" (三(四)) targets are the
city's to report, so a target counts an item only once the city has verified it (its
``verified_on``); items done but not yet verified are given beside as another figure
(``include_done=True``), never as the target's. All dates are compared with the end of the
year (31 December) the figure is for.

- elimination: items registered by the year's end and not eliminated by then (remaining);
- count_at_least: items (or their sizes) verified by the year's end, whenever registered;
- cumulative_increase: items (or their sizes) verified after the base year's end and by the
  year's end (新增 since the base year).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Measure(StrEnum):
    COUNT = "count"  # each item counts 1
    SIZE = "size"  # each item counts its size (e.g. a charging site's piles)


class Kind(StrEnum):
    ELIMINATION = "elimination"
    COUNT_AT_LEAST = "count_at_least"
    CUMULATIVE_INCREASE = "cumulative_increase"


@dataclass(frozen=True)
class Item:
    """The dates that matter to the count. size: [register unit]; None when not given."""

    registered_on: date
    done_on: date | None = None
    verified_on: date | None = None
    size: float | None = None


def year_end(year: int) -> date:
    return date(year, 12, 31)


def closed_on(item: Item, include_done: bool = False) -> date | None:
    """When the item stopped counting as remaining: its verification (or, with
    ``include_done``, its completion when earlier)."""
    dates = [d for d in (item.verified_on, item.done_on if include_done else None) if d]
    return min(dates) if dates else None


def _closed_by(item: Item, end: date, include_done: bool) -> bool:
    closed = closed_on(item, include_done)
    return closed is not None and closed <= end


def _weight(item: Item, measure: Measure) -> float:
    if measure is Measure.COUNT:
        return 1.0
    return item.size or 0.0


def figure(
    kind: Kind,
    items: Iterable[Item],
    year: int,
    *,
    base_year: int,
    measure: Measure = Measure.COUNT,
    include_done: bool = False,
) -> float:
    """The target's figure at the end of ``year`` from the register's items (module doc)."""
    end = year_end(year)
    total = 0.0
    for item in items:
        if kind is Kind.ELIMINATION:
            if item.registered_on <= end and not _closed_by(item, end, include_done):
                total += 1.0
            continue
        closed = closed_on(item, include_done)
        if closed is None or closed > end:
            continue
        if kind is Kind.CUMULATIVE_INCREASE and closed <= year_end(base_year):
            continue
        total += _weight(item, measure)
    return total


def series(
    kind: Kind,
    items: Iterable[Item],
    year: int,
    *,
    base_year: int,
    measure: Measure = Measure.COUNT,
    include_done: bool = False,
) -> list[tuple[int, float]]:
    """(year, figure) for each year up to ``year``: from the base year for a stock (remaining,
    built), from the year after it for an increase (its base is 0 by definition)."""
    chosen = list(items)
    first = base_year + 1 if kind is Kind.CUMULATIVE_INCREASE else base_year
    return [
        (
            y,
            figure(
                kind, chosen, y, base_year=base_year, measure=measure, include_done=include_done
            ),
        )
        for y in range(first, year + 1)
    ]
