"""How the plan words a target changes how it is judged (``ecer.core.progress``): 左右, 基本,
超过, 稳定在…以上 and 力争. Every figure below is worked by hand in the comments."""

from __future__ import annotations

import pytest

from ecer.core.progress import (
    Observation,
    ProgressStatus,
    TargetKind,
    TargetSpec,
    Wording,
    evaluate,
    required_path,
)
from ecer.core.warning import WarningLevel, WarningThresholds, target_warning

MET, BEHIND, ON_TRACK = ProgressStatus.MET, ProgressStatus.BEHIND, ProgressStatus.ON_TRACK


def _level(
    target: float,
    base_value: float | None = None,
    *,
    strict: bool = False,
    wording: Wording = Wording.FIRM,
    every_year: bool = False,
) -> TargetSpec:
    return TargetSpec(
        TargetKind.LEVEL_AT_LEAST,
        2020,
        2025,
        target,
        base_value=base_value,
        strict=strict,
        wording=wording,
        every_year=every_year,
    )


def _at(year: int, value: float) -> Observation:
    return Observation(year, None, value)


# --- 左右: 城市生活垃圾资源化利用率达到60%左右 (三(十)) ------------------------------------
# ABOUT_TOLERANCE_PCT = 5: met from 60 − 60 × 5 % = 60 − 3 = 57 % on.


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (57.5, MET),  # 57.5 >= 57
        (57.0, MET),  # exactly the edge of the 5 % convention
        (56.9, BEHIND),  # 56.9 < 57, and in 2025 the path is 60 itself
        (63.0, MET),  # above "about 60" is not held against it
    ],
)
def test_about_60_percent_is_met_within_5_percent_below(
    value: float, status: ProgressStatus
) -> None:
    spec = _level(60, base_value=50, wording=Wording.ABOUT)
    assert evaluate(spec, [_at(2025, value)]).status is status


def test_the_same_figure_without_about_is_not_met() -> None:
    # Firm "60%": 57.5 < 60 and in 2025 nothing is left of the period.
    assert evaluate(_level(60, base_value=50), [_at(2025, 57.5)]).status is BEHIND


# --- 基本: 基本消除城市建成区生活污水直排口 (三(十)), base 20 outlets ------------------------
# BASICALLY_SHARE = 0.95 of the required change 20 -> 0: (20 − remaining) / 20 >= 0.95.


def _basically_eliminate() -> TargetSpec:
    return TargetSpec(TargetKind.ELIMINATION, 2020, 2025, 0, wording=Wording.BASICALLY)


def test_basically_eliminated_with_1_of_20_left_is_met() -> None:
    # (1 − 20) / (0 − 20) = 19 / 20 = 0.95 >= 0.95.
    result = evaluate(_basically_eliminate(), [_at(2020, 20), _at(2025, 1)])
    assert result.status is MET
    assert result.completion == pytest.approx(0.95)


def test_basically_eliminated_with_2_of_20_left_is_not() -> None:
    # (2 − 20) / (0 − 20) = 18 / 20 = 0.90 < 0.95; the path in 2025 is 0, so behind.
    result = evaluate(_basically_eliminate(), [_at(2020, 20), _at(2025, 2)])
    assert result.status is BEHIND
    assert result.completion == pytest.approx(0.90)


def test_firmly_eliminated_with_1_left_is_not() -> None:
    # 全面消除: 1 outlet left is 1 too many.
    spec = TargetSpec(TargetKind.ELIMINATION, 2020, 2025, 0)
    assert evaluate(spec, [_at(2020, 20), _at(2025, 1)]).status is BEHIND


# --- 超过: 产能达到能效标杆水平的比例超过30% (三(一)) ----------------------------------------


