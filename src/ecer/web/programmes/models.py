"""The key programmes' project library (重点工程项目库, plan 三(一)…三(十)).

A ``Programme`` is declared in the plan file (``programmes`` section, loaded with the plan):
its clause, lead and co-responsible departments and the targets it serves. Its ``Project``s
carry an owner (an enterprise or a department, by name, optionally linked), a district, the
planned investment, a schedule, the expected energy saving or pollutant reductions, and
optional links to the enterprise registry, a key reduction project or a two-high project.
Each month the owner reports a ``ProgressEntry`` (share done, investment completed to date,
evidence). Status is computed (``ecer.core.programmes``), never typed. Projects and entries keep
their full history (django-simple-history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.web.catalog.models import Area, Department, Plan, Section, Target
from ecer.web.numbers import FiniteFloatField

# The expected reductions a project may state: the four pollutants of 二 (重点工程减排量).
POLLUTANT_FIELDS = {"cod": "cod_t", "nh3n": "nh3n_t", "nox": "nox_t", "vocs": "vocs_t"}


class Programme(models.Model):
    """A key programme as the plan file declares it (``ecer.plan.schema.Programme``)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="programmes")
    section = models.ForeignKey(Section, verbose_name=_("条款"), on_delete=models.PROTECT)
    code = models.SlugField(_("代码"), max_length=80)
    name = models.CharField(_("名称"), max_length=200)
    lead_departments = models.ManyToManyField(
        Department, verbose_name=_("牵头部门"), related_name="led_programmes"
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("配合部门"), related_name="co_programmes", blank=True
    )
    targets = models.ManyToManyField(Target, verbose_name=_("服务目标"), related_name="programmes")
    note = models.TextField(_("备注"), blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["plan", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="programme_unique_code")
        ]
        verbose_name = _("重点工程")
        verbose_name_plural = _("重点工程")

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("重点工程"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(
        _("项目编号"), max_length=60, unique=True, help_text=_("项目库内唯一，如 BH-2023-001")
    )
    name = models.CharField(_("项目名称"), max_length=200)
    area = models.ForeignKey(Area, verbose_name=_("所在县区"), on_delete=models.PROTECT)
    owner_name = models.CharField(_("项目业主"), max_length=200)
    owner_department = models.ForeignKey(
        Department,
        verbose_name=_("业主部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_programme_projects",
        help_text=_("业主为市直部门时选择"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("关联用能单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_projects",
        help_text=_("业主为重点用能单位时选择"),
    )
    reduction = models.ForeignKey(
        "reductions.ReductionProject",
        verbose_name=_("关联减排项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_projects",
    )
    two_high = models.ForeignKey(
        "projects.Project",
        verbose_name=_("关联两高项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programme_projects",
    )
    investment_planned = FiniteFloatField(_("计划总投资（万元）"), min_value=0)
    start_on = models.DateField(_("开工日期"))
    planned_completion_on = models.DateField(_("计划完成日期"))
    completed_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    saving_tce = FiniteFloatField(_("预计年节能量（吨标准煤）"), null=True, blank=True, min_value=0)
    cod_t = FiniteFloatField(_("预计化学需氧量减排量（吨）"), null=True, blank=True, min_value=0)
    nh3n_t = FiniteFloatField(_("预计氨氮减排量（吨）"), null=True, blank=True, min_value=0)
    nox_t = FiniteFloatField(_("预计氮氧化物减排量（吨）"), null=True, blank=True, min_value=0)
    vocs_t = FiniteFloatField(_("预计挥发性有机物减排量（吨）"), null=True, blank=True, min_value=0)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme__sort_order", "area__sort_order", "code"]
        verbose_name = _("重点工程项目")
        verbose_name_plural = _("重点工程项目")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def reductions(self) -> dict[str, float]:
        """Expected reductions by pollutant code [t], those stated only."""
        out = {}
        for pollutant, name in POLLUTANT_FIELDS.items():
            value = getattr(self, name)
            if value is not None:
                out[pollutant] = value
        return out


class ProgressEntry(models.Model):
    """One month's progress of a project, with its evidence and who recorded it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="entries")
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    percent = FiniteFloatField(_("完成进度（%）"), min_value=0, max_value=100)
    investment_to_date = FiniteFloatField(
        _("累计完成投资（万元）"), null=True, blank=True, min_value=0
    )
    note = models.TextField(_("进展说明"), blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="programmes/%Y/", blank=True)
    evidence_sha256 = models.CharField(_("材料 SHA-256"), max_length=64, blank=True)
    evidence_size = models.PositiveIntegerField(_("材料大小（字节）"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("空：随示例数据载入"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)
    source = models.CharField(_("来源"), max_length=40, blank=True, help_text=_("如 Excel 导入"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "month"]
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="programme_entry_month")
        ]
        verbose_name = _("月度进展")
        verbose_name_plural = _("月度进展")

    def __str__(self) -> str:
        return f"{self.project} {self.month:%Y-%m}"
