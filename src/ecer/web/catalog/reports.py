"""Plain-text progress table for the terminal (`ecer progress`)."""

from __future__ import annotations

from ecer.web.catalog.labels import STATUS_LABELS
from ecer.web.catalog.models import Area
from ecer.web.catalog.observations_io import active_plan
from ecer.web.catalog.templatetags.ecer_tags import num
from ecer.web.indicators import service as indicators
from ecer.web.textreport import INDICATOR_DIGITS, text_table


def progress_table_text(*, year: int | None, area_code: str | None) -> str:
    plan = active_plan()
    if area_code:
        area = Area.objects.filter(code=area_code).first()
        if area is None:
            known = ", ".join(Area.objects.values_list("code", flat=True))
            raise LookupError(f"unknown area {area_code!r} (known: {known})")
    else:
        area = Area.objects.get(kind=Area.Kind.CITY)
    if year is None:
        year = indicators.default_year(plan, area)
    if not plan.base_year <= year <= plan.target_year:
        raise LookupError(
            f"year {year} is outside the plan period {plan.base_year}-{plan.target_year}"
        )
    items = indicators.evaluate(plan, area, year)
    header = ["条款", "目标", "目标值", "最新值", "完成进度", "时序进度", "状态", "预警"]
    rows = []
    for item in items:
        t, r = item.target, item.result
        target_text = (
            "—" if item.target_value is None else f"{num(item.target_value)} {t.unit}".strip()
        )
        latest = (
            "—"
            if r.latest is None
            else f"{num(r.latest.value, INDICATOR_DIGITS)} ({r.latest.year})"
        )
        completion = "—" if item.completion_percent is None else f"{item.completion_percent:.1f}%"
        rows.append(
            [
                t.section.clause,
                t.name[:28],
                target_text,
                latest,
                completion,
                f"{item.time_progress_percent:.0f}%",
                str(STATUS_LABELS[r.status.value]),
                item.warning.level.label_zh,
            ]
        )
    lines = [f"{plan.name} — {area.name} {year}"]
    if any(i.uses_demo_data for i in items):
        lines.append("示例数据：以下数值为演示用虚构数据，不是北海市真实统计数据。")
    lines.extend(text_table(header, rows))
    counts = indicators.status_counts(items)
    lines.append("")
    lines.append(
        "合计 {total}：已达标 {met}，进度正常 {on}，滞后 {behind}，无法判断 {other}".format(
            total=len(items),
            met=counts["met"],
            on=counts["on_track"],
            behind=counts["behind"],
            other=counts["no_data"] + counts["no_base"] + counts["not_quantified"],
        )
    )
    return "\n".join(lines)
