import pytest

from ecer.core.twohigh import RulesError, classify, load_rules, parse_rules

# The plan's key-unit threshold (Beihai 三(一): 5000 tce/a), passed in as the web layer does.
RULES = load_rules(5000.0)


def test_listed_industry_at_the_threshold_is_two_high():
    result = classify("2511", 5000.0, RULES)
    assert result.two_high
    assert result.rule.code == "two_high_industry_at_threshold"
    assert result.division == "25"
    assert "石化" in result.division_name


def test_listed_industry_below_the_threshold_is_not():
    result = classify("3011", 4999.9, RULES)
    assert not result.two_high
    assert result.rule.code == "energy_intensive_below_threshold"


def test_other_industries_are_not_two_high_whatever_their_use():
    result = classify("3841", 80_000.0, RULES)  # batteries: division 38, not listed
    assert not result.two_high
    assert result.rule.code == "other_industry"
    assert result.division_name == ""


def test_the_packaged_list_is_the_six_divisions():
    assert sorted(RULES.divisions) == ["25", "26", "30", "31", "32", "44"]


def test_bad_codes_and_energy_are_refused():
    with pytest.raises(ValueError, match="division"):
        classify("C25", 1.0, RULES)
    with pytest.raises(ValueError, match=">= 0"):
        classify("25", -1.0, RULES)


def test_a_rules_file_without_catch_all_is_refused():
    text = """
industries: {divisions: {"25": x}}
rules:
  - {code: a, two_high: true, industry_in_list: true, min_energy_tce: 5000, name: n, source: s}
  - {code: b, two_high: false, industry_in_list: false, min_energy_tce: 0, name: n, source: s}
"""
    with pytest.raises(RulesError, match="industry_in_list=True"):
        parse_rules(text, "test.yaml")


def test_a_rules_file_with_a_wrong_type_names_the_field():
    text = """
industries: {divisions: {"25": x}}
rules:
  - {code: a, two_high: "yes", industry_in_list: true, min_energy_tce: 0, name: n, source: s}
"""
    with pytest.raises(RulesError, match=r"test.yaml: rules\[0\].two_high"):
        parse_rules(text, "test.yaml")


def test_the_threshold_is_the_plans_and_the_names_say_it():
    # With a plan threshold of 8000 tce, a refinery at 6000 tce is no longer two-high.
    rules = load_rules(8000.0)
    assert not classify("2511", 6000.0, rules).two_high
    at = classify("2511", 8000.0, rules)
    assert at.two_high and at.rule.min_energy_tce == 8000.0
    assert "不低于 8000 吨标准煤" in at.rule.name and "5000" not in at.rule.name
    below = classify("2511", 7999.0, rules).rule
    assert below.min_energy_tce == 0 and "低于 8000 吨标准煤" in below.name


def test_a_rule_on_the_plan_threshold_needs_it():
    text = """
industries: {divisions: {"25": x}}
rules:
  - {code: a, two_high: true, industry_in_list: true, min_energy_tce: key_unit_threshold,
     name: n, source: s}
  - {code: b, two_high: false, industry_in_list: true, min_energy_tce: 0, name: n, source: s}
  - {code: c, two_high: false, industry_in_list: false, min_energy_tce: 0, name: n, source: s}
"""
    with pytest.raises(RulesError, match=r"rules\[0\].min_energy_tce: key_unit_threshold"):
        parse_rules(text, "test.yaml")
    assert parse_rules(text, key_unit_threshold_tce=3000).rules[0].min_energy_tce == 3000.0
