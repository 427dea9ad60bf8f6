"""Data quality in the database: versioned rule sets, stored findings, approvals that
overrode findings, reminders sent and in-app notifications.

A rule set is edited on forms (or, for what the forms cannot change, as text) and stored as a
new :class:`RuleSetVersion` on every edit, its text the YAML the text editor opens; old
versions stay. Each :class:`Finding` names the version it was found with. A finding is
``open`` until the record no longer breaks the rule (``resolved``) or a reviewer approves the
record anyway with a justification (``overridden``, with the :class:`Override`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ecer.core.quality import RuleSet, Severity, rule_set_from_dict


class RuleSetVersion(models.Model):
    name = models.SlugField(_("规则集"), max_length=60)
    version = models.PositiveIntegerField(_("版本"))
    text = models.TextField(_("规则文本（YAML/JSON）"))
    data = models.JSONField(_("规则数据"))
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修改人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="rule_set_version_unique")
        ]
        verbose_name = _("数据质量规则集版本")
        verbose_name_plural = _("数据质量规则集版本")

    def __str__(self) -> str:
        from ecer.web.quality.defaults import DEFAULT_NAME

        name = gettext("默认规则集") if self.name == DEFAULT_NAME else self.name
        return gettext("%(name)s 第 %(version)s 版") % {"name": name, "version": self.version}

    def rule_set(self) -> RuleSet:
        return rule_set_from_dict(self.data)


class FindingStatus(models.TextChoices):
    OPEN = "open", _("未处理")
    OVERRIDDEN = "overridden", _("已说明理由通过")
    RESOLVED = "resolved", _("已消除")


SEVERITY_CHOICES = [
    (Severity.ERROR.value, _("错误")),
    (Severity.WARNING.value, _("警告")),
    (Severity.INFO.value, _("提示")),
]

RECORD_KIND_CHOICES = [
    ("target_observation", _("目标监测值")),
    ("district_energy_year", _("县区年度能耗数据")),
    ("enterprise_energy_report", _("能源利用状况报告")),
    ("online_energy_series", _("在线能耗数据")),
    ("target_reconciliation", _("填报值与核算值核对")),
]


class Override(models.Model):
    """An approval despite findings: who, when, why, and which findings."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    justification = models.TextField(_("理由"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT
    )
    approved_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-approved_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("带理由的审核通过")
        verbose_name_plural = _("带理由的审核通过")

    def __str__(self) -> str:
        return f"{_('带理由的审核通过')} {self.justification[:30]}"


class Finding(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    period = models.CharField(_("时期"), max_length=20, blank=True)
    record_kind = models.CharField(_("数据类型"), max_length=40, choices=RECORD_KIND_CHOICES)
    label = models.CharField(_("数据"), max_length=200)
    area = models.ForeignKey(
        "catalog.Area", verbose_name=_("地区"), null=True, blank=True, on_delete=models.PROTECT
    )
    target = models.ForeignKey(
        "catalog.Target", verbose_name=_("目标"), null=True, blank=True, on_delete=models.CASCADE
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("用能单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    rule_code = models.CharField(_("规则"), max_length=60)
    severity = models.CharField(_("级别"), max_length=10, choices=SEVERITY_CHOICES)
    message = models.TextField(_("说明"))
    figures = models.JSONField(_("数据"), default=dict)
    rule_set = models.ForeignKey(
        RuleSetVersion, verbose_name=_("规则集版本"), on_delete=models.PROTECT
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    override = models.ForeignKey(
        Override, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("最近检查"), auto_now=True)
    resolved_at = models.DateTimeField(_("消除时间"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["status", "severity"]),
        ]
        verbose_name = _("数据质量问题")
        verbose_name_plural = _("数据质量问题")

    def __str__(self) -> str:
        return f"{self.rule_name} {self.label}"

    @property
    def rule_name(self) -> str:
        """The rule's Chinese name from the rule set version that found it (code if gone)."""
        for rule in self.rule_set.rule_set().rules:
            if rule.code == self.rule_code:
                return rule.name
        return self.rule_code

    @property
    def blocks_approval(self) -> bool:
        return self.status == FindingStatus.OPEN and self.severity == Severity.ERROR


class UnitHead(models.Model):
    """The head (负责人) of a district or a department, told when reminders escalate."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE
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

    class Meta:
        verbose_name = _("县区或部门负责人")
        verbose_name_plural = _("县区或部门负责人")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area__isnull=False) | models.Q(department__isnull=False),
                name="unit_head_has_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.area or self.department}"


class ReminderSent(models.Model):
    """One escalation level of one schedule item, sent once."""

    item_key = models.CharField(max_length=120)
    level = models.PositiveSmallIntegerField()
    due = models.DateField()
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item_key", "level"], name="reminder_level_once")
        ]
        verbose_name = _("已发送提醒")
        verbose_name_plural = _("已发送提醒")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")

    def __str__(self) -> str:
        return self.title


def record_kind_label(kind: str) -> Any:
    return dict(RECORD_KIND_CHOICES).get(kind, kind)
