import pytest

from ecer.core.projection import (
    Observation,
    intensity_outlook,
    project_trend,
    required_annual_decline_pct,
)


def _series(*pairs):
    return [Observation(year, value) for year, value in pairs]


def test_required_annual_decline():
    # 1.0 -> 0.729 in 3 years: 0.729^(1/3) = 0.9, so 10 % per year
    assert required_annual_decline_pct(1.0, 2022, 0.729, 2025) == pytest.approx(10.0)


def test_required_decline_is_negative_when_already_below_target():
    assert required_annual_decline_pct(0.7, 2022, 0.729, 2025) < 0


def test_required_decline_needs_a_later_target_year():
    with pytest.raises(ValueError, match="after"):
        required_annual_decline_pct(1.0, 2025, 0.9, 2025)


def test_trend_uses_the_last_k_years():
    # k=2 window 2020..2022: (0.81/1.0)^(1/2) = 0.9 -> -10 %/year; the 2019 outlier is ignored
    series = _series((2019, 2.0), (2020, 1.0), (2021, 0.9), (2022, 0.81))
    trend = project_trend(series, 2024, k=2)
    assert (trend.first_year, trend.years_used) == (2020, 2)
    assert trend.average_annual_change_pct == pytest.approx(-10.0)
    # 0.81 x 0.9^2 = 0.6561
    assert trend.projected_value == pytest.approx(0.6561)


def test_trend_window_length_changes_the_rate():
    # k=3 window 2019..2022: (0.81/2.0)^(1/3) = 0.405^(1/3) = 0.7398636 -> -26.01364 %/year
    series = _series((2019, 2.0), (2020, 1.0), (2021, 0.9), (2022, 0.81))
    trend = project_trend(series, 2022, k=3)
    assert trend.average_annual_change_pct == pytest.approx(-26.01364, abs=1e-5)
    assert trend.projected_value == pytest.approx(0.81)


def test_short_series_uses_what_exists():
    # only 2021..2022 exist: (0.95/1.0)^(1/1) -> -5 %/year
    trend = project_trend(_series((2021, 1.0), (2022, 0.95)), 2025)
    assert trend.years_used == 1
    assert trend.average_annual_change_pct == pytest.approx(-5.0)


def test_trend_needs_two_observations():
    with pytest.raises(ValueError, match="two"):
        project_trend(_series((2022, 1.0)), 2025)


def test_trend_rejects_duplicate_years():
    with pytest.raises(ValueError, match="duplicate"):
        project_trend(_series((2022, 1.0), (2022, 0.9)), 2025)


def test_outlook_on_track():
    # base 2020 = 1.0; target 12.5 % -> 0.875 in 2025; 4 %/year observed:
    # 2022 = 0.9216 (achieved (1 - 0.9216) x 100 = 7.84 %), trend -4 %/year
    # (window 2020..2022: k=3 but only 2 years exist);
    # projected 2025 = 0.9216 x 0.96^3 = 0.8153727 -> decline 18.46273 %;
    # required pace 1 - (0.875/0.9216)^(1/3) = 1.7147087 %/year;
    # at 1000 x 10^4 yuan: 815.3727 - 875 = -59.6273 tce
    outlook = intensity_outlook(
        _series((2020, 1.0), (2021, 0.96), (2022, 0.9216)),
        base_year=2020,
        target_decline_pct=12.5,
        target_year=2025,
        planned_gdp_10k_yuan=1000,
    )
    assert outlook.target_intensity == pytest.approx(0.875)
    assert outlook.achieved_decline_pct == pytest.approx(7.84)
    assert outlook.required_annual_decline_pct == pytest.approx(1.7147087)
    assert outlook.trend.years_used == 2
    assert outlook.trend.projected_value == pytest.approx(0.8153727)
    assert outlook.projected_decline_pct == pytest.approx(18.46273, abs=1e-5)
    assert outlook.projected_gap_tce == pytest.approx(-59.6273, abs=1e-4)
    assert outlook.on_track


def test_outlook_off_track_shows_the_gap_in_tce():
    # 1 %/year: projected 2025 = 0.9801 x 0.99^3 = 0.95099005;
    # gap (0.95099005 - 0.875) x 1000 = 75.99005 tce
    outlook = intensity_outlook(
        _series((2020, 1.0), (2021, 0.99), (2022, 0.9801)),
        base_year=2020,
        target_decline_pct=12.5,
        target_year=2025,
        planned_gdp_10k_yuan=1000,
    )
    assert outlook.projected_energy_tce == pytest.approx(950.99005)
    assert outlook.target_energy_tce == pytest.approx(875.0)
    assert outlook.projected_gap_tce == pytest.approx(75.99005)
    assert not outlook.on_track


def test_outlook_needs_the_base_year_observed():
    with pytest.raises(ValueError, match="base year"):
        intensity_outlook(
            _series((2021, 0.99), (2022, 0.98)),
            base_year=2020,
            target_decline_pct=12.5,
            target_year=2025,
            planned_gdp_10k_yuan=1000,
        )
