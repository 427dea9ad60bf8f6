"""`ecer reductions report`: the reduction targets of a year as plain text.

The city's figures are the indicator service's (``figures.official``), formatted as
``ecer progress`` formats them, so both commands print the same value and status for each
pollutant. A district has no reduction target of its own (the plan sets them for the city):
it gets the reductions in effect of its verified projects, the figures of the district table
on /reductions/.
"""

from __future__ import annotations

from collections.abc import Mapping

from ecer.core import reductions as core
from ecer.web.catalog.labels import STATUS_LABELS
from ecer.web.catalog.models import Area, Target
from ecer.web.catalog.observations_io import active_plan
from ecer.web.catalog.templatetags.ecer_tags import num
from ecer.web.indicators import service as indicators
from ecer.web.reductions import figures, services
from ecer.web.reductions.models import ReductionProject
from ecer.web.textreport import INDICATOR_DIGITS, text_table

DEMO_NOTE = "示例数据：以下数值为演示用虚构数据，不是北海市真实统计数据。"
HEADER = ["污染物", "减排量(吨)", "目标值", "完成进度", "时序进度", "状态", "预警"]
NONE = "—"


def _area(code: str | None) -> Area:
    if not code:
        return Area.objects.get(kind=Area.Kind.CITY)
    area = Area.objects.filter(code=code).first()
    if area is None:
        known = ", ".join(Area.objects.values_list("code", flat=True))
        raise LookupError(f"unknown area {code!r} (known: {known})")
    return area


def reductions_text(*, year: int | None, area_code: str | None = None) -> str:
    """The table of ``ecer reductions report`` (LookupError: unknown area, year outside the
    plan period)."""
    plan = active_plan()
    area = _area(area_code)
    if year is None:
        year = indicators.default_year(plan, area)
    if not plan.base_year <= year <= plan.target_year:
        raise LookupError(
            f"year {year} is outside the plan period {plan.base_year}-{plan.target_year}"
        )
    targets = figures.plan_targets(plan)
    if not targets:
        return f"{plan.name}：规划方案未设重点工程减排目标"
    if area.is_city:
        shown = figures.official(plan, area, year, targets)
        return "\n".join(_city_lines(plan.name, area, year, shown))
    return "\n".join(_district_lines(plan.name, area, year, targets))


def _city_lines(plan_name: str, area: Area, year: int, shown: list[figures.Figure]) -> list[str]:
    lines = [f"{plan_name} — {area.name} {year} 年重点工程减排（已核定项目）"]
    if any(f.indicator.uses_demo_data for f in shown):
        lines.append(DEMO_NOTE)
    rows = []
    for f in shown:
        item, latest = f.indicator, f.indicator.result.latest
        rows.append(
            [
                f.pollutant.label_zh,
                NONE
                if latest is None
                else f"{num(latest.value, INDICATOR_DIGITS)} ({latest.year})",
                NONE
                if item.target_value is None
                else f"{num(item.target_value)} {item.target.unit}".strip(),
                NONE if item.completion_percent is None else f"{item.completion_percent:.1f}%",
                f"{item.time_progress_percent:.0f}%",
                str(STATUS_LABELS[item.status.value]),
                item.level.label_zh,
            ]
        )
    lines.extend(text_table(HEADER, rows))
    return lines


def _district_lines(
    plan_name: str, area: Area, year: int, targets: Mapping[core.Pollutant, Target]
) -> list[str]:
    projects = list(services.with_details(ReductionProject.objects.filter(area=area)))
    starts = figures.base_years(targets)
    sums = services.totals_in_effect(projects, year, starts)
    clause = next(iter(targets.values())).section.clause
    lines = [f"{plan_name} — {area.name} {year} 年重点工程减排（已核定项目）"]
    if any(p.is_demo for p in projects):
        lines.append(DEMO_NOTE)
    lines.append(
        f"规划方案（{clause}）将重点工程减排目标下达给全市，未分解到县区：下表为本县区已核定"
        "项目的减排量，目标值、完成进度、状态和预警不适用。"
    )
    rows = [
        [p.label_zh, num(sums.get((p,), 0.0), INDICATOR_DIGITS), NONE, NONE, NONE, NONE, NONE]
        for p in targets
    ]
    lines.extend(text_table(HEADER, rows))
    return lines
