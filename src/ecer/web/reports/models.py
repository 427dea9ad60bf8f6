"""The assessment scheme (versioned), the bonus/deduction/veto items recorded for districts,
the stored assessment results (each with the scheme version it used) and report jobs."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.core import assessment as core
from ecer.web.catalog.models import Area
from ecer.web.numbers import FiniteFloatField


class SchemeVersion(models.Model):
    """One version of the scoring scheme; an edit adds a version, none is ever changed."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    data = models.JSONField(_("方案内容"))
    note = models.CharField(_("修改说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("考核方案版本")
        verbose_name_plural = _("考核方案版本")

    def __str__(self) -> str:
        return f"v{self.number}"

    def scheme(self) -> core.Scheme:
        return core.scheme_from_dict(self.data)


class ItemRecord(models.Model):
    """A bonus, deduction or veto item recorded for a district and year (city administrator)."""

    area = models.ForeignKey(Area, verbose_name=_("县区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    code = models.CharField(_("事项代码"), max_length=60)
    note = models.CharField(_("依据"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "area__sort_order", "code"]
        verbose_name = _("考核加减分及否决事项")
        verbose_name_plural = _("考核加减分及否决事项")

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.code}"


class AssessmentResult(models.Model):
    """A computed assessment as it was stored: score, grade, the lines and reasons, the
    scheme version and the data version it was computed from."""

    area = models.ForeignKey(Area, verbose_name=_("县区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("考核年度"))
    scheme = models.ForeignKey(
        SchemeVersion, verbose_name=_("考核方案版本"), on_delete=models.PROTECT
    )
    score = FiniteFloatField(_("综合得分"), null=True)
    grade = models.CharField(_("等级"), max_length=20)
    detail = models.JSONField(_("明细"))
    data_version = models.CharField(_("数据版本"), max_length=80)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)

    class Meta:
        ordering = ["-computed_at", "area__sort_order"]
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")

    def __str__(self) -> str:
        return str(_("%(area)s %(year)s 年考核结果") % {"area": self.area, "year": self.year})


class ReportJob(models.Model):
    """A report being generated (status and progress polled by the page) and its file."""

    class Kind(models.TextChoices):
        ANNUAL_XLSX = "annual_xlsx", _("年度考核结果表（Excel）")
        ANNUAL_PDF = "annual_pdf", _("年度考核结果表（PDF）")
        MIDTERM_XLSX = "midterm_xlsx", _("中期评估报告（Excel）")
        MIDTERM_PDF = "midterm_pdf", _("中期评估报告（PDF）")
        BRIEFING_PDF = "briefing_pdf", _("全市一张图（PDF）")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("报告类型"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    area = models.ForeignKey(
        Area, verbose_name=_("县区"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("错误"), blank=True)
    content = models.BinaryField(_("文件"), null=True, blank=True)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    data_version = models.CharField(_("数据版本"), max_length=80, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("报告生成任务")
        verbose_name_plural = _("报告生成任务")

    @property
    def is_pdf(self) -> bool:
        return self.kind.endswith("_pdf")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "status": self.status,
            "status_label": str(self.get_status_display()),
            "progress": self.progress,
            "step": self.step,
            "error": self.error,
            "filename": self.filename,
            "data_version": self.data_version,
        }

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"  # type: ignore[attr-defined]
