"""The energy demo with the demo project register on top."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.energy.conftest import energy_demo  # noqa: F401  (fixture)


@pytest.fixture
def projects_demo(energy_demo: Any) -> Any:  # noqa: F811
    from ecer.web.projects.demo import load_demo

    list(load_demo())
    return energy_demo


def refinery() -> Any:
    from ecer.web.projects.models import Project

    return Project.objects.get(name__startswith="北海某石化")
