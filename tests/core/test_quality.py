"""Data-quality rules: each condition kind triggered and not, with hand-checked figures."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.core.quality import (
    DEFAULT_RULE_SET,
    DEFAULT_RULES,
    Context,
    Finding,
    Quantity,
    RuleError,
    RuleSet,
    Severity,
    blocks_approval,
    evaluate,
    needs_comment,
    rule_from_dict,
    rule_set_from_dict,
)

TCE = "吨标准煤"


def one_rule(
    condition: dict[str, Any], message: str = "{name}", severity: str = "error"
) -> RuleSet:
    rule = {
        "code": "T-1",
        "name": "测试规则",
        "applies_to": "test",
        "severity": severity,
        "condition": condition,
        "message": message,
    }
    return RuleSet("test", "1", (rule_from_dict(rule),))


def check(condition: dict[str, Any], record: dict[str, Any], **context: Any) -> list[Finding]:
    return evaluate(one_rule(condition), record, Context("test", **context))


def default(kind: str, record: dict[str, Any], **context: Any) -> dict[str, Finding]:
    findings = evaluate(DEFAULT_RULE_SET, record, Context(kind, **context))
    return {f.rule_code: f for f in findings}


# --- required ---------------------------------------------------------------------------

REQUIRED = {"kind": "required", "field": "credit_code"}


@pytest.mark.parametrize("value", [None, "", "   ", float("nan"), []])
def test_required_flags_an_empty_value(value: object) -> None:
    assert len(check(REQUIRED, {"credit_code": value})) == 1


def test_required_flags_a_missing_field() -> None:
    findings = check(
        REQUIRED,
        {},
    )
    assert findings[0].figures["field"] == "credit_code"


def test_required_accepts_a_value_including_zero() -> None:
    assert check(REQUIRED, {"credit_code": "91450500MA5K000000"}) == []
    assert check({"kind": "required", "field": "n"}, {"n": 0}) == []


# --- range with units -------------------------------------------------------------------

RANGE = {"kind": "range", "field": "total_energy", "unit": TCE, "minimum": 0, "maximum": 5e6}


def test_range_flags_a_value_below_minimum_with_figures_in_the_message() -> None:
    findings = evaluate(
        one_rule(RANGE, "{name}：{value:g} {unit} 低于 {minimum:g}"),
        {"total_energy": -12.5, "total_energy_unit": TCE},
        Context("test"),
    )
    assert findings[0].message == "测试规则：-12.5 吨标准煤 低于 0"


def test_range_flags_a_value_above_maximum() -> None:
    assert len(check(RANGE, {"total_energy": 5.1e6, "total_energy_unit": TCE})) == 1


def test_range_accepts_a_value_inside_including_the_bounds() -> None:
    assert check(RANGE, {"total_energy": 0, "total_energy_unit": TCE}) == []
    assert check(RANGE, {"total_energy": 5e6, "total_energy_unit": TCE}) == []


def test_range_reports_a_unit_mismatch_and_does_not_convert() -> None:
    # 1.2 万吨标准煤 = 12 000 tce would be inside the range, but it is never converted.
    findings = check(RANGE, {"total_energy": 1.2, "total_energy_unit": "万吨标准煤"})
    assert findings[0].figures["problem"] == "unit_mismatch"
    assert "万吨标准煤" in findings[0].message and TCE in findings[0].message


def test_range_reports_a_missing_unit() -> None:
    findings = check(RANGE, {"total_energy": 100})
    assert findings[0].figures["problem"] == "unit_mismatch"
    assert "未注明" in findings[0].message


def test_range_reports_a_value_that_is_not_a_number() -> None:
    findings = check(RANGE, {"total_energy": "12,000", "total_energy_unit": TCE})
    assert findings[0].figures["problem"] == "not_a_number"


def test_range_ignores_an_absent_value() -> None:
    assert check(RANGE, {"total_energy_unit": TCE}) == []


# --- allowed values ---------------------------------------------------------------------

ALLOWED = {"kind": "allowed", "field": "pollutant", "values": ["COD", "NH3-N", "NOx", "VOCs"]}


def test_allowed_flags_a_value_outside_the_list() -> None:
    findings = check(ALLOWED, {"pollutant": "SO2"})
    assert findings[0].figures["value"] == "SO2"
    assert findings[0].figures["allowed"] == "COD、NH3-N、NOx、VOCs"


def test_allowed_accepts_a_listed_value() -> None:
    assert check(ALLOWED, {"pollutant": "NOx"}) == []


# --- year-over-year change --------------------------------------------------------------


def test_enterprise_energy_rising_more_than_40_percent_is_a_warning() -> None:
    # 15 000 / 10 000 − 1 = +50 % > 40 %.
    found = default(
        "enterprise_energy_report",
        {"total_energy": 15_000, "total_energy_unit": TCE},
        previous={"total_energy": 10_000, "total_energy_unit": TCE},
    )["ENT-YOY-ENERGY"]
    assert found.severity is Severity.WARNING
    assert found.figures["change_pct"] == pytest.approx(50.0)
    assert "+50.0%" in found.message


def test_enterprise_energy_falling_more_than_40_percent_is_a_warning() -> None:
    # 5 800 / 10 000 − 1 = −42 %, |−42| > 40.
    findings = default(
        "enterprise_energy_report",
        {"total_energy": 5_800, "total_energy_unit": TCE},
        previous={"total_energy": 10_000, "total_energy_unit": TCE},
    )
    assert findings["ENT-YOY-ENERGY"].figures["change_pct"] == pytest.approx(-42.0)


def test_enterprise_energy_change_of_exactly_40_percent_passes() -> None:
    # 14 000 / 10 000 − 1 = +40 %: at the threshold, not beyond it.
    findings = default(
        "enterprise_energy_report",
        {"total_energy": 14_000, "total_energy_unit": TCE},
        previous={"total_energy": 10_000, "total_energy_unit": TCE},
    )
    assert "ENT-YOY-ENERGY" not in findings


def test_yoy_reports_a_previous_record_in_another_unit() -> None:
    findings = default(
        "enterprise_energy_report",
        {"total_energy": 12_000, "total_energy_unit": TCE},
        previous={"total_energy": 1.0, "total_energy_unit": "万吨标准煤"},
    )
    assert findings["ENT-YOY-ENERGY"].figures["problem"] == "unit_mismatch"


def test_yoy_is_silent_without_a_previous_record() -> None:
    findings = default("enterprise_energy_report", {"total_energy": 1, "total_energy_unit": TCE})
    assert "ENT-YOY-ENERGY" not in findings


# --- GDP index band ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "flagged"), [(94.9, True), (95, False), (107.3, False), (115, False), (115.2, True)]
)
def test_gdp_index_outside_95_to_115_is_a_warning(index: float, flagged: bool) -> None:
    findings = default("district_energy_year", {"gdp_index": index})
    assert ("DIST-GDP-INDEX-BAND" in findings) is flagged


# --- components sum to total ------------------------------------------------------------

CARRIERS = {
    "energy_coal": 6_000,
    "energy_oil": 800,
    "energy_gas": 1_200,
    "energy_electricity": 2_500,
    "energy_heat": 0,
}
CARRIER_UNITS = {f"{k}_unit": TCE for k in CARRIERS}


def test_carriers_summing_to_total_pass_with_an_absent_carrier() -> None:
    # 6000 + 800 + 1200 + 2500 + 0 = 10 500; energy_other absent counts as 0.
    record = {**CARRIERS, **CARRIER_UNITS, "total_energy": 10_500, "total_energy_unit": TCE}
    assert "ENT-CARRIERS-SUM" not in default("enterprise_energy_report", record)


def test_carriers_off_by_more_than_half_a_percent_block_approval() -> None:
    # Σ 10 500 vs total 10 600: |10500 − 10600| / 10600 = 0.943 % > 0.5 %.
    record = {**CARRIERS, **CARRIER_UNITS, "total_energy": 10_600, "total_energy_unit": TCE}
    found = default("enterprise_energy_report", record)["ENT-CARRIERS-SUM"]
    assert found.figures["difference"] == pytest.approx(-100)
    assert found.figures["deviation_pct"] == pytest.approx(0.9434, abs=1e-4)
    assert blocks_approval([found])


def test_carriers_within_half_a_percent_pass() -> None:
    # Σ 10 500 vs total 10 550: 50 / 10 550 = 0.474 % ≤ 0.5 %.
    record = {**CARRIERS, **CARRIER_UNITS, "total_energy": 10_550, "total_energy_unit": TCE}
    assert "ENT-CARRIERS-SUM" not in default("enterprise_energy_report", record)


def test_a_carrier_in_another_unit_is_a_unit_mismatch() -> None:
    record = {**CARRIERS, **CARRIER_UNITS, "total_energy": 10_500, "total_energy_unit": TCE}
    record["energy_electricity_unit"] = "万千瓦时"
    found = default("enterprise_energy_report", record)["ENT-CARRIERS-SUM"]
    assert found.figures == {
        "problem": "unit_mismatch",
        "field": "energy_electricity",
        "found": "万千瓦时",
        "expected": TCE,
    }


SECTORS = {
    "energy_primary": 12.4,
    "energy_secondary": 410.6,
    "energy_tertiary": 95.3,
    "energy_residential": 61.7,
}
DISTRICT_UNITS = {f"{k}_unit": "万吨标准煤" for k in [*SECTORS, "total_energy"]}


def test_sectors_summing_to_total_pass() -> None:
    # 12.4 + 410.6 + 95.3 + 61.7 = 580.0 万吨标准煤.
    record = {**SECTORS, **DISTRICT_UNITS, "total_energy": 580.0}
    assert "DIST-SECTORS-SUM" not in default("district_energy_year", record)


def test_sectors_not_summing_to_total_are_flagged() -> None:
    # 580.0 vs 590.0: 10 / 590 = 1.695 % > 0.5 %.
    record = {**SECTORS, **DISTRICT_UNITS, "total_energy": 590.0}
    found = default("district_energy_year", record)["DIST-SECTORS-SUM"]
    assert found.figures["deviation_pct"] == pytest.approx(1.6949, abs=1e-4)


# --- recomputed ratio -------------------------------------------------------------------

INTENSITY_UNITS = {
    "total_energy_unit": "万吨标准煤",
    "gdp_unit": "亿元",
    "energy_intensity_unit": "吨标准煤/万元",
}


def test_reported_intensity_matching_energy_over_gdp_passes() -> None:
    # 580 万tce / 1 650 亿元 = 0.351515 tce/万元; reported 0.3520: 0.14 % ≤ 1 %.
    record = {"total_energy": 580, "gdp": 1_650, "energy_intensity": 0.3520, **INTENSITY_UNITS}
    assert "DIST-INTENSITY-RECOMPUTED" not in default("district_energy_year", record)


def test_reported_intensity_off_by_more_than_1_percent_blocks_approval() -> None:
    # Recomputed 0.351515; reported 0.3600: (0.3600 − 0.351515) / 0.3600 = 2.357 % > 1 %.
    record = {"total_energy": 580, "gdp": 1_650, "energy_intensity": 0.3600, **INTENSITY_UNITS}
    found = default("district_energy_year", record)["DIST-INTENSITY-RECOMPUTED"]
    assert found.figures["recomputed"] == pytest.approx(0.351515, abs=1e-6)
    assert found.figures["deviation_pct"] == pytest.approx(2.357, abs=1e-3)
    assert "0.3515" in found.message and found.severity is Severity.ERROR


def test_ratio_factor_scales_the_recomputed_value() -> None:
    # Energy in tce and GDP in 亿元 (10^8 yuan): tce / 10^4 yuan = factor 1e-4 × tce / 亿元;
    # 5.8e6 / 1650 × 1e-4 = 0.351515, reported 0.3515 passes, 35.15 (no factor) does not.
    ratio = {
        "kind": "ratio",
        "numerator_field": "e",
        "numerator_unit": TCE,
        "denominator_field": "g",
        "denominator_unit": "亿元",
        "reported_field": "i",
        "unit": "吨标准煤/万元",
        "factor": 1e-4,
        "tolerance_pct": 1,
    }
    units = {"e_unit": TCE, "g_unit": "亿元", "i_unit": "吨标准煤/万元"}
    assert check(ratio, {"e": 5.8e6, "g": 1650, "i": 0.3515, **units}) == []
    assert len(check(ratio, {"e": 5.8e6, "g": 1650, "i": 35.15, **units})) == 1


# --- cross-source: reported annual energy vs online data --------------------------------


def online(kind: str, reported: float, online_total: float, unit: str = TCE) -> dict[str, Finding]:
    return default(
        kind,
        {"metered_energy": reported, "metered_energy_unit": TCE},
        online_total=Quantity(online_total, unit),
    )


def test_reported_energy_far_from_online_sum_blocks_approval() -> None:
    # Reported 12 000 tce, online 10 500: |10500 − 12000| / 12000 = 12.5 % > 5 %.
    found = online("enterprise_energy_report", 12_000, 10_500)["ENT-ONLINE-RECONCILE"]
    assert found.figures["deviation_pct"] == pytest.approx(12.5)
    assert blocks_approval([found])
    assert "12.5%" in found.message


def test_online_sum_8_percent_above_the_report_is_flagged() -> None:
    # The demo cement works: electricity reported 21 000 × 0.97 × 10^4 kWh × 0.1229 kgce/kWh
    # = 25 034.73 tce; its meter adds up to 8 % more, 27 037.51 tce: +8.0 % > 5 %.
    found = online("enterprise_energy_report", 25_034.73, 27_037.51)["ENT-ONLINE-RECONCILE"]
    assert found.figures["deviation_pct"] == pytest.approx(8.0, abs=1e-3)
    assert "相差 8.0%" in found.message


def test_reported_energy_close_to_online_sum_passes() -> None:
    # Reported 12 000, online 11 500: 500 / 12000 = 4.17 % ≤ 5 %.
    assert "ENT-ONLINE-RECONCILE" not in online("enterprise_energy_report", 12_000, 11_500)


def test_online_sum_in_another_unit_is_a_unit_mismatch() -> None:
    found = online("enterprise_energy_report", 12_000, 8_900, "万千瓦时")["ENT-ONLINE-RECONCILE"]
    assert found.figures["problem"] == "unit_mismatch"


# --- cross-source: daily vs monthly online totals ---------------------------------------


def daily_monthly(daily: float, monthly: float) -> dict[str, Finding]:
    return default(
        "online_energy_series",
        {},
        online_daily_sum=Quantity(daily, TCE),
        online_monthly_total=Quantity(monthly, TCE),
    )


def test_daily_sum_far_from_monthly_total_is_a_warning() -> None:
    # Σ daily 1 030 tce vs monthly 970: 60 / 970 = 6.186 % > 5 %.
    found = daily_monthly(1_030, 970)["ONL-DAILY-MONTHLY"]
    assert found.figures["deviation_pct"] == pytest.approx(6.1856, abs=1e-4)


def test_daily_sum_within_5_percent_of_monthly_passes() -> None:
    # Σ daily 1 010 vs monthly 970: 40 / 970 = 4.124 % ≤ 5 %.
    assert "ONL-DAILY-MONTHLY" not in daily_monthly(1_010, 970)


def test_daily_sum_exactly_5_percent_off_passes() -> None:
    # 1 050 vs 1 000: 50 / 1000 = 5 % exactly (tolerance is ≤ 5 %).
    assert "ONL-DAILY-MONTHLY" not in daily_monthly(1_050, 1_000)


# --- cross-source: online completeness --------------------------------------------------


def completeness(expected: int, present: int) -> dict[str, Finding]:
    return default(
        "online_energy_series", {}, intervals_expected=expected, intervals_present=present
    )


def test_completeness_below_90_percent_is_a_warning() -> None:
    # June, hourly: 30 × 24 = 720 expected; 640 present: 640 / 720 = 88.89 % < 90 %.
    found = completeness(720, 640)["ONL-COMPLETENESS"]
    assert found.figures["share_pct"] == pytest.approx(88.889, abs=1e-3)
    assert "88.9%" in found.message


def test_completeness_at_90_percent_passes() -> None:
    # 648 / 720 = 90.0 % exactly.
    assert "ONL-COMPLETENESS" not in completeness(720, 648)


def test_completeness_refuses_more_present_than_expected() -> None:
    with pytest.raises(ValueError, match="present"):
        completeness(720, 721)


# --- cross-source: reported reductions vs monitored loads -------------------------------


def reduction(reported: float, baseline: float, current: float) -> dict[str, Finding]:
    record = {
        "project_code": "BH-2023-017",
        "pollutant": "NOx",
        "reduction": reported,
        "reduction_unit": "吨",
    }
    return default(
        "reduction_project",
        record,
        monitored_load_baseline=Quantity(baseline, "吨"),
        monitored_load_current=Quantity(current, "吨"),
    )


def test_reduction_above_monitored_beyond_tolerance_is_flagged() -> None:
    # HJ 212 loads 182.4 t → 141.6 t: monitored reduction 40.8 t; allowed up to
    # 40.8 × 1.10 = 44.88 t; claimed 52.0 t: excess 52.0 / 40.8 − 1 = 27.45 %.
    found = reduction(52.0, 182.4, 141.6)["RED-MONITORED"]
    assert found.figures["monitored"] == pytest.approx(40.8)
    assert found.figures["excess_pct"] == pytest.approx(27.451, abs=1e-3)
    assert "40.80" in found.message


def test_reduction_within_tolerance_of_monitored_passes() -> None:
    # Claimed 44.0 t ≤ 44.88 t allowed (40.8 t monitored + 10 %).
    assert "RED-MONITORED" not in reduction(44.0, 182.4, 141.6)


def test_reduction_claimed_while_monitored_load_rose_is_flagged() -> None:
    # Loads 100 t → 105 t: monitored reduction −5 t; any positive claim is contradicted.
    assert "RED-MONITORED" in reduction(3.0, 100.0, 105.0)


# --- outcome helpers and the default set ------------------------------------------------


def test_errors_block_approval_and_warnings_need_a_comment() -> None:
    error = Finding("A", Severity.ERROR, "")
    warning = Finding("B", Severity.WARNING, "")
    info = Finding("C", Severity.INFO, "")
    assert blocks_approval([info, error]) and not blocks_approval([warning, info])
    assert needs_comment([warning]) and not needs_comment([error, info])


def test_rules_of_other_record_kinds_are_not_applied() -> None:
    assert (
        default(
            "enterprise_energy_report",
            {"credit_code": "X", "total_energy": 1, "total_energy_unit": TCE, "gdp_index": 200},
        )
        == {}
    )


def test_a_clean_district_record_has_no_findings() -> None:
    record = {
        **SECTORS,
        **DISTRICT_UNITS,
        "total_energy": 580.0,
        "gdp": 1_650,
        "gdp_unit": "亿元",
        "gdp_index": 106.1,
        "energy_intensity": 0.3515,
        "energy_intensity_unit": "吨标准煤/万元",
    }
    assert default("district_energy_year", record) == {}


def test_the_default_rules_carry_the_thresholds_of_the_issue() -> None:
    conditions = {r["code"]: r["condition"] for r in DEFAULT_RULES["rules"]}
    assert conditions["ENT-YOY-ENERGY"]["max_change_pct"] == 40
    assert (
        conditions["DIST-GDP-INDEX-BAND"]["lower"],
        conditions["DIST-GDP-INDEX-BAND"]["upper"],
    ) == (95, 115)
    assert conditions["ENT-ONLINE-RECONCILE"]["tolerance_pct"] == 5
    assert conditions["ONL-DAILY-MONTHLY"]["tolerance_pct"] == 5
    assert conditions["ONL-COMPLETENESS"]["min_share_pct"] == 90


# --- strict loading ---------------------------------------------------------------------

GOOD = {
    "code": "X-1",
    "name": "名",
    "applies_to": "test",
    "severity": "error",
    "condition": {"kind": "required", "field": "f"},
    "message": "{name}：{field}",
}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (
            {"severity": "fatal"},
            r"规则（X-1）的“级别”：须为 error（错误（不得审核通过））、warning",
        ),
        ({"colour": "red"}, r"规则（X-1）：含有不认识的项：colour"),
        ({"message": "{name}{value}"}, r"规则（X-1）的“提示语”：不认识的占位符 \{value\}"),
        ({"condition": {"kind": "between"}}, r"规则（X-1）的“条件类型”：不认识的条件类型“between”"),
        (
            {"condition": {"kind": "range", "field": "f", "minimum": "0"}},
            r"规则（X-1）的“下限”：须为数字",
        ),
        (
            {"condition": {"kind": "range", "field": "f"}},
            r"规则（X-1）的“下限”：取值范围至少要有下限或上限之一",
        ),
        (
            {"condition": {"kind": "completeness", "min_share_pct": 120}},
            r"规则（X-1）的“最低完整率（%）”：不能大于 100",
        ),
        (
            {
                "condition": {
                    "kind": "yoy_change",
                    "field": "f",
                    "unit": "t",
                    "max_change_pct": 40,
                },
                "message": "{name}{change_pct:d}",
            },
            r"规则（X-1）的“提示语”：占位符的格式写法有误",
        ),
    ],
)
def test_rule_from_dict_names_the_field_at_fault(change: dict[str, Any], error: str) -> None:
    with pytest.raises(RuleError, match=error):
        rule_from_dict({**GOOD, **change})


def test_rule_from_dict_requires_a_code() -> None:
    with pytest.raises(RuleError, match=r"^“规则代码”：必须填写$"):
        rule_from_dict({k: v for k, v in GOOD.items() if k != "code"})


def test_a_rule_set_refuses_duplicate_codes() -> None:
    with pytest.raises(RuleError, match="第 2 条规则（X-1）的“规则代码”：规则代码“X-1”重复"):
        rule_set_from_dict({"name": "n", "version": "1", "rules": [GOOD, GOOD]})
