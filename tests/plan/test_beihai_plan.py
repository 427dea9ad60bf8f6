"""The packaged Beihai plan: it validates, and its figures are the plan text's."""

from __future__ import annotations

import re

import pytest

from ecer.plan.loader import default_plan_path, validate_plan_file
from ecer.plan.schema import PlanCatalog, TargetKind
from tests.plan.helpers import normalise


def test_the_packaged_plan_validates() -> None:
    assert validate_plan_file(default_plan_path()) == []


def test_it_holds_the_beihai_areas(catalog: PlanCatalog) -> None:
    assert catalog.plan.area == "beihai"
    assert {a.code: a.name for a in catalog.areas} == {
        "beihai": "北海市",
        "haicheng": "海城区",
        "yinhai": "银海区",
        "tieshangang": "铁山港区",
        "hepu": "合浦县",
    }
    assert {a.parent for a in catalog.areas if a.code != "beihai"} == {"beihai"}


def test_it_has_every_quantified_target_of_sections_two_to_four(catalog: PlanCatalog) -> None:
    # 二: 8 (energy intensity, non-fossil share, CO2 intensity, energy total, COD, NH3-N,
    # NOx, VOCs); 三(一): 7; 三(二): 1; 三(三): 3; 三(四): 3; 三(五): 7; 三(六): 3;
    # 三(八): 3; 三(十): 10 -> 45.
    per_clause: dict[str, int] = {}
    for target in catalog.targets:
        per_clause[target.clause] = per_clause.get(target.clause, 0) + 1
    assert per_clause == {
        "二": 8,
        "三(一)": 7,
        "三(二)": 1,
        "三(三)": 3,
        "三(四)": 3,
        "三(五)": 7,
        "三(六)": 3,
        "三(八)": 3,
        "三(十)": 10,
    }


def test_energy_intensity_is_a_binding_12_5_percent_decline(catalog: PlanCatalog) -> None:
    target = catalog.target("energy_intensity_decline")
    assert (target.clause, target.kind, target.target_value) == ("二", TargetKind.DECLINE_PCT, 12.5)
    assert (target.base_year, target.target_year, target.base_value) == (2020, 2025, None)
    assert target.indicator_unit == "吨标准煤/万元"
    assert target.binding == "约束性"
    assert target.applies_to_districts


def test_co2_intensity_has_no_number_but_says_why(catalog: PlanCatalog) -> None:
    target = catalog.target("co2_intensity_decline")
    assert target.target_value is None
    assert target.target_value_note is not None and "自治区下达目标" in target.target_value_note


@pytest.mark.parametrize(
    ("code", "tonnes"),
    [
        ("cod_reduction", 2106),
        ("nh3n_reduction", 115),
        ("nox_reduction", 360),
        ("vocs_reduction", 270),
    ],
)
def test_key_project_reductions(catalog: PlanCatalog, code: str, tonnes: float) -> None:
    target = catalog.target(code)
    assert (target.kind, target.unit, target.target_value) == (
        TargetKind.CUMULATIVE_INCREASE,
        "吨",
        tonnes,
    )
    assert target.lead == ("ecology_environment",)


def test_charging_piles_carry_the_departments_of_clause_3_4(catalog: PlanCatalog) -> None:
    target = catalog.target("charging_piles_added")
    assert (target.clause, target.kind, target.target_value, target.unit) == (
        "三(四)",
        TargetKind.CUMULATIVE_INCREASE,
        3900,
        "个",
    )
    names = [catalog.department(code).name for code in (*target.lead, *target.co)]
    # 三(四)'s list, in its order, then the district governments (三(一)'s standing note).
    assert names == [
        "市交通运输局",
        "市发展改革委",
        "市工业和信息化局",
        "市公安局",
        "市财政局",
        "市生态环境局",
        "市商务局",
        "市市场监管局",
        "市邮政管理局",
        "市海洋局",
        "市水利局",
        "市行政审批局",
        "市市政管理局",
        "北海海事局",
        "自治区北部湾港口管理局北海分局",
        "广西机场管理集团有限公司北海福成机场",
        "北部湾港北海码头有限公司",
        "各县区人民政府",
    ]


