"""Telling people: :func:`notify` records an in-app notification and queues e-mail and webhook
deliveries after the request's transaction commits; :func:`deliver_due` (the worker's one
plain callable: ``ecer manage deliver_notifications``, or a background thread in DEBUG) claims
due rows with a conditional UPDATE, sends them, and retries failures with exponential backoff
until ``ECER_NOTIFY_MAX_ATTEMPTS``. Nothing here sends anything inside a request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from ecer.web.accounts.models import Role
from ecer.web.notifications import channels
from ecer.web.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    Preference,
    WebhookEndpoint,
)
from ecer.web.quality.models import Notification

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)
"""A row claimed longer ago than this and still sending belongs to a worker that died: it
is due again."""


def retry_delay(attempts: int, base_seconds: float, cap_seconds: float) -> timedelta:
    """Exponential backoff: ``base`` after the first failure, doubling after each further
    one, never more than ``cap`` (30 s, 60 s, 120 s… with the default base of 30 s)."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def enabled_channels(users: Sequence[Any], kind: str) -> dict[int, set[str]]:
    """Each user's channels for ``kind``: every channel unless the user turned it off."""
    off: dict[int, set[str]] = {}
    for user_id, channel in Preference.objects.filter(
        user__in=users, kind=kind, enabled=False
    ).values_list("user_id", "channel"):
        off.setdefault(user_id, set()).add(channel)
    return {u.pk: set(Channel.values) - off.get(u.pk, set()) for u in users}


def endpoints_for(user: Any) -> list[WebhookEndpoint]:
    """The group robots of the user's unit: its district's, its department's, or the city's
    (administrators and leaders). Enterprises have none."""
    membership = getattr(user, "membership", None)
    if membership is None:
        return []
    found = WebhookEndpoint.objects.filter(enabled=True)
    if membership.role in (Role.CITY_ADMIN, Role.LEADER):
        return list(found.filter(area__isnull=True, department__isnull=True))
    if membership.role == Role.DISTRICT and membership.area_id:
        return list(found.filter(area_id=membership.area_id))
    if membership.role == Role.DEPARTMENT and membership.department_id:
        return list(found.filter(department_id=membership.department_id))
    return []


def _site_link(url: str) -> str:
    base = settings.ECER_SITE_URL.rstrip("/")
    return f"{base}{url}" if url and base else url


@dataclass(frozen=True)
class Message:
    kind: str
    title: str
    body: str = ""
    url: str = ""  # a path on this site ("/cases/12/")


def notify(users: Iterable[Any], message: Message) -> dict[str, int]:
    """Tell ``users``: in-app at once, e-mail and webhook through the outbox (queued when the
    current transaction commits, so a rolled-back action tells nobody). Returns the
    deliveries made per channel."""
    people = [u for u in {u.pk: u for u in users if u is not None and u.is_active}.values()]
    if not people:
        return {}
    message = Message(message.kind, message.title[:200], message.body, message.url[:300])
    chosen = enabled_channels(people, message.kind)
    now = timezone.now()
    in_app = [u for u in people if Channel.IN_APP in chosen[u.pk]]
    Notification.objects.bulk_create(
        Notification(user=u, title=message.title, body=message.body, url=message.url)
        for u in in_app
    )
    rows = [
        Delivery(
            kind=message.kind,
            channel=Channel.IN_APP,
            user=u,
            recipients=u.get_username(),
            title=message.title,
            url=message.url,
            state=DeliveryState.SENT,
            attempts=1,
            sent_at=now,
        )
        for u in in_app
    ]
    link = _site_link(message.url)
    for user in people:
        if Channel.EMAIL in chosen[user.pk] and user.email:
            rows.append(
                Delivery(
                    kind=message.kind,
                    channel=Channel.EMAIL,
                    user=user,
                    recipients=user.email,
                    title=message.title,
                    url=message.url,
                    payload=channels.email_payload(user.email, message.title, message.body, link),
                )
            )
    # One call per robot, however many of its unit's users are told.
    robots: dict[int, tuple[WebhookEndpoint, list[str]]] = {}
    for user in people:
        if Channel.WEBHOOK not in chosen[user.pk]:
            continue
        for endpoint in endpoints_for(user):
            robots.setdefault(endpoint.pk, (endpoint, []))[1].append(user.get_username())
    for endpoint, names in robots.values():
        rows.append(
            Delivery(
                kind=message.kind,
                channel=Channel.WEBHOOK,
                endpoint=endpoint,
                recipients="、".join(names)[:500],
                title=message.title,
                url=message.url,
                payload=channels.robot_message(
                    endpoint.provider, message.title, message.body, link
                ),
            )
        )
    Delivery.objects.bulk_create(rows)
    if any(r.state == DeliveryState.PENDING for r in rows):
        transaction.on_commit(wake)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.channel] = counts.get(row.channel, 0) + 1
    return counts


