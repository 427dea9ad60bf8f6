"""Data-quality rules (数据质量规则) for submitted records.

Rules are data: each one is built from a plain dict (loadable from YAML or a table) by
:func:`rule_from_dict`, which validates it strictly and names the offending field in
its error. A rule has a code, a Chinese name, the kind of record it applies to, a
severity and one condition; when the condition is violated :func:`evaluate` returns a
:class:`Finding` whose Chinese message is the rule's template filled with the figures
that triggered it.

Severities: ``error`` blocks approval, ``warning`` needs a reviewer's comment, ``info``
is shown only.

Condition kinds (``condition.kind``):

- ``required``: the field is present and non-empty.
- ``range``: ``minimum <= value <= maximum``; the record's unit must equal the rule's
  unit, otherwise the rule reports a unit mismatch (it never converts).
- ``allowed``: the value is one of a list.
- ``yoy_change``: change against the previous-year record beyond ``±max_change_pct``.
- ``index_band``: an index with the previous year = 100 (e.g. the GDP index at
  comparable prices) outside ``[lower, upper]``.
- ``components_sum``: components (carriers, sectors) sum to the total within
  ``tolerance_pct`` of the total.
- ``ratio``: a reported ratio equals ``factor × numerator / denominator`` within
  ``tolerance_pct`` of the reported value (e.g. energy intensity).
- ``reported_vs_online``: a reported annual figure against the sum of online data.
- ``daily_vs_monthly``: the sum of daily online totals against the monthly total.
- ``completeness``: the share of expected online intervals that are present.
- ``reduction_vs_monitored``: a claimed pollutant reduction against the reduction in
  loads computed from HJ 212 monitoring.
- ``reported_vs_computed``: a reported figure of a computed plan target against the computed
  one, as reconciled by :func:`ecer.core.reconciliation.reconcile` (the tolerance is the
  reconciliation's, one setting for every surface, so the rule has no parameter).

Records are plain dicts (field → value). A quantity's unit is in the field
``<field>_unit`` unless the rule names another ``unit_field``. Cross-source figures
(previous-year record, online sums, interval counts, monitored loads) come in a
:class:`Context`. Conditions only judge what they can see: a missing value is left to
``required`` rules and missing cross-source data to ``completeness``, so a rule whose
inputs are absent stays silent.

Number type: ``float``. Figures are statistics with a handful of significant digits
and tolerances are whole percentages; comparisons allow ``EPSILON`` (relative) so a
deviation exactly at the tolerance passes.

References
----------
北海市“十四五”节能减排综合工作方案, 四、（七）加强统计监测能力建设 (data review,
online energy monitoring of key energy-consuming units) and 四、（二） (checking reduction
claims for double counting and false reporting).
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ecer.core.reconciliation import Reconciliation

EPSILON = 1e-9
"""Relative slack of every tolerance comparison, against binary rounding [-]."""

Figures = Mapping[str, float | str]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label_zh(self) -> str:
        return _SEVERITY_LABELS_ZH[self]


_SEVERITY_LABELS_ZH = {
    Severity.ERROR: "错误（不得审核通过）",
    Severity.WARNING: "警告（需审核人说明）",
    Severity.INFO: "提示",
}


# What each key of a rule is called for people (errors and the rule forms).
KEY_LABELS_ZH = {
    "code": "规则代码",
    "name": "规则名称",
    "applies_to": "适用数据",
    "severity": "级别",
    "condition": "检查条件",
    "message": "提示语",
    "kind": "条件类型",
    "field": "检查项",
    "unit": "单位",
    "unit_field": "单位所在项",
    "minimum": "下限",
    "maximum": "上限",
    "values": "允许的取值",
    "max_change_pct": "同比变化允许幅度（%）",
    "lower": "指数下限",
    "upper": "指数上限",
    "total_field": "合计项",
    "component_fields": "分项",
    "tolerance_pct": "允许偏差（%）",
    "numerator_field": "分子项",
    "denominator_field": "分母项",
    "reported_field": "填报的比值项",
    "numerator_unit": "分子单位",
    "denominator_unit": "分母单位",
    "factor": "换算系数",
    "min_share_pct": "最低完整率（%）",
    "rules": "规则列表",
    "version": "版本",
}


class RuleError(ValueError):
    """A rule definition is invalid. ``problem`` says what is wrong (Chinese); ``index`` is
    the rule's position in its set, ``rule`` its code and ``key`` the field at fault
    (``"severity"``, ``"condition.minimum"`` …), so a form can show it beside that field.
    The message joins them: 第 3 条规则（X-1）的“下限”：…"""

    def __init__(
        self, problem: str, *, index: int | None = None, rule: str = "", key: str = ""
    ) -> None:
        self.problem, self.index, self.rule, self.key = problem, index, rule, key
        where = f"第 {index + 1} 条规则" if index is not None else ("规则" if rule else "")
        if rule:
            where += f"（{rule}）"
        if key:
            label = KEY_LABELS_ZH.get(key.rsplit(".", 1)[-1], key)
            where += f"的“{label}”" if where else f"“{label}”"
        super().__init__(f"{where}：{problem}" if where else problem)


@dataclass(frozen=True)
class Quantity:
    """A figure with its unit.

    value: The figure [unit].
    unit: The unit as written, e.g. ``吨标准煤``; compared verbatim, never converted.
    """

    value: float
    unit: str


@dataclass(frozen=True)
class Context:
    """What a record is checked against besides itself.

    record_kind: Kind of the record, matched against each rule's ``applies_to``.
    previous: The same entity's record for the previous year (plain dict), if any.
    online_total: Sum of the online data over the record's period [unit].
    online_daily_sum: Sum of the daily online totals over one month [unit].
    online_monthly_total: The monthly online total of the same month [unit].
    intervals_expected: Number of online data intervals expected in the period [-].
    intervals_present: Number of distinct expected intervals actually received [-].
    monitored_load_baseline: Pollutant load before the project, from HJ 212 data [unit].
    monitored_load_current: Pollutant load after the project, from HJ 212 data [unit].
    reconciliation: A reported figure of a computed target against the computed one.
    """

    record_kind: str
    previous: Mapping[str, Any] | None = None
    online_total: Quantity | None = None
    online_daily_sum: Quantity | None = None
    online_monthly_total: Quantity | None = None
    intervals_expected: int | None = None
    intervals_present: int | None = None
    monitored_load_baseline: Quantity | None = None
    monitored_load_current: Quantity | None = None
    reconciliation: Reconciliation | None = None


# --- conditions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Required:
    field: str


@dataclass(frozen=True)
class Range:
    """``minimum <= value <= maximum`` [unit]; ``unit`` ``None`` for a dimensionless field."""

    field: str
    unit: str | None
    minimum: float | None
    maximum: float | None
    unit_field: str


@dataclass(frozen=True)
class AllowedValues:
    field: str
    values: tuple[str | int, ...]


@dataclass(frozen=True)
class YearOverYearChange:
    """``|value / previous − 1| × 100 <= max_change_pct`` [%]."""

    field: str
    unit: str
    max_change_pct: float
    unit_field: str


@dataclass(frozen=True)
class IndexBand:
    """An index with the previous year = 100 must lie in ``[lower, upper]`` [-]."""

    field: str
    lower: float
    upper: float


@dataclass(frozen=True)
class ComponentsSum:
    """``|Σ components − total| / |total| × 100 <= tolerance_pct`` [%]; absent components
    count as 0, and every present component must carry ``unit``."""

    total_field: str
    component_fields: tuple[str, ...]
    unit: str
    tolerance_pct: float


@dataclass(frozen=True)
class RatioMatches:
    """``recomputed = factor × numerator / denominator`` against the reported ratio;
    ``|recomputed − reported| / |reported| × 100 <= tolerance_pct`` [%]."""

    numerator_field: str
    denominator_field: str
    reported_field: str
    numerator_unit: str
    denominator_unit: str
    unit: str
    factor: float
    tolerance_pct: float


@dataclass(frozen=True)
class ReportedVsOnline:
    """``|reported − online| / reported × 100 <= tolerance_pct`` [%]: the reported figure
    is the official one, so the deviation is relative to it."""

    field: str
    unit: str
    tolerance_pct: float


@dataclass(frozen=True)
class DailyVsMonthly:
    """``|Σ daily − monthly| / monthly × 100 <= tolerance_pct`` [%]."""

    unit: str
    tolerance_pct: float


@dataclass(frozen=True)
class Completeness:
    """``present / expected × 100 >= min_share_pct`` [%]."""

    min_share_pct: float


@dataclass(frozen=True)
class ReductionVsMonitored:
    """``reported <= monitored × (1 + tolerance_pct / 100)`` with
    ``monitored = baseline load − current load`` [unit]. One-sided: only a claim larger
    than what monitoring shows is a problem."""

    field: str
    unit: str
    tolerance_pct: float


@dataclass(frozen=True)
class ReportedVsComputed:
    """The context's reconciliation is beyond its tolerance: ``|reported − computed| /
    |computed| × 100 > tolerance_pct`` [%] (:mod:`ecer.core.reconciliation`). The record
    names what is compared: ``target``, ``area``, ``year`` and ``value_unit``."""


Condition = (
    Required
    | Range
    | AllowedValues
    | YearOverYearChange
    | IndexBand
    | ComponentsSum
    | RatioMatches
    | ReportedVsOnline
    | DailyVsMonthly
    | Completeness
    | ReductionVsMonitored
    | ReportedVsComputed
)


@dataclass(frozen=True)
class Rule:
    """One data-quality rule.

    code: Stable identifier, e.g. ``ENT-YOY-ENERGY``.
    name: Chinese name shown to people.
    applies_to: Record kind, e.g. ``enterprise_energy_report``.
    severity: What a finding means for approval.
    condition: The check.
    message: Chinese template, ``str.format`` placeholders named after the figures.
    """

    code: str
    name: str
    applies_to: str
    severity: Severity
    condition: Condition
    message: str


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for index, rule in enumerate(self.rules):
            if rule.code in seen:
                raise RuleError(
                    f"规则代码“{rule.code}”重复", index=index, rule=rule.code, key="code"
                )
            seen.add(rule.code)


@dataclass(frozen=True)
class Finding:
    """A rule the record breaks.

    rule_code: The rule's code.
    severity: The rule's severity.
    message: Chinese sentence with the figures.
    figures: The figures that triggered it (numbers, units, field names).
    """

    rule_code: str
    severity: Severity
    message: str
    figures: Figures = field(default_factory=dict)


# --- loading rules from data ------------------------------------------------------------

_RULE_KEYS = frozenset({"code", "name", "applies_to", "severity", "condition", "message"})


class _Reader:
    """Typed access to one dict with errors naming the rule and the key at fault."""

    def __init__(
        self, data: object, index: int | None = None, rule: str = "", prefix: str = ""
    ) -> None:
        self.index, self.rule, self.prefix = index, rule, prefix
        if not isinstance(data, Mapping):
            raise self.fail("", "格式有误，应为“项: 值”的映射")
        self.data: Mapping[str, object] = data

    def fail(self, key: str, problem: str) -> RuleError:
        path = f"{self.prefix}.{key}" if self.prefix and key else self.prefix or key
        return RuleError(problem, index=self.index, rule=self.rule, key=path)

    def only(self, allowed: Iterable[str]) -> None:
        unknown = sorted(set(self.data) - set(allowed))
        if unknown:
            raise self.fail("", f"含有不认识的项：{'、'.join(unknown)}")

    def text(self, key: str, default: str | None = None) -> str:
        if key not in self.data:
            if default is not None:
                return default
            raise self.fail(key, "必须填写")
        value = self.data[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"须为非空文字，现为 {value!r}")
        return value

    def optional_text(self, key: str) -> str | None:
        if self.data.get(key) is None:
            return None
        return self.text(key)

    def number(self, key: str, default: float | None = None) -> float:
        if key not in self.data:
            if default is not None:
                return default
            raise self.fail(key, "必须填写")
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise self.fail(key, f"须为数字，现为 {value!r}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(key, f"须为有限的数，现为 {value!r}")
        return number

    def optional_number(self, key: str) -> float | None:
        if self.data.get(key) is None:
            return None
        return self.number(key)

    def non_negative(self, key: str) -> float:
        number = self.number(key)
        if number < 0:
            raise self.fail(key, f"不能为负数，现为 {number:g}")
        return number

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if not isinstance(value, list | tuple) or not value:
            raise self.fail(key, f"须为非空列表，现为 {value!r}")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                raise self.fail(key, f"各项须为非空文字，现有 {item!r}")
        return tuple(value)


def _condition_from_dict(data: object, index: int | None, rule: str) -> Condition:
    r = _Reader(data, index, rule, "condition")
    kind = r.text("kind")
    if kind == "required":
        r.only({"kind", "field"})
        return Required(r.text("field"))
    if kind == "range":
        r.only({"kind", "field", "unit", "unit_field", "minimum", "maximum"})
        name = r.text("field")
        minimum, maximum = r.optional_number("minimum"), r.optional_number("maximum")
        if minimum is None and maximum is None:
            raise r.fail("minimum", "取值范围至少要有下限或上限之一")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise r.fail("minimum", f"下限 {minimum:g} 高于上限 {maximum:g}")
        unit_field = r.text("unit_field", f"{name}_unit")
        return Range(name, r.optional_text("unit"), minimum, maximum, unit_field)
    if kind == "allowed":
        r.only({"kind", "field", "values"})
        values = r.data.get("values")
        if not isinstance(values, list | tuple) or not values:
            raise r.fail("values", f"须为非空列表，现为 {values!r}")
        for item in values:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise r.fail("values", f"各项须为文字或整数，现有 {item!r}")
        return AllowedValues(r.text("field"), tuple(values))
    if kind == "yoy_change":
        r.only({"kind", "field", "unit", "unit_field", "max_change_pct"})
        name = r.text("field")
        return YearOverYearChange(
            name,
            r.text("unit"),
            r.non_negative("max_change_pct"),
            r.text("unit_field", f"{name}_unit"),
        )
    if kind == "index_band":
        r.only({"kind", "field", "lower", "upper"})
        lower, upper = r.number("lower"), r.number("upper")
        if lower > upper:
            raise r.fail("lower", f"指数下限 {lower:g} 高于上限 {upper:g}")
        return IndexBand(r.text("field"), lower, upper)
    if kind == "components_sum":
        r.only({"kind", "total_field", "component_fields", "unit", "tolerance_pct"})
        return ComponentsSum(
            r.text("total_field"),
            r.text_list("component_fields"),
            r.text("unit"),
            r.non_negative("tolerance_pct"),
        )
    if kind == "ratio":
        keys = ("numerator_field", "denominator_field", "reported_field")
        units = ("numerator_unit", "denominator_unit", "unit")
        r.only({"kind", *keys, *units, "factor", "tolerance_pct"})
        factor = r.number("factor", 1.0)
        if factor <= 0:
            raise r.fail("factor", f"须大于 0，现为 {factor:g}")
        return RatioMatches(
            numerator_field=r.text("numerator_field"),
            denominator_field=r.text("denominator_field"),
            reported_field=r.text("reported_field"),
            numerator_unit=r.text("numerator_unit"),
            denominator_unit=r.text("denominator_unit"),
            unit=r.text("unit"),
            factor=factor,
            tolerance_pct=r.non_negative("tolerance_pct"),
        )
    if kind in ("reported_vs_online", "reduction_vs_monitored"):
        r.only({"kind", "field", "unit", "tolerance_pct"})
        cls = ReportedVsOnline if kind == "reported_vs_online" else ReductionVsMonitored
        return cls(r.text("field"), r.text("unit"), r.non_negative("tolerance_pct"))
    if kind == "daily_vs_monthly":
        r.only({"kind", "unit", "tolerance_pct"})
        return DailyVsMonthly(r.text("unit"), r.non_negative("tolerance_pct"))
    if kind == "reported_vs_computed":
        r.only({"kind"})
        return ReportedVsComputed()
    if kind == "completeness":
        r.only({"kind", "min_share_pct"})
        share = r.non_negative("min_share_pct")
        if share > 100:
            raise r.fail("min_share_pct", f"不能大于 100，现为 {share:g}")
        return Completeness(share)
    raise r.fail("kind", f"不认识的条件类型“{kind}”")


def _sample_figures(condition: Condition) -> dict[str, float | str]:
    """The figures a condition provides to its message, with placeholder values."""
    names: tuple[str, ...]
    texts: tuple[str, ...] = ("name",)
    match condition:
        case Required():
            names, texts = (), ("name", "field")
        case Range():
            names = tuple(
                k
                for k, v in (("minimum", condition.minimum), ("maximum", condition.maximum))
                if v is not None
            )
            names = ("value", *names)
            texts = ("name", "field", "unit")
        case AllowedValues():
            names, texts = (), ("name", "field", "value", "allowed")
        case YearOverYearChange():
            names = ("value", "previous", "change_pct", "max_change_pct")
            texts = ("name", "field", "unit")
        case IndexBand():
            names, texts = ("value", "lower", "upper"), ("name", "field")
        case ComponentsSum():
            names = ("total", "components_sum", "difference", "deviation_pct", "tolerance_pct")
            texts = ("name", "total_field", "unit")
        case RatioMatches():
            names = ("reported", "recomputed", "numerator", "denominator")
            names = (*names, "deviation_pct", "tolerance_pct")
            texts = ("name", "unit")
        case ReportedVsOnline():
            names = ("reported", "online", "deviation_pct", "tolerance_pct")
            texts = ("name", "field", "unit")
        case DailyVsMonthly():
            names = ("daily_sum", "monthly_total", "deviation_pct", "tolerance_pct")
            texts = ("name", "unit")
        case Completeness():
            names = ("expected", "present", "share_pct", "min_share_pct")
        case ReductionVsMonitored():
            names = ("reported", "monitored", "baseline_load", "current_load")
            names = (*names, "excess_pct", "tolerance_pct")
            texts = ("name", "field", "unit")
        case ReportedVsComputed():
            names = ("reported", "computed", "difference", "difference_pct", "tolerance_pct")
            texts = ("name", "unit", "target", "area", "year")
    return {**dict.fromkeys(names, 1.0), **dict.fromkeys(texts, "x")}


def _check_template(template: str, condition: Condition, r: _Reader) -> None:
    sample = _sample_figures(condition)
    try:
        placeholders = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError:
        raise r.fail("message", "花括号不成对（占位符写作 {名称}）") from None
    for placeholder in placeholders:
        base = placeholder.split(".")[0].split("[")[0]
        if base not in sample:
            raise r.fail(
                "message",
                f"不认识的占位符 {{{placeholder}}}；可用：{'、'.join(sorted(sample))}",
            )
    try:
        template.format(**sample)
    except (ValueError, TypeError, IndexError, KeyError):
        raise r.fail("message", "占位符的格式写法有误，无法生成提示语") from None


def rule_from_dict(data: Mapping[str, object], index: int | None = None) -> Rule:
    """Build a rule from a plain dict, strictly (``index``: its position in the set).

    Raises :class:`RuleError` naming the rule and field at fault (unknown or missing
    fields, wrong types, a message placeholder the condition does not provide).
    """
    r = _Reader(data, index)
    if isinstance(data.get("code"), str) and data["code"]:
        r.rule = str(data["code"])
    r.only(_RULE_KEYS)
    code = r.text("code")
    severity_text = r.text("severity")
    try:
        severity = Severity(severity_text)
    except ValueError:
        allowed = "、".join(f"{s.value}（{s.label_zh}）" for s in Severity)
        raise r.fail("severity", f"须为 {allowed} 之一，现为“{severity_text}”") from None
    if "condition" not in data:
        raise r.fail("condition", "必须填写")
    condition = _condition_from_dict(data["condition"], index, r.rule)
    message = r.text("message")
    _check_template(message, condition, r)
    return Rule(code, r.text("name"), r.text("applies_to"), severity, condition, message)


def rule_set_from_dict(data: Mapping[str, object]) -> RuleSet:
    """Build a :class:`RuleSet` from ``{"name", "version", "rules": [rule dicts]}``."""
    r = _Reader(data)
    r.only({"name", "version", "rules"})
    name, version = r.text("name"), r.text("version")
    items = data.get("rules")
    if not isinstance(items, list | tuple):
        raise r.fail("rules", f"须为列表，现为 {items!r}")
    rules = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise RuleError("格式有误，应为“项: 值”的映射", index=index)
        rules.append(rule_from_dict(item, index))
    return RuleSet(name, version, tuple(rules))


# --- evaluation -------------------------------------------------------------------------


class _Problem(Exception):
    """A value the rule cannot judge as given (wrong unit, not a number)."""

    def __init__(self, message: str, figures: dict[str, float | str]) -> None:
        super().__init__(message)
        self.message = message
        self.figures = figures


def is_empty(value: object) -> bool:
    """``None``, NaN, a blank string or an empty collection."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Sized):
        return len(value) == 0
    return False


