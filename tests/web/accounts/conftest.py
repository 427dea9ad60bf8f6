"""Users of every role, and records inside and outside each one's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from ecer.web.accounts.models import Membership, Role
from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area, Department, Observation, Target

PASSWORD = "a-long-test-password-1"


@dataclass
class World:
    users: dict[str, Any]
    own_obs: Observation  # haicheng, energy intensity: inside the district user's scope
    other_obs: Observation  # tieshangang: outside it
    city_obs: Observation  # city, charging piles: the transport department's target
    own_target: Target  # decomposed to districts
    other_target: Target  # city only, led by transport


def make_user(django_user_model: Any, username: str, **membership: Any) -> Any:
    user = django_user_model.objects.create_user(username, "", PASSWORD)
    if membership:
        Membership.objects.create(user=user, **membership)
    return user


@pytest.fixture
def world(loaded_plan: Any, django_user_model: Any) -> World:
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
            django_user_model, "firm", role=Role.ENTERPRISE, enterprise_code="91450500MA5KD0013Y"
        ),
        "no_role": make_user(django_user_model, "nobody"),
    }
    intensity = Target.objects.get(code="energy_intensity_decline")
    piles = Target.objects.get(code="charging_piles_added")

    def obs(target: Target, area: Area) -> Observation:
        return Observation.objects.create(
            target=target, area=area, year=2022, value=1.0, status=Status.SUBMITTED
        )

    return World(
        users=users,
        own_obs=obs(intensity, haicheng),
        other_obs=obs(intensity, tieshangang),
        city_obs=obs(piles, city),
        own_target=intensity,
        other_target=piles,
    )
