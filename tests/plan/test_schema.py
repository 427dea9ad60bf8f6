"""The schema's own checks, used directly (without the YAML loader)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from ecer.plan.schema import PlanCatalog, Target, TargetKind, format_loc
from tests.plan.helpers import MINIMAL_PLAN


def target_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": "boilers",
        "name": "燃煤锅炉",
        "clause": "三(八)",
        "kind": "elimination",
        "unit": "台",
        "base_year": 2020,
        "target_year": 2025,
        "target_value": 0,
        "area": "city",
        "lead": ["drc"],
        "quote": "全面淘汰",
    }
    data.update(changes)
    return data


def error_of(data: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationError) as raised:
        Target.model_validate(data)
    [error] = raised.value.errors()
    return format_loc(error["loc"]), str(error["msg"])


def test_a_valid_target_is_frozen() -> None:
    target = Target.model_validate(target_data())
    assert target.kind is TargetKind.ELIMINATION
    with pytest.raises(ValidationError):
        target.target_value = 1  # type: ignore[misc]


def test_an_elimination_target_must_be_zero() -> None:
    assert error_of(target_data(target_value=3)) == (
        "target_value",
        "Value error, an elimination target must be 0, not 3.0",
    )


def test_an_elimination_target_may_not_omit_its_value() -> None:
    data = target_data()
    del data["target_value"]
    assert error_of(data)[0] == "target_value"


def test_a_full_coverage_target_must_be_100_percent() -> None:
    loc, message = error_of(target_data(kind="full_coverage", unit="%", target_value=95))
    assert (loc, message.endswith("must be 100 (%), not 95.0")) == ("target_value", True)


@pytest.mark.parametrize("value", [0, 100, 120, -5])
def test_a_decline_must_lie_strictly_between_0_and_100(value: float) -> None:
    loc, message = error_of(target_data(kind="decline_pct", unit="%", target_value=value))
    assert (loc, "between 0 and 100" in message) == ("target_value", True)


def test_a_decline_is_expressed_in_percent() -> None:
    loc, _ = error_of(target_data(kind="decline_pct", unit="吨", target_value=10))
    assert loc == "unit"


def test_a_count_must_be_positive() -> None:
    loc, _ = error_of(target_data(kind="count_at_least", unit="家", target_value=0))
    assert loc == "target_value"


def test_a_missing_value_needs_a_note() -> None:
    data = target_data(kind="decline_pct", unit="%", target_value=None)
    assert error_of(data) == (
        "target_value_note",
        "Value error, target_value is null: say why in target_value_note",
    )
    noted = Target.model_validate({**data, "target_value_note": "完成自治区下达目标"})
    assert noted.target_value is None


def test_the_target_year_may_not_precede_the_base_year() -> None:
    assert error_of(target_data(target_year=2019))[0] == "target_year"


def test_a_threshold_needs_its_unit() -> None:
    assert error_of(target_data(threshold=10))[0] == "threshold_unit"


def test_binding_is_only_what_a_plan_can_say() -> None:
    assert error_of(target_data(binding="mandatory"))[0] == "binding"


def test_model_validate_runs_the_cross_checks_with_their_paths() -> None:
    data = yaml.safe_load(MINIMAL_PLAN)
    data["targets"][0]["lead"] = ["nobody"]
    with pytest.raises(ValidationError) as raised:
        PlanCatalog.model_validate(data)
    assert "targets[0].lead[0]: unknown department 'nobody'" in str(raised.value)


def test_an_area_parent_must_exist() -> None:
    data = yaml.safe_load(MINIMAL_PLAN)
    data["areas"][1]["parent"] = "province"
    with pytest.raises(ValidationError, match=r"areas\[1\]\.parent: unknown area 'province'"):
        PlanCatalog.model_validate(data)


def test_a_target_outside_the_plan_period_is_rejected() -> None:
    data = yaml.safe_load(MINIMAL_PLAN)
    data["targets"][1]["target_year"] = 2030
    with pytest.raises(ValidationError, match=r"targets\[1\]\.target_year: target_year 2030"):
        PlanCatalog.model_validate(data)


def test_format_loc_writes_indices_in_brackets() -> None:
    assert format_loc(("targets", 12, "lead", 0)) == "targets[12].lead[0]"
