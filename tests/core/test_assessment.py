"""District assessment: hand-checked worked examples and the exemption rules of plan 四(一).

Every input is built with ``ecer.core.intensity`` (as the web layer does); the arithmetic of
each expected score is in the comments.
"""

from __future__ import annotations

import dataclasses

import pytest

from ecer.core import assessment as a
from ecer.core import intensity as ci
from ecer.core import tasks as ct

SCHEME = a.DEFAULT_SCHEME  # weights 40 / 15 / 20 / 25, incentive bonus 3, grades 95 / 80 / 60
TARGET = ci.DualTarget(basic_decline_pct=3.0, incentive_decline_pct=3.5)  # prorated to the year
POLLUTANTS = (a.PollutantShare("化学需氧量", 8.0, 10.0), a.PollutantShare("氮氧化物", 12.0, 10.0))
# The district's line of the tasks league table: 8 tasks, 2 done, 4 on time, 2 overdue.
TASKS = ct.LeagueRow("示例区", done=2, overdue=2, on_time=4, outstanding=1)


def district(
    actual_pct: float, assessed_tce: float, budget_tce: float = 1_000_000.0, **kw: object
) -> a.DistrictInput:
    consumption = ci.assessed_consumption(assessed_tce)
    dual = ci.assess_dual_target(actual_pct, TARGET)
    total = ci.assess_total_consumption(consumption, budget_tce, dual)
    fields: dict[str, object] = {
        "consumption": consumption,
        "pollutants": POLLUTANTS,
        "tasks": TASKS,
    }
    fields.update(kw)
    return a.DistrictInput("d", "示例区", 2023, dual, total, **fields)  # type: ignore[arg-type]


def test_it_scores_a_district_that_meets_the_basic_target_but_exceeds_its_budget() -> None:
    result = a.assess(SCHEME, district(3.2, 1_100_000.0))
    # Intensity: 3.2 >= 3.0 basic -> full 40.
    assert result.line(a.IndicatorCode.INTENSITY).points == pytest.approx(40.0)
    # Total: 1,100,000 over 1,000,000 by 10 % -> 15 x (1 - 10/20) = 7.5.
    assert result.line(a.IndicatorCode.TOTAL).points == pytest.approx(7.5)
    assert result.line(a.IndicatorCode.TOTAL).status is a.LineStatus.SCORED
    # Pollutants: COD 8/10 = 0.8, NOx 12/10 capped at 1 -> mean 0.9 -> 20 x 0.9 = 18.
    assert result.line(a.IndicatorCode.POLLUTANTS).points == pytest.approx(18.0)
    # Tasks: (2 done + 4 on time) of 8 not overdue -> 25 x 6/8 = 18.75.
    assert result.line(a.IndicatorCode.TASKS).points == pytest.approx(18.75)
    # 40 + 7.5 + 18 + 18.75 = 84.25, no bonus (incentive 3.5 not met) -> 完成 (80 <= 84.25 < 95).
    assert result.score == pytest.approx(84.25)
    assert result.grade is a.Grade.COMPLETED
    assert result.reasons_zh[-1] == "综合得分 84.25 分，评为完成"


def test_the_incentive_exemption_scores_total_consumption_in_full() -> None:
    """Plan 四(一): the same overspend, but the incentive target met -> total not assessed."""
    exempt = a.assess(SCHEME, district(3.6, 1_100_000.0))
    total = exempt.line(a.IndicatorCode.TOTAL)
    assert total.status is a.LineStatus.EXEMPT and total.points == pytest.approx(15.0)
    assert "免于考核" in total.reason_zh
    # 40 + 15 + 18 + 18.75 = 91.75; incentive bonus 3 -> 94.75 -> still 完成 (< 95).
    assert exempt.base_score == pytest.approx(91.75)
    assert exempt.score == pytest.approx(94.75)
    assert exempt.grade is a.Grade.COMPLETED
    assert exempt.exemptions_zh[0].startswith("达到激励目标")
    # Without the exemption rule (3.4: basic only) the same district scores 84.25 (test above
    # gives 40 + 7.5 + 18 + 18.75): the rule is worth 7.5 + 3 = 10.5 points here.
    basic_only = a.assess(SCHEME, district(3.4, 1_100_000.0))
    assert basic_only.score == pytest.approx(84.25)
    assert exempt.score - basic_only.score == pytest.approx(10.5)


