"""The rule set ``ecer setup`` stores first: ``ecer.core.quality.DEFAULT_RULES`` plus the
rules for target observations, which only the web layer knows the record kinds of.

A district's base-year data (the plan's base year, 2020 for Beihai) have no GDP index (the
index compares with the year before the plan): they are checked as
``district_energy_base_year`` by copies of the district rules that do not concern the index.

Target observations are checked twice: against rules for ``target_observation`` (every
target) and against rules for ``target_observation:<target code>`` (one target, where a
unit and a plausible change are known). An approved annual observation of a computed target
is also checked as ``target_reconciliation``: its figure against the computed one.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from ecer.core.quality import DEFAULT_RULES

DEFAULT_NAME = "default"

OBSERVATION_RULES: list[dict[str, Any]] = [
    {
        "code": "OBS-REQ-SOURCE",
        "name": "监测值来源必填",
        "applies_to": "target_observation",
        "severity": "info",
        "condition": {"kind": "required", "field": "source"},
        "message": "{name}：未注明数据来源（统计年鉴、部门台账等）",
    },
    {
        "code": "OBS-INTENSITY-RANGE",
        "name": "能耗强度取值范围",
        "applies_to": "target_observation:energy_intensity_decline",
        "severity": "error",
        "condition": {
            "kind": "range",
            "field": "value",
            "unit": "吨标准煤/万元",
            "minimum": 0.01,
            "maximum": 5,
        },
        "message": "{name}：能耗强度 {value:g} {unit} 不在 {minimum:g}–{maximum:g} 的可能范围内",
    },
    {
        # Intensity rarely moves more than 15 % in a year; more is usually a unit or base
        # error (the city's 2020 intensity and the plan's −14 % over five years).
        "code": "OBS-INTENSITY-YOY",
        "name": "能耗强度同比变化幅度",
        "applies_to": "target_observation:energy_intensity_decline",
        "severity": "warning",
        "condition": {
            "kind": "yoy_change",
            "field": "value",
            "unit": "吨标准煤/万元",
            "max_change_pct": 15,
        },
        "message": (
            "{name}：能耗强度 {value:.4f} {unit}，上年 {previous:.4f} {unit}，"
            "同比变化 {change_pct:+.1f}%，超过 ±{max_change_pct:g}%，请说明原因"
        ),
    },
]

# A computed target's reported figure against the computed one (issue 18, item 3). A warning:
# either side may be the wrong one, so a reviewer looks and comments. The tolerance is the
# reconciliation's (ECER_RECONCILE_TOLERANCE_PCT), the one the target page shows.
RECONCILIATION_KIND = "target_reconciliation"
RECONCILIATION_RULES: list[dict[str, Any]] = [
    {
        "code": "OBS-RECONCILE",
        "name": "填报值与核算值不一致",
        "applies_to": RECONCILIATION_KIND,
        "severity": "warning",
        "condition": {"kind": "reported_vs_computed"},
        "message": (
            "{name}：{target}（{area}，{year}年）填报值 {reported:.6g} {unit}，"
            "核算值 {computed:.6g} {unit}，相差 {difference:+.6g} {unit}"
            "（{difference_pct:+.1f}%），超出 ±{tolerance_pct:g}% 容差"
        ),
    },
]

BASE_YEAR_KIND = "district_energy_base_year"


def _base_year_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    copies = []
    for rule in rules:
        if rule["applies_to"] != "district_energy_year" or "GDP-INDEX" in rule["code"]:
            continue
        base = copy.deepcopy(rule)
        base["code"] = f"{rule['code']}-BASE"
        base["applies_to"] = BASE_YEAR_KIND
        copies.append(base)
    return copies


def default_rule_data() -> dict[str, Any]:
    data = copy.deepcopy(DEFAULT_RULES)
    rules = data["rules"]
    data["rules"] = [
        *rules,
        *_base_year_rules(rules),
        *copy.deepcopy(OBSERVATION_RULES),
        *copy.deepcopy(RECONCILIATION_RULES),
    ]
    return data


def as_text(data: dict[str, Any]) -> str:
    """The YAML a city administrator edits."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
