"""Submission workflow and corrections, shared by every kind of reported figure.

A reported record moves draft → submitted → approved, or back to returned (with a reason) and
then draft again. Once approved, its figures change only through a Correction, which records
who, when, why, and the old and new values. The guard sits in ``Reviewable.save``, so the web
forms, the API and the importers all pass through it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class ApprovedRecordError(Exception):
    """An approved record's figures were changed without a correction."""


class Reviewable(models.Model):
    """Abstract base: the workflow fields and the guard on approved figures."""

    # The fields that hold reported figures; subclasses list theirs.
    reviewed_fields: ClassVar[tuple[str, ...]] = ()

    status = models.CharField(
        _("审核状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)

    class Meta:
        abstract = True

    def _stored_figures(self) -> dict[str, Any] | None:
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values("status", *self.reviewed_fields).first()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not getattr(self, "_correction_in_progress", False):
            stored = self._stored_figures()
            if stored is not None and stored["status"] == Status.APPROVED:
                changed = [f for f in self.reviewed_fields if stored[f] != getattr(self, f)]
                if changed:
                    raise ApprovedRecordError(
                        f"{type(self).__name__} {self.pk} is approved: "
                        f"{', '.join(changed)} can only change through a correction"
                    )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        stored = self._stored_figures()
        if stored is not None and stored["status"] == Status.APPROVED:
            raise ApprovedRecordError(f"{type(self).__name__} {self.pk} is approved: not deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status == Status.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)


class Correction(models.Model):
    """A recorded change of one figure of an approved record."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field_name = models.CharField(_("字段"), max_length=60)
    old_value = models.TextField(_("原值"))
    new_value = models.TextField(_("新值"))
    reason = models.TextField(_("更正理由"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更正人"), on_delete=models.PROTECT
    )
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        ordering = ["-corrected_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("更正记录")
        verbose_name_plural = _("更正记录")

    def __str__(self) -> str:
        return f"{self.field_name}: {self.old_value} → {self.new_value}"