def test_the_exemption_and_a_bonus_item_lift_the_grade_to_exceeded() -> None:
    inp = district(3.6, 1_100_000.0, items=(a.RecordedItem("demonstration", "国家级试点"),))
    result = a.assess(SCHEME, inp)
    # 94.75 + 2 (bonus item) = 96.75 >= 95 -> 超额完成.
    assert result.score == pytest.approx(96.75)
    assert result.grade is a.Grade.EXCEEDED


def test_the_deductions_of_plan_4_1_change_intensity_total_and_grade() -> None:
    """Raw-material use and renewables are not counted (plan 四(一)).

    Base year: gross 1,050,000 tce of which raw material 50,000 -> assessed 1,000,000;
    GDP 10,000,000 (10^4 yuan). Year: GDP index 105 -> comparable GDP 10,500,000; gross
    1,080,000, raw material 50,000, renewables 20,000 -> assessed 1,010,000.
    Assessed: 1,010,000 / 10,500,000 = 0.0961905 against 0.1 -> decline 3.8095 % >= 3.5
    incentive -> total exempt. Gross: 1,080,000 / 10,500,000 = 0.1028571 against 0.105 ->
    decline 2.0408 % < 3.0 basic -> intensity veto.
    """
    base = ci.assessed_consumption(1_050_000.0, raw_material_tce=50_000.0)
    year = ci.assessed_consumption(1_080_000.0, raw_material_tce=50_000.0, renewable_tce=20_000.0)
    budget = 1_000_000.0

    def inp(assessed_base: float, assessed: float, consumption: ci.AssessedConsumption) -> object:
        decline = ci.intensity_decline(assessed_base, 10_000_000.0, assessed, [105.0])
        dual = ci.assess_dual_target(decline.decline_pct, TARGET)
        total = ci.assess_total_consumption(consumption, budget, dual)
        return a.DistrictInput(
            "d", "示例区", 2021, dual, total, consumption, POLLUTANTS, TASKS
        ), decline

    with_deductions, d1 = inp(base.assessed_tce, year.assessed_tce, year)
    assert d1.decline_pct == pytest.approx(3.8095238, abs=1e-6)
    deducted = a.assess(SCHEME, with_deductions)  # type: ignore[arg-type]
    # 40 + 15 (exempt) + 18 + 18.75 = 91.75, + 3 incentive bonus = 94.75 -> 完成.
    assert deducted.score == pytest.approx(94.75)
    assert deducted.grade is a.Grade.COMPLETED
    assert any("原料用能 50,000、可再生能源 20,000" in e for e in deducted.exemptions_zh)

    gross_year = ci.assessed_consumption(1_080_000.0)
    without, d2 = inp(base.gross_tce, gross_year.assessed_tce, gross_year)
    assert d2.decline_pct == pytest.approx(2.0408163, abs=1e-6)
    counted = a.assess(SCHEME, without)  # type: ignore[arg-type]
    # Intensity 2.0408 / 3.0 = 0.68027 of the basic target -> 40 x 0.68027 = 27.211;
    # total 1,080,000 over 1,000,000 by 8 % -> 15 x (1 - 8/20) = 9;
    # 27.211 + 9 + 18 + 18.75 = 72.961, but the basic target is missed -> 未完成 (veto).
    assert counted.score == pytest.approx(27.2108844 + 9.0 + 18.0 + 18.75)
    assert counted.grade is a.Grade.FAILED
    assert "未完成能耗强度降低基本目标" in counted.vetoes


def test_the_intensity_veto_can_be_switched_off_in_the_scheme() -> None:
    inp = district(2.4, 1_000_000.0)
    # 2.4 / 3.0 = 0.8 -> 32; total within -> 15; 32 + 15 + 18 + 18.75 = 83.75.
    vetoed = a.assess(SCHEME, inp)
    assert vetoed.score == pytest.approx(83.75) and vetoed.grade is a.Grade.FAILED
    lenient = dataclasses.replace(SCHEME, intensity_veto=False)
    assert a.assess(lenient, inp).grade is a.Grade.COMPLETED


def test_a_veto_item_fails_a_district_whatever_its_score() -> None:
    inp = district(3.6, 900_000.0, items=(a.RecordedItem("two_high_violation", "某项目"),))
    result = a.assess(SCHEME, inp)
    assert result.score == pytest.approx(94.75)
    assert result.grade is a.Grade.FAILED
    assert result.vetoes == ("违规审批或未经节能审查建设“两高”项目",)


