import math
from dataclasses import replace

import pytest

from ecer.core.efficiency import (
    BenchmarkDataError,
    BenchmarkLine,
    EfficiencyClass,
    ProductionUnit,
    below_baseline,
    capacity_share_at_benchmark,
    classify,
    load_benchmarks,
    parse_benchmarks,
)

LINES = {line.code: line for line in load_benchmarks()}
CLINKER = LINES["cement_clinker"]  # 100 / 117 kgce/t
REFINING = LINES["refining"]  # 7.5 / 8.5 kgoe/(t·能量因数)
ALUMINIUM = LINES["electrolytic_aluminium"]  # 13000 / 13350 kWh/t

# Beihai plan 三(一): "重点行业产能达到能效标杆水平的比例超过30%" (target 30 %, 超过 -> strict),
# as the web layer passes it from the plan file.
BEIHAI = {"target_share": 0.30, "strict": True}

# An energy-recovering process (negative values), built for the tests only.
RECOVERY = replace(
    CLINKER, code="recovery", industry="测试", benchmark=-30.0, baseline=-10.0, capacity_unit="t"
)


def unit(uid, line, capacity, value, energy=None):
    return ProductionUnit(uid, line.code, capacity, value, annual_energy_tce=energy)


# --- packaged data -------------------------------------------------------------------------


def test_packaged_table_holds_the_verified_lines():
    assert (REFINING.benchmark, REFINING.baseline) == (7.5, 8.5)
    assert REFINING.unit == "kgoe/(t·能量因数)"
    assert (CLINKER.benchmark, CLINKER.baseline) == (100.0, 117.0)
    assert CLINKER.unit == "kgce/t"
    assert (ALUMINIUM.benchmark, ALUMINIUM.baseline) == (13000.0, 13350.0)


def test_every_packaged_line_names_its_source_and_evidence():
    for line in LINES.values():
        assert "1609" in line.source
        assert line.evidence
        assert line.benchmark <= line.baseline


# --- classify ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (98.0, EfficiencyClass.AT_BENCHMARK),
        (100.0, EfficiencyClass.AT_BENCHMARK),  # equal to the benchmark reaches it
        (110.0, EfficiencyClass.BETWEEN),
        (117.0, EfficiencyClass.BETWEEN),  # equal to the baseline reaches the baseline
        (117.5, EfficiencyClass.BELOW_BASELINE),
    ],
)
def test_it_classifies_clinker_energy_use(value, expected):
    assert classify(value, CLINKER) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-35.0, EfficiencyClass.AT_BENCHMARK),
        (-20.0, EfficiencyClass.BETWEEN),
        (-5.0, EfficiencyClass.BELOW_BASELINE),
    ],
)
def test_it_classifies_negative_levels(value, expected):
    assert classify(value, RECOVERY) is expected


def test_classes_have_chinese_labels():
    assert EfficiencyClass.AT_BENCHMARK.label_zh == "达到标杆"
    assert EfficiencyClass.BETWEEN.label_zh == "标杆与基准之间"
    assert EfficiencyClass.BELOW_BASELINE.label_zh == "未达基准"


def test_classify_rejects_nan():
    with pytest.raises(ValueError, match="finite"):
        classify(math.nan, CLINKER)


# --- capacity shares -----------------------------------------------------------------------

UNITS = [
    # 水泥 (t/d): A at benchmark, B between, C below baseline.
    unit("A", CLINKER, 5000, 98.0, 150_000),
    unit("B", CLINKER, 4000, 105.0, 130_000),
    unit("C", CLINKER, 2500, 120.0, 90_000),
    # 炼油 (10^4 t/a): R1 between, R2 at benchmark.
    unit("R1", REFINING, 1000, 7.9, 600_000),
    unit("R2", REFINING, 500, 7.4, 280_000),
    # 电解铝 (10^4 t/a): L1 between, L2 at benchmark.
    unit("L1", ALUMINIUM, 50, 13100.0, 640_000),
    unit("L2", ALUMINIUM, 20, 12950.0, 250_000),
]


def test_it_computes_the_share_per_industry():
    # 水泥 5000 / (5000 + 4000 + 2500) = 5000 / 11500 = 0.43478; 炼油 500 / 1500 = 0.33333;
    # 电解铝 20 / 70 = 0.28571.
    result = capacity_share_at_benchmark(UNITS, **BEIHAI)
    shares = {share.industry: share for share in result.by_industry}
    assert shares["水泥"].share == pytest.approx(5000 / 11500)
    assert shares["水泥"].total_capacity == 11500
    assert shares["水泥"].capacity_unit == "t/d"
    assert shares["炼油"].share == pytest.approx(1 / 3)
    assert shares["电解铝"].share == pytest.approx(20 / 70)


