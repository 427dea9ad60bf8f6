"""Worked examples of target progress (时序进度), each figure checked by hand."""

from __future__ import annotations

import pytest

from ecer.core.progress import (
    Observation,
    ProgressStatus,
    TargetKind,
    TargetSpec,
    evaluate,
    required_path,
    time_progress,
)


def obs(year: int, value: float, quarter: int | None = None) -> Observation:
    return Observation(year, quarter, value)


def test_intensity_decline_behind_the_equal_rate_path() -> None:
    # Base 0.60 tce/10^4 yuan (2020), target −12.5 % by 2025 → target level 0.525.
    # 2023: time progress 3/5 = 0.6; path 0.60 × 0.875^0.6 = 0.60 × exp(0.6 × ln 0.875)
    #     = 0.60 × exp(0.6 × −0.1335314) = 0.60 × 0.9230066 = 0.553804.
    # Observed 0.555 > 0.553804 → behind. Achieved decline 1 − 0.555/0.60 = 7.5 %,
    # completion 7.5/12.5 = 0.6. Still needed over 2 years: 1 − (0.525/0.555)^(1/2)
    #     = 1 − 0.945946^0.5 = 1 − 0.972597 = 2.7403 %/a.
    spec = TargetSpec(TargetKind.DECLINE_PCT, 2020, 2025, 12.5)
    result = evaluate(spec, [obs(2020, 0.60), obs(2021, 0.58), obs(2023, 0.555)])
    assert result.status is ProgressStatus.BEHIND
    assert result.time_progress == pytest.approx(0.6)
    assert result.required_value == pytest.approx(0.553804, abs=1e-6)
    assert result.achieved_decline_pct == pytest.approx(7.5)
    assert result.completion == pytest.approx(0.6)
    assert result.required_annual_decline_pct == pytest.approx(2.7403, abs=1e-4)
    assert result.target_level == pytest.approx(0.525)


def test_intensity_on_the_path() -> None:
    spec = TargetSpec(TargetKind.DECLINE_PCT, 2020, 2025, 12.5)
    result = evaluate(spec, [obs(2020, 0.60), obs(2023, 0.553)])  # 0.553 < 0.553804
    assert result.status is ProgressStatus.ON_TRACK


def test_a_share_target_follows_a_straight_line() -> None:
    # 18 % (2020) → 23 % (2025): 2022 path 18 + 5 × 2/5 = 20.0; 20.4 is ahead.
    # Completion (20.4 − 18)/(23 − 18) = 0.48.
    spec = TargetSpec(TargetKind.LEVEL_AT_LEAST, 2020, 2025, 23.0)
    result = evaluate(spec, [obs(2020, 18.0), obs(2022, 20.4)])
    assert result.status is ProgressStatus.ON_TRACK
    assert result.required_value == pytest.approx(20.0)
    assert result.completion == pytest.approx(0.48)


def test_charging_piles_cumulative_since_2020() -> None:
    # 3,900 new piles over 2021–2025: 2023 path 3900 × 3/5 = 2,340; 2,300 built → behind.
    # Completion 2300/3900 = 0.589744.
    spec = TargetSpec(TargetKind.CUMULATIVE_INCREASE, 2020, 2025, 3900.0)
    result = evaluate(spec, [obs(2023, 2300.0)])
    assert result.status is ProgressStatus.BEHIND
    assert result.required_value == pytest.approx(2340.0)
    assert result.completion == pytest.approx(0.589744, abs=1e-6)


def test_elimination_of_coal_boilers() -> None:
    # 40 boilers in 2020, all gone by 2025: 2022 path 40 − 40 × 0.4 = 24; 20 left → on track.
    # Completion (40 − 20)/40 = 0.5.
    spec = TargetSpec(TargetKind.ELIMINATION, 2020, 2025, 0.0)
    result = evaluate(spec, [obs(2020, 40.0), obs(2022, 20.0)])
    assert result.status is ProgressStatus.ON_TRACK
    assert result.required_value == pytest.approx(24.0)
    assert result.completion == pytest.approx(0.5)


def test_a_quarterly_figure_uses_the_end_of_its_quarter() -> None:
    # 2022 Q2 ends 1.5 years into the period: time progress 1.5/5 = 0.3; path 18 + 5 × 0.3 = 19.5.
    assert time_progress(2020, 2025, (2022, 2)) == pytest.approx(0.3)
    spec = TargetSpec(TargetKind.LEVEL_AT_LEAST, 2020, 2025, 23.0)
    result = evaluate(spec, [obs(2020, 18.0), obs(2022, 19.4, quarter=2)])
    assert result.required_value == pytest.approx(19.5)
    assert result.status is ProgressStatus.BEHIND


def test_a_reached_level_is_met_even_without_a_base() -> None:
    spec = TargetSpec(TargetKind.LEVEL_AT_LEAST, 2020, 2025, 85.0)
    assert evaluate(spec, [obs(2024, 85.5)]).status is ProgressStatus.MET
    assert evaluate(spec, [obs(2024, 80.0)]).status is ProgressStatus.NO_BASE


@pytest.mark.parametrize(
    ("spec", "observations", "as_of", "status"),
    [
        (TargetSpec(TargetKind.LEVEL_AT_LEAST, 2020, 2025, 23.0), [], None, "no_data"),
        (
            TargetSpec(TargetKind.DECLINE_PCT, 2020, 2025, None),
            [obs(2021, 1.0)],
            None,
            "not_quantified",
        ),
        (
            TargetSpec(TargetKind.LEVEL_AT_LEAST, 2020, 2025, 23.0),
            [obs(2023, 20.0)],
            (2022, None),
            "no_data",
        ),
    ],
)
def test_edge_cases(
    spec: TargetSpec, observations: list[Observation], as_of: tuple[int, None] | None, status: str
) -> None:
    assert evaluate(spec, observations, as_of=as_of).status == status


def test_the_required_path_for_charts() -> None:
    # Equal annual rate: 0.60 × 0.875^(k/5) for k = 0..5; the last point is the target 0.525.
    spec = TargetSpec(TargetKind.DECLINE_PCT, 2020, 2025, 12.5)
    path = required_path(spec, 0.60)
    assert path[0] == pytest.approx(0.60)
    assert path[-1] == pytest.approx(0.525)
    assert path[1] == pytest.approx(0.60 * 0.875**0.2)
