"""What-if review: a hand-checked area over a short plan period (2020-2022)."""

import pytest

from ecer.core.warning import WarningLevel
from ecer.core.whatif import (
    AreaHistory,
    Light,
    ProjectLoad,
    budget_headroom,
    project_area,
    rank_by_value_added_per_tce,
    review,
    value_added_per_tce,
)

G, Y, R = WarningLevel.GREEN, WarningLevel.YELLOW, WarningLevel.RED

# Base 2020: 1000 tce, GDP 1000 (10^4 yuan) -> intensity 1.0. 2021: GDP 1100 (index 110),
# 1045 tce -> 0.95. Targets by 2022: basic 10 %, incentive 12 %; planned growth 10 %/a.
HISTORY = AreaHistory(
    base_year=2020,
    target_year=2022,
    assessed_tce=(1000.0, 1045.0),
    base_gdp_10k_yuan=1000.0,
    gdp_indices=(110.0,),
    basic_decline_pct=10.0,
    incentive_decline_pct=12.0,
    planned_growth_pct=10.0,
)
# 150 tce and 10 (10^4 yuan) value added a year from 2022.
CANDIDATE = ProjectLoad("plant", energy_tce=150.0, value_added_10k_yuan=10.0, first_year=2022)


def test_baseline_holds_existing_use_and_grows_gdp_at_the_planned_rate():
    [y2022] = project_area(HISTORY, [])
    # GDP 1100 x 1.10 = 1210; assessed stays 1045 -> 1045/1210 = 0.8636364, decline 13.636 %.
    assert y2022.year == 2022
    assert y2022.gdp_10k_yuan == pytest.approx(1210.0)
    assert y2022.intensity == pytest.approx(1045 / 1210)
    assert y2022.decline_pct == pytest.approx(13.636364, abs=1e-6)
    # Budget: target intensity 1.0 x (1 - 10 %) = 0.9 x planned GDP 1000 x 1.1^2 = 1210 -> 1089;
    # projected GDP equals the plan, so no adjustment. Headroom 1089 - 1045 = 44.
    assert y2022.budget.budget_tce == pytest.approx(1089.0)
    assert not y2022.adjustment.adjusted
    assert y2022.headroom_tce == pytest.approx(44.0)
    # 13.64 % >= incentive 12 % -> exempt; both lights green.
    assert y2022.exempt
    assert (y2022.level(Light.INTENSITY), y2022.level(Light.TOTAL)) == (G, G)


def test_counted_candidate_turns_both_lights_red():
    result = review(HISTORY, [], CANDIDATE)
    [y2022] = result.counted.years
    # GDP 1210 + 10 = 1220; assessed 1045 + 150 = 1195 -> 1195/1220 = 0.9795082, decline 2.049 %.
    assert y2022.gdp_10k_yuan == pytest.approx(1220.0)
    assert y2022.assessed_tce == pytest.approx(1195.0)
    assert y2022.intensity == pytest.approx(0.9795082, abs=1e-7)
    assert y2022.decline_pct == pytest.approx(2.0491803, abs=1e-6)
    # Completion 2.049/10 = 0.205 < half the time progress (1.0) -> red.
    assert y2022.level(Light.INTENSITY) is R
    # GDP 1220 beats the plan 1210 -> budget 0.9 x 1220 = 1098; 1195/1098 - 1 = 8.83 % > 5 % -> red.
    assert y2022.adjustment.adjusted
    assert y2022.budget_tce == pytest.approx(1098.0)
    assert y2022.headroom_tce == pytest.approx(-97.0)
    assert y2022.level(Light.TOTAL) is R
    changes = [(c.year, c.light, c.before, c.after, c.worse) for c in result.changes]
    assert changes == [
        (2022, Light.INTENSITY, G, R, True),
        (2022, Light.TOTAL, G, R, True),
    ]


def test_separately_listed_candidate_is_deducted_but_its_value_added_counts():
    result = review(HISTORY, [], ProjectLoad("plant", 150.0, 10.0, 2022, separately_listed=True))
    [listed] = result.applicable.years
    # Assessed 1045 + 150 - 150 = 1045 over GDP 1220 -> 0.8565574; budget 1098, headroom 53.
    assert listed.separately_listed_tce == pytest.approx(150.0)
    assert listed.assessed_tce == pytest.approx(1045.0)
    assert listed.intensity == pytest.approx(1045 / 1220)
    assert listed.headroom_tce == pytest.approx(53.0)
    assert result.changes == ()
    # The counted variant is still computed for comparison.
    assert result.counted.years[0].level(Light.INTENSITY) is R


