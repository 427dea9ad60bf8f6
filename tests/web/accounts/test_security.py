from __future__ import annotations

from typing import Any

import pytest

from ecer.web.accounts.models import ApiKey
from tests.web.accounts.conftest import PASSWORD, World

pytestmark = pytest.mark.django_db


def test_passwords_use_the_django_default_hasher(settings: Any, django_user_model: Any) -> None:
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    user = django_user_model.objects.create_user("someone", "", PASSWORD)
    assert PASSWORD not in user.password and user.password.startswith("pbkdf2_sha256$")
    assert user.check_password(PASSWORD)


def test_login_is_throttled_after_repeated_failures(
    world: World, client: Any, settings: Any
) -> None:
    settings.ECER_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert (
            client.post("/login/", {"username": "haicheng", "password": "wrong"}).status_code == 200
        )
    # Now even the right password is refused until the window has passed.
    locked = client.post("/login/", {"username": "haicheng", "password": PASSWORD})
    assert locked.status_code == 429
    assert "次数过多" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_clears_earlier_failures(
    world: World, client: Any, settings: Any
) -> None:
    settings.ECER_LOGIN_MAX_FAILURES = 3
    client.post("/login/", {"username": "haicheng", "password": "wrong"})
    client.post("/login/", {"username": "haicheng", "password": "wrong"})
    assert client.post("/login/", {"username": "haicheng", "password": PASSWORD}).status_code == 302
    client.logout()
    client.post("/login/", {"username": "haicheng", "password": "wrong"})
    assert client.post("/login/", {"username": "haicheng", "password": PASSWORD}).status_code == 302


def test_api_keys_are_stored_hashed_and_revocable(world: World) -> None:
    key, raw = ApiKey.issue(world.users["enterprise"], "能耗在线监测端")
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert ApiKey.authenticate(raw) == key
    assert ApiKey.authenticate(raw + "x") is None
    key.revoke()
    assert ApiKey.authenticate(raw) is None


def test_uploads_over_the_limit_are_refused(world: World, client: Any, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ECER_UPLOAD_MAX_BYTES = 100
    client.force_login(world.users["district"])
    big = SimpleUploadedFile("obs.csv", b"target,area,year,value,unit\n" + b"x" * 200)
    response = client.post("/observations/import/", {"file": big})
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