def test_non_fossil_share_is_one_target_citing_both_clauses(catalog: PlanCatalog) -> None:
    matches = [t for t in catalog.targets if "非化石能源" in t.name]
    assert [t.code for t in matches] == ["non_fossil_energy_share"]
    assert matches[0].target_value == 23
    assert matches[0].note is not None and "三(八)" in matches[0].note


def test_boiler_eliminations_keep_their_size_thresholds(catalog: PlanCatalog) -> None:
    small = catalog.target("small_coal_boilers_elimination")
    built_up = catalog.target("built_up_area_coal_boilers_elimination")
    units = catalog.target("captive_coal_units_elimination")
    assert [(t.kind, t.target_value) for t in (small, built_up, units)] == [
        (TargetKind.ELIMINATION, 0)
    ] * 3
    assert [(t.threshold, t.threshold_unit) for t in (small, built_up, units)] == [
        (10, "蒸吨/小时"),
        (35, "蒸吨/小时"),
        (30, "万千瓦"),
    ]


def test_the_5000_tce_threshold_is_a_rule_in_both_clauses(catalog: PlanCatalog) -> None:
    key_units = catalog.rule("key_energy_unit_threshold")
    monitoring = catalog.rule("online_monitoring_threshold")
    assert (key_units.clause, key_units.parameters["threshold_tce_per_year"]) == ("三(一)", 5000)
    assert (monitoring.clause, monitoring.parameters["threshold_tce_per_year"]) == ("四(七)", 5000)
    assert monitoring.parameters["comparison"] == "greater_than"


def test_the_dual_control_rules_of_4_1_are_present(catalog: PlanCatalog) -> None:
    codes = {r.code for r in catalog.rules if r.clause == "四(一)"}
    assert codes == {
        "raw_material_energy_excluded",
        "renewable_energy_excluded",
        "major_projects_separately_listed",
        "district_dual_intensity_targets",
        "annual_energy_total_budget",
        "incentive_target_total_exemption",
    }
    budget = catalog.rule("annual_energy_total_budget")
    assert budget.parameters["adjustable_when_growth_exceeds_target"] is True


def test_assessment_grades_are_the_four_national_grades(catalog: PlanCatalog) -> None:
    rule = catalog.rule("assessment_grades")
    assert rule.parameters["grades"] == ("超额完成", "完成", "基本完成", "未完成")


def test_the_tasks_include_the_plans_unquantified_commitments(catalog: PlanCatalog) -> None:
    names = {t.name for t in catalog.tasks}
    assert {
        "基本淘汰国三及以下排放标准汽车",
        "禁止新（扩）建燃煤自备电厂",
        "建立“两高一低”项目工作清单",
        "节能形势分析预警，适时开展中期评估",
    } <= names
    assert len(catalog.tasks) >= 30


def test_every_quote_is_verbatim_in_the_plan_text(catalog: PlanCatalog, plan_text: str) -> None:
    text = normalise(plan_text)
    entries = [*catalog.targets, *catalog.tasks, *catalog.rules]
    missing = [e.code for e in entries if normalise(e.quote) not in text]
    assert missing == []


def test_every_target_value_is_stated_in_its_quote(catalog: PlanCatalog) -> None:
    # 0 (elimination) and 100 (full coverage) are implied by 消除/淘汰/全覆盖, not written.
    unstated = [
        t.code
        for t in catalog.targets
        if t.target_value not in (None, 0, 100)
        and f"{t.target_value:g}" not in re.findall(r"\d+(?:\.\d+)?", normalise(t.quote))
    ]
    assert unstated == []


def test_every_percentage_of_sections_two_and_three_is_a_target(
    catalog: PlanCatalog, plan_text: str
) -> None:
    text = normalise(plan_text)
    body = text[text.index("二、主要目标") : text.index("四、健全节能减排政策机制")]
    stated = {float(m) for m in re.findall(r"(\d+(?:\.\d+)?)%", body)}
    # 65 and 72 are the energy-saving levels of building standards: held as thresholds.
    captured = {t.target_value for t in catalog.targets} | {t.threshold for t in catalog.targets}
    assert stated - captured == set()


def test_every_target_from_clause_3_1_on_names_the_district_governments(
    catalog: PlanCatalog,
) -> None:
    without = [
        t.code for t in [*catalog.targets, *catalog.tasks] if "county_governments" not in t.co
    ]
    assert without == []
