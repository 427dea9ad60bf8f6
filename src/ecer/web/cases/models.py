"""Cases of the alarm handling loop (闭环处置): a monitoring alarm or a red warning light,
dispatched to an enterprise or a district, moved on through the states of
``ecer.core.cases`` with a recorded step (who, when, note, evidence) for each move."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecer.core.cases import CaseState


class State(models.TextChoices):
    ASSIGNED = CaseState.ASSIGNED.value, _("已派发待核实")
    VERIFIED = CaseState.VERIFIED.value, _("已核实待整改")
    RECTIFIED = CaseState.RECTIFIED.value, _("已整改待反馈")
    FED_BACK = CaseState.FED_BACK.value, _("已反馈待销号")
    CLOSED = CaseState.CLOSED.value, _("已销号")


class Source(models.TextChoices):
    EXCEEDANCE = "exceedance", _("监测超标")
    GAP = "gap", _("监测缺数")
    OFFLINE = "offline", _("监测离线")
    RED_WARNING = "red_warning", _("红色预警")


class Assignee(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    DISTRICT = "district", _("县区")
    DEPARTMENT = "department", _("部门")


class Case(models.Model):
    """One alarm or warning being handled.

    source_key: What the case is about, once (an alarm: point, kind, factor and start; a
    warning: target, district and year), so a journal run never opens it twice.
    entered_at: When the case entered its current state (its step's deadline counts from it).
    due_at: The whole case's time limit (办结时限). escalation: Highest escalation level sent
    for the current step (0: none).
    """

    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    source_key = models.CharField(max_length=200, unique=True)
    title = models.CharField(_("事项"), max_length=200)
    detail = models.TextField(_("情况"), blank=True)
    point = models.ForeignKey(
        "monitoring.MonitoringPoint",
        verbose_name=_("监测点"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    target = models.ForeignKey(
        "catalog.Target", verbose_name=_("指标"), null=True, blank=True, on_delete=models.SET_NULL
    )
    area = models.ForeignKey(
        "catalog.Area", verbose_name=_("县区"), null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("市级指标的红色预警派发给牵头部门"),
    )
    enterprise_code = models.CharField(_("企业统一社会信用代码"), max_length=18, blank=True)
    enterprise_name = models.CharField(_("企业名称"), max_length=200, blank=True)
    assignee = models.CharField(_("承办方"), max_length=12, choices=Assignee.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=State.choices, default=State.ASSIGNED, db_index=True
    )
    opened_at = models.DateTimeField(_("派发时间"), db_index=True)
    entered_at = models.DateTimeField(_("进入当前环节"))
    step_due_at = models.DateTimeField(_("当前环节时限"), null=True, blank=True, db_index=True)
    due_at = models.DateTimeField(_("办结时限"))
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(_("督办升级"), default=0)

    class Meta:
        verbose_name = _("闭环处置事项")
        verbose_name_plural = _("闭环处置事项")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def assignee_label(self) -> str:
        if self.assignee == Assignee.ENTERPRISE:
            return self.enterprise_name or self.enterprise_code
        if self.assignee == Assignee.DEPARTMENT:
            return str(self.department or "")
        return str(self.area or "")


class Step(models.Model):
    """One recorded move of a case: dispatch, verification, rectification (with evidence),
    feedback, closing, sending back, or an escalation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("操作"), max_length=16)
    state = models.CharField(_("之后状态"), max_length=12, choices=State.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="cases/%Y/", blank=True)
    evidence_sha256 = models.CharField(_("材料 SHA-256"), max_length=64, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("处置记录")
        verbose_name_plural = _("处置记录")
        ordering = ["at", "id"]
