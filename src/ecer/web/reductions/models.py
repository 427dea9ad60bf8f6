"""Key pollutant-reduction projects (重点工程减排, plan 二 and 四(二)): the project, what it acts
on, one accounting line per pollutant, evidence files, declared yearly claims, and the
reviewer's closures of verification findings. Accounting and checks are ``ecer.core.reductions``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.core import creditcode
from ecer.core import reductions as core
from ecer.web.catalog.models import Area
from ecer.web.monitoring.models import MonitoringPoint
from ecer.web.numbers import FiniteFloatField, require_stored_values

TYPE_CHOICES = [(t.value, t.label_zh) for t in core.ProjectType]
STATUS_CHOICES = [(s.value, s.label_zh) for s in core.ProjectStatus]
POLLUTANT_CHOICES = [(p.value, p.label_zh) for p in core.Pollutant]


class ReductionProject(models.Model):
    name = models.CharField(_("项目名称"), max_length=200)
    type = models.CharField(_("项目类型"), max_length=40, choices=TYPE_CHOICES)
    area = models.ForeignKey(Area, verbose_name=_("所在县区"), on_delete=models.PROTECT)
    sector = models.CharField(_("行业/领域"), max_length=60)
    source_name = models.CharField(_("减排对象（污染源）"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    permit_number = models.CharField(_("排污许可证编号"), max_length=40, blank=True)
    point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("在线监测点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    status = models.CharField(_("状态"), max_length=20, choices=STATUS_CHOICES, default="planned")
    started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("建成日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__sort_order", "name"]
        verbose_name = _("重点减排项目")
        verbose_name_plural = _("重点减排项目")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.credit_code:
            try:
                self.credit_code = creditcode.validate_credit_code(self.credit_code).code
            except creditcode.CreditCodeError as exc:
                errors["credit_code"] = gettext("统一社会信用代码无效：%(r)s") % {"r": exc}
        done = {core.ProjectStatus.COMPLETED, core.ProjectStatus.VERIFIED}
        if self.status in done and self.completed_on is None:
            errors["completed_on"] = gettext("已建成或已核定的项目必须填写建成日期")
        if self.started_on and self.completed_on and self.completed_on < self.started_on:
            errors["completed_on"] = gettext("建成日期早于开工日期")
        if errors:
            raise ValidationError(errors)

    def as_core(self) -> core.Project:
        require_stored_values(self)
        return core.Project(
            id=str(self.pk),
            name=self.name,
            type=core.ProjectType(self.type),
            district=self.area.code,
            sector=self.sector,
            source=core.Source(
                name=self.source_name,
                credit_code=self.credit_code or None,
                permit_number=self.permit_number or None,
                point_id=self.point.mn if self.point_id else None,
            ),
            lines=tuple(line.as_core() for line in self.lines.all()),
            status=core.ProjectStatus(self.status),
            completed_on=self.completed_on,
            evidence=tuple(e.title for e in self.evidence.all()),
        )


class ReductionLine(models.Model):
    """One pollutant of a project with the inputs of its accounting method."""

    class Method(models.TextChoices):
        WATER = "water_mass_balance", _("物料衡算（废水：水量×浓度差）")
        GAS = "gas_mass_balance", _("物料衡算（废气：烟气量×浓度差）")
        FACTOR = "emission_factor", _("排放系数（活动水平×产生系数×去除效率）")
        CAPACITY = "eliminated_capacity", _("淘汰产能×排放强度")
        RECORDED = "recorded_baseline", _("关停源基准年排放量")

    project = models.ForeignKey(
        ReductionProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="lines"
    )
    pollutant = models.CharField(_("污染物"), max_length=10, choices=POLLUTANT_CHOICES)
    method = models.CharField(_("核算方法"), max_length=30, choices=Method.choices)
    flow = FiniteFloatField(
        _("水量或烟气量"),
        null=True,
        blank=True,
        help_text=_("废水 m³/d；废气 m³/h（标态干基）"),
        min_value=0,
    )
    baseline_concentration = FiniteFloatField(
        _("实施前浓度"), null=True, blank=True, help_text=_("废水 mg/L；废气 mg/m³"), min_value=0
    )
    post_concentration = FiniteFloatField(_("实施后浓度"), null=True, blank=True, min_value=0)
    operating_time = FiniteFloatField(
        _("年运行时间"), null=True, blank=True, help_text=_("废水 天/年；废气 小时/年"), min_value=0
    )
    activity = FiniteFloatField(_("活动水平或淘汰产能"), null=True, blank=True, min_value=0)
    factor_kg_per_unit = FiniteFloatField(
        _("产生系数或排放强度（千克/单位）"), null=True, blank=True, min_value=0
    )
    efficiency_post = FiniteFloatField(
        _("实施后去除效率（0–1）"), null=True, blank=True, min_value=0, max_value=1
    )
    efficiency_base = FiniteFloatField(
        _("实施前去除效率（0–1）"), null=True, blank=True, min_value=0, max_value=1
    )
    recorded_emission_t = FiniteFloatField(
        _("基准年排放量（吨/年）"), null=True, blank=True, min_value=0
    )
    baseline_emission_t = FiniteFloatField(
        _("污染源基准排放量（吨/年）"),
        null=True,
        blank=True,
        help_text=_("环境统计或排污许可执行报告；用于“减排量不得超过基准排放量”核查"),
        min_value=0,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "pollutant"]
        constraints = [
            models.UniqueConstraint(fields=["project", "pollutant"], name="one_line_per_pollutant")
        ]
        verbose_name = _("减排核算")
        verbose_name_plural = _("减排核算")

    # The fields each method needs, in the order of its core dataclass.
    NEEDS: dict[str, tuple[str, ...]] = {
        "water_mass_balance": ("flow", "baseline_concentration", "post_concentration"),
        "gas_mass_balance": (
            "flow",
            "baseline_concentration",
            "post_concentration",
            "operating_time",
        ),
        "emission_factor": ("activity", "factor_kg_per_unit", "efficiency_post"),
        "eliminated_capacity": ("activity", "factor_kg_per_unit"),
        "recorded_baseline": ("recorded_emission_t",),
    }

    def method_inputs(self) -> core.Method:
        """The core accounting inputs; ValueError when a figure is missing or out of range."""
        missing = [f for f in self.NEEDS[self.method] if getattr(self, f) is None]
        if missing:
            labels = "、".join(str(self._meta.get_field(f).verbose_name) for f in missing)
            raise ValueError(gettext("缺少：%(fields)s") % {"fields": labels})
        m = self.method
        if m == self.Method.WATER:
            kwargs: dict[str, Any] = {"operating_days": self.operating_time or 365.0}
            return core.WaterMassBalance(
                self.flow, self.baseline_concentration, self.post_concentration, **kwargs
            )  # type: ignore[arg-type]
        if m == self.Method.GAS:
            return core.GasMassBalance(
                self.flow, self.baseline_concentration, self.post_concentration, self.operating_time
            )  # type: ignore[arg-type]
        if m == self.Method.FACTOR:
            return core.EmissionFactorMethod(
                self.activity,  # type: ignore[arg-type]
                self.factor_kg_per_unit,  # type: ignore[arg-type]
                self.efficiency_post,  # type: ignore[arg-type]
                self.efficiency_base or 0.0,
            )
        if m == self.Method.CAPACITY:
            return core.EliminatedCapacity(self.activity, self.factor_kg_per_unit)  # type: ignore[arg-type]
        return core.RecordedBaseline(self.recorded_emission_t)  # type: ignore[arg-type]

    def as_core(self) -> core.ReductionLine:
        require_stored_values(self)
        return core.ReductionLine(
            core.Pollutant(self.pollutant), self.method_inputs(), self.baseline_emission_t
        )

    @property
    def annual_reduction_t(self) -> float | None:
        try:
            return core.annual_reduction_t(self.method_inputs())
        except ValueError:
            return None

    def clean(self) -> None:
        if not self.method:
            return
        try:
            self.method_inputs()
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def __str__(self) -> str:
        return f"{self.project} · {self.get_pollutant_display()}"  # type: ignore[attr-defined]


class Evidence(models.Model):
    project = models.ForeignKey(
        ReductionProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="evidence"
    )
    title = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="evidence/%Y/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("空：随示例数据载入"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["project", "uploaded_at"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.title


class YearClaim(models.Model):
    """A district's declared new reduction of a project in one year (当年新增减排量)."""

    project = models.ForeignKey(
        ReductionProject, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="claims"
    )
    pollutant = models.CharField(_("污染物"), max_length=10, choices=POLLUTANT_CHOICES)
    year = models.PositiveSmallIntegerField(_("年份"))
    tonnes = FiniteFloatField(_("申报减排量（吨）"), min_value=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "pollutant", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "pollutant", "year"], name="one_claim_per_year"
            )
        ]
        verbose_name = _("年度申报减排量")
        verbose_name_plural = _("年度申报减排量")

    def __str__(self) -> str:
        year = _("%(year)s 年") % {"year": self.year}
        return f"{self.project} · {self.get_pollutant_display()} {year}"  # type: ignore[attr-defined]


class FindingClosure(models.Model):
    """A reviewer closed a verification finding, with the reason."""

    project = models.ForeignKey(ReductionProject, on_delete=models.CASCADE, related_name="closures")
    finding_key = models.CharField(_("核查问题"), max_length=200)
    reason = models.TextField(_("关闭理由"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关闭人"), on_delete=models.PROTECT
    )
    closed_at = models.DateTimeField(_("关闭时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-closed_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "finding_key"], name="close_once")
        ]
        verbose_name = _("核查问题关闭记录")
        verbose_name_plural = _("核查问题关闭记录")

    def __str__(self) -> str:
        return f"{self.project} · {_('核查问题关闭记录')}"

    @property
    def finding_title(self) -> str:
        """The closed finding's rule in Chinese (the key starts with the rule's code)."""
        code = self.finding_key.split(":", 1)[0]
        return next((r.title_zh for r in core.RULES if r.code == code), code)
