"""Login throttling: after too many failed sign-ins for one user name or from one address
within a window, further attempts are refused until the window has passed."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ecer.web.accounts.models import LoginAttempt


def _window() -> timedelta:
    return timedelta(seconds=getattr(settings, "ECER_LOGIN_WINDOW_SECONDS", 900))


def _limit() -> int:
    return int(getattr(settings, "ECER_LOGIN_MAX_FAILURES", 5))


def is_locked(username: str, ip_address: str | None) -> bool:
    since = timezone.now() - _window()
    recent = LoginAttempt.objects.filter(at__gte=since)
    by_user = recent.filter(username=username.lower()).count()
    by_ip = recent.filter(ip_address=ip_address).count() if ip_address else 0
    # An address gets a wider allowance: several people may sign in from one office.
    return by_user >= _limit() or by_ip >= _limit() * 4


def record_failure(username: str, ip_address: str | None) -> None:
    LoginAttempt.objects.create(username=username.lower(), ip_address=ip_address)


def clear(username: str) -> None:
    LoginAttempt.objects.filter(Q(username=username.lower())).delete()
