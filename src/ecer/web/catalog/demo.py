"""The illustrative demo data set (示例数据): invented figures that make a new install look alive.

Every observation it creates is flagged ``is_demo`` and every page that shows one says
示例数据. The figures are NOT Beihai's statistics. They are generated deterministically from
each target's kind and value so that some targets are met, most are on track, some are behind,
and one district (铁山港区) is off track.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

from ecer.web.catalog.models import Area, Plan, Target

DEMO_SOURCE = "示例数据（虚构，仅供演示）"
DEMO_LAST_YEAR = 2024

# Pace factors: 1.0 follows a straight line from the base to the target; below 1 lags it.
SCENARIO_PACE = {"ahead": 1.25, "on_path": 1.06, "behind": 0.6}
DISTRICT_PACE = {"haicheng": 1.15, "yinhai": 1.08, "tieshangang": 0.5, "hepu": 1.1}
# Illustrative 2020 energy intensities [tce per 10^4 yuan] by area.
DEMO_INTENSITY = {
    "beihai": 0.62,
    "haicheng": 0.28,
    "yinhai": 0.35,
    "tieshangang": 1.45,
    "hepu": 0.48,
}


def scenario(target: Target) -> str:
    """A stable scenario per target: about one in four behind, one in five ahead."""
    bucket = zlib.crc32(target.code.encode()) % 20
    if bucket < 5:
        return "behind"
    if bucket < 9:
        return "ahead"
    return "on_path"


def demo_base(target: Target, area_code: str) -> float:
    goal = target.target_value
    kind = target.kind
    if kind == Target.Kind.DECLINE_PCT:
        if "标准煤" in target.indicator_unit:
            return DEMO_INTENSITY.get(area_code, 0.62)
        return 25.0 if "立方米" in target.indicator_unit else 1.0
    if kind == Target.Kind.CUMULATIVE_INCREASE:
        return 0.0
    if kind == Target.Kind.ELIMINATION:
        return 24.0
    if kind == Target.Kind.FULL_COVERAGE:
        return 72.0
    assert goal is not None
    if kind == Target.Kind.COUNT_AT_LEAST:
        return float(round(goal * 0.25))
    if kind == Target.Kind.LEVEL_AT_MOST:
        return round(goal * 1.3, 2)
    return round(goal * 0.8, 1) if goal < 100 else 80.0


def demo_value(target: Target, base: float, year: int, pace: float) -> float:
    share = min(1.0, pace * (year - target.base_year) / (target.target_year - target.base_year))
    goal = target.target_value
    if target.kind == Target.Kind.DECLINE_PCT:
        assert goal is not None
        return round(base * (1 - goal / 100 * share), 4)
    if target.kind == Target.Kind.ELIMINATION:
        return float(round(base * (1 - share)))
    if target.kind == Target.Kind.FULL_COVERAGE and goal is None:
        goal = 100.0
    assert goal is not None
    value = base + (goal - base) * share
    if target.kind in (Target.Kind.COUNT_AT_LEAST, Target.Kind.CUMULATIVE_INCREASE):
        return (
            float(round(value))
            if goal >= 20 or target.unit in ("个", "家", "台")
            else round(value, 2)
        )
    return round(value, 2)


def demo_rows(plan: Plan) -> Iterator[tuple[int, dict[str, Any]]]:
    """Observation rows in the import format of ecer.web.catalog.observations_io."""
    areas = list(Area.objects.all())
    row = 1
    for target in plan.targets.all():
        if target.is_computed:
            continue  # its figure comes from the accounts the other demo modules fill
        goal_known = target.target_value is not None or target.kind in (
            Target.Kind.FULL_COVERAGE,
            Target.Kind.ELIMINATION,
        )
        if not goal_known:
            continue
        pace = SCENARIO_PACE[scenario(target)]
        for area in areas:
            if not area.is_city and not target.applies_to_districts:
                continue
            area_pace = pace if area.is_city else DISTRICT_PACE.get(area.code, 1.0)
            base = demo_base(target, area.code)
            for year in range(target.base_year, DEMO_LAST_YEAR + 1):
                row += 1
                yield (
                    row,
                    {
                        "target": target.code,
                        "area": area.code,
                        "year": year,
                        "quarter": 0,
                        "value": demo_value(target, base, year, area_pace),
                        "unit": target.observation_unit,
                        "source": DEMO_SOURCE,
                        "note": "",
                    },
                )