# --- the worker ------------------------------------------------------------------------------


@dataclass
class DeliverySummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, to retry {self.retried}, failed {self.failed}"


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take one due row; False when another worker got there first."""
    return (
        Delivery.objects.filter(
            pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
        ).update(state=DeliveryState.SENDING, claimed_at=now)
        == 1
    )


def deliver_due(now: datetime | None = None, limit: int = 100) -> DeliverySummary:
    """Send the deliveries due at ``now``; each outcome is recorded on its row."""
    now = now or timezone.now()
    summary = DeliverySummary()
    # Rows a dead worker left sending are due again.
    Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - CLAIM_LEASE).update(
        state=DeliveryState.PENDING
    )
    due = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        if not _claim(pk, now):
            continue  # another worker process got there first
        delivery = Delivery.objects.select_related("endpoint").get(pk=pk)
        _attempt(delivery, now, summary)
    return summary


def _attempt(delivery: Delivery, now: datetime, summary: DeliverySummary) -> None:
    delivery.attempts += 1
    try:
        channels.send(delivery)
    except channels.SendError as exc:
        delivery.last_error = str(exc)[:2000]
        if delivery.attempts >= settings.ECER_NOTIFY_MAX_ATTEMPTS:
            delivery.state = DeliveryState.FAILED
            summary.failed += 1
            logger.warning("delivery %s failed for good: %s", delivery.pk, exc)
            _report_failure(delivery)
        else:
            delivery.state = DeliveryState.PENDING
            delivery.next_attempt_at = now + retry_delay(
                delivery.attempts,
                settings.ECER_NOTIFY_RETRY_SECONDS,
                settings.ECER_NOTIFY_RETRY_MAX_SECONDS,
            )
            summary.retried += 1
    else:
        delivery.state = DeliveryState.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        summary.sent += 1
    delivery.claimed_at = None
    delivery.save(
        update_fields=[
            "attempts",
            "state",
            "next_attempt_at",
            "last_error",
            "sent_at",
            "claimed_at",
        ]
    )


def _report_failure(delivery: Delivery) -> None:
    """Tell the city administrators in-app (never through the outbox: a broken channel must
    not feed itself) that a message could not be delivered."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils.translation import gettext as _

    admins = get_user_model().objects.filter(membership__role=Role.CITY_ADMIN, is_active=True)
    title = _("通知发送失败：%(title)s") % {"title": delivery.title}
    body = _("渠道：%(channel)s；对象：%(to)s；已尝试 %(n)s 次；错误：%(error)s") % {
        "channel": delivery.get_channel_display(),
        "to": delivery.recipients,
        "n": delivery.attempts,
        "error": delivery.last_error[:300],
    }
    url = reverse("notifications:deliveries") + "?state=failed"
    Notification.objects.bulk_create(
        Notification(user=u, title=title[:200], body=body, url=url) for u in admins
    )


# --- in-process worker (DEBUG, `make run`) -------------------------------------------------

_wakeup = threading.Event()
_thread: threading.Thread | None = None
_thread_lock = threading.Lock()


def wake() -> None:
    """Ask the in-process worker to look at the outbox now (started on first use when
    ``ECER_NOTIFY_BACKGROUND`` is on; otherwise a separate worker runs the command)."""
    if not settings.ECER_NOTIFY_BACKGROUND:
        return
    global _thread
    with _thread_lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run_forever, name="ecer-notify", daemon=True)
            _thread.start()
    _wakeup.set()


def run_once() -> DeliverySummary:
    """One pass of the worker: case deadlines (escalations) and then the due deliveries."""
    from ecer.web.cases import services as case_services

    case_services.check_deadlines()
    return deliver_due()


def _run_forever() -> None:
    while True:
        _wakeup.wait(timeout=settings.ECER_NOTIFY_POLL_SECONDS)
        _wakeup.clear()
        try:
            run_once()
        except Exception:  # the thread must outlive a bad pass; the next one tries again
            logger.exception("notification worker pass failed")
        finally:
            close_old_connections()