def test_it_compares_each_industry_with_the_30_percent_target():
    # 0.435 > 0.30 and 0.333 > 0.30 meet the target; 0.286 does not.
    result = capacity_share_at_benchmark(UNITS, **BEIHAI)
    meets = {share.industry: share.meets_target for share in result.by_industry}
    assert meets == {"水泥": True, "炼油": True, "电解铝": False}
    assert result.industries_meeting_target == 2
    assert not result.all_industries_meet_target


def test_it_counts_units_per_line():
    result = capacity_share_at_benchmark(UNITS, **BEIHAI)
    clinker = next(share for share in result.by_line if share.line_code == "cement_clinker")
    assert (clinker.unit_count, clinker.units_at_benchmark) == (3, 1)
    assert clinker.capacity_at_benchmark == 5000


def test_it_weights_industry_shares_by_energy_use():
    # Energy: 水泥 150 000 + 130 000 + 90 000 = 370 000 tce; 炼油 880 000; 电解铝 890 000;
    # total 2 140 000 tce. (0.434783 x 370 000 + 0.333333 x 880 000 + 0.285714 x 890 000)
    # = 160 869.57 + 293 333.33 + 254 285.71 = 708 488.61; / 2 140 000 = 0.331069.
    result = capacity_share_at_benchmark(UNITS, **BEIHAI)
    assert result.energy_weighted_share == pytest.approx(0.331069, abs=1e-6)


def test_energy_weighted_share_needs_every_unit_energy():
    units = [*UNITS[:-1], unit("L2", ALUMINIUM, 20, 12950.0)]
    result = capacity_share_at_benchmark(units, **BEIHAI)
    assert result.energy_weighted_share is None
    aluminium = next(share for share in result.by_industry if share.industry == "电解铝")
    assert aluminium.annual_energy_tce is None


def test_exactly_30_percent_meets_an_at_least_target_but_not_a_strict_one():
    # Clinker, benchmark 100 kgce/t: A (30 t/d at 99.0 <= 100) is at benchmark, B (70 t/d at
    # 110.0 > 100) is not. Share = 30 / (30 + 70) = 0.30 exactly.
    units = [unit("A", CLINKER, 30, 99.0), unit("B", CLINKER, 70, 110.0)]
    strict = capacity_share_at_benchmark(units, target_share=0.30, strict=True)
    at_least = capacity_share_at_benchmark(units, target_share=0.30, strict=False)
    assert strict.by_industry[0].share == pytest.approx(0.30)
    # "超过30%": 0.30 is not more than 0.30.
    assert not strict.by_industry[0].meets_target and not strict.all_industries_meet_target
    # "达到30%": 0.30 reaches 0.30.
    assert at_least.by_industry[0].meets_target and at_least.all_industries_meet_target
    assert (strict.strict, at_least.strict) == (True, False)
    # One more t/d at benchmark: 31 / 101 = 0.306931 > 0.30 meets both.
    units = [unit("A", CLINKER, 31, 99.0), unit("B", CLINKER, 70, 110.0)]
    assert (
        capacity_share_at_benchmark(units, target_share=0.30, strict=True)
        .by_industry[0]
        .meets_target
    )


def test_the_target_share_is_the_callers():
    # 水泥 0.43478, 炼油 0.33333, 电解铝 0.28571: against 40 % only 水泥 meets it, against
    # 25 % all three do.
    result = capacity_share_at_benchmark(UNITS, target_share=0.40, strict=True)
    assert [i.industry for i in result.by_industry if i.meets_target] == ["水泥"]
    assert result.target_share == 0.40
    result = capacity_share_at_benchmark(UNITS, target_share=0.25, strict=True)
    assert result.all_industries_meet_target


def test_the_lowest_share_decides_the_target():
    result = capacity_share_at_benchmark(UNITS, **BEIHAI)
    assert result.lowest_share == pytest.approx(20 / 70)  # 电解铝
    assert capacity_share_at_benchmark([], **BEIHAI).lowest_share is None


def test_all_industries_meet_target_when_each_exceeds_it():
    result = capacity_share_at_benchmark(UNITS[:5], **BEIHAI)
    assert result.all_industries_meet_target


def test_no_units_give_no_industries_and_no_target_met():
    result = capacity_share_at_benchmark([], **BEIHAI)
    assert result.by_industry == ()
    assert not result.all_industries_meet_target
    assert result.energy_weighted_share is None


def test_it_refuses_to_add_different_capacity_units_in_one_industry():
    tonnes_per_year = replace(CLINKER, code="clinker_annual", capacity_unit="万吨/年")
    units = [unit("A", CLINKER, 5000, 98.0), unit("B", tonnes_per_year, 150, 98.0)]
    with pytest.raises(ValueError, match="mixes capacity units"):
        capacity_share_at_benchmark(units, [CLINKER, tonnes_per_year], **BEIHAI)


