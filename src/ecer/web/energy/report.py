"""`ecer energy report`: the dual-control figures of the page, as plain text.

The numbers are formatted with the pages' own ``num`` filter and the same digits, so the
terminal and the browser show the same strings. The status of the intensity and total
targets is the indicator service's (``status.area_statuses``), in the words of the plan
overview and ``ecer progress``; the intensity has ``INDICATOR_DIGITS`` decimals there too.
"""

from __future__ import annotations

from ecer.web.catalog.labels import STATUS_LABELS
from ecer.web.catalog.models import Area
from ecer.web.catalog.observations_io import active_plan
from ecer.web.catalog.templatetags.ecer_tags import decline, num
from ecer.web.energy import services
from ecer.web.energy.status import AreaStatus, area_statuses
from ecer.web.indicators import service as indicators
from ecer.web.indicators.service import Indicator
from ecer.web.textreport import INDICATOR_DIGITS, text_table


def _status(item: Indicator | None) -> str:
    return "—" if item is None else str(STATUS_LABELS[item.status.value])


def comparison_rows(statuses: list[AreaStatus]) -> list[list[str]]:
    rows = []
    for s in statuses:
        c = s.control
        f, t = c.current, c.target
        rows.append(
            [
                c.area.name,
                num(f.consumption.gross_tce if f else None, 0),
                num(f.consumption.deducted_tce if f else None, 0),
                num(f.consumption.assessed_tce if f else None, 0),
                f"{num(f.assessed.intensity if f else None, INDICATOR_DIGITS)} / "
                f"{num(f.gross.intensity if f else None, INDICATOR_DIGITS)}",
                f"{decline(f.assessed.decline_pct if f else None)} / "
                f"{decline(f.gross.decline_pct if f else None)}",
                f"{num(t.basic_decline_pct, 1)} / {num(t.incentive_decline_pct, 1)}" if t else "—",
                f"{num(c.interim_basic_pct)} / {num(c.interim_incentive_pct)}",
                c.dual.attainment.label_zh if c.dual else "—",
                num(c.budget_adjustment.adjusted_budget_tce if c.budget_adjustment else None, 0),
                c.intensity_warning.level.label_zh,
                _status(s.intensity),
                c.total_warning.level.label_zh,
                _status(s.total),
            ]
        )
    return rows


HEADER = [
    "地区",
    "能源消费总量(tce)",
    "扣除量(tce)",
    "考核能耗(tce)",
    "强度(考核/总量,tce/万元)",
    "累计变化 考核/总量",
    "基本/激励目标%",
    "当年应降% 基本/激励",
    "完成情况",
    "年度总量目标(tce)",
    "强度预警",
    "强度状态",
    "总量预警",
    "总量状态",
]


def dual_control_text(*, year: int | None, area_code: str | None = None) -> str:
    plan = active_plan()
    if area_code:
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            known = ", ".join(Area.objects.values_list("code", flat=True))
            raise LookupError(f"unknown area {area_code!r} (known: {known})")
        areas = [area]
    else:
        area = Area.objects.get(kind=Area.Kind.CITY)
        areas = services.areas()
    if year is None:
        year = indicators.default_year(plan, area)
    if not plan.base_year <= year <= plan.target_year:
        raise LookupError(
            f"year {year} is outside the plan period {plan.base_year}-{plan.target_year}"
        )
    statuses = area_statuses(plan, year, areas)
    lines = [f"{plan.name} — {year} 年能耗双控"]
    if any(s.control.uses_demo_data for s in statuses):
        lines.append("示例数据：以下数值为演示用虚构数据，不是北海市真实统计数据。")
    lines.extend(text_table(HEADER, comparison_rows(statuses)))
    lines.append(
        "状态与预警按考核口径（扣除原料用能、可再生能源和单列项目能耗，方案四（一））判断。"
    )
    for c in (s.control for s in statuses):
        details = _details(c)
        if details:
            lines.append("")
            lines.extend(details)
    return "\n".join(lines)


def _details(c: services.DualControl) -> list[str]:
    lines = [f"{c.area.name}："]
    lines.extend(f"  问题：{p}" for p in c.problems)
    lines.append(
        f"  强度预警 {c.intensity_warning.level.label_zh}："
        + "；".join(c.intensity_warning.messages_zh)
    )
    lines.append(
        f"  总量预警 {c.total_warning.level.label_zh}：" + "；".join(c.total_warning.messages_zh)
    )
    if c.dual is not None and c.dual.exempt_from_total_assessment:
        lines.append("  达到激励目标，能源消费总量免于考核")
    if c.outlook is not None:
        o = c.outlook
        lines.append(
            f"  预测：剩余年份需年均下降 {num(o.required_annual_decline_pct)}%；按近年趋势 "
            f"{o.target_year} 年累计下降 {num(o.projected_decline_pct)}%，缺口 "
            f"{num(o.projected_gap_tce, 0)} 吨标准煤"
        )
    if c.decomposition is not None:
        steps = "；".join(
            f"{s.label} {'+' if not s.is_total and s.value > 0 else ''}{num(s.value, 0)}"
            for s in c.decomposition.steps()
        )
        lines.append(f"  LMDI（吨标准煤）：{steps}")
    elif c.decomposition_problem:
        lines.append(f"  LMDI：{c.decomposition_problem}")
    return lines
