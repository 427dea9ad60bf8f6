from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def reductions_demo(loaded_plan: Any, settings: Any, tmp_path: Any) -> Any:
    from ecer.web.monitoring.demo import ensure_demo_points
    from ecer.web.reductions.demo import load_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_demo_points(timezone.now())
    list(load_demo())
    return loaded_plan
