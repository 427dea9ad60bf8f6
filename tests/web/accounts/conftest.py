"""Users of every role, and records inside and outside each one's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from ecer.web.accounts.models import Membership, Role
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Department, Observation, Target
from ecer.web.monitoring.models import MonitoringPoint
from tests.web.conftest import SHARED_LOADERS

ENTERPRISE_CODE = "91450521MA5HP0040E"

PASSWORD = "a-long-test-password-1"


@dataclass
class World:
    users: dict[str, Any]
    own_obs: Observation  # haicheng, energy intensity: inside the district user's scope
    other_obs: Observation  # tieshangang: outside it
    city_obs: Observation  # city, charging piles: the transport department's target
    own_target: Target  # decomposed to districts
    other_target: Target  # city only, led by transport
    own_enterprise: Any  # in 海城区, the enterprise user's own
    other_enterprise: Any  # in 铁山港区
    own_project: Any  # reduction project in 海城区, with one evidence file
    other_project: Any  # in 铁山港区
    own_point: MonitoringPoint  # haicheng, the enterprise user's enterprise
    other_point: MonitoringPoint  # tieshangang, another enterprise


def make_user(django_user_model: Any, username: str, **membership: Any) -> Any:
    user = django_user_model.objects.create_user(username, "", PASSWORD)
    if membership:
        Membership.objects.create(user=user, **membership)
    return user


@pytest.fixture
def world(_shared: dict[str, Any], loaded_plan: Any, settings: Any) -> World:
    """Shared by consecutive tests that roll back (tests/web/conftest.py, ``_shared``)."""
    settings.MEDIA_ROOT = _shared["media"]
    if "world" not in _shared:  # a test that commits builds its own
        return build_world()
    # Fresh instances: a test may change its objects in memory, and only the database rolls back.
    shared: World = _shared["world"]
    again = {name: _again(getattr(shared, name)) for name in World.__dataclass_fields__}
    return World(**again)


def _again(instance: Any) -> Any:
    if isinstance(instance, dict):
        return {key: _again(value) for key, value in instance.items()}
    return type(instance)._default_manager.get(pk=instance.pk)


def build_world() -> World:
    from django.contrib.auth import get_user_model

    django_user_model = get_user_model()
    haicheng = Area.objects.get(code="haicheng")
    tieshangang = Area.objects.get(code="tieshangang")
    city = Area.objects.get(code="beihai")
    admin = make_user(django_user_model, "cityadmin", role=Role.CITY_ADMIN)
    admin.is_staff = True
    admin.save()
    users = {
        "city_admin": admin,
        "leader": make_user(django_user_model, "leader", role=Role.LEADER),
        "department": make_user(
            django_user_model,
            "transport",
            role=Role.DEPARTMENT,
            department=Department.objects.get(code="transport"),
        ),
        "district": make_user(django_user_model, "haicheng", role=Role.DISTRICT, area=haicheng),
        "enterprise": make_user(
            django_user_model, "firm", role=Role.ENTERPRISE, enterprise_code=ENTERPRISE_CODE
        ),
        "no_role": make_user(django_user_model, "nobody"),
    }
    intensity = Target.objects.get(code="energy_intensity_decline")
    piles = Target.objects.get(code="charging_piles_added")

    def obs(target: Target, area: Area) -> Observation:
        return Observation.objects.create(
            target=target, area=area, year=2022, value=1.0, status=Status.SUBMITTED
        )

    from ecer.web.enterprises.models import EnergyReport, Enterprise

    def enterprise(code: str, area: Area) -> Enterprise:
        firm = Enterprise.objects.create(
            credit_code=code, name=code, area=area, industry_code="2511", industry_name="炼油"
        )
        EnergyReport.objects.create(enterprise=firm, year=2023)
        return firm

    from django.core.files.base import ContentFile

    from ecer.web.reductions.models import Evidence, ReductionProject

    def reduction(area: Area) -> ReductionProject:
        project = ReductionProject.objects.create(
            name=f"{area.name}减排项目", type="closure", area=area, sector="工业锅炉",
            source_name="锅炉", status="planned",
        )  # fmt: skip
        Evidence.objects.create(
            project=project, title="验收报告", file=ContentFile(b"pdf", name="report.pdf")
        )
        return project

    return World(
        own_project=reduction(haicheng),
        other_project=reduction(tieshangang),
        own_enterprise=enterprise("91450521MA5HP0040E", haicheng),
        other_enterprise=enterprise("91450512MA5TG0034R", tieshangang),
        users=users,
        own_obs=obs(intensity, haicheng),
        other_obs=obs(intensity, tieshangang),
        city_obs=obs(piles, city),
        own_target=intensity,
        other_target=piles,
        own_point=MonitoringPoint.objects.create(
            mn="ECERTESTOWN0000000000001",
            name="本企业排放口",
            enterprise_code=ENTERPRISE_CODE,
            area=haicheng,
            medium="water",
            password="123456",
        ),
        other_point=MonitoringPoint.objects.create(
            mn="ECERTESTOTHER00000000001",
            name="他企业排放口",
            enterprise_code="91450500MA5OTHER9X",
            area=tieshangang,
            medium="gas",
            password="123456",
        ),
    )


SHARED_LOADERS["world"] = lambda plan: build_world()
