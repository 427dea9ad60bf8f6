"""Sign-in throttling by normalized user name and address.

The rule (docs/security.md, "Sign-in"):

1. **Name at an address.** After ``ECER_LOGIN_MAX_FAILURES`` (5) failed sign-ins for one
   user name from one address within ``ECER_LOGIN_WINDOW_SECONDS`` (15 min), that address may
   not try that name again until the oldest of those failures leaves the window. Other
   addresses are not affected: a guesser locks out only itself.
2. **Name under attack from many addresses.** When a name has collected
   ``ECER_LOGIN_NAME_SLOWDOWN_AFTER`` (10) failures from all addresses within the window,
   guessing is slowed, never stopped: an attempt must come at least
   2^(failures − threshold) seconds (at most ``ECER_LOGIN_MAX_DELAY_SECONDS``, 60) after the
   name's latest failure. An address from which this user signed in successfully within
   ``ECER_LOGIN_KNOWN_ADDRESS_DAYS`` (30) is exempt, so the owner's office keeps working.
3. **Address trying many names.** ``ECER_LOGIN_MAX_FAILURES_PER_ADDRESS`` (100) failures from
   one address within the window stop further attempts from it, except for users who have
   signed in from that address before (an office behind one NAT address is not locked out by
   one of its machines).

Names are counted in their normal form (ecer.web.accounts.names), so spaces, full-width
letters or case give no fresh guesses. A refused attempt is not counted as a failure: a
locked-out guesser cannot push the name's counter further. Nothing here ever locks a name
for everybody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ecer.web.accounts.models import LoginAttempt
from ecer.web.accounts.names import MAX_LENGTH, normalize_username


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _window() -> timedelta:
    return timedelta(seconds=_setting("ECER_LOGIN_WINDOW_SECONDS", 900))


def throttle_key(username: str) -> str:
    """The counter a typed user name counts against."""
    return normalize_username(username)[:MAX_LENGTH]


@dataclass(frozen=True)
class Refusal:
    """Why an attempt is refused, and for how many seconds at most."""

    reason: str  # "pair" | "name" | "address"
    retry_after_seconds: int


def check(username: str, ip_address: str | None, now: datetime | None = None) -> Refusal | None:
    """None when this attempt may go ahead, else the rule that refuses it."""
    now = now or timezone.now()
    name = throttle_key(username)
    since = now - _window()
    failures = LoginAttempt.objects.filter(at__gte=since, succeeded=False)
    limit = _setting("ECER_LOGIN_MAX_FAILURES", 5)

    pair = list(
        failures.filter(username=name, ip_address=ip_address)
        .order_by("at")
        .values_list("at", flat=True)[:limit]
    )
    if len(pair) >= limit:
        return Refusal("pair", _seconds_until(pair[0] + _window(), now))

    if _is_known_address(name, ip_address, now):
        return None

    by_name = failures.filter(username=name)
    count = by_name.count()
    threshold = _setting("ECER_LOGIN_NAME_SLOWDOWN_AFTER", 10)
    if count >= threshold:
        delay = min(2 ** min(count - threshold, 16), _setting("ECER_LOGIN_MAX_DELAY_SECONDS", 60))
        latest = by_name.order_by("-at").values_list("at", flat=True).first()
        if latest is not None and now < latest + timedelta(seconds=delay):
            return Refusal("name", _seconds_until(latest + timedelta(seconds=delay), now))

    if ip_address:
        per_address = _setting("ECER_LOGIN_MAX_FAILURES_PER_ADDRESS", 100)
        from_address = failures.filter(ip_address=ip_address).order_by("-at")
        recent = list(from_address.values_list("at", flat=True)[:per_address])
        if len(recent) >= per_address:
            return Refusal("address", _seconds_until(recent[-1] + _window(), now))
    return None


def _is_known_address(name: str, ip_address: str | None, now: datetime) -> bool:
    if not ip_address:
        return False
    since = now - timedelta(days=_setting("ECER_LOGIN_KNOWN_ADDRESS_DAYS", 30))
    return LoginAttempt.objects.filter(
        username=name, ip_address=ip_address, succeeded=True, at__gte=since
    ).exists()


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, int((moment - now).total_seconds() + 0.999))


def record_failure(username: str, ip_address: str | None, now: datetime | None = None) -> None:
    now = now or timezone.now()
    LoginAttempt.objects.create(username=throttle_key(username), ip_address=ip_address, at=now)
    prune(now)


def record_success(username: str, ip_address: str | None, now: datetime | None = None) -> None:
    """Clear this address's failures for the name (not other addresses': a guesser elsewhere
    keeps its count) and remember the address as one the user signs in from."""
    now = now or timezone.now()
    name = throttle_key(username)
    LoginAttempt.objects.filter(username=name, ip_address=ip_address).delete()
    LoginAttempt.objects.create(username=name, ip_address=ip_address, at=now, succeeded=True)
    prune(now)


def prune(now: datetime | None = None) -> None:
    """Forget failures past the window and successes past the known-address period."""
    now = now or timezone.now()
    LoginAttempt.objects.filter(succeeded=False, at__lt=now - _window()).delete()
    known_days = _setting("ECER_LOGIN_KNOWN_ADDRESS_DAYS", 30)
    LoginAttempt.objects.filter(succeeded=True, at__lt=now - timedelta(days=known_days)).delete()