def test_it_rejects_an_unknown_line():
    with pytest.raises(ValueError, match="unknown benchmark line 'glass'"):
        capacity_share_at_benchmark([ProductionUnit("G1", "glass", 600, 9.0)], **BEIHAI)


def test_it_rejects_a_non_positive_capacity():
    with pytest.raises(ValueError, match="capacity must be positive"):
        capacity_share_at_benchmark([unit("A", CLINKER, 0, 98.0)], **BEIHAI)


def test_it_rejects_negative_annual_energy():
    with pytest.raises(ValueError, match="annual energy"):
        capacity_share_at_benchmark([unit("A", CLINKER, 10, 98.0, -1.0)], **BEIHAI)


# --- rectification list --------------------------------------------------------------------


def test_it_lists_units_below_baseline_worst_first():
    # C: 120 - 117 = 3 kgce/t, 3 / 117 = 2.56 %; R3: 9.0 - 8.5 = 0.5, 0.5 / 8.5 = 5.88 %.
    units = [*UNITS, unit("R3", REFINING, 300, 9.0)]
    items = below_baseline(units)
    assert [item.unit.unit_id for item in items] == ["R3", "C"]
    assert items[0].excess == pytest.approx(0.5)
    assert items[0].excess_ratio == pytest.approx(0.5 / 8.5)
    assert items[1].excess == pytest.approx(3.0)
    assert items[1].line == CLINKER


def test_it_measures_excess_over_a_negative_baseline():
    # -4 - (-10) = 6 above the baseline; 6 / |-10| = 60 %.
    items = below_baseline([unit("X", RECOVERY, 100, -4.0)], [RECOVERY])
    assert items[0].excess == pytest.approx(6.0)
    assert items[0].excess_ratio == pytest.approx(0.6)


def test_units_at_or_above_baseline_need_no_rectification():
    assert below_baseline([unit("B", CLINKER, 4000, 117.0)]) == []


# --- strict parsing ------------------------------------------------------------------------

GOOD_LINE = """
  - code: x
    area_number: 1
    industry: 炼油
    industry_code: null
    product: 炼油
    indicator: 单位能量因数能耗
    unit: kgoe/(t·能量因数)
    benchmark: 7.5
    baseline: 8.5
    capacity_unit: 万吨/年
    source: row
    evidence: [a]
"""
HEADER = "document: d\ndocument_number: n\nlines:\n"


def test_it_parses_a_minimal_table():
    (line,) = parse_benchmarks(HEADER + GOOD_LINE)
    assert isinstance(line, BenchmarkLine)
    assert line.baseline == 8.5
    assert line.evidence == ("a",)


def test_it_names_file_line_and_missing_field():
    text = HEADER + GOOD_LINE.replace("    baseline: 8.5\n", "")
    with pytest.raises(BenchmarkDataError, match=r"t\.yaml: lines\[0\] \(x\): missing.*baseline"):
        parse_benchmarks(text, origin="t.yaml")


def test_it_rejects_an_unknown_field():
    with pytest.raises(BenchmarkDataError, match=r"unknown field.*remark"):
        parse_benchmarks(HEADER + GOOD_LINE + "    remark: r\n")


def test_it_rejects_a_text_where_a_number_is_due():
    text = HEADER + GOOD_LINE.replace("benchmark: 7.5", "benchmark: abc")
    with pytest.raises(BenchmarkDataError, match=r"lines\[0\] \(x\)\.benchmark: expected int"):
        parse_benchmarks(text)


def test_it_rejects_a_boolean_number():
    text = HEADER + GOOD_LINE.replace("benchmark: 7.5", "benchmark: true")
    with pytest.raises(BenchmarkDataError, match="benchmark"):
        parse_benchmarks(text)


def test_it_rejects_a_benchmark_above_the_baseline():
    text = HEADER + GOOD_LINE.replace("benchmark: 7.5", "benchmark: 9")
    with pytest.raises(BenchmarkDataError, match="above baseline"):
        parse_benchmarks(text)


def test_it_rejects_duplicate_codes():
    with pytest.raises(BenchmarkDataError, match="duplicate code 'x'"):
        parse_benchmarks(HEADER + GOOD_LINE + GOOD_LINE)


def test_it_rejects_empty_evidence():
    with pytest.raises(BenchmarkDataError, match="evidence"):
        parse_benchmarks(HEADER + GOOD_LINE.replace("[a]", "[]"))


def test_it_rejects_invalid_yaml():
    with pytest.raises(BenchmarkDataError, match="invalid YAML"):
        parse_benchmarks("lines: [")


def test_it_rejects_a_table_without_lines():
    with pytest.raises(BenchmarkDataError, match="lines: must be a non-empty list"):
        parse_benchmarks("document: d\ndocument_number: n\nlines: []\n")


def test_it_rejects_a_missing_top_level_field():
    with pytest.raises(BenchmarkDataError, match=r"top level: missing.*document_number"):
        parse_benchmarks("document: d\nlines: []\n")