@pytest.mark.parametrize(("value", "status"), [(30.0, BEHIND), (30.1, MET)])
def test_more_than_30_percent_is_strict(value: float, status: ProgressStatus) -> None:
    # "超过30%": 30 is not more than 30; 30.1 is. In 2025 exactly 30 is on the path (the path
    # ends at 30) but the period is over, so it is behind, not on track.
    spec = _level(30, base_value=10, strict=True)
    assert evaluate(spec, [_at(2025, value)]).status is status


def test_exactly_30_percent_meets_a_firm_30() -> None:
    assert evaluate(_level(30, base_value=10), [_at(2025, 30.0)]).status is MET


def test_on_the_path_before_2025_a_strict_target_is_on_track() -> None:
    # 2023: time progress 3/5 = 0.6; path 10 + (30 − 10) × 0.6 = 22; 22 is on it.
    spec = _level(30, base_value=10, strict=True)
    result = evaluate(spec, [_at(2023, 22.0)])
    assert result.required_value == pytest.approx(22.0)
    assert result.status is ON_TRACK


# --- 稳定在…以上: 农作物秸秆综合利用率稳定在86%以上 (三(五)) ---------------------------------


def _every_year_86(base: float | None = None) -> TargetSpec:
    return _level(86, base_value=base, every_year=True)


def test_stable_above_86_falls_behind_in_the_year_it_drops_below() -> None:
    observations = [_at(2022, 87.0), _at(2023, 85.9)]
    in_2022 = evaluate(_every_year_86(), observations, as_of=(2022, None))
    in_2023 = evaluate(_every_year_86(), observations, as_of=(2023, None))
    assert in_2022.status is MET  # 87 >= 86
    assert in_2023.status is BEHIND  # 85.9 < 86, although 2025 is two years away
    assert in_2023.required_value == pytest.approx(86.0)
    assert in_2023.gap_to_path == pytest.approx(-0.1)  # 85.9 − 86


def test_stable_above_86_requires_86_in_every_year_not_a_ramp() -> None:
    # With a 2020 base of 80 a ramp would ask 80 + 6 × 0.6 = 83.6 in 2023, and 85.9 would be
    # on track; "稳定在86%以上" asks 86 in 2023 as in every year.
    result = evaluate(_every_year_86(base=80), [_at(2023, 85.9)])
    assert result.required_value == pytest.approx(86.0)
    assert result.status is BEHIND
    assert required_path(_every_year_86(), 80) == [86.0] * 6  # 2020..2025
    ramp = evaluate(_level(86, base_value=80), [_at(2023, 85.9)])
    assert (ramp.required_value, ramp.status) == (pytest.approx(83.6), ON_TRACK)


# --- 力争: 力争达到70%以上 (三(十) 城市生活污水集中收集率) -----------------------------------


def test_a_strive_target_far_behind_is_at_most_yellow() -> None:
    # Base 40 (2020), 41 in 2023: completion (41 − 40) / (70 − 40) = 1/30 = 3.3 %; time
    # progress 3/5 = 60 %; the red line is 50 % of time progress = 30 %: 3.3 % < 30 %, red
    # for a firm target, capped at yellow for 力争.
    thresholds = WarningThresholds()
    strive = evaluate(_level(70, base_value=40, wording=Wording.STRIVE), [_at(2023, 41.0)])
    firm = evaluate(_level(70, base_value=40), [_at(2023, 41.0)])
    assert strive.status is firm.status is BEHIND
    assert strive.completion == pytest.approx(1 / 30)
    assert target_warning(firm, thresholds).level is WarningLevel.RED
    warning = target_warning(strive, thresholds)
    assert warning.level is WarningLevel.YELLOW
    assert warning.reasons == ("far_behind", "strive_target")


def test_a_strive_target_is_judged_like_a_firm_one() -> None:
    # 69.9 < 70 in 2025: not met however firmly it is worded.
    spec = _level(70, base_value=40, wording=Wording.STRIVE)
    assert evaluate(spec, [_at(2025, 69.9)]).status is BEHIND
    assert evaluate(spec, [_at(2025, 70.0)]).status is MET
