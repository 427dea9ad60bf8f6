"""Where the catalog departs from the "first-named body leads" convention, and what it shows
users: leads read from the sentence, hedged wording read from the quote, Chinese notes."""

from __future__ import annotations

import re

import pytest

from ecer.plan.schema import PlanCatalog, Wording
from tests.plan.helpers import normalise


@pytest.mark.parametrize(
    ("code", "lead", "sentence"),
    [
        # 三(七): "持续开展节水改造，着重开展合浦县总江水闸重点灌区…续建配套和现代化改造项目，
        # 推动县域节水型社会达标建设" is water saving; the list names 水利局.
        ("irrigation_district_modernization", "water_resources", "合浦县总江水闸重点灌区"),
        ("county_water_saving_society", "water_resources", "推动县域节水型社会达标建设"),
        # 三(七) pollution sentences stay with the first-named 生态环境局.
        ("vocs_sources_survey", "ecology_environment", "全面排查涉挥发性有机物工业企业排放源"),
        ("river_basin_remediation", "ecology_environment", "福成江流域综合治理工程"),
        # 四(七): 统计局 is first for the statistics sentences only.
        ("vocs_online_monitoring", "ecology_environment", "安装在线监控监测设施"),
        ("energy_use_status_reports", "development_reform", "能源利用状况报告制度"),
        ("online_energy_monitoring_build_out", "development_reform", "完成企业端系统建设"),
        # 四(八): 专职环保人员 is the environmental authority's.
        ("environmental_staff", "ecology_environment", "重点排污单位设置专职环保人员"),
    ],
)
def test_a_task_is_led_by_the_body_whose_job_its_sentence_is(
    catalog: PlanCatalog, plan_text: str, code: str, lead: str, sentence: str
) -> None:
    task = catalog.task(code)
    assert task.lead == (lead,)
    assert lead not in task.co
    # The body is one the clause's list names (never one the plan does not put there).
    assert sentence in normalise(task.quote) and sentence in normalise(plan_text)


@pytest.mark.parametrize(
    ("code", "lead"),
    [
        ("industrial_water_plan_coverage", "water_resources"),
        ("industrial_water_intensity_decline", "water_resources"),
        ("rural_black_odorous_water_bodies", "ecology_environment"),
        ("rural_sewage_treatment_rate", "ecology_environment"),
        ("green_factories", "industry_it"),
        ("straw_utilization_rate", "agriculture_rural"),
    ],
)
def test_a_target_is_led_by_the_body_whose_job_it_is(
    catalog: PlanCatalog, code: str, lead: str
) -> None:
    target = catalog.target(code)
    assert target.lead == (lead,)
    assert lead not in target.co


def test_a_moved_lead_keeps_the_first_named_body_as_co_responsible(catalog: PlanCatalog) -> None:
    assert "ecology_environment" in catalog.task("irrigation_district_modernization").co
    assert "statistics" in catalog.task("vocs_online_monitoring").co
    assert "industry_it" in catalog.target("industrial_water_intensity_decline").co


def test_the_key_unit_rule_cites_3_1_and_the_parks_3_2(catalog: PlanCatalog) -> None:
    assert catalog.rule("key_energy_unit_threshold").clause == "三(一)"
    parks = catalog.task("green_eco_industrial_parks")
    assert parks.clause == "三(二)"
    assert "合浦工业园区" in parks.quote


# --- hedged wording ---------------------------------------------------------------------

# What the plan writes, and what the catalog must record for it (schema docstring).
STRIVE = re.compile("力争|争取")
ABOUT = re.compile("左右")
BASICALLY = re.compile("基本")
STRICT = re.compile("超过")
EVERY_YEAR = re.compile("稳定在.*以上")


def test_every_targets_wording_is_the_one_its_quote_uses(catalog: PlanCatalog) -> None:
    def expected(quote: str) -> Wording:
        if STRIVE.search(quote):
            return Wording.STRIVE
        if ABOUT.search(quote):
            return Wording.ABOUT
        if BASICALLY.search(quote):
            return Wording.BASICALLY
        return Wording.FIRM

    wrong = [
        (t.code, t.wording, expected(t.quote))
        for t in catalog.targets
        if t.wording is not expected(t.quote)
    ]
    assert wrong == []


def test_strict_and_every_year_are_marked_exactly_where_the_quote_says_so(
    catalog: PlanCatalog,
) -> None:
    assert [t.code for t in catalog.targets if t.strict] == [
        t.code for t in catalog.targets if STRICT.search(t.quote)
    ]
    assert [t.code for t in catalog.targets if t.every_year] == [
        t.code for t in catalog.targets if EVERY_YEAR.search(t.quote)
    ]


def test_the_hedged_targets_of_the_plan(catalog: PlanCatalog) -> None:
    by_wording: dict[str, set[str]] = {}
    for t in catalog.targets:
        by_wording.setdefault(t.wording.value, set()).add(t.code)
    assert by_wording["strive"] == {
        "energy_saving_demo_parks",  # 力争创建 1 家以上
        "conservation_public_institution_demos",  # 争取创建 5 家
        "urban_sewage_collection_rate",  # 力争达到70%以上
        "waste_incineration_capacity_share",  # 力争达到85%以上
    }
    assert by_wording["about"] == {"urban_waste_resource_utilization_rate"}  # 60%左右
    assert by_wording["basically"] == {
        "built_up_area_coal_boilers_elimination",  # 基本淘汰
        "urban_sewage_direct_outlets",  # 基本消除
        "urban_sewage_blank_areas",
    }
    assert [t.code for t in catalog.targets if t.strict] == ["efficiency_benchmark_capacity_share"]
    assert [t.code for t in catalog.targets if t.every_year] == ["straw_utilization_rate"]


# --- what users read is Chinese ---------------------------------------------------------

# The rule: text shown to users (names, notes) is Chinese. Latin letters may appear only as
# the abbreviations a Chinese text itself uses: pollutant and chemical formulas, units,
# standard and statistical codes. Any other run of three or more ASCII letters is English
# prose (or a developer's code such as ``online_monitoring_threshold``) and belongs in a YAML
# comment. Runs of one or two letters (GB, PM, CO2, NH3-N, t/h) are always abbreviations.
ALLOWED_LATIN = frozenset({"VOCs", "COD", "NOx", "GDP", "tce", "kWh", "LNG", "LPG"})
LATIN_RUN = re.compile(r"[A-Za-z]{3,}")


def _latin_runs(text: str | None) -> list[str]:
    return [run for run in LATIN_RUN.findall(text or "") if run not in ALLOWED_LATIN]


def test_names_and_notes_shown_to_users_are_chinese(catalog: PlanCatalog) -> None:
    english = [
        (entry.code, field, _latin_runs(getattr(entry, field, None)))
        for entry in [*catalog.targets, *catalog.tasks, *catalog.rules]
        for field in ("name", "note", "target_value_note")
        if _latin_runs(getattr(entry, field, None))
    ]
    assert english == []
    assert _latin_runs(catalog.plan.note) == []


def test_the_chinese_rule_rejects_english_prose_and_keeps_abbreviations() -> None:
    assert _latin_runs("Reductions achieved by key projects") == [
        "Reductions",
        "achieved",
        "key",
        "projects",
    ]
    assert _latin_runs("门槛见规则 online_monitoring_threshold") == [
        "online",
        "monitoring",
        "threshold",
    ]
    assert _latin_runs("VOCs、COD、NOx 重点工程减排量；GB 2589；PM2.5；CO2") == []
