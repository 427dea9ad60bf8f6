"""API keys (issue #19, class 7) and the city administrators' admin site (class 8)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ecer.web.accounts.models import ApiKey, Membership, Role, hash_api_key
from tests.web.accounts.conftest import World, make_user

pytestmark = pytest.mark.django_db


def test_an_enterprise_issues_lists_and_revokes_its_keys(world: World, client: Any) -> None:
    firm = world.users["enterprise"]
    client.force_login(firm)
    assert 'id="api-keys-link"' in client.get("/enterprises/").content.decode()
    created = client.post("/enterprises/api-keys/", {"name": "能耗在线监测端"})
    html = created.content.decode()
    match = re.search(r'<code id="new-key-secret">(ecer_[^<]+)</code>', html)
    assert created.status_code == 200 and match, html
    raw = match.group(1)
    key = ApiKey.objects.get(user=firm, name="能耗在线监测端")
    assert key.key_hash == hash_api_key(raw) and raw not in (key.prefix, key.key_hash)
    assert ApiKey.authenticate(raw) == key
    # Shown once: the list afterwards has the key's name and prefix, never the secret.
    listing = client.get("/enterprises/api-keys/").content.decode()
    assert "能耗在线监测端" in listing and key.prefix in listing and raw not in listing
    assert "从未使用" not in listing  # authenticate() above used it
    # Revoking asks first, then the key stops working.
    confirm = client.get(f"/enterprises/api-keys/{key.pk}/revoke/")
    assert confirm.status_code == 200 and "确认吊销" in confirm.content.decode()
    assert ApiKey.authenticate(raw) == key
    assert client.post(f"/enterprises/api-keys/{key.pk}/revoke/").status_code == 302
    assert ApiKey.authenticate(raw) is None
    assert "已于" in client.get("/enterprises/api-keys/").content.decode()


def test_an_enterprise_cannot_touch_another_enterprises_key(world: World, client: Any) -> None:
    other = make_user(
        type(world.users["enterprise"]),
        "otherfirm",
        role=Role.ENTERPRISE,
        enterprise_code="91450512MA5TG0034R",
    )
    key, raw = ApiKey.issue(other, "theirs")
    client.force_login(world.users["enterprise"])
    assert "theirs" not in client.get("/enterprises/api-keys/").content.decode()
    assert client.post(f"/enterprises/api-keys/{key.pk}/revoke/").status_code == 404
    assert ApiKey.authenticate(raw) == key


@pytest.mark.parametrize("role", ["leader", "no_role"])
def test_the_admin_refuses_a_key_that_could_never_be_used(
    world: World, client: Any, role: str
) -> None:
    client.force_login(world.users["city_admin"])
    response = client.post(
        "/admin/accounts/apikey/add/", {"user": world.users[role].pk, "name": "x"}
    )
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not ApiKey.objects.exists()
    response = client.post("/admin/accounts/apikey/add/", {"name": "no user"})
    assert not ApiKey.objects.exists()


def test_the_admin_issues_a_usable_key_and_shows_it_once(world: World, client: Any) -> None:
    client.force_login(world.users["city_admin"])
    response = client.post(
        "/admin/accounts/apikey/add/", {"user": world.users["enterprise"].pk, "name": "logger"}
    )
    match = re.search(r'<code id="new-key-secret">(ecer_[^<]+)</code>', response.content.decode())
    assert response.status_code == 200 and match
    assert ApiKey.authenticate(match.group(1)) == ApiKey.objects.get(name="logger")


def test_every_city_administrator_opens_the_admin_site(
    world: World, client: Any, django_user_model: Any
) -> None:
    second = make_user(django_user_model, "secondadmin", role=Role.CITY_ADMIN)
    second.refresh_from_db()
    assert second.is_staff  # the role decides, nobody has to tick the flag
    client.force_login(second)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/catalog/observation/").status_code == 200
    assert 'href="/admin/"' in client.get("/").content.decode()
    # Moved to another role: no longer staff, no admin site.
    Membership.objects.filter(user=second).update(role=Role.LEADER)
    Membership.objects.get(user=second).save()
    second.refresh_from_db()
    assert not second.is_staff
    assert client.get("/admin/").status_code == 302


def test_the_admin_signs_in_through_the_throttled_page(client: Any) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"
