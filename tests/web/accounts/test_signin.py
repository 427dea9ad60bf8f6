"""Sign-in (issue #19, class 5): one counter per normalized name, locks per address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecer.web.accounts import throttle
from ecer.web.accounts.models import LoginAttempt
from tests.web.accounts.conftest import PASSWORD, World

pytestmark = pytest.mark.django_db

SPACES = [" ", "\t", "\u3000", "\u00a0", "\u2003", "\n"]


def _full_width(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char


@st.composite
def spellings(draw: Any, name: str) -> str:
    """The name with any case, any letters full-width, any spaces around it."""
    chars = []
    for char in name:
        if draw(st.booleans()):
            char = char.upper()
        if draw(st.booleans()):
            char = _full_width(char)
        chars.append(char)
    before = draw(st.lists(st.sampled_from(SPACES), max_size=3))
    after = draw(st.lists(st.sampled_from(SPACES), max_size=3))
    return "".join(before) + "".join(chars) + "".join(after)


SLOW = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@given(spelling=spellings("haicheng"))
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_spelling_of_a_name_has_one_counter(spelling: str) -> None:
    assert throttle.throttle_key(spelling) == "haicheng"


@SLOW
@given(variants=st.lists(spellings("haicheng"), min_size=4, max_size=4), last=spellings("haicheng"))
def test_spellings_give_no_fresh_guesses(
    world: World, client: Any, settings: Any, variants: list[str], last: str
) -> None:
    """Failures under any spellings lock the name at that address; the right password under
    yet another spelling is refused there, and accepted from another address."""
    LoginAttempt.objects.all().delete()
    client.logout()
    settings.ECER_LOGIN_MAX_FAILURES = 4
    for variant in variants:
        response = client.post("/login/", {"username": variant, "password": "wrong"})
        assert response.status_code == 200
    locked = client.post("/login/", {"username": last, "password": PASSWORD})
    assert locked.status_code == 429, last
    assert "_auth_user_id" not in client.session
    elsewhere = client.post(
        "/login/", {"username": last, "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert elsewhere.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["district"].pk)


def test_a_lock_at_one_address_does_not_lock_the_user_at_another(
    world: World, client: Any, settings: Any
) -> None:
    settings.ECER_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        client.post("/login/", {"username": "haicheng", "password": "x"}, REMOTE_ADDR="203.0.113.5")
    attacker = client.post(
        "/login/", {"username": "haicheng", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert attacker.status_code == 429 and attacker["Retry-After"]
    office = client.post(
        "/login/", {"username": "haicheng", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert office.status_code == 302


def test_refused_attempts_are_not_counted(world: World, client: Any, settings: Any) -> None:
    settings.ECER_LOGIN_MAX_FAILURES = 2
    for _ in range(6):
        client.post("/login/", {"username": "haicheng", "password": "x"})
    assert LoginAttempt.objects.filter(username="haicheng", succeeded=False).count() == 2


def _fail(name: str, address: str, at: Any) -> None:
    LoginAttempt.objects.create(username=name, ip_address=address, at=at)


def test_many_addresses_slow_a_name_down_but_never_lock_it(world: World, settings: Any) -> None:
    settings.ECER_LOGIN_NAME_SLOWDOWN_AFTER = 10
    settings.ECER_LOGIN_MAX_DELAY_SECONDS = 60
    now = timezone.now()
    for index in range(10):
        _fail("haicheng", f"198.51.100.{index}", now - timedelta(seconds=30 - index))
    latest = now - timedelta(seconds=21)
    # 10 failures: the next attempt from a new address waits 2^0 = 1 s after the latest.
    refusal = throttle.check("haicheng", "198.51.100.200", now=latest + timedelta(seconds=0.5))
    assert refusal is not None and refusal.reason == "name"
    assert throttle.check("haicheng", "198.51.100.200", now=latest + timedelta(seconds=1.5)) is None
    # However many failures, the wait is at most ECER_LOGIN_MAX_DELAY_SECONDS.
    for index in range(200):
        _fail("haicheng", f"198.51.{index // 200}.{index % 200}", latest)
    capped = throttle.check("haicheng", "192.0.2.77", now=latest + timedelta(seconds=59))
    assert capped is not None and capped.retry_after_seconds <= 60
    assert throttle.check("haicheng", "192.0.2.77", now=latest + timedelta(seconds=61)) is None
    # The user's own office (a successful sign-in from there) is not slowed at all.
    throttle.record_success("haicheng", "192.0.2.10", now=latest - timedelta(days=1))
    assert throttle.check("haicheng", "192.0.2.10", now=latest) is None


def test_an_address_trying_many_names_stops_but_its_known_users_do_not(
    world: World, settings: Any
) -> None:
    settings.ECER_LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    now = timezone.now()
    throttle.record_success("leader", "192.0.2.1", now=now - timedelta(days=2))
    for index in range(20):
        _fail(f"guess{index}", "192.0.2.1", now - timedelta(seconds=index))
    refusal = throttle.check("someone", "192.0.2.1", now=now)
    assert refusal is not None and refusal.reason == "address"
    assert throttle.check("leader", "192.0.2.1", now=now) is None
    assert throttle.check("someone", "192.0.2.2", now=now) is None


def test_any_spelling_of_the_name_signs_in(world: World, client: Any) -> None:
    response = client.post("/login/", {"username": "\u3000ＨａｉＣＨＥＮＧ ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.users["district"].pk)


def test_names_are_stored_normalized_and_one_name_is_one_user(
    world: World, client: Any, django_user_model: Any
) -> None:
    user = django_user_model.objects.create_user(" ＮｅｗＵｓｅｒ\u3000", "", PASSWORD)
    assert user.username == "newuser"
    client.force_login(django_user_model.objects.create_superuser("root", "", PASSWORD))
    response = client.post(
        "/admin/auth/user/add/",
        {"username": "ＨＡＩＣＨＥＮＧ", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert django_user_model.objects.filter(username__iexact="haicheng").count() == 1


def test_the_client_address_behind_proxies_is_not_chosen_by_the_client(settings: Any) -> None:
    from django.test import RequestFactory

    from ecer.web.accounts.views import client_ip

    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.ECER_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.ECER_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"
