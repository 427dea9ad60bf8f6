"""Key-project reductions: each method, the partial year, totals and every rule, by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecer.core.progress import ProgressStatus
from ecer.core.reductions import (
    RULES,
    Dimension,
    EliminatedCapacity,
    EmissionFactorMethod,
    GasMassBalance,
    MonitoredSummary,
    Pollutant,
    Project,
    ProjectCategory,
    ProjectStatus,
    ProjectType,
    RecordedBaseline,
    ReductionClaim,
    ReductionLine,
    Source,
    WaterMassBalance,
    annual_reduction_t,
    check_projects,
    effect_fraction,
    ledger,
    may_mark_verified,
    progress_by_pollutant,
    reduction_in_year_t,
    same_source,
    totals,
)
from ecer.core.warning import WarningLevel
from ecer.hj212.pollutants import lookup
from ecer.plan.loader import default_plan_path, load_plan_file

# A new sewage plant: 20,000 m³/d, COD 250 → 40 mg/L, NH3-N 30 → 5 mg/L, 365 d.
PLANT_COD = WaterMassBalance(20_000, 250, 40, 365)
PLANT_NH3N = WaterMassBalance(20_000, 30, 5, 365)
# An ultra-low-emission retrofit: 200,000 m³/h, NOx 300 → 50 mg/m³, 7,200 h.
RETROFIT_NOX = GasMassBalance(200_000, 300, 50, 7_200)
# VOC end treatment: 500 t coating/a, 400 kg VOCs per t, removal 0 → 80 %.
VOC_END = EmissionFactorMethod(500, 400, 0.8)

# The plan's figures (plan 二), passed explicitly as the web layer passes them from the plan
# file: targets by 2025 [t] against the base year 2020.
TARGETS_T = {
    Pollutant.COD: 2106.0,
    Pollutant.NH3_N: 115.0,
    Pollutant.NOX: 360.0,
    Pollutant.VOCS: 270.0,
}
BASE_YEAR, TARGET_YEAR = 2020, 2025

PLANT_SOURCE = Source("城北污水处理厂 总排口", "91450500MA5K000001", "PW-450500-001", "MN-PLANT-01")


def plant(**changes: Any) -> Project:
    base = Project(
        id="P-PLANT",
        name="城北污水处理厂新建工程",
        type=ProjectType.SEWAGE_PLANT_NEW,
        district="haicheng",
        sector="城镇生活",
        source=PLANT_SOURCE,
        lines=(
            ReductionLine(Pollutant.COD, PLANT_COD, baseline_emission_t_per_a=2000.0),
            ReductionLine(Pollutant.NH3_N, PLANT_NH3N, baseline_emission_t_per_a=250.0),
        ),
        status=ProjectStatus.VERIFIED,
        completed_on=date(2021, 12, 31),
        evidence=("竣工验收报告.pdf",),
    )
    return replace(base, **changes)


def retrofit(**changes: Any) -> Project:
    base = Project(
        id="P-ULE",
        name="热电厂超低排放改造",
        type=ProjectType.ULTRA_LOW_EMISSION,
        district="tieshangang",
        sector="电力",
        source=Source("热电厂 1号锅炉", "91450500MA5K000002", "PW-450500-002", "MN-ULE-01"),
        lines=(ReductionLine(Pollutant.NOX, RETROFIT_NOX, baseline_emission_t_per_a=450.0),),
        status=ProjectStatus.VERIFIED,
        completed_on=date(2023, 6, 30),
        evidence=("监测报告.pdf",),
    )
    return replace(base, **changes)


def coater(**changes: Any) -> Project:
    base = Project(
        id="P-VOC",
        name="家具厂涂装废气治理",
        type=ProjectType.VOC_END_TREATMENT,
        district="hepu",
        sector="家具制造",
        source=Source("家具厂 涂装线", "91450500MA5K000003", "PW-450500-003", None),
        lines=(ReductionLine(Pollutant.VOCS, VOC_END),),
        status=ProjectStatus.COMPLETED,
        completed_on=date(2022, 3, 1),
        evidence=("验收报告.pdf",),
    )
    return replace(base, **changes)


def closure(**changes: Any) -> Project:
    base = Project(
        id="P-BOILER",
        name="燃煤锅炉关停",
        type=ProjectType.CLOSURE,
        district="yinhai",
        sector="工业锅炉",
        source=Source("砖厂 燃煤锅炉", "91450500MA5K000004", "PW-450500-004", "MN-BOILER-01"),
        lines=(ReductionLine(Pollutant.NOX, RecordedBaseline(100.0), 100.0),),
        status=ProjectStatus.COMPLETED,
        completed_on=date(2022, 6, 30),
        evidence=("关停证明.pdf",),
    )
    return replace(base, **changes)


# --- vocabularies --------------------------------------------------------------------------


def test_pollutant_codes_are_hj212_codes_and_the_examples_use_the_plans_targets() -> None:
    cod = lookup("w01018")
    assert cod is not None and cod.name == "化学需氧量"
    for pollutant in Pollutant:
        entry = lookup(pollutant.value)
        assert entry is not None and entry.medium == pollutant.medium
    catalog = load_plan_file(default_plan_path())
    plan = {t.code: t for t in catalog.targets}
    codes = {
        Pollutant.COD: "cod_reduction",
        Pollutant.NH3_N: "nh3n_reduction",
        Pollutant.NOX: "nox_reduction",
        Pollutant.VOCS: "vocs_reduction",
    }
    assert {p: plan[code].target_value for p, code in codes.items()} == TARGETS_T
    assert {(plan[c].base_year, plan[c].target_year) for c in codes.values()} == {
        (BASE_YEAR, TARGET_YEAR)
    }


def test_project_types_fall_into_the_three_categories() -> None:
    assert ProjectType.CLOSURE.category is ProjectCategory.STRUCTURAL
    assert ProjectType.MANAGEMENT.category is ProjectCategory.MANAGEMENT
    assert ProjectType.OIL_VAPOUR_RECOVERY.category is ProjectCategory.ENGINEERING
    assert all(t.label_zh for t in ProjectType)


# --- accounting methods --------------------------------------------------------------------


def test_water_mass_balance() -> None:
    # 20,000 m³/d × (250 − 40) mg/L × 365 d × 10^-6 = 4,200,000 × 365 × 10^-6 = 1,533.0 t/a.
    assert annual_reduction_t(PLANT_COD) == pytest.approx(1533.0)
    # 20,000 × (30 − 5) × 365 × 10^-6 = 500,000 × 365 × 10^-6 = 182.5 t/a.
    assert annual_reduction_t(PLANT_NH3N) == pytest.approx(182.5)
    # 300 operating days: 4,200,000 × 300 × 10^-6 = 1,260.0 t/a.
    assert annual_reduction_t(replace(PLANT_COD, operating_days=300)) == pytest.approx(1260.0)


def test_gas_mass_balance() -> None:
    # 200,000 m³/h × (300 − 50) mg/m³ × 7,200 h × 10^-9 = 5 × 10^7 × 7,200 × 10^-9 = 360.0 t/a.
    assert annual_reduction_t(RETROFIT_NOX) == pytest.approx(360.0)


def test_emission_factor_and_efficiency_improvement() -> None:
    # 500 t × 400 kg/t × 0.8 × 10^-3 = 160.0 t/a.
    assert annual_reduction_t(VOC_END) == pytest.approx(160.0)
    # Improvement 50 % → 80 %: 500 × 400 × (0.8 − 0.5) × 10^-3 = 60.0 t/a.
    assert annual_reduction_t(replace(VOC_END, efficiency_base=0.5)) == pytest.approx(60.0)


def test_eliminated_capacity_and_recorded_baseline() -> None:
    # 10,000 t coal/a × 2.94 kg NOx/t × 10^-3 = 29.4 t/a.
    assert annual_reduction_t(EliminatedCapacity(10_000, 2.94)) == pytest.approx(29.4)
    assert annual_reduction_t(RecordedBaseline(12.5)) == 12.5


def test_a_worse_post_figure_is_no_reduction_and_bad_inputs_are_refused() -> None:
    assert annual_reduction_t(WaterMassBalance(1000, 40, 60)) == 0.0
    assert annual_reduction_t(EmissionFactorMethod(10, 10, 0.5, 0.9)) == 0.0
    with pytest.raises(ValueError, match="efficiency_post"):
        EmissionFactorMethod(10, 10, 1.2)
    with pytest.raises(ValueError, match="flow_m3_per_d"):
        WaterMassBalance(-1, 40, 20)
    with pytest.raises(ValueError, match="needs completed_on"):
        plant(completed_on=None)


# --- partial year --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completed_on", "year", "fraction"),
    [
        # Effect from the day after completion: 30 Jun → 1 Jul..31 Dec = 184 days.
        (date(2022, 6, 30), 2022, 184 / 365),  # 0.504110
        (date(2024, 6, 30), 2024, 184 / 366),  # leap year: 0.502732
        (date(2022, 1, 1), 2022, 364 / 365),  # 2 Jan..31 Dec
        (date(2022, 12, 31), 2022, 0.0),  # nothing left of the year
        (date(2022, 6, 30), 2021, 0.0),  # before completion
        (date(2022, 6, 30), 2023, 1.0),  # full effect in later years
    ],
)
def test_effect_fraction(completed_on: date, year: int, fraction: float) -> None:
    assert effect_fraction(completed_on, year) == pytest.approx(fraction)


def test_partial_year_reduction_and_ledger() -> None:
    project = retrofit()  # 360 t/a, completed 30 Jun 2023
    # 2023: 360 × 184/365 = 181.479452 t; 2024: 360 t, of which 360 − 181.479452 = 178.520548 new.
    assert reduction_in_year_t(project, Pollutant.NOX, 2022, BASE_YEAR) == 0.0
    assert reduction_in_year_t(project, Pollutant.NOX, 2023, BASE_YEAR) == pytest.approx(181.479452)
    rows = ledger([project], range(2021, 2026), base_year=BASE_YEAR)
    assert [r.year for r in rows] == [2023, 2024, 2025]
    assert [r.new_reduction_t for r in rows] == pytest.approx([181.479452, 178.520548, 0.0])
    assert rows[-1].reduction_t == pytest.approx(360.0)
    # Completed in the base year: part of the base, not a 14th FYP reduction.
    assert (
        reduction_in_year_t(retrofit(completed_on=date(2020, 5, 1)), Pollutant.NOX, 2021, BASE_YEAR)
        == 0
    )


# --- totals against the targets ------------------------------------------------------------


def test_totals_by_district_and_pollutant_count_verified_projects_only() -> None:
    projects = [plant(), retrofit(), coater()]  # coater is completed, not verified
    rows = ledger(projects, [2023], base_year=BASE_YEAR)
    assert totals(rows, Dimension.DISTRICT, Dimension.POLLUTANT) == pytest.approx(
        {
            ("haicheng", Pollutant.COD): 1533.0,
            ("haicheng", Pollutant.NH3_N): 182.5,
            ("tieshangang", Pollutant.NOX): 181.479452,
        }
    )
    counted = {ProjectStatus.COMPLETED, ProjectStatus.VERIFIED}
    preview = totals(
        ledger(projects, [2023], base_year=BASE_YEAR, counted=counted), Dimension.SECTOR
    )
    assert preview[("家具制造",)] == pytest.approx(160.0)


def test_progress_and_warning_per_target_in_2023() -> None:
    # Time progress 2023: 3/5 = 0.6; red line 0.5 × 0.6 = 0.3 of completion.
    progress = progress_by_pollutant(
        [plant(), retrofit(), coater()],
        2023,
        TARGETS_T,
        base_year=BASE_YEAR,
        target_year=TARGET_YEAR,
    )
    cod = progress[Pollutant.COD]
    # COD 1,533 t ≥ path 2,106 × 0.6 = 1,263.6 → on track; completion 1533/2106 = 0.727920.
    assert cod.result.status is ProgressStatus.ON_TRACK
    assert cod.result.required_value == pytest.approx(1263.6)
    assert cod.result.completion == pytest.approx(0.727920, abs=1e-6)
    assert cod.warning.level is WarningLevel.GREEN
    assert cod.path_t == pytest.approx((0, 421.2, 842.4, 1263.6, 1684.8, 2106))
    # NH3-N 182.5 t ≥ 115 t → met.
    assert progress[Pollutant.NH3_N].result.status is ProgressStatus.MET
    # NOx 181.479 t < path 360 × 0.6 = 216; completion 181.479/360 = 0.504 ≥ 0.3 → yellow.
    nox = progress[Pollutant.NOX]
    assert nox.achieved_t == pytest.approx(181.479452)
    assert nox.warning.level is WarningLevel.YELLOW
    # VOCs: the only project is not verified → 0 t, completion 0 < 0.3 → red.
    assert progress[Pollutant.VOCS].achieved_t == 0.0
    assert progress[Pollutant.VOCS].warning.level is WarningLevel.RED
    # Counting completed projects too: 160 t < 270 × 0.6 = 162; 160/270 = 0.593 ≥ 0.3 → yellow.
    counted = {ProjectStatus.COMPLETED, ProjectStatus.VERIFIED}
    preview = progress_by_pollutant(
        [plant(), retrofit(), coater()],
        2023,
        TARGETS_T,
        base_year=BASE_YEAR,
        target_year=TARGET_YEAR,
        counted=counted,
    )
    assert preview[Pollutant.VOCS].warning.level is WarningLevel.YELLOW


# --- verification rules --------------------------------------------------------------------

GOOD_PLANT_DATA = MonitoredSummary(
    "MN-PLANT-01",
    date(2022, 1, 1),
    date(2022, 12, 31),
    valid_count=8000,
    last_valid_on=date(2022, 12, 31),
    mean_flow=20_500.0,
    mean_concentration={Pollutant.COD: 42.0, Pollutant.NH3_N: 5.2},
)


def codes(projects: list[Project], **kwargs: Any) -> list[str]:
    return [f.rule.code for f in check_projects(projects, **kwargs)]


def test_rule_codes_are_unique_and_explained() -> None:
    assert len({r.code for r in RULES}) == len(RULES) == 8
    assert all(r.title_zh and r.explanation_zh for r in RULES)


def test_a_clean_project_has_no_finding() -> None:
    assert (
        codes(
            [plant(), retrofit(), coater()],
            monitored={
                "MN-PLANT-01": GOOD_PLANT_DATA,
                "MN-ULE-01": replace(
                    GOOD_PLANT_DATA,
                    point_id="MN-ULE-01",
                    mean_flow=200_000.0,
                    mean_concentration={Pollutant.NOX: 48.0},
                ),
            },
        )
        == []
    )


def test_double_counting_of_one_source() -> None:
    upgrade = plant(
        id="P-UPGRADE", type=ProjectType.SEWAGE_PLANT_UPGRADE, completed_on=date(2023, 9, 1)
    )
    findings = check_projects([plant(), upgrade], {"MN-PLANT-01": GOOD_PLANT_DATA})
    double = [f for f in findings if f.rule.code == "RD-DOUBLE-SOURCE"]
    # COD and NH3-N both claimed; first year both in effect: 2023.
    assert [(f.pollutant, f.year) for f in double] == [
        (Pollutant.COD, 2023),
        (Pollutant.NH3_N, 2023),
    ]
    assert double[0].project_ids == ("P-PLANT", "P-UPGRADE")
    # A whole-enterprise closure overlaps any point of that enterprise.
    whole = closure(
        source=Source("城北污水处理厂", "91450500MA5K000001", None, None),
        lines=(ReductionLine(Pollutant.COD, RecordedBaseline(1500.0)),),
    )
    assert same_source(PLANT_SOURCE, whole.source)
    # Not triggered: another point of the same enterprise, or no common pollutant.
    other_point = replace(PLANT_SOURCE, point_id="MN-PLANT-02")
    assert not same_source(PLANT_SOURCE, other_point)
    assert "RD-DOUBLE-SOURCE" not in codes([plant(), replace(upgrade, source=other_point)])
    nox_only = retrofit(source=PLANT_SOURCE)
    assert "RD-DOUBLE-SOURCE" not in codes([plant(), nox_only])


def test_double_counting_across_years() -> None:
    # The closure (100 t/a, closed 30 Jun 2022) claimed in full in 2022 and again in 2023.
    twice = [
        ReductionClaim("P-BOILER", Pollutant.NOX, 2022, 100.0),
        ReductionClaim("P-BOILER", Pollutant.NOX, 2023, 100.0),
    ]
    findings = [
        f for f in check_projects([closure()], claims=twice) if f.rule.code == "RD-DOUBLE-YEARS"
    ]
    assert len(findings) == 1
    assert findings[0].figures["claimed_total_t"] == 200.0
    assert "超过全年减排量 100.00 吨" in findings[0].message_zh
    # Not triggered: the ledger's own split, 100 × 184/365 = 50.41 t in 2022 and 49.59 t in 2023.
    rows = ledger(
        [closure()], range(2021, 2026), base_year=BASE_YEAR, counted={ProjectStatus.COMPLETED}
    )
    split = [ReductionClaim(r.project_id, r.pollutant, r.year, r.new_reduction_t) for r in rows]
    assert [round(c.tonnes, 2) for c in split[:2]] == [50.41, 49.59]
    assert "RD-DOUBLE-YEARS" not in codes([closure()], claims=split)


def test_reduction_above_the_baseline() -> None:
    # 1,533 t/a against a baseline of 1,000 t/a.
    low = plant(lines=(ReductionLine(Pollutant.COD, PLANT_COD, 1000.0),))
    findings = [f for f in check_projects([low]) if f.rule.code == "RD-ABOVE-BASELINE"]
    assert findings[0].figures == {
        "annual_reduction_t": pytest.approx(1533.0),
        "baseline_emission_t": 1000.0,
    }
    assert "RD-ABOVE-BASELINE" not in codes([plant()])  # 1,533 ≤ 2,000
    unknown = plant(lines=(ReductionLine(Pollutant.COD, PLANT_COD, None),))
    assert "RD-ABOVE-BASELINE" not in codes([unknown])


def test_claims_contradicted_by_monitoring() -> None:
    # COD: claimed 40 mg/L, monitored 55: |55 − 40|/40 = 0.375 > 0.10.
    # Flow: claimed 20,000 m³/d, monitored 15,000: 5,000/20,000 = 0.25 > 0.10.
    bad = replace(
        GOOD_PLANT_DATA,
        mean_flow=15_000.0,
        mean_concentration={Pollutant.COD: 55.0, Pollutant.NH3_N: 5.2},
    )
    findings = [
        f
        for f in check_projects([plant()], {"MN-PLANT-01": bad})
        if f.rule.code == "RD-MONITOR-CONTRADICTS"
    ]
    assert [f.pollutant for f in findings] == [Pollutant.COD, Pollutant.NH3_N]  # flow for both
    assert findings[0].figures["monitored_concentration"] == 55.0
    assert findings[1].figures["monitored_flow"] == 15_000.0
    assert "monitored_concentration" not in findings[1].figures  # 5.2 vs 5: 0.04
    # Not triggered: 42 vs 40 (0.05) and 20,500 vs 20,000 (0.025); or a wider tolerance.
    assert "RD-MONITOR-CONTRADICTS" not in codes(
        [plant()], monitored={"MN-PLANT-01": GOOD_PLANT_DATA}
    )
    assert "RD-MONITOR-CONTRADICTS" not in codes(
        [plant()], monitored={"MN-PLANT-01": bad}, tolerance=0.4
    )


def test_completed_project_without_valid_data() -> None:
    assert "RD-NO-VALID-DATA" in codes([plant()])  # no data at all for its point
    empty = replace(GOOD_PLANT_DATA, valid_count=0)
    assert "RD-NO-VALID-DATA" in codes([plant()], monitored={"MN-PLANT-01": empty})
    assert "RD-NO-VALID-DATA" not in codes([plant()], monitored={"MN-PLANT-01": GOOD_PLANT_DATA})
    planned = plant(status=ProjectStatus.PLANNED, completed_on=None)
    assert "RD-NO-VALID-DATA" not in codes([planned])


def test_closed_source_still_transmitting() -> None:
    # Closed 30 Jun 2022, valid data until 1 Sep 2022.
    after = MonitoredSummary(
        "MN-BOILER-01", date(2022, 7, 1), date(2022, 12, 31), 1500, last_valid_on=date(2022, 9, 1)
    )
    findings = check_projects([closure()], {"MN-BOILER-01": after})
    assert [f.rule.code for f in findings] == ["RD-CLOSED-TRANSMITS"]
    assert findings[0].figures["last_valid_on"] == "2022-09-01"
    silent = replace(after, valid_count=0, last_valid_on=date(2022, 6, 30))
    assert check_projects([closure()], {"MN-BOILER-01": silent}) == []


def test_missing_evidence_and_missing_permit() -> None:
    assert "RD-NO-EVIDENCE" in codes([coater(evidence=())])
    assert "RD-NO-EVIDENCE" not in codes([coater()])
    assert "RD-NO-EVIDENCE" not in codes([coater(evidence=(), status=ProjectStatus.PLANNED)])
    no_permit = replace(coater().source, permit_number=" ")
    assert "RD-NO-PERMIT" in codes([coater(source=no_permit)])
    assert "RD-NO-PERMIT" not in codes([coater()])


def test_rejected_projects_are_not_checked() -> None:
    assert check_projects([coater(evidence=(), status=ProjectStatus.REJECTED)]) == []


def test_an_open_finding_blocks_verification_until_closed() -> None:
    project = coater(evidence=())
    findings = check_projects([project, plant()], {"MN-PLANT-01": GOOD_PLANT_DATA})
    decision = may_mark_verified(project, findings)
    assert not decision.allowed
    assert [f.rule.code for f in decision.blocking] == ["RD-NO-EVIDENCE"]
    assert decision.blocking[0].key == "RD-NO-EVIDENCE:P-VOC:-:-"
    closed = may_mark_verified(project, findings, {"RD-NO-EVIDENCE:P-VOC:-:-"})
    assert closed.allowed and closed.blocking == ()
    planned = coater(status=ProjectStatus.PLANNED, completed_on=None)
    decision = may_mark_verified(planned, [])
    assert not decision.allowed and "建成后方可核定" in decision.reasons_zh[0]


# --- properties ----------------------------------------------------------------------------

concentrations = st.floats(0, 500, allow_nan=False)
projects_strategy = st.lists(
    st.builds(
        lambda i, flow, c0, c1, day, status, district: Project(
            id=f"P{i}",
            name="项目",
            type=ProjectType.INDUSTRIAL_TREATMENT,
            district=district,
            sector="工业",
            source=Source(f"源{i}", permit_number=f"PW{i}"),
            lines=(ReductionLine(Pollutant.COD, WaterMassBalance(flow, c0, c1)),),
            status=status,
            completed_on=date.fromordinal(day)
            if status in {ProjectStatus.COMPLETED, ProjectStatus.VERIFIED}
            else None,
        ),
        st.integers(0, 10_000),
        st.floats(0, 1e6, allow_nan=False),
        concentrations,
        concentrations,
        st.integers(date(2019, 1, 1).toordinal(), date(2025, 12, 31).toordinal()),
        st.sampled_from(ProjectStatus),
        st.sampled_from(["haicheng", "yinhai", "tieshangang", "hepu"]),
    ),
    max_size=12,
    unique_by=lambda p: p.id,
)


@given(projects_strategy, st.integers(2021, 2025))
def test_totals_are_the_sum_of_project_reductions(projects: list[Project], year: int) -> None:
    rows = ledger(projects, range(2021, year + 1), base_year=BASE_YEAR)
    by_district = totals([r for r in rows if r.year == year], Dimension.DISTRICT)
    expected = sum(
        reduction_in_year_t(p, Pollutant.COD, year, BASE_YEAR)
        for p in projects
        if p.status is ProjectStatus.VERIFIED
    )
    assert sum(by_district.values()) == pytest.approx(expected)
    for row in rows:
        assert row.reduction_t >= 0 and row.new_reduction_t >= -1e-9
        assert 0.0 <= row.fraction <= 1.0
    # The yearly new reductions add up to the reduction in effect (nothing counted twice).
    for project in {r.project_id for r in rows}:
        mine = [r for r in rows if r.project_id == project]
        assert sum(r.new_reduction_t for r in mine) == pytest.approx(mine[-1].reduction_t)


@given(
    st.integers(date(2000, 1, 1).toordinal(), date(2040, 12, 31).toordinal()),
    st.integers(2000, 2040),
)
def test_effect_fraction_is_a_share(day: int, year: int) -> None:
    assert 0.0 <= effect_fraction(date.fromordinal(day), year) <= 1.0


@given(st.floats(0, 1e6), concentrations, concentrations, st.floats(0, 8784))
def test_a_reduction_is_never_negative(flow: float, c0: float, c1: float, hours: float) -> None:
    assert annual_reduction_t(GasMassBalance(flow, c0, c1, hours)) >= 0.0
