"""Who a user is in the platform: a role and the district, department or enterprise it is bound
to; failed-login records for throttling; hashed, revocable API keys."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("市级管理员（发展改革委/生态环境局）")
    DEPARTMENT = "department", _("部门用户")
    DISTRICT = "district", _("县区用户")
    ENTERPRISE = "enterprise", _("企业用户")
    LEADER = "leader", _("领导（只读）")


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    area = models.ForeignKey(
        "catalog.Area", verbose_name=_("县区"), null=True, blank=True, on_delete=models.PROTECT
    )
    enterprise_code = models.CharField(_("企业统一社会信用代码"), max_length=18, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.role == Role.DEPARTMENT and self.department_id is None:
            raise ValidationError({"department": _("部门用户必须指定部门")})
        if self.role == Role.DISTRICT and self.area_id is None:
            raise ValidationError({"area": _("县区用户必须指定县区")})
        if self.role == Role.ENTERPRISE and not self.enterprise_code:
            raise ValidationError({"enterprise_code": _("企业用户必须指定企业")})


class LoginAttempt(models.Model):
    """A sign-in attempt kept to throttle guessing (see ecer.web.accounts.throttle): failures
    for the window, successes to know the addresses a user signs in from."""

    username = models.CharField(max_length=150, db_index=True)  # normalized
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """An API key: only its SHA-256 hash and an 8-character prefix are stored."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 密钥")
        verbose_name_plural = _("API 密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def owner_problem(user: Any) -> str | None:
        """Why a key for ``user`` could never be used, or None. Keys are for uploads: the
        user must be active and have a role that sends data through the API."""
        from ecer.web.accounts.scope import Scope

        if user is None:
            return str(_("API 密钥必须属于一个用户"))
        if not user.is_active:
            return str(_("用户 %(user)s 已停用，其 API 密钥无法使用") % {"user": user})
        if not Scope.for_user(user).can_upload_by_api:
            return str(
                _(
                    "用户 %(user)s 的角色不能通过 API 上传数据"
                    "（需为企业、县区、部门用户或市级管理员）"
                )
                % {"user": user}
            )
        return None

    @classmethod
    def issue(cls, user: Any, name: str) -> tuple[ApiKey, str]:
        """Create a key; the raw key is returned once and never stored."""
        problem = cls.owner_problem(user)
        if problem is not None:
            raise ValidationError(problem)
        raw, fields = cls.new_secret()
        key = cls.objects.create(user=user, name=name, **fields)
        return key, raw

    @classmethod
    def new_secret(cls) -> tuple[str, dict[str, str]]:
        """A fresh raw key and the fields stored for it (prefix and hash only)."""
        raw = "ecer_" + secrets.token_urlsafe(32)
        return raw, {"prefix": raw[5 : 5 + cls.PREFIX_LENGTH], "key_hash": hash_api_key(raw)}

    @classmethod
    def authenticate(cls, raw: str) -> ApiKey | None:
        key = cls.objects.active().select_related("user").filter(key_hash=hash_api_key(raw)).first()
        if key is not None and key.user.is_active:
            cls.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
            return key
        return None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
