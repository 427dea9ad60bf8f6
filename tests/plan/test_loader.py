"""Loading plan files: every error names the file, the data path, the YAML line and the rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ecer.plan.loader import (
    PlanError,
    PlanValidationError,
    default_plan_path,
    load_plan_file,
    validate_plan_file,
)
from tests.plan.helpers import MINIMAL_PLAN, line_of

WritePlan = Callable[[str], Path]


def only_error(path: Path) -> PlanError:
    errors = validate_plan_file(path)
    assert len(errors) == 1, errors
    return errors[0]


def test_it_loads_a_valid_file(write_plan: WritePlan) -> None:
    catalog = load_plan_file(write_plan(MINIMAL_PLAN))
    assert [t.code for t in catalog.targets] == ["energy_intensity_decline", "cod_reduction"]


def test_the_default_path_is_the_packaged_beihai_plan() -> None:
    path = default_plan_path()
    assert path.name == "beihai-2021-2025.yaml"
    assert path.is_file()


def test_it_reports_a_yaml_syntax_error_with_its_line(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("    lead: [drc]\n", "    lead: [drc\n", 1)
    error = only_error(write_plan(text))
    # The unclosed flow sequence is noticed on the next line, where `co:` begins.
    assert error.line == line_of(text, "    co: [eeb]")
    assert error.path == ""
    assert error.reason.startswith("YAML syntax error")


def test_it_reports_an_unknown_kind_at_the_kind_line(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("kind: cumulative_increase", "kind: growth")
    error = only_error(write_plan(text))
    assert (error.path, error.line) == ("targets[1].kind", line_of(text, "kind: growth"))
    assert "level_at_least" in error.reason


def test_it_reports_a_missing_field_at_its_parent(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("    unit: 吨\n", "")
    error = only_error(write_plan(text))
    assert error.path == "targets[1].unit"
    assert error.line == line_of(text, "  - code: cod_reduction")
    assert error.reason == "Field required"


def test_it_reports_an_unknown_field(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace(
        "    quote: 不低于2106吨\n", "    quote: 不低于2106吨\n    colour: red\n"
    )
    error = only_error(write_plan(text))
    assert (error.path, error.line) == ("targets[1].colour", line_of(text, "colour: red"))


def test_it_reports_an_unknown_department(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("    co: [eeb]\n", "    co: [eeb, tax]\n")
    error = only_error(write_plan(text))
    assert (error.path, error.line) == ("targets[0].co[1]", line_of(text, "co: [eeb, tax]"))
    assert error.reason == "unknown department 'tax'"


def test_it_reports_a_duplicate_code(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("  - code: cod_reduction", "  - code: energy_intensity_decline")
    error = only_error(write_plan(text))
    assert error.path == "targets[1].code"
    assert error.line == line_of(text, "  - code: energy_intensity_decline", occurrence=2)
    assert "duplicate code 'energy_intensity_decline'" in error.reason


def test_a_task_may_not_reuse_a_target_code(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("  - code: mid_term_evaluation", "  - code: cod_reduction")
    error = only_error(write_plan(text))
    assert error.path == "tasks[0].code"
    assert "already in targets[1]" in error.reason


def test_it_reports_a_duplicate_key(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace(
        "    target_value: 2106\n", "    target_value: 2106\n    unit: 千克\n"
    )
    error = only_error(write_plan(text))
    assert (error.path, error.line) == ("targets[1].unit", line_of(text, "unit: 千克"))
    assert error.reason == f"duplicate key 'unit' (first at line {line_of(text, '    unit: 吨')})"


def test_it_rejects_a_decline_of_120_percent(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("target_value: 12.5", "target_value: 120")
    error = only_error(write_plan(text))
    assert (error.path, error.line) == ("targets[0].target_value", line_of(text, "value: 120"))
    assert "between 0 and 100" in error.reason


def test_it_reports_an_unknown_section(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace(
        "    name: 开展中期评估\n    clause: 二", "    name: 开展中期评估\n    clause: 九"
    )
    error = only_error(write_plan(text))
    assert (error.path, error.line) == ("tasks[0].clause", line_of(text, "clause: 九"))


def test_it_reports_a_rule_naming_an_unknown_target(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("targets: [energy_intensity_decline]", "targets: [gdp]")
    error = only_error(write_plan(text))
    assert error.path == "rules[0].parameters.targets"
    assert error.reason == "unknown target 'gdp'"


def test_it_reports_every_error_not_only_the_first(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("kind: cumulative_increase", "kind: growth")
    text = text.replace("target_value: 12.5", "target_value: 120")
    paths = [e.path for e in validate_plan_file(write_plan(text))]
    assert paths == ["targets[0].target_value", "targets[1].kind"]


def test_cross_reference_errors_are_all_listed(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("    co: [eeb]\n", "    co: [tax]\n")
    text = text.replace("    lead: [drc]\n    quote: 适时", "    lead: [nobody]\n    quote: 适时")
    paths = [e.path for e in validate_plan_file(write_plan(text))]
    assert paths == ["targets[0].co[0]", "tasks[0].lead[0]"]


def test_load_raises_with_errors_formatted_file_line_path_reason(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace("kind: cumulative_increase", "kind: growth")
    path = write_plan(text)
    with pytest.raises(PlanValidationError) as raised:
        load_plan_file(path)
    assert len(raised.value.errors) == 1
    assert str(raised.value).startswith(
        f"{path}:{line_of(text, 'kind: growth')}: targets[1].kind: "
    )


def test_a_file_that_is_not_a_mapping_is_an_error(write_plan: WritePlan) -> None:
    error = only_error(write_plan("- just\n- a list\n"))
    assert (error.line, error.reason) == (1, "the file must hold a mapping (plan, areas, ...)")


def test_a_missing_file_is_an_error_without_a_line(tmp_path: Path) -> None:
    error = only_error(tmp_path / "absent.yaml")
    assert error.line is None
    assert error.reason.startswith("cannot read the file")


def test_it_reports_a_feed_that_does_not_exist(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace(
        "    quote: 不低于2106吨\n", "    quote: 不低于2106吨\n    feed: reductions.so2\n"
    )
    error = only_error(write_plan(text))
    assert (error.path, error.line) == ("targets[1].feed", line_of(text, "feed: reductions.so2"))
    assert "unknown feed 'reductions.so2'" in error.reason and "reductions.cod" in error.reason


def test_it_reports_a_feed_that_cannot_supply_the_kind(write_plan: WritePlan) -> None:
    text = MINIMAL_PLAN.replace(
        "    quote: 下降12.5%\n", "    quote: 下降12.5%\n    feed: energy.total\n"
    )
    error = only_error(write_plan(text))
    assert error.path == "targets[0].feed"
    assert error.reason == "feed 'energy.total' supplies level_at_most targets, not decline_pct"


def test_every_computed_feed_of_the_schema_is_served_by_the_indicator_service() -> None:
    from ecer.plan.schema import FEED_KINDS
    from ecer.web.indicators.feeds import COMPUTED

    assert set(COMPUTED) == set(FEED_KINDS)
