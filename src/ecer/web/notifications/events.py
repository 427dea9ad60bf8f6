"""Who is told what when something happens elsewhere: submissions moving through review
(``audit.signals.review_moved``). Reminders (``quality.reminders``) and cases
(``ecer.web.cases``) call :func:`ecer.web.notifications.outbox.notify` themselves."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ecer.web.accounts.models import Role
from ecer.web.notifications.models import Kind
from ecer.web.notifications.outbox import Message, notify


def connect() -> None:
    from ecer.web.audit.signals import review_moved

    review_moved.connect(on_review_moved, dispatch_uid="notifications-review")


def users_with_role(role: str, **membership: Any) -> list[Any]:
    filters = {f"membership__{k}": v for k, v in membership.items()}
    return list(
        get_user_model()
        .objects.filter(is_active=True, membership__role=role, **filters)
        .select_related("membership")
    )


def record_url(record: Any) -> str:
    """The page of a reviewed record (observation, enterprise report, task report)."""
    label = record._meta.label_lower
    try:
        if label == "catalog.observation":
            return reverse("catalog:observation", args=[record.pk])
        if label == "enterprises.energyreport":
            return reverse("enterprises:report", args=[record.enterprise.credit_code, record.year])
        if label == "tasks.progressreport":
            return reverse("tasks:report", args=[record.pk])
    except (NoReverseMatch, AttributeError):
        pass
    return ""


def _submitters(record: Any) -> list[Any]:
    """Who answers for a returned or approved record: its submitter, else its district's users."""
    if record.submitted_by is not None:
        return [record.submitted_by]
    area_id = getattr(record, "area_id", None)
    return users_with_role(Role.DISTRICT, area_id=area_id) if area_id else []


def on_review_moved(sender: Any, record: Any, user: Any, move: str, **kwargs: Any) -> None:
    label = str(record)
    url = record_url(record)
    if move == "submitted":
        notify(
            users_with_role(Role.CITY_ADMIN),
            Message(
                Kind.SUBMITTED,
                _("待审核：%(record)s") % {"record": label},
                _("%(user)s 提交了报送，请审核。") % {"user": user},
                url,
            ),
        )
    elif move == "returned":
        notify(
            _submitters(record),
            Message(
                Kind.RETURNED,
                _("报送被退回：%(record)s") % {"record": label},
                _("退回理由：%(reason)s") % {"reason": record.return_reason},
                url,
            ),
        )
    elif move == "approved":
        notify(
            _submitters(record),
            Message(Kind.APPROVED, _("报送已审核通过：%(record)s") % {"record": label}, "", url),
        )
