"""Accounting terms of the plan, each with a short explanation: shown on hover wherever a
page names the term (``{% term %}``) and listed on the help page /help/terms/."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# key → (term, explanation). The key is the anchor on the help page.
TERMS: dict[str, tuple[Promise, Promise]] = {
    "assessed": (
        _("考核口径"),
        _(
            "能耗双控考核所用的能耗：能源消费总量扣除单列的国家重大项目能耗、原料用能"
            "和新增可再生能源消费量后的数值；考核的能耗强度下降按此计算。"
        ),
    ),
    "gross": (
        _("总量口径"),
        _("不作任何扣除的全部能源消费量（统计口径），用于能源消费总量统计和对照。"),
    ),
    "time_progress": (
        _("时序进度"),
        _(
            "按规划期内各年等速推进折算、截至当年应达到的累计进度；"
            "能耗强度等下降率目标按年均下降率复合折算。"
        ),
    ),
    "separately_listed": (
        _("单列"),
        _(
            "经国家批准的重大项目能耗在地方能耗双控考核中单独列出，不计入所在地区的考核，"
            "但仍计入能源消费总量统计。"
        ),
    ),
    "feedstock": (
        _("原料用能"),
        _(
            "作为生产原料而非燃料使用的煤炭、石油、天然气及其制品（如化工原料），"
            "按国家规定不纳入能耗强度和总量考核。"
        ),
    ),
}


def key_of(name: str) -> str | None:
    """The key of a term given its Chinese name (the msgid templates write)."""
    with translation.override("zh-hans"):
        return next((key for key, (term, _text) in TERMS.items() if str(term) == name), None)
