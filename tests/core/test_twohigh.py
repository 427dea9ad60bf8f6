import pytest

from ecer.core.twohigh import RulesError, classify, load_rules, parse_rules


def test_listed_industry_at_the_threshold_is_two_high():
    result = classify("2511", 5000.0)
    assert result.two_high
    assert result.rule.code == "two_high_industry_at_threshold"
    assert result.division == "25"
    assert "石化" in result.division_name


def test_listed_industry_below_the_threshold_is_not():
    result = classify("3011", 4999.9)
    assert not result.two_high
    assert result.rule.code == "energy_intensive_below_threshold"


def test_other_industries_are_not_two_high_whatever_their_use():
    result = classify("3841", 80_000.0)  # batteries: division 38, not listed
    assert not result.two_high
    assert result.rule.code == "other_industry"
    assert result.division_name == ""


def test_the_packaged_list_is_the_six_divisions():
    assert sorted(load_rules().divisions) == ["25", "26", "30", "31", "32", "44"]


def test_bad_codes_and_energy_are_refused():
    with pytest.raises(ValueError, match="division"):
        classify("C25", 1.0)
    with pytest.raises(ValueError, match=">= 0"):
        classify("25", -1.0)


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
