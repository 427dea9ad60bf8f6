"""The project register (plan 四(一) 用能预算, 四(三) 两高一低 工作清单).

One :class:`Project` per fixed-asset project: its enterprise, district, industry, status, its
annual energy demand by carrier (:class:`ProjectEnergyLine`, converted to tce by
``ecer.core.energy`` at equivalent and at equal value), its approvals (节能审查, 环评), whether its
energy use is separately listed (单列), its two-high classification (``ecer.core.twohigh``,
stored with the rule that made it) and the disposal decision of the work list. Every edit is
kept in the record's history.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.core import creditcode, twohigh
from ecer.core import energy as core_energy
from ecer.web.catalog.models import Area
from ecer.web.catalog.rules import key_unit_threshold
from ecer.web.energy.models import CarrierLine
from ecer.web.numbers import FiniteFloatField, require_stored_values


def two_high_rules() -> twohigh.RuleSet:
    """The two-high rules with the loaded plan's key-unit threshold (三(一), 5000 tce/a)."""
    return twohigh.load_rules(key_unit_threshold().tce_per_year)


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("拟建")
        UNDER_CONSTRUCTION = "under_construction", _("在建")
        IN_OPERATION = "in_operation", _("建成投产")

    class Disposal(models.TextChoices):
        NONE = "", _("尚未明确")
        CONTINUE = "continue", _("继续推进")
        RECTIFY = "rectify", _("整改提升")
        STOP = "stop", _("停工停建")
        EXIT = "exit", _("关停退出")

    class FollowUp(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    name = models.CharField(_("项目名称"), max_length=200)
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    enterprise_code = models.CharField(
        _("统一社会信用代码"), max_length=18, help_text=_("18 位，按 GB 32100-2015 校验")
    )
    area = models.ForeignKey(
        Area, verbose_name=_("所在县区"), on_delete=models.PROTECT, related_name="projects"
    )
    industry_code = models.CharField(
        _("行业代码"), max_length=4, help_text=_("GB/T 4754-2017 国民经济行业分类代码，如 2511")
    )
    industry_name = models.CharField(_("行业名称"), max_length=100)
    status = models.CharField(_("项目状态"), max_length=20, choices=Status.choices)
    design_capacity = models.CharField(
        _("设计产能"), max_length=200, blank=True, help_text=_("例如：年产 300 万吨")
    )
    first_full_year = models.PositiveSmallIntegerField(
        _("达产年份"), help_text=_("第一个完整运行年度，其能耗自该年起计入")
    )
    new_coal_t = FiniteFloatField(_("新增煤炭消费量（吨/年）"), default=0.0, min_value=0)
    value_added_10k_yuan = FiniteFloatField(
        _("预计年增加值（万元）"), help_text=_("达产后每年，按基期年价格")
    )
    electricity_equal_kgce_per_kwh = FiniteFloatField(
        _("电力等价值折标系数（千克标准煤/千瓦时）"),
        null=True,
        blank=True,
        help_text=_("节能审查报告采用的供电标准煤耗；留空则不计算等价值"),
        min_value=0,
    )
    energy_review_doc = models.CharField(
        _("节能审查意见文号"), max_length=100, blank=True, help_text=_("有文号即视为已通过节能审查")
    )
    energy_review_date = models.DateField(_("节能审查日期"), null=True, blank=True)
    eia_doc = models.CharField(_("环评批复文号"), max_length=100, blank=True)
    eia_date = models.DateField(_("环评批复日期"), null=True, blank=True)
    separately_listed = models.BooleanField(
        _("能耗单列"), default=False, help_text=_("国家重大项目能耗单列，不纳入县区能耗双控考核")
    )
    separately_listed_doc = models.CharField(_("单列依据"), max_length=200, blank=True)
    two_high = models.BooleanField(_("两高项目"), default=False, editable=False)
    two_high_rule = models.CharField(_("判定规则"), max_length=60, blank=True, editable=False)
    disposal = models.CharField(
        _("处置意见"), max_length=10, choices=Disposal.choices, blank=True, default=""
    )
    disposal_deadline = models.DateField(_("处置期限"), null=True, blank=True)
    rectification_saving_tce = FiniteFloatField(
        _("整改后年节能量（吨标准煤）"),
        default=0.0,
        help_text=_("整改提升项目在处置期限后每年节约的能源"),
        min_value=0,
    )
    follow_up = models.CharField(
        _("整改跟踪"), max_length=20, choices=FollowUp.choices, default=FollowUp.NOT_STARTED
    )
    follow_up_note = models.TextField(_("跟踪情况"), blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__sort_order", "name"]
        verbose_name = _("项目")
        verbose_name_plural = _("项目")

    def __str__(self) -> str:
        return self.name

    # -- Energy (ecer.core.energy) --------------------------------------------------------
    def energy_tce(self, basis: core_energy.ElectricityBasis = "equivalent") -> float | None:
        """Annual comprehensive energy consumption [tce]; None at equal value without a factor.
        Raises ``BadStoredValue`` naming the field when a stored value is outside its domain."""
        require_stored_values(self)
        if basis == "equal" and self.electricity_equal_kgce_per_kwh is None:
            has_electricity = any(line.carrier == "electricity" for line in self.lines.all())
            if has_electricity:
                return None
        return core_energy.total_tce(
            [line.as_core() for line in self.lines.all()],
            electricity_basis=basis,
            equal_value_kgce_per_kwh=self.electricity_equal_kgce_per_kwh,
        )

    @property
    def energy_equivalent_tce(self) -> float:
        return self.energy_tce("equivalent") or 0.0

    @property
    def energy_equal_tce(self) -> float | None:
        return self.energy_tce("equal")

    # -- Register semantics -----------------------------------------------------------------
    @property
    def approved(self) -> bool:
        """Passed the energy review (节能审查)."""
        return bool(self.energy_review_doc.strip())

    @property
    def pending(self) -> bool:
        """A planned project awaiting its energy review: a candidate for the what-if review."""
        return self.status == self.Status.PLANNED and not self.approved

    @property
    def stopped(self) -> bool:
        return self.disposal in (self.Disposal.STOP, self.Disposal.EXIT)

    @property
    def committed(self) -> bool:
        """Its consumption is committed but not yet in the statistics: approved or building,
        and not ordered to stop."""
        if self.stopped:
            return False
        return self.status == self.Status.UNDER_CONSTRUCTION or (
            self.status == self.Status.PLANNED and self.approved
        )

    @property
    def release_year(self) -> int | None:
        """First year whose budget an exit or a rectification frees (节能挖潜), else None.

        A running project ordered to exit gives up its whole use, one rectified gives up its
        stated saving, from the year after the disposal deadline.
        """
        if self.status != self.Status.IN_OPERATION or self.disposal_deadline is None:
            return None
        if self.disposal == self.Disposal.EXIT or (
            self.disposal == self.Disposal.RECTIFY and self.rectification_saving_tce > 0
        ):
            return self.disposal_deadline.year + 1
        return None

    def classification(self, rules: twohigh.RuleSet | None = None) -> twohigh.Classification:
        """Its two-high classification (``rules``: the plan's, read once per list by callers
        that classify many projects)."""
        return twohigh.classify(
            self.industry_code, self.energy_equivalent_tce, rules or two_high_rules()
        )

    def reclassify(self, rules: twohigh.RuleSet | None = None) -> None:
        """Store the two-high classification of the current industry and energy lines."""
        result = self.classification(rules)
        self.two_high = result.two_high
        self.two_high_rule = result.rule.code

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.enterprise_code:
            try:
                self.enterprise_code = creditcode.validate_credit_code(self.enterprise_code).code
            except creditcode.CreditCodeError as exc:
                where = gettext("第 %(pos)s 位：") % {"pos": exc.position} if exc.position else ""
                errors["enterprise_code"] = gettext(
                    "统一社会信用代码不符合 GB 32100-2015：%(where)s%(reason)s"
                ) % {"where": where, "reason": exc.reason}
        code = (self.industry_code or "").strip()
        if code and not (code.isdigit() and 2 <= len(code) <= 4):
            errors["industry_code"] = gettext("行业代码为 2–4 位数字（GB/T 4754-2017）")
        for name in ("new_coal_t", "value_added_10k_yuan", "rectification_saving_tce"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                errors[name] = gettext("不能为负数")
        factor = self.electricity_equal_kgce_per_kwh
        if factor is not None and not 0 < factor < 1:
            errors["electricity_equal_kgce_per_kwh"] = gettext(
                "折标系数应在 0 到 1 千克标准煤/千瓦时之间"
            )
        if self.disposal in (self.Disposal.RECTIFY, self.Disposal.STOP, self.Disposal.EXIT) and (
            self.disposal_deadline is None
        ):
            errors["disposal_deadline"] = gettext("整改、停建或退出的项目须明确处置期限")
        if self.separately_listed and not self.separately_listed_doc.strip():
            errors["separately_listed_doc"] = gettext("能耗单列须注明依据")
        if errors:
            raise ValidationError(errors)


class ProjectEnergyLine(CarrierLine):
    """Annual demand of one energy carrier of a project once it runs, in a physical unit."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="lines"
    )
    quantity = FiniteFloatField(_("年需求量"), min_value=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "carrier"], name="project_carrier_unique")
        ]
        verbose_name = _("项目分品种年能源需求")
        verbose_name_plural = _("项目分品种年能源需求")
