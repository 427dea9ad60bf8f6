"""The packaged 2021 benchmark table against the figures confirmed from public sources.

A line may only enter ``efficiency_benchmarks_2021.yaml`` together with a row here that names
the source its two figures were read in; the module docstring of ``ecer.core.efficiency``
lists the areas still missing.
"""

import math

import pytest

import ecer.core.efficiency as efficiency
from ecer.core.efficiency import (
    EfficiencyClass,
    ProductionUnit,
    below_baseline,
    classify,
    load_benchmarks,
    parse_benchmarks,
)

# code: (area_number, unit, benchmark, baseline)
CONFIRMED = {
    # S&P Global Commodity Insights 2021-10-22 on 发改产业〔2021〕1464号 (8.5 baseline, 7.5
    # benchmark kgoe/(t·energy factor)); GB 30251-2024 grades 2 and 3: 7.50 and 8.50.
    "refining": (1, "kgoe/(t·能量因数)", 7.5, 8.5),
    # e.ccement.com on the Shandong clinker list under 1464号 (117 baseline, 100 benchmark);
    # GB 16780-2021 table 2 grades 1 and 3: 100 and 117 kgce/t.
    "cement_clinker": (15, "kgce/t", 100.0, 117.0),
    # CM Group news on the 2021-2025 metallurgy/building-materials action plan (13,350 base
    # level, 13,000 upper level); GB 21346-2022 table 1 grades 2 and 3: 13000 and 13350 kWh/t.
    "electrolytic_aluminium": (25, "kWh/t", 13000.0, 13350.0),
}

LINES = {line.code: line for line in load_benchmarks()}


def test_the_table_holds_exactly_the_confirmed_lines():
    assert set(LINES) == set(CONFIRMED)


@pytest.mark.parametrize("code", sorted(CONFIRMED))
def test_each_line_has_its_confirmed_figures_and_unit(code):
    area, unit, benchmark, baseline = CONFIRMED[code]
    line = LINES[code]
    assert line.area_number == area
    assert line.unit == unit
    assert (line.benchmark, line.baseline) == (benchmark, baseline)


@pytest.mark.parametrize("code", sorted(CONFIRMED))
def test_each_line_has_a_benchmark_strictly_below_its_baseline(code):
    # Lower is better on every line: the benchmark (标杆) is the stricter level.
    line = LINES[code]
    assert line.benchmark < line.baseline


def test_area_numbers_lie_within_the_25_areas_and_are_unique():
    areas = [line.area_number for line in LINES.values()]
    assert all(1 <= area <= 25 for area in areas)
    assert len(set(areas)) == len(areas)


def test_every_line_quotes_its_evidence():
    for line in LINES.values():
        assert "1609" in line.source
        assert len(line.evidence) >= 1
        assert all(text.strip() for text in line.evidence)


def test_the_missing_areas_are_documented():
    doc = efficiency.__doc__ or ""
    missing = ("平板玻璃", "高炉", "转炉", "电弧炉", "乙烯", "对二甲苯", "烧碱", "合成氨", "造纸")
    for area in missing:
        assert area in doc, area


# Flat glass is not in the table (its figures could not be confirmed), so classification
# of a packaged line is checked on electrolytic aluminium: 13000 / 13350 kWh/t.
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12900.0, EfficiencyClass.AT_BENCHMARK),  # below the benchmark
        (13000.0, EfficiencyClass.AT_BENCHMARK),  # at the benchmark
        (13200.0, EfficiencyClass.BETWEEN),  # between the two levels
        (13350.0, EfficiencyClass.BETWEEN),  # at the baseline: the baseline is reached
        (13351.0, EfficiencyClass.BELOW_BASELINE),  # worse than the baseline
    ],
)
def test_it_classifies_a_packaged_line_at_between_and_below(value, expected):
    assert classify(value, LINES["electrolytic_aluminium"]) is expected


# --- negative levels (energy-recovering processes such as a converter) ----------------------
# Synthetic figures for the tests only; they are not the document's.

SYNTHETIC = """
document: test
document_number: test
lines:
  - code: recovery
    area_number: 20
    industry: 测试
    industry_code: null
    product: 回收型工序
    indicator: 工序单位产品能耗
    unit: kgce/t
    benchmark: -8
    baseline: -3
    capacity_unit: 万吨/年
    source: synthetic
    evidence: [synthetic]
  - code: zero_baseline
    area_number: 20
    industry: 测试二
    industry_code: null
    product: 回收型工序
    indicator: 工序单位产品能耗
    unit: kgce/t
    benchmark: -2
    baseline: 0
    capacity_unit: 万吨/年
    source: synthetic
    evidence: [synthetic]
"""
RECOVERY, ZERO = parse_benchmarks(SYNTHETIC)


def test_negative_levels_parse_and_keep_their_sign():
    assert (RECOVERY.benchmark, RECOVERY.baseline) == (-8.0, -3.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-9.0, EfficiencyClass.AT_BENCHMARK),  # more energy recovered than the benchmark
        (-8.0, EfficiencyClass.AT_BENCHMARK),
        (-5.0, EfficiencyClass.BETWEEN),
        (-3.0, EfficiencyClass.BETWEEN),
        (-2.0, EfficiencyClass.BELOW_BASELINE),  # less recovered than the baseline
        (4.0, EfficiencyClass.BELOW_BASELINE),  # a net consumer
    ],
)
def test_lower_is_better_with_negative_levels(value, expected):
    assert classify(value, RECOVERY) is expected


def test_a_negative_benchmark_above_a_negative_baseline_is_rejected():
    text = SYNTHETIC.replace("benchmark: -8", "benchmark: -1", 1)
    with pytest.raises(efficiency.BenchmarkDataError, match="above baseline"):
        parse_benchmarks(text)


def test_excess_over_a_zero_baseline_has_no_finite_ratio():
    items = below_baseline([ProductionUnit("Z", "zero_baseline", 10, 1.5)], [RECOVERY, ZERO])
    assert items[0].excess == pytest.approx(1.5)
    assert math.isinf(items[0].excess_ratio)
