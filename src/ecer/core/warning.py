"""Early-warning levels (预警等级) for plan targets and energy dual control.

The scheme follows the NDRC's 能耗双控 "barometer" (晴雨表) practice of three levels —
一级预警 (red: the situation is very serious), 二级预警 (yellow: serious), 三级 (green:
progressing smoothly). The exact thresholds below are this project's documented defaults,
configurable through :class:`WarningThresholds`; they are shown on the pages that use them.

Floats throughout, as in :mod:`ecer.core.progress`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ecer.core.progress import ProgressResult, ProgressStatus, TargetKind, Wording


class WarningLevel(StrEnum):
    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    UNKNOWN = "unknown"

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]


_LABELS_ZH = {
    WarningLevel.RED: "一级预警（红色）",
    WarningLevel.YELLOW: "二级预警（黄色）",
    WarningLevel.GREEN: "三级（绿色）",
    WarningLevel.UNKNOWN: "无法判断",
}


@dataclass(frozen=True)
class WarningThresholds:
    """Thresholds of the warning scheme (project defaults).

    red_rate_multiple: Red when the average annual decline still required exceeds this many
        times the plan's own average annual rate [-].
    red_completion_share: Red when completion falls below this share of time progress [-].
    red_over_budget_pct: Red when consumption exceeds the annual budget by more than this [%].
    """

    red_rate_multiple: float = 2.0
    red_completion_share: float = 0.5
    red_over_budget_pct: float = 5.0


@dataclass(frozen=True)
class WarningAssessment:
    """A warning level and why.

    level: The level.
    reasons: Short machine codes, e.g. ``intensity_rose``.
    messages_zh: The same reasons as Chinese sentences with their figures.
    """

    level: WarningLevel
    reasons: tuple[str, ...] = ()
    messages_zh: tuple[str, ...] = ()


def _assess(level: WarningLevel, *pairs: tuple[str, str]) -> WarningAssessment:
    return WarningAssessment(
        level=level, reasons=tuple(p[0] for p in pairs), messages_zh=tuple(p[1] for p in pairs)
    )


def target_warning(result: ProgressResult, thresholds: WarningThresholds) -> WarningAssessment:
    """Warning level of any target from its progress; a 力争/争取 target's shortfall is at
    most yellow (the plan asks to strive for it, not to reach it)."""
    assessed = _target_warning(result, thresholds)
    if result.wording is Wording.STRIVE and assessed.level is WarningLevel.RED:
        return WarningAssessment(
            level=WarningLevel.YELLOW,
            reasons=(*assessed.reasons, "strive_target"),
            messages_zh=(*assessed.messages_zh, "力争目标：未达到时最高为二级预警"),
        )
    return assessed


def _target_warning(result: ProgressResult, thresholds: WarningThresholds) -> WarningAssessment:
    if result.kind is TargetKind.DECLINE_PCT:
        return intensity_warning(result, thresholds)
    status = result.status
    if status in (ProgressStatus.MET, ProgressStatus.ON_TRACK):
        return _assess(WarningLevel.GREEN, ("on_track", "进度符合时序要求"))
    if status is not ProgressStatus.BEHIND:
        return _assess(WarningLevel.UNKNOWN, (status.value, "缺少数据或基期值，无法判断"))
    completion, progress = result.completion, result.time_progress
    red_line = thresholds.red_completion_share * (progress or 0.0)
    if completion is not None and progress and completion < red_line:
        return _assess(
            WarningLevel.RED,
            (
                "far_behind",
                f"完成进度 {completion * 100:.1f}% 不到时序进度 {progress * 100:.0f}% 的"
                f" {thresholds.red_completion_share * 100:.0f}%",
            ),
        )
    return _assess(WarningLevel.YELLOW, ("behind", "完成进度落后于时序进度"))


def intensity_warning(result: ProgressResult, thresholds: WarningThresholds) -> WarningAssessment:
    """Warning level of a decline target (energy or CO2 intensity)."""
    status = result.status
    if status is ProgressStatus.MET:
        return _assess(WarningLevel.GREEN, ("met", "已完成下降目标"))
    if status not in (ProgressStatus.ON_TRACK, ProgressStatus.BEHIND):
        return _assess(WarningLevel.UNKNOWN, (status.value, "缺少数据或基期值，无法判断"))
    achieved = result.achieved_decline_pct
    if achieved is not None and achieved < 0:
        return _assess(
            WarningLevel.RED, ("intensity_rose", f"强度比基期上升 {-achieved:.2f}%，不降反升")
        )
    required, plan_rate = result.required_annual_decline_pct, result.plan_annual_decline_pct
    if (
        required is not None
        and plan_rate is not None
        and plan_rate > 0
        and required > thresholds.red_rate_multiple * plan_rate
    ):
        return _assess(
            WarningLevel.RED,
            (
                "required_rate_too_high",
                f"剩余年份需年均下降 {required:.2f}%，超过规划年均 {plan_rate:.2f}% 的"
                f" {thresholds.red_rate_multiple:g} 倍",
            ),
        )
    completion, progress = result.completion, result.time_progress
    if (
        status is ProgressStatus.BEHIND
        and completion is not None
        and progress
        and completion < thresholds.red_completion_share * progress
    ):
        return _assess(
            WarningLevel.RED,
            (
                "far_behind",
                f"完成进度 {completion * 100:.1f}% 不到时序进度 {progress * 100:.0f}% 的一半",
            ),
        )
    if status is ProgressStatus.BEHIND:
        return _assess(WarningLevel.YELLOW, ("behind", "下降幅度落后于时序进度要求"))
    return _assess(WarningLevel.GREEN, ("on_track", "下降幅度符合时序进度要求"))


def total_warning(
    actual_tce: float, budget_tce: float, time_progress: float, thresholds: WarningThresholds
) -> WarningAssessment:
    """Warning level of total consumption against its annual budget.

    actual_tce: Assessed consumption so far in the year [tce].
    budget_tce: The year's budget [tce]; must be positive.
    time_progress: Share of the year elapsed [0..1] (1 for a whole-year figure).
    """
    if budget_tce <= 0:
        raise ValueError(f"budget must be positive, got {budget_tce}")
    over_pct = (actual_tce / budget_tce - 1) * 100
    if over_pct > thresholds.red_over_budget_pct:
        return _assess(
            WarningLevel.RED,
            (
                "over_budget",
                f"超出年度能耗预算 {over_pct:.1f}%（>{thresholds.red_over_budget_pct:g}%）",
            ),
        )
    if over_pct > 0:
        return _assess(WarningLevel.YELLOW, ("over_budget", f"超出年度能耗预算 {over_pct:.1f}%"))
    share = actual_tce / budget_tce
    if share > time_progress:
        return _assess(
            WarningLevel.YELLOW,
            (
                "ahead_of_pace",
                f"已用预算 {share * 100:.1f}%，快于时间进度 {time_progress * 100:.0f}%",
            ),
        )
    return _assess(WarningLevel.GREEN, ("within_budget", f"在预算内（已用 {share * 100:.1f}%）"))
