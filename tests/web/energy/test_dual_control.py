"""Dual control of a hand-made district: every figure checked by hand (see conftest)."""

from __future__ import annotations

import pytest

from ecer.core.intensity import TargetAttainment
from ecer.core.warning import WarningLevel
from ecer.web.energy import services

pytestmark = pytest.mark.django_db


def test_it_shows_gross_and_assessed_side_by_side(haicheng_two_years, loaded_plan):
    c = services.evaluate(haicheng_two_years, 2021, loaded_plan)
    assert c.problems == ()
    base, now = c.years
    assert base.consumption.gross_tce == pytest.approx(637_310)
    assert base.consumption.assessed_tce == pytest.approx(600_000)
    assert base.assessed.intensity == pytest.approx(0.3)
    assert now.consumption.gross_tce == pytest.approx(661_890)
    # Deductions: raw material 20,000 + renewables 21,890 + separately listed 20,000.
    assert now.consumption.deducted_tce == pytest.approx(61_890)
    assert now.consumption.assessed_tce == pytest.approx(600_000)
    # GDP at comparable prices: 2,000,000 x 1.10, not the nominal 2,300,000.
    assert now.comparable_gdp_10k_yuan == pytest.approx(2_200_000)
    assert now.assessed.decline_pct == pytest.approx(100 * (1 - 1 / 1.1))  # 9.0909 %
    # Gross: 661,890 / 2,200,000 = 0.300859 against 637,310 / 2,000,000 = 0.318655 -> 5.5847 %.
    assert now.gross.decline_pct == pytest.approx(5.5847, abs=1e-4)


def test_it_prorates_the_targets_and_grants_the_incentive_exemption(
    haicheng_two_years, loaded_plan
):
    c = services.evaluate(haicheng_two_years, 2021, loaded_plan)
    # Even pace: 1 - 0.86^(1/5) = 2.9714 %, 1 - 0.84^(1/5) = 3.4270 %.
    assert c.interim_basic_pct == pytest.approx(2.9714, abs=1e-4)
    assert c.interim_incentive_pct == pytest.approx(3.4270, abs=1e-4)
    assert c.dual is not None
    assert c.dual.attainment is TargetAttainment.INCENTIVE
    assert c.dual.exempt_from_total_assessment
    assert c.total is not None and c.total.exempt and c.total.passed


def test_it_raises_the_budget_when_growth_beats_the_plan(haicheng_two_years, loaded_plan):
    c = services.evaluate(haicheng_two_years, 2021, loaded_plan)
    assert c.budget is not None and c.budget_adjustment is not None
    # 0.3 x (1 - 0.029714) x 2,000,000 x 1.065 = 620,012.8 tce at the planned growth;
    # actual growth 10 % > 6.5 %: 0.3 x 0.970286 x 2,200,000 = 640,388.8 tce.
    assert c.budget.budget_tce == pytest.approx(620_012.8, abs=1)
    assert c.budget_adjustment.adjusted
    assert c.budget_adjustment.adjusted_budget_tce == pytest.approx(640_388.8, abs=1)
    assert c.total_warning.level is WarningLevel.GREEN
    assert c.intensity_warning.level is WarningLevel.GREEN


def test_it_names_what_is_missing(haicheng_two_years, loaded_plan):
    c = services.evaluate(haicheng_two_years, 2023, loaded_plan)
    assert c.problems == ("缺少 2022 年的能耗与生产总值数据",)
    assert c.intensity_warning.level is WarningLevel.UNKNOWN
    assert c.intensity_warning.messages_zh == c.problems


def test_it_cannot_decompose_without_sectors(haicheng_two_years, loaded_plan):
    c = services.evaluate(haicheng_two_years, 2021, loaded_plan)
    assert c.decomposition is None
    assert c.decomposition_problem == "缺少分部门能耗，无法进行因素分解"


def test_the_demo_shows_every_warning_level_in_2024(energy_demo):
    levels = {
        c.area.code: (c.intensity_warning.level, c.total_warning.level)
        for c in services.evaluate_all(2024, energy_demo)
    }
    assert levels["haicheng"] == (WarningLevel.GREEN, WarningLevel.GREEN)
    assert levels["hepu"] == (WarningLevel.YELLOW, WarningLevel.YELLOW)
    assert levels["tieshangang"] == (WarningLevel.RED, WarningLevel.RED)


def test_the_waterfall_adds_up(energy_demo):
    from ecer.web.catalog.models import Area

    c = services.evaluate(Area.objects.get(code="tieshangang"), 2024, energy_demo)
    assert c.decomposition is not None
    steps = c.decomposition.steps()
    effects = sum(s.value for s in steps if not s.is_total)
    assert steps[0].value + effects == pytest.approx(steps[-1].value)
    chart = services.waterfall_chart(c)
    assert chart is not None
    # The last bar is the end total; each effect bar stands on the running total.
    assert chart["total"][-1] == pytest.approx(round(steps[-1].value, 1))
    assert chart["base"][1] == pytest.approx(round(steps[0].value, 1))