def _number(record: Mapping[str, Any], key: str) -> float | None:
    value = record.get(key)
    if is_empty(value):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _Problem(
            f"“{key}”的值“{value}”不是数值，无法校验",
            {"problem": "not_a_number", "field": key, "value": str(value)},
        )
    return float(value)


def _require_unit(found: object, expected: str, key: str) -> None:
    if found != expected:
        shown = "未注明" if is_empty(found) else f"“{found}”"
        raise _Problem(
            f"“{key}”的单位{shown}，规则要求“{expected}”，系统不做换算，请核对单位",
            {"problem": "unit_mismatch", "field": key, "found": str(found), "expected": expected},
        )


def _require_units(record: Mapping[str, Any], unit: str, *keys: str) -> None:
    """Each field's ``<field>_unit`` must be ``unit``."""
    for key in keys:
        _require_unit(record.get(f"{key}_unit"), unit, key)


def _beyond(deviation_pct: float, tolerance_pct: float) -> bool:
    return deviation_pct > tolerance_pct * (1 + EPSILON) + EPSILON


def _relative_pct(difference: float, reference: float) -> float:
    """``|difference| / |reference| × 100`` [%]; infinite when the reference is 0."""
    if reference == 0:
        return 0.0 if difference == 0 else math.inf
    return abs(difference) / abs(reference) * 100


