"""Events that tell people without a request: a two-high project's disposal deadline coming
near (once), and red warning lights opening cases for their districts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area
from ecer.web.notifications.deadlines import two_high_disposal_near
from ecer.web.notifications.models import Delivery, Kind
from ecer.web.quality.models import Notification
from tests.web.energy.conftest import energy_demo  # noqa: F401 - fixture
from tests.web.projects.conftest import projects_demo  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def member(django_user_model: Any, name: str, **membership: Any) -> Any:
    user = django_user_model.objects.create_user(name, f"{name}@example.org", "pw-for-tests-1")
    Membership.objects.create(user=user, **membership)
    return user


def test_a_two_high_disposal_deadline_thirty_days_ahead_is_told_once(
    projects_demo: Any,  # noqa: F811
    django_user_model: Any,
) -> None:
    from ecer.web.projects.models import Project

    project = Project.objects.filter(two_high=True).select_related("area").first()
    assert project is not None, "the demo register has two-high projects"
    today = date(2025, 6, 1)
    Project.objects.filter(two_high=True).update(disposal="", disposal_deadline=None)
    Project.objects.filter(pk=project.pk).update(
        disposal=Project.Disposal.RECTIFY,
        disposal_deadline=today + timedelta(days=31),
        follow_up=Project.FollowUp.IN_PROGRESS,
    )
    district = member(django_user_model, "district", role=Role.DISTRICT, area=project.area)
    other = Area.objects.exclude(pk=project.area_id).exclude(kind=Area.Kind.CITY).first()
    elsewhere = member(django_user_model, "elsewhere", role=Role.DISTRICT, area=other)
    admin = member(django_user_model, "admin", role=Role.CITY_ADMIN)

    assert two_high_disposal_near(today) == 0  # 31 days ahead: not yet
    assert two_high_disposal_near(today + timedelta(days=1)) == 1  # 30 days ahead
    assert two_high_disposal_near(today + timedelta(days=2)) == 0  # once
    [told] = Notification.objects.filter(user=district)
    assert project.name in told.title and told.url == f"/projects/{project.pk}/"
    assert "还有 30 天" in told.body
    assert Notification.objects.filter(user=admin).count() == 1
    assert not Notification.objects.filter(user=elsewhere).exists()
    assert Delivery.objects.filter(kind=Kind.TWO_HIGH_DEADLINE, channel="email").count() == 2

    # Done projects are not reminded.
    Project.objects.filter(pk=project.pk).update(
        follow_up=Project.FollowUp.DONE, disposal_deadline=today + timedelta(days=20)
    )
    assert two_high_disposal_near(today) == 0


def test_red_warning_lights_open_one_case_per_unit_target_and_year(
    demo_data: Any, django_user_model: Any
) -> None:
    from ecer.core.warning import WarningLevel
    from ecer.web.cases import services
    from ecer.web.cases.models import Case
    from ecer.web.indicators import service

    year = 2023
    expected = set()
    for area in Area.objects.all():
        for item in service.evaluate(demo_data, area, year):
            if item.level != WarningLevel.RED:
                continue
            if area.is_city:  # a city figure: each lead department answers for it
                expected |= {
                    (item.target.code, area.code, d.code)
                    for d in item.target.lead_departments.all()
                }
            else:
                expected.add((item.target.code, area.code, None))
    assert expected, "the demo data has red warning lights"
    target_code, _area, department_code = sorted(expected, key=str)[0]
    assert department_code is not None  # the demo's red lights are city figures
    from ecer.web.catalog.models import Department

    department = Department.objects.get(code=department_code)
    lead = member(django_user_model, "lead", role=Role.DEPARTMENT, department=department)
    now = timezone.now()
    assert services.open_from_warnings(year, now) == len(expected)
    assert services.open_from_warnings(year, now) == 0  # once
    cases = Case.objects.filter(source="red_warning")
    found = {
        (c.target.code, c.area.code, c.department.code if c.department else None) for c in cases
    }
    assert found == expected
    case = cases.get(target__code=target_code, department=department)
    assert case.assignee == "department"
    assert Notification.objects.filter(user=lead, url=f"/cases/{case.pk}/").exists()
    assert Delivery.objects.filter(kind=Kind.RED_WARNING, user=lead).exists()
    # The department sees and moves on its own case.
    from ecer.web.accounts.scope import Scope

    assert services.actor_of(Scope.for_user(lead), case) == "assignee"
    assert list(services.visible_cases(Scope.for_user(lead))) == list(
        cases.filter(department=department)
    )
