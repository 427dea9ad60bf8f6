"""Key energy-consuming units (重点用能单位, plan 三(一) and 四(七)): the registry, their
production units, annual energy utilisation reports (能源利用状况报告) and online meters.

A report's carriers are converted to tce by ``ecer.core.energy``; a production unit is held
against its line of the 2021 benchmark table by ``ecer.core.efficiency``; meter readings
become consumption and data-quality findings in ``ecer.core.meters``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.core import creditcode
from ecer.core import efficiency as core_efficiency
from ecer.core import meters as core_meters
from ecer.web import geodata
from ecer.web.audit.models import Reviewable
from ecer.web.catalog.models import Area
from ecer.web.energy.models import CARRIER_CHOICES, UNIT_CHOICES, CarrierLine, carrier_error
from ecer.web.numbers import FiniteFloatField

GB4754_CODE = re.compile(r"^[A-T](\d{2}(\d{1,2})?)?$|^\d{2}(\d{1,2})?$")


def benchmark_choices() -> list[tuple[str, str]]:
    return [
        (line.code, f"{line.industry} · {line.product}（{line.unit}）")
        for line in core_efficiency.load_benchmarks()
    ]


class Enterprise(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("单位名称"), max_length=200)
    area = models.ForeignKey(
        Area, verbose_name=_("所在县区"), on_delete=models.PROTECT, related_name="enterprises"
    )
    industry_code = models.CharField(
        _("行业代码（GB/T 4754）"), max_length=5, help_text=_("门类字母或 2–4 位数字，例如 2511")
    )
    industry_name = models.CharField(_("行业名称"), max_length=100)
    # One of the parks the loaded plan names (三(二), rule industrial_parks): a plan value, so
    # it is checked against the plan by the form and the importer, not by static choices.
    park = models.CharField(
        _("所在园区"), max_length=60, blank=True, help_text=_("方案三（二）点名的工业园区之一")
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    longitude = FiniteFloatField(
        _("经度（东经，度）"), null=True, blank=True, min_value=-180, max_value=180
    )
    latitude = FiniteFloatField(
        _("纬度（北纬，度）"), null=True, blank=True, min_value=-90, max_value=90
    )
    is_demo = models.BooleanField(_("示例数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__sort_order", "name"]
        verbose_name = _("用能单位")
        verbose_name_plural = _("用能单位")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.credit_code:
            try:
                self.credit_code = creditcode.validate_credit_code(self.credit_code).code
            except creditcode.CreditCodeError as exc:
                errors["credit_code"] = gettext("统一社会信用代码无效：%(reason)s") % {
                    "reason": exc
                }
        if self.industry_code and not GB4754_CODE.match(self.industry_code):
            errors["industry_code"] = gettext("行业代码应为门类字母或 2–4 位数字（GB/T 4754）")
        errors.update(
            geodata.location_problems(
                self.area if self.area_id else None, self.longitude, self.latitude
            )
        )
        if errors:
            raise ValidationError(errors)


class ProductionUnit(models.Model):
    """A production line or unit, with its capacity, held against a benchmark line."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("用能单位"), on_delete=models.CASCADE, related_name="units"
    )
    name = models.CharField(_("装置/生产线"), max_length=100)
    benchmark_line = models.CharField(
        _("能效标杆对照"), max_length=40, blank=True, choices=benchmark_choices
    )
    capacity = FiniteFloatField(_("产能"), help_text=_("按标杆对照行的产能单位"), min_value=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise", "name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="unit_name_per_enterprise")
        ]
        verbose_name = _("装置/生产线")
        verbose_name_plural = _("装置/生产线")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.name}"

    @property
    def line(self) -> core_efficiency.BenchmarkLine | None:
        lines = {line.code: line for line in core_efficiency.load_benchmarks()}
        return lines.get(self.benchmark_line)


