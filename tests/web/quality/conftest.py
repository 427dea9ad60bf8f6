"""The demo enterprises (the cement works' 2024 report disagrees with its meter by 8 %), a
city administrator, and helpers."""

from __future__ import annotations

from typing import Any

import pytest

from ecer.web.accounts.models import Membership, Role

CEMENT = "91450521MA5HP0040E"


@pytest.fixture
def cement(loaded_plan: Any) -> Any:
    """The demo cement works' submitted 2024 report, checked."""
    from ecer.web.enterprises.demo import load_demo
    from ecer.web.enterprises.models import EnergyReport
    from ecer.web.quality import services

    list(load_demo())
    report = EnergyReport.objects.get(enterprise__credit_code=CEMENT, year=2024)
    services.check_record(report)
    return report


@pytest.fixture
def city_admin(django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("reviewer", "reviewer@example.org", "pw-1")
    Membership.objects.create(user=user, role=Role.CITY_ADMIN)
    return user


@pytest.fixture
def reviewer_client(client: Any, city_admin: Any) -> Any:
    client.force_login(city_admin)
    return client