def test_a_deduction_item_lowers_the_score_and_can_change_the_grade() -> None:
    inp = district(3.2, 1_100_000.0, items=(a.RecordedItem("late_reporting"),))
    # 84.25 - 2 = 82.25 -> 完成; a second scheme with a 5-point deduction -> 79.25 -> 基本完成.
    assert a.assess(SCHEME, inp).score == pytest.approx(82.25)
    items = tuple(
        dataclasses.replace(i, points=5.0) if i.code == "late_reporting" else i
        for i in SCHEME.items
    )
    harsher = dataclasses.replace(SCHEME, items=items)
    result = a.assess(harsher, inp)
    assert result.score == pytest.approx(79.25) and result.grade is a.Grade.BASIC


def test_missing_indicators_are_left_out_and_the_rest_scaled_to_100() -> None:
    inp = district(3.2, 1_000_000.0, pollutants=(), tasks=None)
    result = a.assess(SCHEME, inp)
    # Only intensity (40) and total (15) scored, both full: 55 / 55 x 100 = 100.
    assert result.line(a.IndicatorCode.POLLUTANTS).points is None
    assert result.score == pytest.approx(100.0)
    empty = a.DistrictInput("d", "示例区", 2021, None, None)
    assert a.assess(SCHEME, empty).grade is a.Grade.UNRATED


def test_key_tasks_score_the_league_tables_share_in_good_standing() -> None:
    # 五(二): the tasks line reads the district's league row. 10 tasks, 3 done, 4 on time, 3
    # overdue -> 7/10 of 25 = 17.5, the reason naming each count and the 70 % the league shows.
    row = ct.LeagueRow("示例区", done=3, overdue=3, on_time=4, outstanding=2)
    line = a.assess(SCHEME, district(3.2, 1_000_000.0, tasks=row)).line(a.IndicatorCode.TASKS)
    assert line.points == pytest.approx(25 * ct.standing_share(row))
    assert line.points == pytest.approx(17.5)
    assert line.reason_zh == (
        "10 项工作任务中 3 项已完成、4 项按进度推进、3 项逾期（按期率 70.0%）；本期 2 项未报送进展"
    )
    none = ct.LeagueRow("示例区", done=0, overdue=0, on_time=0, outstanding=0)
    no_tasks = a.assess(SCHEME, district(3.2, 1_000_000.0, tasks=none))
    assert no_tasks.line(a.IndicatorCode.TASKS).status is a.LineStatus.NO_DATA


@pytest.mark.parametrize(
    ("actual", "points"),
    [(3.0, 40.0), (2.7, 36.0), (1.5, 20.0), (1.49, 0.0), (-1.0, 0.0)],
)
def test_intensity_points_follow_the_share_of_the_target(actual: float, points: float) -> None:
    # 2.7 / 3 = 90 % -> 36 (the cited practice's own example); 1.5 / 3 = 50 % -> 20; below 0.
    assert a.intensity_points(actual, 3.0, 40.0, 0.5) == pytest.approx(points)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (95.0, "exceeded"),
        (94.99, "completed"),
        (80.0, "completed"),
        (60.0, "basic"),
        (59.9, "failed"),
    ],
)
def test_grade_thresholds(score: float, grade: str) -> None:
    assert a.grade_for(score, SCHEME) is a.Grade(grade)


def test_the_scheme_round_trips_and_rejects_bad_data() -> None:
    assert a.scheme_from_dict(SCHEME.as_dict()) == SCHEME
    data = SCHEME.as_dict()
    data["indicators"][0]["weight"] = 50
    with pytest.raises(a.SchemeError, match="合计须为 100 分，现为 110 分"):
        a.scheme_from_dict(data)
    data = SCHEME.as_dict()
    data["completed_min"] = 99
    with pytest.raises(a.SchemeError, match="等级分数线"):
        a.scheme_from_dict(data)
    data = SCHEME.as_dict()
    data["items"][2]["kind"] = "prize"
    with pytest.raises(a.SchemeError, match="第 3 个"):
        a.scheme_from_dict(data)


def test_the_summary_adds_the_districts() -> None:
    inputs = [
        district(3.2, 1_100_000.0),
        district(3.6, 900_000.0),
        a.DistrictInput("e", "乙", 2023, None, None),
    ]
    results = [a.assess(SCHEME, i) for i in inputs]
    summary = a.summarize(inputs, results)
    # 1,100,000 + 900,000 = 2,000,000 assessed; budgets 1,000,000 x 2; scores (84.25 + 94.75) / 2.
    assert summary.assessed_tce == pytest.approx(2_000_000.0)
    assert summary.budget_tce == pytest.approx(2_000_000.0)
    assert summary.mean_score == pytest.approx(89.5)
    assert summary.grade_counts[a.Grade.COMPLETED] == 2
    assert summary.grade_counts[a.Grade.UNRATED] == 1