def test_a_smaller_candidate_turns_lights_yellow():
    # 100 tce: assessed 1145 / 1220 = 0.9385246, decline 6.148 % -> completion 0.61 -> yellow;
    # 1145/1098 - 1 = 4.28 % over budget, not above 5 % -> yellow.
    [y] = review(HISTORY, [], ProjectLoad("small", 100.0, 10.0, 2022)).counted.years
    assert y.decline_pct == pytest.approx(6.1475410, abs=1e-6)
    assert (y.level(Light.INTENSITY), y.level(Light.TOTAL)) == (Y, Y)


def test_committed_projects_and_start_years():
    later = ProjectLoad("later", 500.0, 0.0, first_year=2023)  # after the plan: no effect
    committed = ProjectLoad("committed", 20.0, 0.0, first_year=2022)
    [y] = project_area(HISTORY, [committed, later])
    assert y.projects_tce == pytest.approx(20.0)
    assert y.headroom_tce == pytest.approx(24.0)  # 1089 - (1045 + 20)


def test_no_remaining_years_when_the_target_year_is_observed():
    done = AreaHistory(2020, 2021, (1000.0, 1045.0), 1000.0, (110.0,), 5.0, 6.0, 10.0)
    assert project_area(done, [CANDIDATE]) == ()


def test_history_checks():
    with pytest.raises(ValueError, match="GDP indices"):
        AreaHistory(2020, 2022, (1.0, 2.0), 1.0, (), 10.0, 12.0, 5.0)
    with pytest.raises(ValueError, match="incentive"):
        AreaHistory(2020, 2022, (1.0,), 1.0, (), 10.0, 8.0, 5.0)
    with pytest.raises(ValueError, match="energy_tce"):
        ProjectLoad("x", float("nan"), 0.0, 2022)


def test_headroom():
    assert budget_headroom(1000.0, 1200.0) == -200.0


def test_value_added_per_tce_and_ranking():
    assert value_added_per_tce(30.0, 10.0) == 3.0
    assert value_added_per_tce(30.0, 0.0) is None
    projects = [
        ProjectLoad("a", 100.0, 100.0, 2022),  # 1.0
        ProjectLoad("b", 10.0, 50.0, 2022),  # 5.0
        ProjectLoad("none", 0.0, 5.0, 2022),  # no energy: unranked
        ProjectLoad("c", 20.0, 20.0, 2022),  # 1.0, ties with a
        ProjectLoad("d", 1000.0, 100.0, 2022),  # 0.1
    ]
    ranked = [(r.key, r.value_added_per_tce, r.rank) for r in rank_by_value_added_per_tce(projects)]
    assert ranked == [
        ("b", 5.0, 1),
        ("a", 1.0, 2),
        ("c", 1.0, 2),
        ("d", 0.1, 4),
        ("none", None, None),
    ]


def test_an_exit_releases_budget_and_takes_its_value_added_with_it():
    # A running plant of 100 tce and 5 value added exits at the end of 2021 (release from
    # 2022): assessed 1045 - 100 = 945; GDP 1210 - 5 = 1205 -> 945/1205 = 0.7842324.
    # Budget: 1205 < planned 1210, no adjustment -> 1089; headroom 1089 - 945 = 144.
    exit_ = ProjectLoad("old", -100.0, -5.0, first_year=2022)
    [y] = project_area(HISTORY, [exit_])
    assert (y.projects_tce, y.released_tce) == (0.0, 100.0)
    assert y.assessed_tce == pytest.approx(945.0)
    assert y.intensity == pytest.approx(945 / 1205)
    assert y.headroom_tce == pytest.approx(144.0)
    # A separately listed plant that exits frees nothing: it was never in the assessment.
    [listed] = project_area(HISTORY, [ProjectLoad("old", -100.0, 0.0, 2022, True)])
    assert listed.assessed_tce == pytest.approx(1045.0)
