"""The leaders' views in each role's scope: a district sees its own district coloured and its
own sites only; roles without areas are refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.accounts.conftest import World

pytestmark = pytest.mark.django_db


def test_a_district_user_sees_only_its_own_district_coloured(world: World, client: Any) -> None:
    world.own_enterprise.longitude, world.own_enterprise.latitude = 109.09, 21.46  # 海城区
    world.own_enterprise.save()
    world.other_enterprise.longitude, world.other_enterprise.latitude = 109.55, 21.52  # 铁山港区
    world.other_enterprise.save()
    client.force_login(world.users["district"])
    html = client.get("/leaders/map/").content.decode()
    assert 'data-area="海城区" data-level="' in html
    assert 'data-area="海城区" data-level="none"' not in html
    for other in ("银海区", "铁山港区", "合浦县"):
        assert f'data-area="{other}" data-level="none"' in html
    assert html.count('data-site="enterprise"') == 1
    assert world.own_enterprise.name in html and world.other_enterprise.name not in html
    lights = client.get("/leaders/lights/").content.decode()
    assert 'data-area="haicheng"' in lights and 'data-area="tieshangang"' not in lights


def test_a_department_sees_the_districts_on_its_own_targets(world: World, client: Any) -> None:
    from ecer.web.catalog.models import Target

    client.force_login(world.users["department"])
    html = client.get("/leaders/lights/").content.decode()
    for target in Target.objects.filter(applies_to_districts=True):
        led = target.lead_departments.filter(code="transport").exists() or (
            target.co_departments.filter(code="transport").exists()
        )
        assert (f'data-column="{target.code}"' in html) == led, target.code
    assert 'data-column="assessment"' in html
    assert client.get("/leaders/map/").status_code == 200


@pytest.mark.parametrize("role", ["enterprise", "no_role"])
def test_roles_without_areas_are_refused(world: World, client: Any, role: str) -> None:
    client.force_login(world.users[role])
    for path in ("/leaders/map/", "/leaders/lights/", "/leaders/screen/", "/leaders/phone/"):
        assert client.get(path).status_code == 403
