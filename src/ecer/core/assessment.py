"""District target-responsibility assessment (节能减排目标责任评价考核): scores and grades.

Plan 五(二): the city assesses every district's energy-saving and emission-reduction target
responsibility each year, with more weight on the energy-intensity decline, on curbing
"two-high, one-low" projects and on the pollutant-reduction tasks. Plan 四(一): a district whose
intensity decline meets the incentive target is exempt from the total-consumption assessment,
and raw-material use, renewables and separately listed major projects are not counted (those
deductions are made before this module sees the figures, by ``ecer.core.intensity``).

The scheme is data (:class:`Scheme`, round-tripped through :meth:`Scheme.as_dict` /
:func:`scheme_from_dict`) so the city can change it without code. What comes from national and
local practice, and what is our own choice:

* Four grades 超额完成 (≥ 95), 完成 (≥ 80), 基本完成 (≥ 60), 未完成 (< 60), and "a district
  that misses its energy-saving (intensity) target is graded 未完成 whatever its score":
  the county-level 节能目标责任评价考核 schemes that follow the national practice
  (e.g. "超额完成(95分以上)、完成(80-94分)、基本完成(60-80分)和未完成(60分以下)4个等级，
  未完成节能目标的，均列入未完成等级"). The boundaries are half-open here (80 is 完成): our
  choice where the sources overlap.
* Intensity decline scored in proportion to the share of the target achieved, nothing below
  half of it ("完成目标的90%得36分 … 完成50%以下不得分", 40 of 100 points): same practice.
  We score linearly between 50 % and 100 % instead of in 10 % steps (our choice).
* Total consumption over the budget loses points linearly to zero at ``total_zero_over_pct``
  over (a local practice scores 超过10%以下 / 20%以下 / 20%以上 in steps; linear is ours).
* Key tasks and measures score the share of the district's tasks not overdue (done or on
  time), the very 按期率 of the tasks league table (``ecer.core.tasks.standing_share``): our
  choice; the plan names the subject (五(二)), not the points.
* The pollutant-reduction, key-task weights, the incentive bonus and the bonus, deduction and
  veto items are our choices: the plan names the subjects (五(二), 四(二)) but not the points.
* An indicator exempt under plan 四(一) scores its full weight (免于考核 = not a ground for
  losing points). An indicator without the data to judge it is left out and the others are
  scaled to 100 (our choice), and the reasons say so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ecer.core.intensity import (
    AssessedConsumption,
    DualTargetResult,
    TargetAttainment,
    TotalConsumptionAssessment,
)
from ecer.core.tasks import LeagueRow, standing_share


class SchemeError(ValueError):
    """A scheme that cannot be used; the message (Chinese) names the field and the rule.

    ``field`` is the key of :meth:`Scheme.as_dict` at fault (``"indicators"``, ``"items"``,
    ``"basic_min"`` …) and ``index`` the position in that list when the fault is one entry's
    (``key`` then names the entry's key): a form puts the message beside the field.
    """

    def __init__(
        self, message: str, field: str = "", index: int | None = None, key: str = ""
    ) -> None:
        super().__init__(message)
        self.field, self.index, self.key = field, index, key


class Grade(StrEnum):
    EXCEEDED = "exceeded"
    COMPLETED = "completed"
    BASIC = "basic"
    FAILED = "failed"
    UNRATED = "unrated"

    @property
    def label_zh(self) -> str:
        return {
            Grade.EXCEEDED: "超额完成",
            Grade.COMPLETED: "完成",
            Grade.BASIC: "基本完成",
            Grade.FAILED: "未完成",
            Grade.UNRATED: "无法评定",
        }[self]


class IndicatorCode(StrEnum):
    INTENSITY = "intensity"
    TOTAL = "total"
    POLLUTANTS = "pollutants"
    TASKS = "tasks"

    @property
    def label_zh(self) -> str:
        """What the indicator measures (its name in a scheme may differ)."""
        return {
            IndicatorCode.INTENSITY: "能耗强度降低（按基本目标完成比例计分）",
            IndicatorCode.TOTAL: "能源消费总量控制（按超出预算幅度扣分）",
            IndicatorCode.POLLUTANTS: "主要污染物重点工程减排（按已核实减排量计分）",
            IndicatorCode.TASKS: "重点任务与措施落实（按任务按期率计分）",
        }[self]


class ItemKind(StrEnum):
    BONUS = "bonus"
    DEDUCTION = "deduction"
    VETO = "veto"

    @property
    def label_zh(self) -> str:
        return {ItemKind.BONUS: "加分项", ItemKind.DEDUCTION: "扣分项", ItemKind.VETO: "否决项"}[
            self
        ]


@dataclass(frozen=True)
class Indicator:
    """A scored indicator: code, Chinese name and weight [points of 100]."""

    code: IndicatorCode
    name_zh: str
    weight: float


@dataclass(frozen=True)
class SpecialItem:
    """A bonus, deduction or veto item; ``points`` [points] is added (bonus) or subtracted
    (deduction); a veto item grades the district 未完成 and has no points."""

    code: str
    name_zh: str
    kind: ItemKind
    points: float = 0.0


@dataclass(frozen=True)
class Scheme:
    """The scoring scheme.

    indicators: The scored indicators; weights sum to 100 [points].
    intensity_zero_share: Share of the basic target below which intensity scores 0 [0..1].
    total_zero_over_pct: Excess over the budget at which total consumption scores 0 [%].
    incentive_bonus: Points added when the incentive intensity target is met [points].
    exceeded_min, completed_min, basic_min: Lowest score of each grade [points].
    intensity_veto: Missing the basic intensity target grades 未完成.
    items: Bonus, deduction and veto items a district can be recorded with.
    """

    indicators: tuple[Indicator, ...]
    intensity_zero_share: float = 0.5
    total_zero_over_pct: float = 20.0
    incentive_bonus: float = 3.0
    exceeded_min: float = 95.0
    completed_min: float = 80.0
    basic_min: float = 60.0
    intensity_veto: bool = True
    items: tuple[SpecialItem, ...] = ()

    def __post_init__(self) -> None:
        codes = [i.code for i in self.indicators]
        for k, code in enumerate(codes):
            if code in codes[:k]:
                raise SchemeError("指标代码重复", "indicators", k, "code")
        for k, ind in enumerate(self.indicators):
            if not (math.isfinite(ind.weight) and ind.weight >= 0):
                raise SchemeError(
                    f"指标“{ind.name_zh}”的权重必须是非负数", "indicators", k, "weight"
                )
        total = math.fsum(i.weight for i in self.indicators)
        if abs(total - 100.0) > 1e-9:
            raise SchemeError(f"各指标权重合计须为 100 分，现为 {total:g} 分", "indicators")
        if not 0 <= self.intensity_zero_share < 1:
            raise SchemeError(
                "强度指标不得分的完成比例须在 0 到 1 之间（不含 1）", "intensity_zero_share"
            )
        if not self.total_zero_over_pct > 0:
            raise SchemeError("总量指标不得分的超出幅度须大于 0", "total_zero_over_pct")
        if not self.incentive_bonus >= 0:
            raise SchemeError("激励目标加分不能为负数", "incentive_bonus")
        if not 0 < self.basic_min < self.completed_min < self.exceeded_min:
            # The first bound out of order is the field at fault.
            at_fault = (
                "basic_min"
                if not self.basic_min > 0
                else "completed_min"
                if not self.completed_min > self.basic_min
                else "exceeded_min"
            )
            raise SchemeError("等级分数线须满足 0 < 基本完成 < 完成 < 超额完成", at_fault)
        item_codes = [i.code for i in self.items]
        for k, item_code in enumerate(item_codes):
            if not item_code or item_code in item_codes[:k]:
                raise SchemeError("加分、扣分、否决项的代码须非空且不重复", "items", k, "code")
        for k, item in enumerate(self.items):
            if item.kind is not ItemKind.VETO and not (
                math.isfinite(item.points) and item.points > 0
            ):
                raise SchemeError(f"“{item.name_zh}”的分值须为正数", "items", k, "points")

    def item(self, code: str) -> SpecialItem | None:
        return next((i for i in self.items if i.code == code), None)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready); :func:`scheme_from_dict` reads it back."""
        return {
            "indicators": [
                {"code": str(i.code), "name_zh": i.name_zh, "weight": i.weight}
                for i in self.indicators
            ],
            "intensity_zero_share": self.intensity_zero_share,
            "total_zero_over_pct": self.total_zero_over_pct,
            "incentive_bonus": self.incentive_bonus,
            "exceeded_min": self.exceeded_min,
            "completed_min": self.completed_min,
            "basic_min": self.basic_min,
            "intensity_veto": self.intensity_veto,
            "items": [
                {"code": i.code, "name_zh": i.name_zh, "kind": str(i.kind), "points": i.points}
                for i in self.items
            ],
        }


def _number(raw: Mapping[str, Any], key: str, where: str) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchemeError(f"{where}“{key}”必须是数字")
    return float(value)


def scheme_from_dict(raw: Mapping[str, Any]) -> Scheme:
    """Read a scheme from plain data; :class:`SchemeError` (Chinese) names what is wrong."""
    if not isinstance(raw, Mapping):
        raise SchemeError("考核方案必须是一个对象")
    indicators = []
    for k, ind in enumerate(raw.get("indicators") or []):
        where = f"第 {k + 1} 个指标的"
        if not isinstance(ind, Mapping):
            raise SchemeError(f"第 {k + 1} 个指标必须是一个对象")
        try:
            code = IndicatorCode(str(ind.get("code")))
        except ValueError:
            known = "、".join(c.value for c in IndicatorCode)
            raise SchemeError(f"{where}代码“{ind.get('code')}”未知（可用：{known}）") from None
        indicators.append(
            Indicator(code, str(ind.get("name_zh") or code), _number(ind, "weight", where))
        )
    items = []
    for k, it in enumerate(raw.get("items") or []):
        where = f"第 {k + 1} 个加分/扣分/否决项的"
        if not isinstance(it, Mapping):
            raise SchemeError(f"第 {k + 1} 个加分/扣分/否决项必须是一个对象")
        try:
            kind = ItemKind(str(it.get("kind")))
        except ValueError:
            raise SchemeError(f"{where}类型须为 bonus、deduction 或 veto") from None
        points = 0.0 if kind is ItemKind.VETO else _number(it, "points", where)
        items.append(
            SpecialItem(str(it.get("code") or ""), str(it.get("name_zh") or ""), kind, points)
        )
    options: dict[str, Any] = {}
    for key in (
        "intensity_zero_share",
        "total_zero_over_pct",
        "incentive_bonus",
        "exceeded_min",
        "completed_min",
        "basic_min",
    ):
        if key in raw:
            options[key] = _number(raw, key, "")
    if "intensity_veto" in raw:
        if not isinstance(raw["intensity_veto"], bool):
            raise SchemeError("“intensity_veto”必须是 true 或 false")
        options["intensity_veto"] = raw["intensity_veto"]
    return Scheme(indicators=tuple(indicators), items=tuple(items), **options)


DEFAULT_SCHEME = Scheme(
    indicators=(
        # Plan 五(二): 增加能耗强度降低约束性指标考核权重 — 40 as in the county practice cited.
        Indicator(IndicatorCode.INTENSITY, "能耗强度降低", 40.0),
        # Plan 四(一) / 五(二): 完善能源消费总量和强度考核措施 (weight: our choice).
        Indicator(IndicatorCode.TOTAL, "能源消费总量控制", 15.0),
        # Plan 五(二): 把总量减排目标任务完成情况作为绩效重要考核内容 (weight: our choice).
        Indicator(IndicatorCode.POLLUTANTS, "主要污染物重点工程减排", 20.0),
        # Plan 三 and 四: key tasks and measures, judged on the district's tasks as the league
        # table (部门任务完成情况) counts them: the share not overdue (our choice).
        Indicator(IndicatorCode.TASKS, "重点任务与措施落实", 25.0),
    ),
    items=(
        # Plan 五(二): 坚决遏制“两高一低”项目盲目发展 — a veto (our choice of sanction).
        SpecialItem("two_high_violation", "违规审批或未经节能审查建设“两高”项目", ItemKind.VETO),
        # Plan 四(二): 重点核查重复计算、弄虚作假 — a veto (our choice of sanction).
        SpecialItem("falsified_statistics", "统计或减排数据弄虚作假、瞒报谎报", ItemKind.VETO),
        SpecialItem("late_reporting", "未按时报送节能减排数据", ItemKind.DEDUCTION, 2.0),
        SpecialItem("demonstration", "获评国家或自治区节能减排示范试点", ItemKind.BONUS, 2.0),
    ),
)


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollutantShare:
    """One pollutant of a district: reduction achieved and reduction due [t]."""

    name_zh: str
    achieved_t: float
    due_t: float


@dataclass(frozen=True)
class RecordedItem:
    """A bonus, deduction or veto item recorded for the district, with its grounds."""

    code: str
    note: str = ""


@dataclass(frozen=True)
class DistrictInput:
    """Everything one district's assessment for one year needs.

    intensity: Attainment against the basic and incentive targets prorated to the year
        (``ecer.core.intensity.assess_dual_target``); None without data.
    total: Total consumption against the budget with the incentive exemption
        (``ecer.core.intensity.assess_total_consumption``); None without data.
    consumption: Gross, deducted and assessed consumption of the year [tce] (shown only).
    tasks: The district's line of the tasks league table at the end of the year
        (``ecer.core.tasks``: done, on time, overdue, reports outstanding); None without tasks.
    """

    area_code: str
    area_name: str
    year: int
    intensity: DualTargetResult | None
    total: TotalConsumptionAssessment | None
    consumption: AssessedConsumption | None = None
    pollutants: tuple[PollutantShare, ...] = ()
    tasks: LeagueRow | None = None
    items: tuple[RecordedItem, ...] = ()


# --- results -----------------------------------------------------------------------------


class LineStatus(StrEnum):
    SCORED = "scored"
    EXEMPT = "exempt"
    NO_DATA = "no_data"

    @property
    def label_zh(self) -> str:
        return {
            LineStatus.SCORED: "计分",
            LineStatus.EXEMPT: "免于考核",
            LineStatus.NO_DATA: "缺少数据，不计分",
        }[self]


@dataclass(frozen=True)
class IndicatorScore:
    """One indicator's points [points]; None when it is not scored (no data)."""

    code: IndicatorCode
    name_zh: str
    weight: float
    points: float | None
    status: LineStatus
    reason_zh: str


@dataclass(frozen=True)
class ItemEffect:
    code: str
    name_zh: str
    kind: ItemKind
    points: float
    note: str


@dataclass(frozen=True)
class Assessment:
    """A district's assessment.

    base_score: Indicator points, scaled to 100 when some indicator has no data [points].
    bonus: Incentive bonus plus bonus items [points]. deduction: Deduction items [points].
    score: base + bonus - deduction, not below 0 [points]; None when nothing could be scored.
    grade: The grade after vetoes. reasons_zh: Why, in order.
    exemptions_zh: The plan 四(一) rules applied (total exemption, deductions).
    """

    area_code: str
    area_name: str
    year: int
    lines: tuple[IndicatorScore, ...]
    base_score: float | None
    bonus: float
    deduction: float
    score: float | None
    grade: Grade
    vetoes: tuple[str, ...]
    items: tuple[ItemEffect, ...]
    reasons_zh: tuple[str, ...]
    exemptions_zh: tuple[str, ...] = field(default=())

    def line(self, code: IndicatorCode) -> IndicatorScore:
        return next(line for line in self.lines if line.code is code)


# --- scoring -----------------------------------------------------------------------------


def intensity_points(
    actual_decline_pct: float, basic_decline_pct: float, weight: float, zero_share: float
) -> float:
    """Points for the intensity decline [points]: full at the basic target, in proportion to
    the share achieved down to ``zero_share`` of it, 0 below (county practice, module doc)."""
    if basic_decline_pct <= 0:
        return weight if actual_decline_pct >= basic_decline_pct else 0.0
    share = actual_decline_pct / basic_decline_pct
    if share >= 1:
        return weight
    if share < zero_share:
        return 0.0
    return weight * share


def total_points(over_pct: float, weight: float, zero_over_pct: float) -> float:
    """Points for total consumption [points]: full within the budget, falling linearly to 0
    at ``zero_over_pct`` over it (our choice, module doc)."""
    if over_pct <= 0:
        return weight
    return weight * max(0.0, 1.0 - over_pct / zero_over_pct)


def _intensity_line(ind: Indicator, inp: DistrictInput, scheme: Scheme) -> IndicatorScore:
    dual = inp.intensity
    if dual is None:
        return IndicatorScore(
            ind.code, ind.name_zh, ind.weight, None, LineStatus.NO_DATA, "缺少能耗强度数据"
        )
    points = intensity_points(
        dual.actual_decline_pct, dual.basic_decline_pct, ind.weight, scheme.intensity_zero_share
    )
    reason = (
        f"能耗强度累计下降 {dual.actual_decline_pct:.2f}%，当年应达基本目标 "
        f"{dual.basic_decline_pct:.2f}%、激励目标 {dual.incentive_decline_pct:.2f}%，"
        f"{dual.attainment.label_zh}"
    )
    return IndicatorScore(ind.code, ind.name_zh, ind.weight, points, LineStatus.SCORED, reason)


def _total_line(ind: Indicator, inp: DistrictInput, scheme: Scheme) -> IndicatorScore:
    total = inp.total
    if total is None:
        return IndicatorScore(
            ind.code, ind.name_zh, ind.weight, None, LineStatus.NO_DATA, "缺少能源消费总量数据"
        )
    if total.exempt:
        # Plan 四(一): 达到激励目标的县（区），其能源消费总量免于考核.
        return IndicatorScore(
            ind.code,
            ind.name_zh,
            ind.weight,
            ind.weight,
            LineStatus.EXEMPT,
            "能耗强度降低达到激励目标，能源消费总量免于考核（方案四（一）），按满分计",
        )
    over_pct = -total.margin_tce / total.budget_tce * 100.0 if total.budget_tce > 0 else 0.0
    points = total_points(over_pct, ind.weight, scheme.total_zero_over_pct)
    if total.within_budget:
        reason = (
            f"考核能耗 {total.assessed_tce:,.0f} 吨标准煤，未超过年度总量目标 "
            f"{total.budget_tce:,.0f} 吨标准煤"
        )
    else:
        reason = (
            f"考核能耗 {total.assessed_tce:,.0f} 吨标准煤，超出年度总量目标 "
            f"{total.budget_tce:,.0f} 吨标准煤 {over_pct:.2f}%"
        )
    return IndicatorScore(ind.code, ind.name_zh, ind.weight, points, LineStatus.SCORED, reason)


def _pollutant_line(ind: Indicator, inp: DistrictInput) -> IndicatorScore:
    judged = [p for p in inp.pollutants if p.due_t > 0]
    if not judged:
        return IndicatorScore(
            ind.code,
            ind.name_zh,
            ind.weight,
            None,
            LineStatus.NO_DATA,
            "没有应计减排量的重点减排工程",
        )
    # Mean over the pollutants of the share achieved, each capped at 1 (our choice).
    shares = [min(1.0, max(0.0, p.achieved_t / p.due_t)) for p in judged]
    points = ind.weight * math.fsum(shares) / len(shares)
    parts = "；".join(
        f"{p.name_zh} {p.achieved_t:,.1f}/{p.due_t:,.1f} 吨（{s * 100:.0f}%）"
        for p, s in zip(judged, shares, strict=True)
    )
    return IndicatorScore(
        ind.code, ind.name_zh, ind.weight, points, LineStatus.SCORED, f"减排量完成：{parts}"
    )


def _tasks_line(ind: Indicator, inp: DistrictInput) -> IndicatorScore:
    row = inp.tasks
    share = None if row is None else standing_share(row)
    if row is None or share is None:
        return IndicatorScore(
            ind.code, ind.name_zh, ind.weight, None, LineStatus.NO_DATA, "没有应负责的工作任务"
        )
    # The league table's 按期率 (ecer.core.tasks.standing_share): done or on time, not overdue.
    points = ind.weight * share
    reason = (
        f"{row.tasks} 项工作任务中 {row.done} 项已完成、{row.on_time} 项按进度推进、"
        f"{row.overdue} 项逾期（按期率 {share * 100:.1f}%）；本期 {row.outstanding} 项未报送进展"
    )
    return IndicatorScore(ind.code, ind.name_zh, ind.weight, points, LineStatus.SCORED, reason)


def grade_for(score: float, scheme: Scheme) -> Grade:
    """Grade of a score by the scheme's thresholds (half-open: a threshold belongs above)."""
    if score >= scheme.exceeded_min:
        return Grade.EXCEEDED
    if score >= scheme.completed_min:
        return Grade.COMPLETED
    if score >= scheme.basic_min:
        return Grade.BASIC
    return Grade.FAILED


def _exemptions(inp: DistrictInput) -> tuple[str, ...]:
    out = []
    if inp.total is not None and inp.total.exempt:
        out.append("达到激励目标：能源消费总量免于考核（方案四（一））")
    c = inp.consumption
    if c is not None and c.deducted_tce > 0:
        out.append(
            f"不纳入考核的能耗 {c.deducted_tce:,.0f} 吨标准煤（原料用能 {c.raw_material_tce:,.0f}、"
            f"可再生能源 {c.renewable_tce:,.0f}、单列重大项目 {c.separately_listed_tce:,.0f}；"
            f"方案四（一）），考核能耗 {c.assessed_tce:,.0f} 吨标准煤"
        )
    return tuple(out)


def assess(scheme: Scheme, inp: DistrictInput) -> Assessment:
    """Score and grade one district for one year under ``scheme``."""
    lines: list[IndicatorScore] = []
    for ind in scheme.indicators:
        if ind.code is IndicatorCode.INTENSITY:
            lines.append(_intensity_line(ind, inp, scheme))
        elif ind.code is IndicatorCode.TOTAL:
            lines.append(_total_line(ind, inp, scheme))
        elif ind.code is IndicatorCode.POLLUTANTS:
            lines.append(_pollutant_line(ind, inp))
        else:
            lines.append(_tasks_line(ind, inp))
    reasons = [f"{line.name_zh}：{line.reason_zh}" for line in lines]

    scored = [line for line in lines if line.points is not None]
    weight = math.fsum(line.weight for line in scored)
    base: float | None = None
    if scored and weight > 0:
        points = math.fsum(line.points for line in scored if line.points is not None)
        # Indicators without data are left out and the rest scaled to 100 (module doc).
        base = points / weight * 100.0
        if len(scored) < len(lines):
            reasons.append(f"缺少数据的指标不计分，其余 {weight:g} 分按百分制折算")

    bonus = 0.0
    if inp.intensity is not None and inp.intensity.attainment is TargetAttainment.INCENTIVE:
        bonus += scheme.incentive_bonus
        if scheme.incentive_bonus:
            reasons.append(f"达到激励目标，加 {scheme.incentive_bonus:g} 分")
    deduction = 0.0
    vetoes: list[str] = []
    effects: list[ItemEffect] = []
    for recorded in inp.items:
        item = scheme.item(recorded.code)
        if item is None:
            reasons.append(f"记录的事项“{recorded.code}”不在考核方案中，未计入")
            continue
        effects.append(ItemEffect(item.code, item.name_zh, item.kind, item.points, recorded.note))
        if item.kind is ItemKind.BONUS:
            bonus += item.points
            reasons.append(f"加分项：{item.name_zh}，加 {item.points:g} 分")
        elif item.kind is ItemKind.DEDUCTION:
            deduction += item.points
            reasons.append(f"扣分项：{item.name_zh}，扣 {item.points:g} 分")
        else:
            vetoes.append(item.name_zh)
            reasons.append(f"否决项：{item.name_zh}，评为未完成")

    if (
        scheme.intensity_veto
        and inp.intensity is not None
        and inp.intensity.attainment is TargetAttainment.NONE
    ):
        # County practice after the national one: 未完成节能目标的，均列入未完成等级.
        vetoes.append("未完成能耗强度降低基本目标")
        reasons.append("未完成能耗强度降低基本目标（否决性指标），评为未完成")

    if base is None:
        return Assessment(
            inp.area_code,
            inp.area_name,
            inp.year,
            tuple(lines),
            None,
            bonus,
            deduction,
            None,
            Grade.FAILED if vetoes else Grade.UNRATED,
            tuple(vetoes),
            tuple(effects),
            tuple(reasons),
            _exemptions(inp),
        )
    score = max(0.0, base + bonus - deduction)
    grade = Grade.FAILED if vetoes else grade_for(score, scheme)
    reasons.append(f"综合得分 {score:.2f} 分，评为{grade.label_zh}")
    return Assessment(
        inp.area_code,
        inp.area_name,
        inp.year,
        tuple(lines),
        base,
        bonus,
        deduction,
        score,
        grade,
        tuple(vetoes),
        tuple(effects),
        tuple(reasons),
        _exemptions(inp),
    )


def assess_all(scheme: Scheme, inputs: Sequence[DistrictInput]) -> list[Assessment]:
    return [assess(scheme, inp) for inp in inputs]


@dataclass(frozen=True)
class Summary:
    """Totals of a year's assessment table.

    assessed_tce, budget_tce: Sums over the districts with data [tce].
    mean_score: Mean of the scores that exist [points]; None without any.
    grade_counts: Districts per grade.
    """

    assessed_tce: float
    budget_tce: float
    mean_score: float | None
    grade_counts: dict[Grade, int]


def summarize(inputs: Sequence[DistrictInput], results: Sequence[Assessment]) -> Summary:
    totals = [i.total for i in inputs if i.total is not None]
    scores = [r.score for r in results if r.score is not None]
    return Summary(
        assessed_tce=math.fsum(t.assessed_tce for t in totals),
        budget_tce=math.fsum(t.budget_tce for t in totals),
        mean_score=math.fsum(scores) / len(scores) if scores else None,
        grade_counts={g: sum(r.grade is g for r in results) for g in Grade},
    )