class EnergyReport(Reviewable):
    """An enterprise's annual energy utilisation report (能源利用状况报告)."""

    reviewed_fields = ("raw_material_tce", "value_added_10k_yuan", "savings_tce")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("用能单位"), on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    raw_material_tce = FiniteFloatField(_("原料用能（吨标准煤）"), default=0.0, min_value=0)
    value_added_10k_yuan = FiniteFloatField(_("工业增加值（万元）"), null=True, blank=True)
    saving_projects = models.TextField(_("节能改造项目"), blank=True)
    savings_tce = FiniteFloatField(_("节能量（吨标准煤）"), default=0.0)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="one_report_per_year")
        ]
        verbose_name = _("能源利用状况报告")
        verbose_name_plural = _("能源利用状况报告")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    def clean(self) -> None:
        for name in ("raw_material_tce", "savings_tce", "value_added_10k_yuan"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValidationError({name: gettext("不能为负数")})


class ReportCarrier(CarrierLine):
    report = models.ForeignKey(
        EnergyReport, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="carriers"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "carrier"], name="report_carrier_once")
        ]
        verbose_name = _("分品种能源消费")
        verbose_name_plural = _("分品种能源消费")


class ProductOutput(models.Model):
    """Output of a main product and its unit-product energy consumption in the report year."""

    report = models.ForeignKey(
        EnergyReport, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="outputs"
    )
    unit = models.ForeignKey(
        ProductionUnit,
        verbose_name=_("装置/生产线"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    product = models.CharField(_("产品"), max_length=100)
    output = FiniteFloatField(_("产量"), min_value=0)
    output_unit = models.CharField(_("产量单位"), max_length=20)
    unit_consumption = FiniteFloatField(
        _("单位产品能耗"), null=True, blank=True, help_text=_("按标杆对照行的指标单位"), min_value=0
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "id"]
        verbose_name = _("主要产品产量与单耗")
        verbose_name_plural = _("主要产品产量与单耗")

    def clean(self) -> None:
        if self.output is not None and self.output < 0:
            raise ValidationError({"output": gettext("不能为负数")})

    def __str__(self) -> str:
        return f"{self.product} {self.output:g} {self.output_unit}"


class Meter(models.Model):
    """A meter of the enterprise-end system (接入端系统) that uploads readings online."""

    class Kind(models.TextChoices):
        CUMULATIVE = core_meters.ReadingKind.CUMULATIVE, _("累计值（表底数）")
        INTERVAL = core_meters.ReadingKind.INTERVAL, _("时段用量")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("用能单位"), on_delete=models.CASCADE, related_name="meters"
    )
    code = models.CharField(_("计量器具编号"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    carrier = models.CharField(_("能源品种"), max_length=40, choices=CARRIER_CHOICES)
    unit = models.CharField(_("计量单位"), max_length=20, choices=UNIT_CHOICES)
    kind = models.CharField(_("读数类型"), max_length=12, choices=Kind.choices)
    interval_minutes = models.PositiveIntegerField(_("采集间隔（分钟）"), default=60)
    rollover_at = FiniteFloatField(_("满量程（表底数上限）"), null=True, blank=True, min_value=0)
    max_rate_per_hour = FiniteFloatField(
        _("每小时最大可能用量"),
        null=True,
        blank=True,
        help_text=_("例如按接入容量计算"),
        min_value=0,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["enterprise", "code"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "code"], name="meter_code_per_enterprise")
        ]
        verbose_name = _("在线计量器具")
        verbose_name_plural = _("在线计量器具")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.carrier and self.unit:
            error = carrier_error(self.carrier, 1.0, self.unit, None)
            if error is not None and error[0] == "unit":
                raise ValidationError({"unit": error[1]})


class MeterReading(models.Model):
    """One uploaded reading; the same meter and time is stored once."""

    meter = models.ForeignKey(
        Meter, verbose_name=_("计量器具"), on_delete=models.CASCADE, related_name="readings"
    )
    time = models.DateTimeField(_("数据时间"))
    value = FiniteFloatField(_("读数"))
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        ordering = ["meter", "time"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "time"], name="one_reading_per_meter_time")
        ]
        verbose_name = _("在线读数")
        verbose_name_plural = _("在线读数")

    def __str__(self) -> str:
        return f"{self.meter.code} {self.time:%Y-%m-%d %H:%M} {self.value}"
