"""The plan catalog in the database: areas, departments, targets, tasks, rules, observations.

Rows are created from the plan YAML by ``ecer.web.catalog.loading``; observations are the
yearly (or quarterly) values reported per target and area.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.web.audit.models import Reviewable
from ecer.web.numbers import MAX_MAGNITUDE, FiniteFloatField, domain_error

# Units of targets counted in whole things (enterprises, boilers, sites).
COUNT_UNITS = frozenset({"个", "台", "家"})

ANNUAL = 0  # quarter value of a whole-year observation


class Area(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("市")
        DISTRICT = "district", _("区")
        COUNTY = "county", _("县")

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")

    def __str__(self) -> str:
        return self.name

    @property
    def is_city(self) -> bool:
        return self.kind == self.Kind.CITY


class Department(models.Model):
    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("责任部门")
        verbose_name_plural = _("责任部门")

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    code = models.SlugField(_("代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("地区"), on_delete=models.PROTECT)
    base_year = models.PositiveSmallIntegerField(_("基期年"))
    target_year = models.PositiveSmallIntegerField(_("目标年"))
    checksum = models.CharField(_("文件校验和"), max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now=True)

    class Meta:
        verbose_name = _("规划方案")
        verbose_name_plural = _("规划方案")

    def __str__(self) -> str:
        return self.name


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    clause = models.CharField(_("条款"), max_length=20)
    title = models.CharField(_("标题"), max_length=200)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["plan", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "clause"], name="section_unique_clause")
        ]
        verbose_name = _("方案章节")
        verbose_name_plural = _("方案章节")

    def __str__(self) -> str:
        return f"{self.clause} {self.title}"


class Wording(models.TextChoices):
    """How firmly the plan words a target (ecer.core.progress.Wording)."""

    FIRM = "firm", _("须达到")
    STRIVE = "strive", _("力争目标")
    ABOUT = "about", _("约数目标（左右）")
    BASICALLY = "basically", _("基本完成类目标")


class Target(models.Model):
    """A quantified target of the plan (see ecer.plan.schema for the meaning of each kind)."""

    class Kind(models.TextChoices):
        LEVEL_AT_LEAST = "level_at_least", _("不低于")
        LEVEL_AT_MOST = "level_at_most", _("不高于")
        DECLINE_PCT = "decline_pct", _("比基期下降")
        CUMULATIVE_INCREASE = "cumulative_increase", _("期内累计新增")
        COUNT_AT_LEAST = "count_at_least", _("数量达到")
        FULL_COVERAGE = "full_coverage", _("全覆盖")
        ELIMINATION = "elimination", _("全面淘汰")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    section = models.ForeignKey(Section, verbose_name=_("条款"), on_delete=models.PROTECT)
    code = models.SlugField(_("代码"), max_length=80)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    unit = models.CharField(_("目标单位"), max_length=40, blank=True)
    indicator_unit = models.CharField(_("指标单位"), max_length=40, blank=True)
    base_year = models.PositiveSmallIntegerField(_("基期年"))
    base_value = FiniteFloatField(_("基期值"), null=True, blank=True, min_value=0)
    target_year = models.PositiveSmallIntegerField(_("目标年"))
    target_value = FiniteFloatField(_("目标值"), null=True, blank=True, min_value=0)
    target_value_note = models.CharField(_("目标值说明"), max_length=300, blank=True)
    threshold = FiniteFloatField(
        _("界定值"),
        null=True,
        blank=True,
        help_text=_("界定统计范围的数值，不是目标值"),
        min_value=0,
    )
    threshold_unit = models.CharField(_("界定值单位"), max_length=40, blank=True)
    applies_to_districts = models.BooleanField(_("分解到县区"), default=False)
    binding = models.CharField(_("属性"), max_length=20, blank=True)
    feed = models.CharField(
        _("数据来源"),
        max_length=40,
        default="reported",
        help_text=_("reported：由责任单位填报；其他：由平台从核算数据计算，不可手工填报"),
    )
    wording = models.CharField(_("表述"), max_length=20, choices=Wording.choices, default="firm")
    strict = models.BooleanField(_("须超过目标值"), default=False)
    every_year = models.BooleanField(_("每年均须达到"), default=False)
    quote = models.TextField(_("原文"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    lead_departments = models.ManyToManyField(
        Department, verbose_name=_("牵头部门"), related_name="led_targets", blank=True
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("配合部门"), related_name="co_targets", blank=True
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(m2m_fields=[lead_departments, co_departments])

    class Meta:
        ordering = ["plan", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="target_unique_code")]
        verbose_name = _("量化目标")
        verbose_name_plural = _("量化目标")

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        """Whether the platform computes this target's figure (never typed by hand)."""
        return self.feed != "reported"

    def value_error(self, value: Any) -> str | None:
        """Why a reported value is outside this target's domain, or None: never negative, a
        share (%) at most 100, a count (个/台/家) a whole number."""
        unit = self.observation_unit
        upper = 100.0 if unit == "%" else MAX_MAGNITUDE
        return domain_error(value, 0.0, upper, whole=unit in COUNT_UNITS)

    @property
    def observation_unit(self) -> str:
        """The unit observations of this target are reported in."""
        if self.kind == self.Kind.DECLINE_PCT:
            return self.indicator_unit
        return self.indicator_unit or self.unit