def _check(c: Condition, record: Mapping[str, Any], ctx: Context) -> dict[str, float | str] | None:
    """Figures when the condition is violated, ``None`` when it holds or cannot be judged."""
    match c:
        case Required():
            if is_empty(record.get(c.field)):
                return {"field": c.field}
            return None
        case Range():
            value = _number(record, c.field)
            if value is None:
                return None
            if c.unit is not None:
                _require_unit(record.get(c.unit_field), c.unit, c.field)
            low = c.minimum is not None and value < c.minimum
            high = c.maximum is not None and value > c.maximum
            if not (low or high):
                return None
            figures: dict[str, float | str] = {"field": c.field, "value": value}
            figures["unit"] = c.unit or ""
            if c.minimum is not None:
                figures["minimum"] = c.minimum
            if c.maximum is not None:
                figures["maximum"] = c.maximum
            return figures
        case AllowedValues():
            raw = record.get(c.field)
            if is_empty(raw) or raw in c.values:
                return None
            allowed = "、".join(str(v) for v in c.values)
            return {"field": c.field, "value": str(raw), "allowed": allowed}
        case YearOverYearChange():
            if ctx.previous is None:
                return None
            value = _number(record, c.field)
            previous = _number(ctx.previous, c.field)
            if value is None or previous is None or previous == 0:
                return None
            _require_unit(record.get(c.unit_field), c.unit, c.field)
            _require_unit(ctx.previous.get(c.unit_field), c.unit, f"{c.field}（上年）")
            change_pct = (value / previous - 1) * 100  # year-over-year growth rate
            if not _beyond(abs(change_pct), c.max_change_pct):
                return None
            return {
                "field": c.field,
                "unit": c.unit,
                "value": value,
                "previous": previous,
                "change_pct": change_pct,
                "max_change_pct": c.max_change_pct,
            }
        case IndexBand():
            value = _number(record, c.field)
            if value is None or c.lower - EPSILON <= value <= c.upper + EPSILON:
                return None
            return {"field": c.field, "value": value, "lower": c.lower, "upper": c.upper}
        case ComponentsSum():
            total = _number(record, c.total_field)
            parts = {f: _number(record, f) for f in c.component_fields}
            given = [p for p in parts.values() if p is not None]
            if total is None or not given:
                return None
            given_fields = [f for f, p in parts.items() if p is not None]
            _require_units(record, c.unit, c.total_field, *given_fields)
            components_sum = math.fsum(given)
            difference = components_sum - total
            deviation_pct = _relative_pct(difference, total)
            if not _beyond(deviation_pct, c.tolerance_pct):
                return None
            return {
                "total_field": c.total_field,
                "unit": c.unit,
                "total": total,
                "components_sum": components_sum,
                "difference": difference,
                "deviation_pct": deviation_pct,
                "tolerance_pct": c.tolerance_pct,
            }
        case RatioMatches():
            numerator = _number(record, c.numerator_field)
            denominator = _number(record, c.denominator_field)
            reported = _number(record, c.reported_field)
            if numerator is None or denominator is None or reported is None or denominator == 0:
                return None
            _require_units(record, c.numerator_unit, c.numerator_field)
            _require_units(record, c.denominator_unit, c.denominator_field)
            _require_units(record, c.unit, c.reported_field)
            recomputed = c.factor * numerator / denominator
            deviation_pct = _relative_pct(recomputed - reported, reported)
            if not _beyond(deviation_pct, c.tolerance_pct):
                return None
            return {
                "unit": c.unit,
                "reported": reported,
                "recomputed": recomputed,
                "numerator": numerator,
                "denominator": denominator,
                "deviation_pct": deviation_pct,
                "tolerance_pct": c.tolerance_pct,
            }
        case ReportedVsOnline():
            reported = _number(record, c.field)
            if ctx.online_total is None or reported is None:
                return None
            _require_units(record, c.unit, c.field)
            _require_unit(ctx.online_total.unit, c.unit, "在线监测合计")
            online = ctx.online_total.value
            deviation_pct = _relative_pct(online - reported, reported)
            if not _beyond(deviation_pct, c.tolerance_pct):
                return None
            return {
                "field": c.field,
                "unit": c.unit,
                "reported": reported,
                "online": online,
                "deviation_pct": deviation_pct,
                "tolerance_pct": c.tolerance_pct,
            }
        case DailyVsMonthly():
            if ctx.online_daily_sum is None or ctx.online_monthly_total is None:
                return None
            _require_unit(ctx.online_daily_sum.unit, c.unit, "日数据合计")
            _require_unit(ctx.online_monthly_total.unit, c.unit, "月数据")
            daily, monthly = ctx.online_daily_sum.value, ctx.online_monthly_total.value
            deviation_pct = _relative_pct(daily - monthly, monthly)
            if not _beyond(deviation_pct, c.tolerance_pct):
                return None
            return {
                "unit": c.unit,
                "daily_sum": daily,
                "monthly_total": monthly,
                "deviation_pct": deviation_pct,
                "tolerance_pct": c.tolerance_pct,
            }
        case Completeness():
            expected, present = ctx.intervals_expected, ctx.intervals_present
            if expected is None or present is None or expected == 0:
                return None
            if expected < 0 or present < 0 or present > expected:
                raise ValueError(
                    f"interval counts must satisfy 0 <= present <= expected, "
                    f"got present={present}, expected={expected}"
                )
            share_pct = present / expected * 100  # share of expected intervals received
            if share_pct >= c.min_share_pct * (1 - EPSILON):
                return None
            return {
                "expected": float(expected),
                "present": float(present),
                "share_pct": share_pct,
                "min_share_pct": c.min_share_pct,
            }
        case ReductionVsMonitored():
            before, after = ctx.monitored_load_baseline, ctx.monitored_load_current
            reported = _number(record, c.field)
            if before is None or after is None or reported is None:
                return None
            _require_units(record, c.unit, c.field)
            _require_unit(before.unit, c.unit, "监测基准排放量")
            _require_unit(after.unit, c.unit, "监测现状排放量")
            baseline, current = before.value, after.value
            monitored = baseline - current  # reduction shown by monitoring = load before − after
            if reported <= monitored * (1 + c.tolerance_pct / 100) + EPSILON * abs(reported):
                return None
            excess_pct = (reported / monitored - 1) * 100 if monitored > 0 else math.inf
            return {
                "field": c.field,
                "unit": c.unit,
                "reported": reported,
                "monitored": monitored,
                "baseline_load": baseline,
                "current_load": current,
                "excess_pct": excess_pct,
                "tolerance_pct": c.tolerance_pct,
            }
        case ReportedVsComputed():
            found = ctx.reconciliation
            if found is None or not found.beyond_tolerance:
                return None
            # A computed figure of 0 has no relative difference: any difference is infinite.
            pct = found.difference_pct
            if pct is None:
                pct = math.copysign(math.inf, found.difference)
            return {
                "target": str(record.get("target", "")),
                "area": str(record.get("area", "")),
                "year": str(found.year),
                "unit": str(record.get("value_unit", "")),
                "reported": found.reported,
                "computed": found.computed,
                "difference": found.difference,
                "difference_pct": pct,
                "tolerance_pct": found.tolerance_pct,
            }
    raise AssertionError(f"unhandled condition {c!r}")  # pragma: no cover


