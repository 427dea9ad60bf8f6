"""Unit-product energy consumption against the efficiency benchmark and baseline levels.

The NDRC's 《高耗能行业重点领域能效标杆水平和基准水平（2021年版）》(发改产业〔2021〕1609号)
gives, for 25 key areas, a *benchmark level* (标杆水平, the advanced level projects should
reach) and a *baseline level* (基准水平, the level below which existing capacity must be
upgraded or closed) of unit-product energy consumption. Lower is better on every line, so:

* value <= benchmark              -> 达到标杆 (:attr:`EfficiencyClass.AT_BENCHMARK`)
* benchmark < value <= baseline   -> 标杆与基准之间 (:attr:`EfficiencyClass.BETWEEN`)
* value > baseline                -> 未达基准 (:attr:`EfficiencyClass.BELOW_BASELINE`)

A value equal to the baseline reaches the baseline (达到基准), hence "between".

The Beihai plan, 三(一): "钢铁、水泥、平板玻璃、炼油等重点行业产能达到能效标杆水平的比例超过30%".
:func:`capacity_share_at_benchmark` computes, per benchmark line and per industry, the share
of capacity whose unit energy consumption is at or better than the benchmark, and compares
each industry with the target share the caller passes (the plan's figure, 30 %, and whether it
must be exceeded, "超过" -> strictly above; both live in the plan file, not here).

Overall share across industries: capacities of different industries are in different units
(t/d of clinker, 10^4 t/a of crude oil, ...) and cannot be added. The plan, like the national
action plans it follows, sets the 30 % target *for each* key industry, so the result reports
each industry against the target and ``all_industries_meet_target``; ``lowest_share`` is the
figure that decides it (every industry exceeds the target exactly when the lowest one does).
A second headline figure is also given, ``energy_weighted_share``: the mean of the industry
shares weighted by each industry's annual energy consumption [tce], the only quantity common
to all industries. It is ``None`` unless every unit states its annual energy use.

Data: the packaged ``data/efficiency_benchmarks_2021.yaml`` holds only the lines whose two
figures were confirmed by an independent public source (炼油, 水泥熟料, 电解铝); the other
areas of the document are deliberately absent until their figures are checked. Each line
records its source row and the evidence used.

The 25 areas of the 2021 edition, in the document's order (the ``area_number`` of a line):
1 炼油, 2 煤制焦炭, 3 煤制甲醇, 4 煤制烯烃, 5 煤制乙二醇, 6 烧碱, 7 纯碱, 8 电石, 9 乙烯,
10 对二甲苯, 11 黄磷, 12 合成氨, 13 磷酸一铵, 14 磷酸二铵, 15 水泥熟料, 16 平板玻璃,
17 建筑陶瓷, 18 卫生陶瓷, 19 炼铁, 20 炼钢, 21 铁合金冶炼, 22 铜冶炼, 23 铅冶炼, 24 锌冶炼,
25 电解铝 (list as given by the reports on the 2023 edition, which name "the 25 areas
previously specified": laitimes.com, "NDRC's Energy Efficiency Benchmarking Level and
Benchmark Level in Key Industrial Areas (2023 Edition)", and doors100.com news_1159).

Missing lines that matter for Beihai (issue #5, item 3), with what the search found. None
of these figures may be added from memory; each needs a source that states both figures:

* 平板玻璃 (area 16, kgce/重量箱): no source stating the two figures was found. The only
  lead is sdsjglass.com, "The Implementation Path Of Energy Saving And Carbon Reduction In
  The Flat Glass Industry", which cites a China Building Materials Daily survey titled
  "9.5 难，8 更难"; the part of the page with figures could not be read, so the title alone
  says neither which figure is which nor that they are the 2021 levels. A public
  transcription of GB 21340-2019 table 1 (a 'uebench' standards rebuild script, marked
  "requires_independent_review") gives, in kgce/重量箱, grades 1/2/3 of 8.0/10.0/12.0 for
  lines > 800 t/d, 9.5/11.5/13.5 for 500-800 t/d and -/-/14.0 for ≤ 500 t/d. No source read
  says which of these grades the 2021 edition takes as 标杆 and 基准, so no line was added;
  a source stating that mapping (or the 1609号 annex itself) would settle it.
* 钢铁 — 炼铁/高炉工序 and 炼钢/转炉工序, 电弧炉冶炼 (areas 19, 20, kgce/t): not confirmed for
  the 2021 edition. A public demo data file (a steel "digital carbon" demo, marked 演示)
  gives 高炉 361/435 and 转炉 -30/-10 kgce/t but attributes them to the 2023 edition
  (发改产业〔2023〕723号), not to 1609号. A public transcription of GB 21256-2025 gives the
  grades 高炉 361/370/415, 转炉 -30/-28/-12 and 电弧炉 (≥70 t) 61/64/72 kgce/t: a 2025
  standard whose level 3 differs from those baselines, so it cannot confirm 2021 figures.
  GB 21256-2013 has no electric-furnace limit at all (its foreword: "取消了电炉工序单位产品
  能源消耗限额"). Negative levels are supported (see the tests with a synthetic recovery line).
* 乙烯 (9), 对二甲苯 (10), 烧碱 (6), 合成氨 (12): no public text with their figures was found
  (searched for the 2021 notice, the 2021-2025 action plans, GB 30250 and news reports).
* 造纸/纸浆: not an area of the 2021 edition (absent from the 25 above). Paper entered with
  the 2023 edition (发改产业〔2023〕723号), whose 11 new areas include tissue/toilet base paper
  (原生浆生产生活用纸); the 2022 implementation guide (高耗能行业重点领域节能降碳改造升级
  实施指南（2022年版）) covers 17 industries and no paper either. A paper line therefore
  belongs in a 2023-edition table, not in this one.
* The coal-chemical, phosphate, ceramics, ferroalloy and copper/lead/zinc areas (2-5, 7, 8,
  11, 13, 14, 17, 18, 21-24) were not searched: issue #5 asks for the industries present
  in Beihai.

Numbers are ``float``: the levels are round published figures and the inputs are measured
values; nothing here needs decimal arithmetic.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib.resources import files
from typing import Any

import yaml

from ecer.core import progress as core_progress

__all__ = [
    "BENCHMARK_FILE",
    "BenchmarkDataError",
    "BenchmarkLine",
    "EfficiencyClass",
    "IndustryShare",
    "LineShare",
    "ProductionUnit",
    "RectificationItem",
    "ShareResult",
    "below_baseline",
    "capacity_share_at_benchmark",
    "classify",
    "load_benchmarks",
    "meets_share_target",
    "parse_benchmarks",
]

BENCHMARK_FILE = "efficiency_benchmarks_2021.yaml"
# Shares are compared with the target with ``core.progress``'s tolerance (EPSILON, in %), so an
# industry here and the plan target's status agree at the boundary.
SHARE_EPSILON = core_progress.EPSILON / 100


class EfficiencyClass(StrEnum):
    """Position of a unit energy consumption relative to one benchmark line."""

    AT_BENCHMARK = "at_benchmark"
    BETWEEN = "between"
    BELOW_BASELINE = "below_baseline"

    @property
    def label_zh(self) -> str:
        return _LABELS_ZH[self]


_LABELS_ZH = {
    EfficiencyClass.AT_BENCHMARK: "达到标杆",
    EfficiencyClass.BETWEEN: "标杆与基准之间",
    EfficiencyClass.BELOW_BASELINE: "未达基准",
}


class BenchmarkDataError(ValueError):
    """The benchmark file breaks its schema; the message names the file, line and field."""


@dataclass(frozen=True)
class BenchmarkLine:
    """One row of the benchmark table.

    Attributes:
        code: Stable identifier, e.g. ``"cement_clinker"``.
        area_number: Position of the area in the document's list of 25 key areas.
        industry: Industry (行业) used to group capacity shares, e.g. ``"水泥"``.
        industry_code: GB/T 4754 code when the source gives one.
        product: Product or process (产品/工序).
        indicator: Indicator name (指标名称).
        unit: Unit of ``benchmark`` and ``baseline``, e.g. ``"kgce/t"``.
        benchmark: Benchmark level (标杆水平) [unit].
        baseline: Baseline level (基准水平) [unit]; never below ``benchmark``.
        capacity_unit: Unit of the capacities entered for this line, e.g. ``"t/d"``.
        source: Row of the document the figures come from.
        evidence: Independent public sources that confirm the figures.
    """

    code: str
    area_number: int
    industry: str
    industry_code: str | None
    product: str
    indicator: str
    unit: str
    benchmark: float
    baseline: float
    capacity_unit: str
    source: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ProductionUnit:
    """A production line or plant measured against one benchmark line.

    The industry is the benchmark line's; it is not repeated here so it cannot disagree.

    Attributes:
        unit_id: Identifier of the unit (enterprise and line), shown in lists.
        line_code: Code of the :class:`BenchmarkLine` that applies.
        capacity: Production capacity [the line's ``capacity_unit``]; positive.
        unit_energy_consumption: Measured unit-product energy consumption [the line's
            ``unit``]; may be negative (energy-recovering processes).
        annual_energy_tce: Annual energy consumption of the unit [tce], needed only for
            the energy-weighted overall share.
    """

    unit_id: str
    line_code: str
    capacity: float
    unit_energy_consumption: float
    annual_energy_tce: float | None = None


@dataclass(frozen=True)
class LineShare:
    """Capacity at the benchmark level for one benchmark line.

    Attributes:
        line_code: The benchmark line.
        industry: Its industry.
        capacity_unit: Unit of the capacities.
        total_capacity: Capacity of all units [capacity_unit].
        capacity_at_benchmark: Capacity of units at or better than the benchmark [capacity_unit].
        share: ``capacity_at_benchmark / total_capacity`` [fraction, 0-1].
        unit_count: Number of units.
        units_at_benchmark: Number of units at or better than the benchmark.
    """

    line_code: str
    industry: str
    capacity_unit: str
    total_capacity: float
    capacity_at_benchmark: float
    share: float
    unit_count: int
    units_at_benchmark: int


@dataclass(frozen=True)
class IndustryShare:
    """Capacity at the benchmark level for one industry (plan 三(一)).

    Attributes:
        industry: The industry.
        capacity_unit: Unit shared by all its lines.
        total_capacity: [capacity_unit].
        capacity_at_benchmark: [capacity_unit].
        share: [fraction, 0-1].
        meets_target: ``share`` reaches the target share: strictly above it when the target
            is strict (超过), at or above it otherwise.
        annual_energy_tce: Sum of the units' annual energy use [tce], or ``None`` when a
            unit does not state it.
    """

    industry: str
    capacity_unit: str
    total_capacity: float
    capacity_at_benchmark: float
    share: float
    meets_target: bool
    annual_energy_tce: float | None


@dataclass(frozen=True)
class ShareResult:
    """Shares of capacity at the benchmark level, per line, per industry and overall.

    Attributes:
        by_line: One entry per benchmark line with units, in input order of first use.
        by_industry: One entry per industry, in input order of first use.
        target_share: The target the industries were compared with [fraction].
        strict: Whether an industry had to exceed it (超过) rather than reach it.
        all_industries_meet_target: Every industry's share meets the target.
        industries_meeting_target: How many industries meet the target.
        lowest_share: The lowest industry share [fraction]; it meets the target exactly when
            every industry does. ``None`` without units.
        energy_weighted_share: Industry shares weighted by annual energy use [fraction],
            ``None`` when some unit lacks ``annual_energy_tce`` or the total is zero.
    """

    by_line: tuple[LineShare, ...]
    by_industry: tuple[IndustryShare, ...]
    target_share: float
    strict: bool
    all_industries_meet_target: bool
    industries_meeting_target: int
    lowest_share: float | None
    energy_weighted_share: float | None


@dataclass(frozen=True)
class RectificationItem:
    """A unit below the baseline level, to be upgraded or closed.

    Attributes:
        unit: The production unit.
        line: Its benchmark line.
        excess: ``unit_energy_consumption - baseline`` [line unit]; positive.
        excess_ratio: ``excess / |baseline|`` [fraction].
    """

    unit: ProductionUnit
    line: BenchmarkLine
    excess: float
    excess_ratio: float


def classify(value: float, line: BenchmarkLine) -> EfficiencyClass:
    """Classify a unit-product energy consumption against one benchmark line.

    Args:
        value: Unit-product energy consumption [the line's ``unit``].
        line: The benchmark line.

    Raises:
        ValueError: When ``value`` is not a finite number.
    """
    if not math.isfinite(value):
        raise ValueError(f"unit energy consumption must be a finite number, got {value!r}")
    # 1609号: lower is better; reaching a level means being at or below it.
    if value <= line.benchmark:
        return EfficiencyClass.AT_BENCHMARK
    if value <= line.baseline:
        return EfficiencyClass.BETWEEN
    return EfficiencyClass.BELOW_BASELINE


def _index_lines(lines: Iterable[BenchmarkLine] | None) -> dict[str, BenchmarkLine]:
    return {line.code: line for line in (load_benchmarks() if lines is None else lines)}


def _line_for(unit: ProductionUnit, by_code: Mapping[str, BenchmarkLine]) -> BenchmarkLine:
    try:
        return by_code[unit.line_code]
    except KeyError:
        known = ", ".join(sorted(by_code))
        raise ValueError(
            f"unit {unit.unit_id!r}: unknown benchmark line {unit.line_code!r} (known: {known})"
        ) from None


def _check_unit(unit: ProductionUnit) -> None:
    if not (math.isfinite(unit.capacity) and unit.capacity > 0):
        raise ValueError(f"unit {unit.unit_id!r}: capacity must be positive, got {unit.capacity}")
    if not math.isfinite(unit.unit_energy_consumption):
        raise ValueError(f"unit {unit.unit_id!r}: unit energy consumption must be finite")
    energy = unit.annual_energy_tce
    if energy is not None and not (math.isfinite(energy) and energy >= 0):
        raise ValueError(f"unit {unit.unit_id!r}: annual energy must be >= 0 tce, got {energy}")


def meets_share_target(share: float, target_share: float, *, strict: bool) -> bool:
    """Whether a share of capacity at the benchmark level meets the target share.

    Args:
        share: Share of capacity at the benchmark level [fraction, 0-1].
        target_share: The target share [fraction]; Beihai 三(一): 0.30.
        strict: The target must be exceeded ("超过") rather than reached.
    """
    beyond = share - target_share
    # "超过30%": strictly above; otherwise reaching it is enough (tolerance SHARE_EPSILON).
    return beyond > SHARE_EPSILON if strict else beyond >= -SHARE_EPSILON


def capacity_share_at_benchmark(
    units: Iterable[ProductionUnit],
    lines: Iterable[BenchmarkLine] | None = None,
    *,
    target_share: float,
    strict: bool,
) -> ShareResult:
    """Share of capacity at or better than the benchmark level, per line and per industry.

    Args:
        units: Production units; each names its benchmark line.
        lines: Benchmark lines; the packaged 2021 table when omitted.
        target_share: Target share of each industry [fraction]; Beihai 三(一): 0.30.
        strict: Whether an industry must exceed the target (三(一) "超过": True).

    Raises:
        ValueError: An unknown line code, a non-positive capacity, or an industry whose
            lines use different capacity units (their capacities cannot be added).
    """
    by_code = _index_lines(lines)
    line_totals: dict[str, list[float]] = {}  # code -> [total, at benchmark, count, count at]
    industry_totals: dict[str, list[float]] = {}  # industry -> [total, at benchmark]
    industry_units: dict[str, str] = {}
    industry_energy: dict[str, float | None] = {}
    for unit in units:
        _check_unit(unit)
        line = _line_for(unit, by_code)
        unit_of_industry = industry_units.setdefault(line.industry, line.capacity_unit)
        if unit_of_industry != line.capacity_unit:
            raise ValueError(
                f"industry {line.industry!r} mixes capacity units {unit_of_industry!r} and "
                f"{line.capacity_unit!r}; its capacities cannot be added"
            )
        at_benchmark = classify(unit.unit_energy_consumption, line) is EfficiencyClass.AT_BENCHMARK
        at_capacity = unit.capacity if at_benchmark else 0.0
        totals = line_totals.setdefault(line.code, [0.0, 0.0, 0, 0])
        totals[0] += unit.capacity
        totals[1] += at_capacity
        totals[2] += 1
        totals[3] += 1 if at_benchmark else 0
        industry = industry_totals.setdefault(line.industry, [0.0, 0.0])
        industry[0] += unit.capacity
        industry[1] += at_capacity
        energy = industry_energy.get(line.industry, 0.0)
        industry_energy[line.industry] = (
            None
            if energy is None or unit.annual_energy_tce is None
            else energy + unit.annual_energy_tce
        )

    by_line = tuple(
        LineShare(
            line_code=code,
            industry=by_code[code].industry,
            capacity_unit=by_code[code].capacity_unit,
            total_capacity=total,
            capacity_at_benchmark=at,
            # Plan 三(一): share = capacity at the benchmark level / total capacity.
            share=at / total,
            unit_count=int(count),
            units_at_benchmark=int(count_at),
        )
        for code, (total, at, count, count_at) in line_totals.items()
    )
    by_industry = tuple(
        IndustryShare(
            industry=name,
            capacity_unit=industry_units[name],
            total_capacity=total,
            capacity_at_benchmark=at,
            share=at / total,
            meets_target=meets_share_target(at / total, target_share, strict=strict),
            annual_energy_tce=industry_energy[name],
        )
        for name, (total, at) in industry_totals.items()
    )
    meeting = sum(1 for share in by_industry if share.meets_target)
    return ShareResult(
        by_line=by_line,
        by_industry=by_industry,
        target_share=target_share,
        strict=strict,
        all_industries_meet_target=bool(by_industry) and meeting == len(by_industry),
        industries_meeting_target=meeting,
        lowest_share=min((i.share for i in by_industry), default=None),
        energy_weighted_share=_energy_weighted_share(by_industry),
    )


def _energy_weighted_share(by_industry: Sequence[IndustryShare]) -> float | None:
    energies = [share.annual_energy_tce for share in by_industry]
    if not energies or any(energy is None for energy in energies):
        return None
    total = math.fsum(energy for energy in energies if energy is not None)
    if total == 0:
        return None
    # Overall share = sum(industry share x industry energy [tce]) / sum(industry energy [tce]).
    return (
        math.fsum(
            share.share * share.annual_energy_tce
            for share in by_industry
            if share.annual_energy_tce is not None
        )
        / total
    )


def below_baseline(
    units: Iterable[ProductionUnit], lines: Iterable[BenchmarkLine] | None = None
) -> list[RectificationItem]:
    """Units whose unit energy consumption is above the baseline level (未达基准).

    These are the units the 2021 document requires to be upgraded within a time limit or
    closed. The list is sorted by ``excess_ratio``, worst first.

    Args:
        units: Production units; each names its benchmark line.
        lines: Benchmark lines; the packaged 2021 table when omitted.
    """
    by_code = _index_lines(lines)
    items = []
    for unit in units:
        _check_unit(unit)
        line = _line_for(unit, by_code)
        if classify(unit.unit_energy_consumption, line) is EfficiencyClass.BELOW_BASELINE:
            excess = unit.unit_energy_consumption - line.baseline
            items.append(
                RectificationItem(
                    unit=unit,
                    line=line,
                    excess=excess,
                    # |baseline| keeps the ratio positive for negative baselines (energy recovery).
                    excess_ratio=excess / abs(line.baseline) if line.baseline else math.inf,
                )
            )
    items.sort(key=lambda item: item.excess_ratio, reverse=True)
    return items


# --- loading -------------------------------------------------------------------------------

_LINE_FIELDS: dict[str, tuple[type, ...]] = {
    "code": (str,),
    "area_number": (int,),
    "industry": (str,),
    "industry_code": (str, type(None)),
    "product": (str,),
    "indicator": (str,),
    "unit": (str,),
    "benchmark": (int, float),
    "baseline": (int, float),
    "capacity_unit": (str,),
    "source": (str,),
    "evidence": (list,),
}
_TOP_FIELDS = {"document", "document_number", "lines"}


def _fail(origin: str, where: str, message: str) -> BenchmarkDataError:
    return BenchmarkDataError(f"{origin}: {where}: {message}")


def _parse_line(raw: Any, origin: str, index: int) -> BenchmarkLine:
    where = f"lines[{index}]"
    if not isinstance(raw, dict):
        raise _fail(origin, where, "each line must be a mapping")
    if isinstance(raw.get("code"), str):
        where = f"lines[{index}] ({raw['code']})"
    missing = sorted(set(_LINE_FIELDS) - set(raw))
    if missing:
        raise _fail(origin, where, f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - set(_LINE_FIELDS))
    if unknown:
        raise _fail(origin, where, f"unknown field(s): {', '.join(unknown)}")
    for name, types in _LINE_FIELDS.items():
        value = raw[name]
        # bool is an int subclass; a YAML true/false is never a valid number here.
        if isinstance(value, bool) or not isinstance(value, types):
            expected = " or ".join(t.__name__ for t in types)
            raise _fail(origin, f"{where}.{name}", f"expected {expected}, got {value!r}")
        if isinstance(value, str) and not value.strip():
            raise _fail(origin, f"{where}.{name}", "must not be empty")
    benchmark, baseline = float(raw["benchmark"]), float(raw["baseline"])
    if not (math.isfinite(benchmark) and math.isfinite(baseline)):
        raise _fail(origin, where, "benchmark and baseline must be finite numbers")
    if benchmark > baseline:
        raise _fail(
            origin,
            where,
            f"benchmark {benchmark} is above baseline {baseline}; lower is better, so the "
            "benchmark can never exceed the baseline",
        )
    evidence = raw["evidence"]
    if not evidence or not all(isinstance(item, str) and item.strip() for item in evidence):
        raise _fail(origin, f"{where}.evidence", "must be a non-empty list of texts")
    return BenchmarkLine(
        code=raw["code"],
        area_number=raw["area_number"],
        industry=raw["industry"],
        industry_code=raw["industry_code"],
        product=raw["product"],
        indicator=raw["indicator"],
        unit=raw["unit"],
        benchmark=benchmark,
        baseline=baseline,
        capacity_unit=raw["capacity_unit"],
        source=raw["source"],
        evidence=tuple(evidence),
    )


def parse_benchmarks(text: str, origin: str = "<text>") -> tuple[BenchmarkLine, ...]:
    """Parse a benchmark YAML document strictly.

    Args:
        text: The YAML text.
        origin: Name of the file, used in error messages.

    Raises:
        BenchmarkDataError: Invalid YAML, a missing or unknown field, a wrong type, an empty
            text, a benchmark above its baseline or a duplicated line code; the message
            names the file, the line and the field.
    """
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BenchmarkDataError(f"{origin}: invalid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise _fail(origin, "top level", "must be a mapping")
    missing = sorted(_TOP_FIELDS - set(raw))
    if missing:
        raise _fail(origin, "top level", f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(raw) - _TOP_FIELDS)
    if unknown:
        raise _fail(origin, "top level", f"unknown field(s): {', '.join(unknown)}")
    if not isinstance(raw["lines"], list) or not raw["lines"]:
        raise _fail(origin, "lines", "must be a non-empty list")
    lines = tuple(_parse_line(item, origin, index) for index, item in enumerate(raw["lines"]))
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if line.code in seen:
            raise _fail(origin, f"lines[{index}].code", f"duplicate code {line.code!r}")
        seen.add(line.code)
    return lines


@functools.cache
def load_benchmarks() -> tuple[BenchmarkLine, ...]:
    """Load the packaged 2021 table, ``ecer/core/data/efficiency_benchmarks_2021.yaml``.

    Parsed once per process (the lines are immutable); pages ask for it per enterprise.
    """
    resource = files("ecer.core").joinpath("data", BENCHMARK_FILE)
    return parse_benchmarks(resource.read_text(encoding="utf-8"), origin=BENCHMARK_FILE)
