"""The whole demo (plan observations, energy, reductions, project register) for the reports."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def reports_demo(full_demo: Any) -> Any:
    return full_demo