class Task(models.Model):
    """A qualitative commitment of the plan. Its status is computed from its milestones and
    the responsible units' accepted progress reports (ecer.web.tasks), never typed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, verbose_name=_("条款"), on_delete=models.PROTECT)
    code = models.SlugField(_("代码"), max_length=80)
    name = models.CharField(_("名称"), max_length=300)
    quote = models.TextField(_("原文"), blank=True)
    due_year = models.PositiveSmallIntegerField(_("完成年份"), null=True, blank=True)
    lead_departments = models.ManyToManyField(
        Department, verbose_name=_("牵头部门"), related_name="led_tasks", blank=True
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("配合部门"), related_name="co_tasks", blank=True
    )
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(m2m_fields=[lead_departments, co_departments])

    class Meta:
        ordering = ["plan", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="task_unique_code")]
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """A rule of the plan kept as data (thresholds, exclusions, exemptions)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="rules")
    section = models.ForeignKey(Section, verbose_name=_("条款"), on_delete=models.PROTECT)
    code = models.SlugField(_("代码"), max_length=80)
    name = models.CharField(_("名称"), max_length=300)
    quote = models.TextField(_("原文"), blank=True)
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="rule_unique_code")]
        verbose_name = _("规则")
        verbose_name_plural = _("规则")

    def __str__(self) -> str:
        return self.name


class Observation(Reviewable):
    """A reported value of a target for one area and period (draft → submitted → approved)."""

    reviewed_fields = ("value", "year", "quarter", "area_id", "target_id")

    target = models.ForeignKey(
        Target, verbose_name=_("目标"), on_delete=models.CASCADE, related_name="observations"
    )
    area = models.ForeignKey(Area, verbose_name=_("地区"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年份"))
    quarter = models.PositiveSmallIntegerField(_("季度"), default=ANNUAL, help_text=_("0 表示全年"))
    value = FiniteFloatField(_("数值"), min_value=0)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["target", "area", "year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "area", "year", "quarter"], name="observation_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=0, quarter__lte=4),
                name="observation_quarter_0_to_4",
            ),
        ]
        verbose_name = _("监测值")
        verbose_name_plural = _("监测值")

    def __str__(self) -> str:
        from ecer.web.catalog.labels import period_label

        period = period_label(f"{self.year}" + (f"Q{self.quarter}" if self.quarter else ""))
        return f"{self.target.name} · {self.area.name} · {period}：{self.value:g}"

    def clean(self) -> None:
        if self.target_id is None:
            return  # reported on the target field
        error = self.target.value_error(self.value) if self.value is not None else None
        if error is not None:
            raise ValidationError(
                {
                    "value": _("目标 %(code)s 的数值%(error)s")
                    % {"code": self.target.code, "error": error}
                }
            )
        plan = self.target.plan
        # A year the form already refused (or left empty) is not on the instance: nothing to
        # compare, the form names it.
        if self.year is not None and not plan.base_year <= self.year <= plan.target_year:
            raise ValidationError(
                {
                    "year": _("年份 %(year)s 不在规划期 %(start)s–%(end)s 内")
                    % {"year": self.year, "start": plan.base_year, "end": plan.target_year}
                }
            )
