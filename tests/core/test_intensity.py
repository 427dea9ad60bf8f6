import pytest

from ecer.core.intensity import (
    DualTarget,
    TargetAttainment,
    adjust_energy_budget,
    annual_energy_budget,
    assess_dual_target,
    assess_total_consumption,
    assessed_consumption,
    comparable_gdp,
    comparable_gdp_series,
    decline_pct,
    energy_intensity,
    intensity_decline,
)


def test_comparable_gdp_chains_the_yearly_indices():
    # 1000 x 108.2/100 = 1082; x 103.5/100 = 1119.87 (10^4 yuan at base-year prices)
    assert comparable_gdp(1000, [108.2, 103.5]) == pytest.approx(1119.87)


def test_comparable_gdp_series_has_one_value_per_year():
    assert comparable_gdp_series(1000, [108.2, 103.5]) == [
        pytest.approx(1082.0),
        pytest.approx(1119.87),
    ]


def test_comparable_gdp_without_indices_is_the_base():
    assert comparable_gdp(1000, []) == 1000


def test_comparable_gdp_rejects_a_growth_rate_passed_as_index():
    with pytest.raises(ValueError, match="index"):
        comparable_gdp(1000, [-2.0])


def test_energy_intensity():
    # 1200 tce / 1000 x 10^4 yuan = 1.2 tce per 10^4 yuan
    assert energy_intensity(1200, 1000) == pytest.approx(1.2)


def test_decline_is_negative_when_the_level_rises():
    # (1 - 1.1/1.0) x 100 = -10 %
    assert decline_pct(1.0, 1.1) == pytest.approx(-10.0)


def test_intensity_decline_against_the_base_year():
    # base: 1200 tce / 1000 = 1.2; year 2: GDP 1000 x 1.082 x 1.035 = 1119.87,
    # intensity 1250 / 1119.87 = 1.1162010; decline (1 - 1.1162010/1.2) x 100 = 6.98325 %
    result = intensity_decline(1200, 1000, 1250, [108.2, 103.5])
    assert result.base_intensity == pytest.approx(1.2)
    assert result.gdp_index_product == pytest.approx(1.11987)
    assert result.comparable_gdp_10k_yuan == pytest.approx(1119.87)
    assert result.intensity == pytest.approx(1.1162010)
    assert result.decline_pct == pytest.approx(6.98325, abs=1e-5)


def test_assessed_consumption_deducts_raw_material_renewables_and_listed_projects():
    # 1000 - (50 + 120 + 30) = 800 tce
    result = assessed_consumption(
        1000, raw_material_tce=50, renewable_tce=120, separately_listed_tce=30
    )
    assert result.gross_tce == 1000
    assert result.deducted_tce == pytest.approx(200)
    assert result.assessed_tce == pytest.approx(800)


def test_deductions_may_not_exceed_gross_consumption():
    with pytest.raises(ValueError, match="exceed"):
        assessed_consumption(100, raw_material_tce=60, renewable_tce=50)


def test_deductions_may_not_be_negative():
    with pytest.raises(ValueError, match="renewable_tce"):
        assessed_consumption(100, renewable_tce=-1)


def test_incentive_target_below_basic_is_rejected():
    with pytest.raises(ValueError, match="incentive"):
        DualTarget(basic_decline_pct=14.0, incentive_decline_pct=12.5)


@pytest.mark.parametrize(
    ("actual", "attainment", "exempt"),
    [
        (14.2, TargetAttainment.INCENTIVE, True),
        (14.0, TargetAttainment.INCENTIVE, True),
        (13.0, TargetAttainment.BASIC, False),
        (12.5, TargetAttainment.BASIC, False),
        (10.0, TargetAttainment.NONE, False),
    ],
)
def test_which_target_a_district_met(actual, attainment, exempt):
    result = assess_dual_target(actual, DualTarget(12.5, 14.0))
    assert result.attainment is attainment
    assert result.exempt_from_total_assessment is exempt


def test_dual_target_gaps():
    # 13.0 - 12.5 = +0.5 pp to basic; 13.0 - 14.0 = -1.0 pp to incentive
    result = assess_dual_target(13.0, DualTarget(12.5, 14.0))
    assert result.gap_to_basic_pct == pytest.approx(0.5)
    assert result.gap_to_incentive_pct == pytest.approx(-1.0)


def test_annual_budget_from_growth_target_and_basic_intensity_target():
    # base intensity 1200/1000 = 1.2; target 1.2 x (1 - 0.05) = 1.14;
    # planned GDP 1000 x 1.075 x 1.07 = 1150.25; budget 1.14 x 1150.25 = 1311.285 tce
    budget = annual_energy_budget(1200, 1000, [7.5, 7.0], 5.0)
    assert budget.target_intensity == pytest.approx(1.14)
    assert budget.planned_gdp_10k_yuan == pytest.approx(1150.25)
    assert budget.budget_tce == pytest.approx(1311.285)


def test_budget_is_raised_when_growth_beats_the_plan():
    # actual GDP 1000 x 1.082 x 1.075 = 1163.15 > 1150.25 planned;
    # budget 1.14 x 1163.15 = 1325.991 tce, +14.706 tce
    budget = annual_energy_budget(1200, 1000, [7.5, 7.0], 5.0)
    adjustment = adjust_energy_budget(budget, 1000, [108.2, 107.5])
    assert adjustment.adjusted
    assert adjustment.actual_gdp_10k_yuan == pytest.approx(1163.15)
    assert adjustment.adjusted_budget_tce == pytest.approx(1325.991)
    assert adjustment.adjustment_tce == pytest.approx(14.706)


def test_budget_is_not_lowered_when_growth_falls_short():
    # actual GDP 1000 x 1.06 x 1.07 = 1134.2 < 1150.25: budget stays 1311.285 tce
    budget = annual_energy_budget(1200, 1000, [7.5, 7.0], 5.0)
    adjustment = adjust_energy_budget(budget, 1000, [106.0, 107.0])
    assert not adjustment.adjusted
    assert adjustment.adjusted_budget_tce == pytest.approx(1311.285)
    assert adjustment.adjustment_tce == 0


def test_budget_adjustment_needs_the_same_years_as_the_plan():
    budget = annual_energy_budget(1200, 1000, [7.5, 7.0], 5.0)
    with pytest.raises(ValueError, match="planned years"):
        adjust_energy_budget(budget, 1000, [108.2])


def test_over_budget_district_fails_total_consumption_assessment():
    # assessed 1400 tce > budget 1311.285 tce: margin -88.715 tce
    result = assess_total_consumption(
        assessed_consumption(1400), 1311.285, assess_dual_target(13.0, DualTarget(12.5, 14.0))
    )
    assert not result.within_budget
    assert result.margin_tce == pytest.approx(-88.715)
    assert not result.passed


def test_incentive_target_exempts_from_total_consumption_assessment():
    result = assess_total_consumption(
        assessed_consumption(1400), 1311.285, assess_dual_target(14.5, DualTarget(12.5, 14.0))
    )
    assert not result.within_budget
    assert result.exempt
    assert result.passed
