"""Early-warning levels, each branch with hand-checked figures."""

from __future__ import annotations

import pytest

from ecer.core.progress import Observation, TargetKind, TargetSpec, evaluate
from ecer.core.warning import (
    WarningLevel,
    WarningThresholds,
    intensity_warning,
    target_warning,
    total_warning,
)

DEFAULTS = WarningThresholds()
# Energy intensity: base 0.60 tce/10^4 yuan in 2020, −12.5 % by 2025 → target level 0.525.
# Plan average annual rate: 1 − 0.875^(1/5) = 1 − exp(−0.133531/5) = 2.6353 %/a.
INTENSITY = TargetSpec(TargetKind.DECLINE_PCT, 2020, 2025, 12.5)


def intensity_at(year: int, level: float) -> WarningLevel:
    result = evaluate(INTENSITY, [Observation(2020, None, 0.60), Observation(year, None, level)])
    return intensity_warning(result, DEFAULTS).level


def test_a_rising_intensity_is_red() -> None:
    # 0.62 vs 0.60: decline (1 − 0.62/0.60) = −3.33 %.
    result = evaluate(INTENSITY, [Observation(2020, None, 0.60), Observation(2022, None, 0.62)])
    assessment = intensity_warning(result, DEFAULTS)
    assert assessment.level is WarningLevel.RED
    assert assessment.reasons == ("intensity_rose",)
    assert "3.33%" in assessment.messages_zh[0]


def test_on_the_path_is_green() -> None:
    # 2023 path: 0.60 × 0.875^0.6 = 0.60 × exp(−0.0801187) = 0.553806; 0.540 is below it.
    assert intensity_at(2023, 0.540) is WarningLevel.GREEN


def test_slightly_behind_is_yellow() -> None:
    # 0.56 > 0.553806: behind. Completion (1 − 0.56/0.6)/12.5 % = 6.667/12.5 = 0.533 ≥ 0.5 × 0.6.
    # Required rate 1 − (0.525/0.56)^(1/2) = 1 − 0.968246 = 3.175 % ≤ 2 × 2.6353 %.
    assert intensity_at(2023, 0.56) is WarningLevel.YELLOW


def test_a_required_rate_over_twice_the_plan_rate_is_red() -> None:
    # 2024 at 0.585: one year left, required 1 − 0.525/0.585 = 10.256 % > 5.271 %.
    result = evaluate(INTENSITY, [Observation(2020, None, 0.60), Observation(2024, None, 0.585)])
    assessment = intensity_warning(result, DEFAULTS)
    assert assessment.level is WarningLevel.RED
    assert assessment.reasons == ("required_rate_too_high",)
    assert "10.26%" in assessment.messages_zh[0]


def test_a_met_target_is_green_and_missing_data_unknown() -> None:
    assert intensity_at(2025, 0.52) is WarningLevel.GREEN
    no_data = evaluate(INTENSITY, [])
    assert intensity_warning(no_data, DEFAULTS).level is WarningLevel.UNKNOWN


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        # Share 18 % → 23 % by 2025; 2022 path 18 + 5 × 0.4 = 20; red line 0.5 × 0.4 = 0.2.
        (18.5, WarningLevel.RED),  # completion (18.5 − 18)/5 = 0.1 < 0.2
        (19.5, WarningLevel.YELLOW),  # completion 0.3: behind the path, above the red line
        (20.5, WarningLevel.GREEN),  # ahead of the path
    ],
)
def test_level_targets(level: float, expected: WarningLevel) -> None:
    spec = TargetSpec(TargetKind.LEVEL_AT_LEAST, 2020, 2025, 23.0)
    result = evaluate(spec, [Observation(2020, None, 18.0), Observation(2022, None, level)])
    assert target_warning(result, DEFAULTS).level is expected


@pytest.mark.parametrize(
    ("actual", "progress", "expected", "reason"),
    [
        (106.0, 1.0, WarningLevel.RED, "over_budget"),  # 6 % over > 5 %
        (103.0, 1.0, WarningLevel.YELLOW, "over_budget"),  # 3 % over
        (70.0, 0.5, WarningLevel.YELLOW, "ahead_of_pace"),  # 70 % used at half the year
        (40.0, 0.5, WarningLevel.GREEN, "within_budget"),
    ],
)
def test_total_against_budget(
    actual: float, progress: float, expected: WarningLevel, reason: str
) -> None:
    assessment = total_warning(actual, 100.0, progress, DEFAULTS)
    assert (assessment.level, assessment.reasons) == (expected, (reason,))


def test_thresholds_are_data() -> None:
    strict = WarningThresholds(red_over_budget_pct=2.0)
    assert total_warning(103.0, 100.0, 1.0, strict).level is WarningLevel.RED
    with pytest.raises(ValueError, match="budget"):
        total_warning(1.0, 0.0, 1.0, DEFAULTS)


def test_labels_are_chinese() -> None:
    assert WarningLevel.RED.label_zh.startswith("一级预警")