def evaluate(rule_set: RuleSet, record: Mapping[str, Any], context: Context) -> list[Finding]:
    """Findings of every rule of ``rule_set`` that applies to ``context.record_kind``.

    record: The record's fields (field → value); units in ``<field>_unit``.
    context: Record kind and cross-source figures.
    """
    findings = []
    for rule in rule_set.rules:
        if rule.applies_to != context.record_kind:
            continue
        try:
            figures = _check(rule.condition, record, context)
        except _Problem as problem:
            message = f"{rule.name}：{problem.message}"
            findings.append(Finding(rule.code, rule.severity, message, problem.figures))
            continue
        if figures is not None:
            figures = {"name": rule.name, **figures}
            message = rule.message.format(**figures)
            findings.append(Finding(rule.code, rule.severity, message, figures))
    return findings


def blocks_approval(findings: Sequence[Finding]) -> bool:
    """True when any finding is an error: the record cannot be approved."""
    return any(f.severity is Severity.ERROR for f in findings)


def needs_comment(findings: Sequence[Finding]) -> bool:
    """True when any finding is a warning: a reviewer must comment before approving."""
    return any(f.severity is Severity.WARNING for f in findings)


# --- the default rule set ---------------------------------------------------------------

# Project defaults. Thresholds named in the issue: enterprise energy ±40 % year over year,
# GDP index 95–115, daily vs monthly online totals 5 %, online completeness 90 %, reported
# reductions vs monitored loads 10 %. Internal consistency (sums, intensity) is an error:
# it is the submitter's own arithmetic, with 0.5 % / 1 % allowed for rounding in published
# tables. Cross-source checks are warnings (the other source may itself be incomplete, so
# a reviewer decides and comments), except an enterprise report against its own meters
# (5 %, an error: see the rule).
_DISTRICT = "district_energy_year"
_ENTERPRISE = "enterprise_energy_report"
_ONLINE = "online_energy_series"
_REDUCTION = "reduction_project"

