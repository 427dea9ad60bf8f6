"""Moves of the submission workflow; each checks the actor's scope and the current state.

Approval is the one door every path goes through (review pages, JSON API): checks registered
with :func:`register_pre_approval_check` run inside :func:`approve` before the state changes,
and may refuse the approval (``ValidationError``) or record the approver's justification.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.web.audit.models import Correction, Reviewable, Status
from ecer.web.audit.signals import figures_received, review_moved

# (record, user, justification) -> None; raises ValidationError to refuse the approval.
PreApprovalCheck = Callable[[Reviewable, Any, str], None]
_pre_approval_checks: list[PreApprovalCheck] = []


def register_pre_approval_check(check: PreApprovalCheck) -> None:
    """Run ``check`` in every approval (registered once, from an app's ``ready``)."""
    if check not in _pre_approval_checks:
        _pre_approval_checks.append(check)


def _require(record: Reviewable, *states: str) -> None:
    if record.status not in states:
        raise ValidationError(
            _("当前状态为“%(status)s”，不能执行此操作") % {"status": record.get_status_display()}
        )


@transaction.atomic
def submit(record: Reviewable, user: Any) -> None:
    _require(record, Status.DRAFT, Status.RETURNED)
    record.status = Status.SUBMITTED
    record.submitted_by = user
    record.submitted_at = timezone.now()
    record.return_reason = ""
    record.save()
    figures_received.send(sender=type(record), records=[record])
    review_moved.send(sender=type(record), record=record, user=user, move="submitted")


@transaction.atomic
def approve(record: Reviewable, user: Any, scope: Any, justification: str = "") -> None:
    """Approve a submitted record; ``justification`` is the reviewer's reason to approve
    despite data-quality findings (required by the registered checks when there are any)."""
    if not scope.can_review:
        raise PermissionDenied("only reviewers approve")
    _require(record, Status.SUBMITTED)
    for check in _pre_approval_checks:
        check(record, user, justification.strip())
    record.status = Status.APPROVED
    record.reviewed_by = user
    record.reviewed_at = timezone.now()
    record.save()
    review_moved.send(sender=type(record), record=record, user=user, move="approved")


@transaction.atomic
def return_for_revision(record: Reviewable, user: Any, scope: Any, reason: str) -> None:
    if not scope.can_review:
        raise PermissionDenied("only reviewers return submissions")
    if not reason.strip():
        raise ValidationError(_("退回必须说明理由"))
    _require(record, Status.SUBMITTED)
    record.status = Status.RETURNED
    record.reviewed_by = user
    record.reviewed_at = timezone.now()
    record.return_reason = reason.strip()
    record.save()
    review_moved.send(sender=type(record), record=record, user=user, move="returned")


@transaction.atomic
def correct(
    record: Reviewable, user: Any, scope: Any, changes: dict[str, Any], reason: str
) -> list[Correction]:
    """Change figures of an approved record, recording each change with its reason."""
    if not scope.can_review:
        raise PermissionDenied("only reviewers correct approved figures")
    if not reason.strip():
        raise ValidationError(_("更正必须说明理由"))
    _require(record, Status.APPROVED)
    unknown = set(changes) - set(record.reviewed_fields)
    if unknown:
        raise ValidationError(_("不能更正的字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    content_type = ContentType.objects.get_for_model(record)
    made = []
    for field, new in changes.items():
        old = getattr(record, field)
        if old == new:
            continue
        setattr(record, field, new)
        made.append(
            Correction(
                content_type=content_type,
                object_id=record.pk,
                field_name=field,
                old_value=str(old),
                new_value=str(new),
                reason=reason.strip(),
                corrected_by=user,
            )
        )
    if not made:
        raise ValidationError(_("没有需要更正的变化"))
    # A corrected figure obeys the same field domains and record rules as a new one.
    changed = {c.field_name for c in made}
    record.clean_fields(exclude=[f.name for f in record._meta.fields if f.attname not in changed])
    record.clean()
    record._correction_in_progress = True  # type: ignore[attr-defined]
    try:
        record._change_reason = reason.strip()  # type: ignore[attr-defined]  # simple_history
        record.save()
    finally:
        record._correction_in_progress = False  # type: ignore[attr-defined]
    Correction.objects.bulk_create(made)
    return made
