"""`ecer plan validate` and `ecer plan load` through the real command dispatcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecer.cli import main
from ecer.plan.loader import default_plan_path, load_plan_file
from tests.plan.helpers import MINIMAL_PLAN, line_of


def test_validate_prints_the_counts(capsys: pytest.CaptureFixture[str]) -> None:
    catalog = load_plan_file(default_plan_path())
    status = main(["plan", "validate", str(default_plan_path())])
    expected = (
        f"OK: {len(catalog.targets)} targets, {len(catalog.tasks)} tasks, "
        f"{len(catalog.rules)} rules\n"
    )
    assert (status, capsys.readouterr().out) == (0, expected)


def test_validate_without_a_file_checks_the_packaged_plan(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["plan", "validate"]) == 0
    assert capsys.readouterr().out.startswith("OK: 45 targets")


def test_validate_prints_each_error_on_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MINIMAL_PLAN.replace("kind: cumulative_increase", "kind: growth").replace(
        "target_value: 12.5", "target_value: 120"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    status = main(["plan", "validate", str(path)])
    lines = capsys.readouterr().err.splitlines()
    assert status == 1
    assert len(lines) == 2
    assert lines[1].startswith(f"{path}:{line_of(text, 'kind: growth')}: targets[1].kind: ")


def test_load_refuses_an_invalid_file_before_touching_the_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("plan: [\n", encoding="utf-8")
    assert main(["plan", "load", str(path)]) == 1
    assert "YAML syntax error" in capsys.readouterr().err


@pytest.mark.django_db
def test_load_puts_the_plan_into_the_database(capsys: pytest.CaptureFixture[str]) -> None:
    from ecer.web.catalog.models import Target

    assert main(["plan", "load"]) == 0
    assert capsys.readouterr().out.startswith("plan beihai-2021-2025: created ")
    assert Target.objects.get(code="charging_piles_added").target_value == 3900