DEFAULT_RULES: dict[str, Any] = {
    "name": "默认数据质量规则",
    "version": "1",
    "rules": [
        # District energy and GDP, annual.
        {
            "code": "DIST-REQ-ENERGY",
            "name": "县（区）能源消费总量必填",
            "applies_to": _DISTRICT,
            "severity": "error",
            "condition": {"kind": "required", "field": "total_energy"},
            "message": "{name}：能源消费总量未填写",
        },
        {
            "code": "DIST-REQ-GDP-INDEX",
            "name": "县（区）GDP指数必填",
            "applies_to": _DISTRICT,
            "severity": "error",
            "condition": {"kind": "required", "field": "gdp_index"},
            "message": "{name}：GDP指数（上年=100）未填写",
        },
        {
            "code": "DIST-RANGE-ENERGY",
            "name": "县（区）能源消费总量取值范围",
            "applies_to": _DISTRICT,
            "severity": "error",
            "condition": {
                "kind": "range",
                "field": "total_energy",
                "unit": "万吨标准煤",
                "minimum": 0,
            },
            "message": "{name}：能源消费总量 {value:g} {unit} 不能为负数",
        },
        {
            "code": "DIST-GDP-INDEX-BAND",
            "name": "县（区）GDP指数合理区间",
            "applies_to": _DISTRICT,
            "severity": "warning",
            "condition": {"kind": "index_band", "field": "gdp_index", "lower": 95, "upper": 115},
            "message": (
                "{name}：GDP指数（上年=100）为 {value:g}，超出 {lower:g}–{upper:g} 的合理区间"
            ),
        },
        {
            "code": "DIST-SECTORS-SUM",
            "name": "分行业能耗之和等于总量",
            "applies_to": _DISTRICT,
            "severity": "error",
            "condition": {
                "kind": "components_sum",
                "total_field": "total_energy",
                "component_fields": [
                    "energy_primary",
                    "energy_secondary",
                    "energy_tertiary",
                    "energy_residential",
                ],
                "unit": "万吨标准煤",
                "tolerance_pct": 0.5,
            },
            "message": (
                "{name}：三次产业和居民生活能耗合计 {components_sum:.2f} {unit}，"
                "与能源消费总量 {total:.2f} {unit} 相差 {deviation_pct:.2f}%，"
                "超过允许的 {tolerance_pct:g}%"
            ),
        },
        {
            "code": "DIST-INTENSITY-RECOMPUTED",
            "name": "能耗强度与总量、GDP一致",
            "applies_to": _DISTRICT,
            "severity": "error",
            "condition": {
                "kind": "ratio",
                "numerator_field": "total_energy",
                "numerator_unit": "万吨标准煤",
                "denominator_field": "gdp",
                "denominator_unit": "亿元",
                "reported_field": "energy_intensity",
                "unit": "吨标准煤/万元",
                # 10^4 tce / 10^8 yuan = 1 tce / 10^4 yuan.
                "factor": 1,
                "tolerance_pct": 1,
            },
            "message": (
                "{name}：按能源消费总量 {numerator:g} 万吨标准煤 ÷ GDP {denominator:g} 亿元"
                "计算的能耗强度为 {recomputed:.4f} {unit}，上报值 {reported:.4f} {unit}，"
                "相差 {deviation_pct:.2f}%，超过允许的 {tolerance_pct:g}%"
            ),
        },
        # Key energy-consuming units' annual energy report (能源利用状况报告).
        {
            "code": "ENT-REQ-CODE",
            "name": "统一社会信用代码必填",
            "applies_to": _ENTERPRISE,
            "severity": "error",
            "condition": {"kind": "required", "field": "credit_code"},
            "message": "{name}：统一社会信用代码未填写",
        },
        {
            "code": "ENT-REQ-ENERGY",
            "name": "企业综合能源消费量必填",
            "applies_to": _ENTERPRISE,
            "severity": "error",
            "condition": {"kind": "required", "field": "total_energy"},
            "message": "{name}：综合能源消费量未填写",
        },
        {
            "code": "ENT-RANGE-ENERGY",
            "name": "企业综合能源消费量取值范围",
            "applies_to": _ENTERPRISE,
            "severity": "error",
            "condition": {
                "kind": "range",
                "field": "total_energy",
                "unit": "吨标准煤",
                "minimum": 0,
            },
            "message": "{name}：综合能源消费量 {value:g} {unit} 不能为负数",
        },
        {
            "code": "ENT-CARRIERS-SUM",
            "name": "分品种能耗之和等于综合能耗",
            "applies_to": _ENTERPRISE,
            "severity": "error",
            "condition": {
                "kind": "components_sum",
                "total_field": "total_energy",
                "component_fields": [
                    "energy_coal",
                    "energy_oil",
                    "energy_gas",
                    "energy_electricity",
                    "energy_heat",
                    "energy_other",
                ],
                "unit": "吨标准煤",
                "tolerance_pct": 0.5,
            },
            "message": (
                "{name}：分品种能耗合计 {components_sum:.2f} {unit}，与综合能源消费量 "
                "{total:.2f} {unit} 相差 {deviation_pct:.2f}%，超过允许的 {tolerance_pct:g}%"
            ),
        },
        {
            "code": "ENT-YOY-ENERGY",
            "name": "企业能耗同比变化幅度",
            "applies_to": _ENTERPRISE,
            "severity": "warning",
            "condition": {
                "kind": "yoy_change",
                "field": "total_energy",
                "unit": "吨标准煤",
                "max_change_pct": 40,
            },
            "message": (
                "{name}：综合能源消费量 {value:.2f} {unit}，上年 {previous:.2f} {unit}，"
                "同比变化 {change_pct:+.1f}%，超过 ±{max_change_pct:g}%，请说明原因"
            ),
        },
        {
            # Only the carriers that have online meters are compared: ``metered_energy`` is
            # the report's consumption of those carriers. An error, not a warning: the
            # enterprise's report contradicts its own meters (plan 四(七): data must not be
            # falsified), so approving it anyway needs a recorded justification. Tolerance
            # 5 %, the project's ECER_REPORT_ONLINE_TOLERANCE_PCT default.
            "code": "ENT-ONLINE-RECONCILE",
            "name": "上报能耗与在线监测数据一致",
            "applies_to": _ENTERPRISE,
            "severity": "error",
            "condition": {
                "kind": "reported_vs_online",
                "field": "metered_energy",
                "unit": "吨标准煤",
                "tolerance_pct": 5,
            },
            "message": (
                "{name}：年报中有在线计量的能源品种合计 {reported:.2f} {unit}，在线监测全年合计 "
                "{online:.2f} {unit}，相差 {deviation_pct:.1f}%，超过允许的 {tolerance_pct:g}%"
            ),
        },
        # Online energy monitoring data, one month of one enterprise.
        {
            "code": "ONL-DAILY-MONTHLY",
            "name": "在线监测日数据与月数据一致",
            "applies_to": _ONLINE,
            "severity": "warning",
            "condition": {"kind": "daily_vs_monthly", "unit": "吨标准煤", "tolerance_pct": 5},
            "message": (
                "{name}：日数据合计 {daily_sum:.2f} {unit}，月数据 {monthly_total:.2f} {unit}，"
                "相差 {deviation_pct:.1f}%，超过允许的 {tolerance_pct:g}%"
            ),
        },
        {
            "code": "ONL-COMPLETENESS",
            "name": "在线监测数据完整率",
            "applies_to": _ONLINE,
            "severity": "warning",
            "condition": {"kind": "completeness", "min_share_pct": 90},
            "message": (
                "{name}：应有 {expected:.0f} 个数据、实收 {present:.0f} 个，完整率 "
                "{share_pct:.1f}%，低于 {min_share_pct:g}%"
            ),
        },
        # Pollutant reduction projects (总量减排项目).
        {
            "code": "RED-REQ-PROJECT",
            "name": "减排项目编号必填",
            "applies_to": _REDUCTION,
            "severity": "error",
            "condition": {"kind": "required", "field": "project_code"},
            "message": "{name}：减排项目编号未填写",
        },
        {
            "code": "RED-POLLUTANT",
            "name": "减排污染物种类",
            "applies_to": _REDUCTION,
            "severity": "error",
            "condition": {
                "kind": "allowed",
                "field": "pollutant",
                # The plan's four total-control pollutants: COD, ammonia nitrogen, NOx, VOCs.
                "values": ["COD", "NH3-N", "NOx", "VOCs"],
            },
            "message": "{name}：污染物“{value}”不在总量控制污染物（{allowed}）之列",
        },
        {
            "code": "RED-RANGE-REDUCTION",
            "name": "削减量取值范围",
            "applies_to": _REDUCTION,
            "severity": "error",
            "condition": {"kind": "range", "field": "reduction", "unit": "吨", "minimum": 0},
            "message": "{name}：削减量 {value:g} {unit} 不能为负数",
        },
        {
            "code": "RED-MONITORED",
            "name": "削减量与在线监测排放量一致",
            "applies_to": _REDUCTION,
            "severity": "warning",
            "condition": {
                "kind": "reduction_vs_monitored",
                "field": "reduction",
                "unit": "吨",
                "tolerance_pct": 10,
            },
            "message": (
                "{name}：上报削减量 {reported:.2f} {unit}，在线监测显示排放量由 "
                "{baseline_load:.2f} {unit} 降至 {current_load:.2f} {unit}，仅削减 "
                "{monitored:.2f} {unit}，上报值超出允许的 {tolerance_pct:g}%"
            ),
        },
    ],
}

DEFAULT_RULE_SET = rule_set_from_dict(DEFAULT_RULES)
""":data:`DEFAULT_RULES`, validated."""
