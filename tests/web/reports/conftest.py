"""The whole demo (plan observations, energy, reductions, project register) for the reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def reports_demo(demo_data: Any, settings: Any, tmp_path: Any) -> Any:
    from ecer.web.energy.demo import load_demo as load_energy
    from ecer.web.monitoring.demo import ensure_demo_points
    from ecer.web.projects.demo import load_demo as load_projects
    from ecer.web.reductions.demo import load_demo as load_reductions
    from ecer.web.reports.services import ensure_default_scheme

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ECER_REPORTS_INLINE = True
    list(load_energy(demo_data))
    ensure_demo_points(timezone.now())
    list(load_reductions())
    list(load_projects())
    ensure_default_scheme()
    return demo_data
