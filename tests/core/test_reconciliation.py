"""A reported figure against the computed one (``ecer.core.reconciliation``) and the quality
rule that makes a difference beyond the tolerance a finding (``reported_vs_computed``)."""

from __future__ import annotations

import math

import pytest

from ecer.core.quality import Context, RuleError, RuleSet, evaluate, rule_from_dict
from ecer.core.reconciliation import reconcile


def test_the_difference_is_relative_to_the_computed_figure() -> None:
    # Reported 0.525, computed 0.500 tce/万元: difference +0.025, 0.025 / 0.5 = +5 %.
    found = reconcile(2024, 0.525, 0.500, 2.0)
    assert found.difference == pytest.approx(0.025)
    assert found.difference_pct == pytest.approx(5.0)
    assert found.beyond_tolerance


@pytest.mark.parametrize(
    ("reported", "beyond"),
    [(0.505, False), (0.490, False), (0.510, False), (0.5105, True), (0.4895, True)],
)
def test_the_tolerance_is_inclusive(reported: float, beyond: bool) -> None:
    # ±2 % of 0.5 is ±0.01: 0.505 (+1 %), 0.490 (−2 %) and 0.510 (+2 %) agree; 0.5105
    # (+2.1 %) and 0.4895 (−2.1 %) do not.
    assert reconcile(2024, reported, 0.5, 2.0).beyond_tolerance is beyond


def test_against_a_computed_zero_any_difference_is_beyond() -> None:
    assert reconcile(2024, 1.0, 0.0, 2.0).difference_pct is None
    assert reconcile(2024, 1.0, 0.0, 2.0).beyond_tolerance
    assert not reconcile(2024, 0.0, 0.0, 2.0).beyond_tolerance


RULE = {
    "code": "OBS-RECONCILE",
    "name": "填报值与核算值不一致",
    "applies_to": "target_reconciliation",
    "severity": "warning",
    "condition": {"kind": "reported_vs_computed"},
    "message": (
        "{name}：{target}（{area}，{year}年）填报值 {reported:.6g} {unit}，"
        "核算值 {computed:.6g} {unit}，相差 {difference:+.6g} {unit}"
        "（{difference_pct:+.1f}%），超出 ±{tolerance_pct:g}% 容差"
    ),
}
RECORD = {"target": "单位地区生产总值能源消耗降低", "area": "合浦县", "value_unit": "吨标准煤/万元"}


def _check(reported: float, computed: float) -> list[str]:
    rules = RuleSet("t", "1", (rule_from_dict(RULE),))
    context = Context(
        "target_reconciliation", reconciliation=reconcile(2024, reported, computed, 2.0)
    )
    return [f.message for f in evaluate(rules, {**RECORD, "value": reported}, context)]


def test_a_difference_beyond_the_tolerance_is_a_finding_naming_everything() -> None:
    assert _check(0.525, 0.5) == [
        "填报值与核算值不一致：单位地区生产总值能源消耗降低（合浦县，2024年）填报值 0.525 "
        "吨标准煤/万元，核算值 0.5 吨标准煤/万元，相差 +0.025 吨标准煤/万元（+5.0%），"
        "超出 ±2% 容差"
    ]


def test_within_the_tolerance_or_without_a_computed_figure_it_is_silent() -> None:
    assert _check(0.505, 0.5) == []  # +1 %
    rules = RuleSet("t", "1", (rule_from_dict(RULE),))
    assert evaluate(rules, RECORD, Context("target_reconciliation")) == []


def test_a_computed_zero_gives_an_infinite_relative_difference() -> None:
    rules = RuleSet("t", "1", (rule_from_dict(RULE),))
    context = Context("target_reconciliation", reconciliation=reconcile(2024, 3.0, 0.0, 2.0))
    [finding] = evaluate(rules, RECORD, context)
    assert finding.figures["difference_pct"] == math.inf


def test_the_rule_takes_no_tolerance_of_its_own() -> None:
    # One tolerance for the target page and the finding: the setting, not the rule.
    bad = {**RULE, "condition": {"kind": "reported_vs_computed", "tolerance_pct": 5}}
    with pytest.raises(RuleError, match="tolerance_pct"):
        rule_from_dict(bad)
