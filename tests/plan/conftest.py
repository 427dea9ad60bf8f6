"""Fixtures for the plan catalog tests: the packaged plan, the plan text, a small plan file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ecer.plan.loader import default_plan_path, load_plan_file
from ecer.plan.schema import PlanCatalog

PLAN_TEXT_RELATIVE = Path("shared/seeds/000_cf8e2d96b1bec646.txt")


@pytest.fixture(scope="session")
def catalog() -> PlanCatalog:
    return load_plan_file(default_plan_path())


@pytest.fixture(scope="session")
def plan_text() -> str:
    for parent in Path(__file__).resolve().parents:
        candidate = parent / PLAN_TEXT_RELATIVE
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    pytest.fail(
        f"plan text {PLAN_TEXT_RELATIVE} not found in any parent of {Path(__file__).parent}; "
        "it is expected next to the repository (<repo>/../shared/seeds/)"
    )


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
