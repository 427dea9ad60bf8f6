"""Plan tasks at work: milestones the city sets, progress reports by the responsible units with
evidence, their review and every submitted version, and the history of each step (issue 20).

The task itself is the plan catalog's (``catalog.Task``, loaded from the plan YAML); its status
is computed (``ecer.web.tasks.services``, ``ecer.core.tasks``), never stored or typed.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.web.audit.models import Reviewable
from ecer.web.numbers import FiniteFloatField


class Milestone(models.Model):
    """A checkpoint the city administrator sets: ``percent`` complete by ``due``. The plan's own
    due year (``catalog.Task.due_year``) is a milestone too, derived, not stored here."""

    task = models.ForeignKey(
        "catalog.Task", verbose_name=_("任务"), on_delete=models.CASCADE, related_name="milestones"
    )
    name = models.CharField(_("节点"), max_length=200)
    due = models.DateField(_("完成时限"))
    percent = FiniteFloatField(_("应完成进度（%）"), min_value=0, max_value=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["task", "due", "percent"]
        verbose_name = _("任务节点")
        verbose_name_plural = _("任务节点")

    def __str__(self) -> str:
        return f"{self.name} ({self.due})"

    def clean(self) -> None:
        if self.percent is not None and not 0 < self.percent <= 100:
            raise ValidationError({"percent": _("应完成进度须大于 0 且不超过 100")})


class ProgressReport(Reviewable):
    """A responsible unit's report on a task for one quarter (draft → submitted → accepted,
    or returned with a reason and corrected). Exactly one of department and area is set."""

    reviewed_fields = ("done_text", "percent", "problems", "next_steps")

    task = models.ForeignKey(
        "catalog.Task", verbose_name=_("任务"), on_delete=models.PROTECT, related_name="reports"
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("报送部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    area = models.ForeignKey(
        "catalog.Area", verbose_name=_("报送县区"), null=True, blank=True, on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    done_text = models.TextField(_("完成情况"))
    percent = FiniteFloatField(_("完成进度（%）"), min_value=0, max_value=100)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["task", "-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department", "year", "quarter"],
                condition=models.Q(department__isnull=False),
                name="task_report_unique_department_period",
            ),
            models.UniqueConstraint(
                fields=["task", "area", "year", "quarter"],
                condition=models.Q(area__isnull=False),
                name="task_report_unique_area_period",
            ),
            models.CheckConstraint(
                condition=models.Q(department__isnull=False, area__isnull=True)
                | models.Q(department__isnull=True, area__isnull=False),
                name="task_report_one_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="task_report_quarter_1_to_4",
            ),
        ]
        verbose_name = _("任务进展报告")
        verbose_name_plural = _("任务进展报告")

    def __str__(self) -> str:
        return f"{self.task.code} {self.unit_name} {self.period}"

    @property
    def period(self) -> str:
        """The quarter as people write it: 2025 年第 4 季度."""
        from ecer.web.catalog.labels import period_label

        return period_label(f"{self.year}Q{self.quarter}")

    @property
    def unit_name(self) -> str:
        unit = self.department if self.department_id else self.area
        return str(unit)


class Evidence(models.Model):
    """An evidence file of a report: type checked by its content, stored with its SHA-256."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG"
        JPEG = "jpeg", "JPEG"
        XLSX = "xlsx", "Excel"

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="evidence"
    )
    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to="task-evidence/%Y/")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["report", "uploaded_at", "pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.name


class ReportVersion(models.Model):
    """What a report said when it was submitted, kept whatever happens to it afterwards."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"))
    done_text = models.TextField(_("完成情况"))
    percent = FiniteFloatField(_("完成进度（%）"), min_value=0, max_value=100)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    evidence = models.JSONField(_("佐证材料（文件名与 SHA-256）"), default=list)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="task_report_version_unique")
        ]
        verbose_name = _("报告版本")
        verbose_name_plural = _("报告版本")

    def __str__(self) -> str:
        return str(_("%(report)s 第 %(n)s 版") % {"report": self.report, "n": self.number})


class ReportEvent(models.Model):
    """One step in a report's life, as the history page lists it."""

    class Action(models.TextChoices):
        CREATED = "created", _("起草")
        EDITED = "edited", _("修改")
        EVIDENCE = "evidence", _("上传佐证材料")
        SUBMITTED = "submitted", _("提交")
        RETURNED = "returned", _("退回")
        ACCEPTED = "accepted", _("审核通过")

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("报告"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["report", "at", "pk"]
        verbose_name = _("报告操作记录")
        verbose_name_plural = _("报告操作记录")

    def __str__(self) -> str:
        return f"{self.report} · {self.get_action_display()}"  # type: ignore[attr-defined]
