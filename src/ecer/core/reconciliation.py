"""A reported figure beside the computed one for the same target, area and year.

A computed target's figure comes from a module's accounts (``ecer.web.indicators.feeds``); a
department may still report it. Both are shown with their difference, and a difference
beyond a tolerance is a data-quality finding (issue 18, item 3: "a difference beyond a
tolerance is a data-quality finding").

Number type: ``float`` (statistics with a handful of significant digits).
"""

from __future__ import annotations

from dataclasses import dataclass

EPSILON = 1e-9
"""Absolute difference below which two figures are equal [unit of the figure], and the
relative slack of the tolerance against binary rounding [-] (as ``ecer.core.quality``): a
difference exactly at the tolerance agrees."""


@dataclass(frozen=True)
class Reconciliation:
    """A reported figure of a computed target beside the computed one (same year).

    year: The year both figures are for.
    reported, computed: The two figures [indicator unit].
    difference: ``reported − computed`` [indicator unit].
    difference_pct: ``difference / |computed| × 100`` [%]; ``None`` when computed is 0.
    tolerance_pct: The tolerance applied [%].
    beyond_tolerance: ``|difference_pct| > tolerance_pct`` (computed 0: any difference); a
        difference exactly at the tolerance agrees.
    """

    year: int
    reported: float
    computed: float
    difference: float
    difference_pct: float | None
    tolerance_pct: float
    beyond_tolerance: bool


def reconcile(year: int, reported: float, computed: float, tolerance_pct: float) -> Reconciliation:
    """Reported against computed: the difference and whether it exceeds the tolerance [%]."""
    difference = reported - computed
    # Relative to the computed figure, the one the status is judged on.
    pct = None if computed == 0 else difference / abs(computed) * 100
    if pct is None:
        beyond = abs(difference) > EPSILON
    else:
        beyond = abs(pct) > tolerance_pct * (1 + EPSILON) + EPSILON
    return Reconciliation(year, reported, computed, difference, pct, tolerance_pct, beyond)
