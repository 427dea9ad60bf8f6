"""Notification kinds and channels, each user's choice of channels per kind, the group robots'
webhooks (WeCom, DingTalk) per district or department, and the outbox of deliveries.

The in-app notification itself is ``ecer.web.quality.models.Notification`` (the top bar's
unread count reads it); every message also leaves a ``Delivery`` row per channel: who was told
what, when, through which channel, and whether it was delivered.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Kind(models.TextChoices):
    SUBMITTED = "submitted", _("报送待审核")
    RETURNED = "returned", _("报送被退回")
    APPROVED = "approved", _("报送已审核通过")
    OVERDUE = "overdue", _("到期与逾期提醒")
    ESCALATED = "escalated", _("逾期督办升级")
    RED_WARNING = "red_warning", _("红色预警")
    EXCEEDANCE = "exceedance", _("监测超标")
    GAP = "gap", _("监测缺数")
    OFFLINE = "offline", _("监测离线")
    TWO_HIGH_DEADLINE = "two_high_deadline", _("两高项目处置期限临近")
    MILESTONE_DUE = "milestone_due", _("任务节点到期")
    CASE_UPDATE = "case_update", _("闭环处置进展")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内通知")
    EMAIL = "email", _("电子邮件")
    WEBHOOK = "webhook", _("群机器人")


class Preference(models.Model):
    """A user's choice for one kind × channel; without a row the channel is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    enabled = models.BooleanField(_("接收"), default=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="preference_once")
        ]


class Provider(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


def validate_webhook_url(value: str) -> None:
    """An http(s) URL with a host and no user name or password in it."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("网址须以 http:// 或 https:// 开头"), code="scheme")
    if not parts.hostname:
        raise ValidationError(_("网址缺少主机名"), code="host")
    if parts.username or parts.password:
        raise ValidationError(_("网址中不能包含用户名或密码"), code="credentials")


class WebhookEndpoint(models.Model):
    """A group robot that receives the messages of one district's, one department's or (with
    neither) the city's users."""

    name = models.CharField(_("名称"), max_length=100)
    provider = models.CharField(_("类型"), max_length=12, choices=Provider.choices)
    url = models.CharField(_("Webhook 地址"), max_length=500, validators=[validate_webhook_url])
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉机器人“加签”安全设置的密钥；不加签则留空"),
    )
    area = models.ForeignKey(
        "catalog.Area", verbose_name=_("县区"), null=True, blank=True, on_delete=models.CASCADE
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    enabled = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(area__isnull=False) & models.Q(department__isnull=False)),
                name="webhook_one_unit",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.area_id is not None and self.department_id is not None:
            raise ValidationError(_("县区和部门只能选择其一（都不选表示市级）"))
        if self.secret and self.provider != Provider.DINGTALK:
            raise ValidationError({"secret": _("只有钉钉机器人使用加签密钥")})

    @property
    def unit_label(self) -> str:
        return str(self.area or self.department or _("市级"))


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One message through one channel: the outbox row a worker claims, sends and retries.

    payload: What the channel sends (e-mail: subject, body and address; webhook: the robot's
    JSON message). attempts: Sends tried so far. next_attempt_at: When the next try is due.
    """

    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        verbose_name=_("群机器人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    recipients = models.CharField(_("通知对象"), max_length=500, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    payload = models.JSONField(_("发送内容"), default=dict)
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.title}"
