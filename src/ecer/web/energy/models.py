"""Districts' yearly energy and GDP data and their dual-control targets (能耗双控, plan 四(一)).

One :class:`DistrictEnergyYear` per area (the city included) and year holds GDP, the energy
consumed by carrier (:class:`CarrierConsumption`, converted to tce by ``ecer.core.energy``),
consumption and value added by sector, and the deductions the plan leaves out of the
assessment. One :class:`DistrictTarget` per area holds its basic and incentive intensity
targets and its planned GDP growth. Every figure shown on a page is computed from these rows
by ``ecer.web.energy.services`` through ``ecer.core``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ecer.core import energy as core_energy
from ecer.web.catalog.models import Area, Plan
from ecer.web.numbers import FiniteFloatField, require_stored_values

# End-use sectors of the energy balance (能源平衡表终端消费), in display order.
SECTORS: tuple[str, ...] = (
    "primary",
    "industry",
    "construction",
    "transport",
    "commercial",
    "residential",
)
# Sectors that have value added; residential use (居民生活) has none.
PRODUCTION_SECTORS: tuple[str, ...] = SECTORS[:5]
SECTOR_LABELS = {
    "primary": _("第一产业"),
    "industry": _("工业"),
    "construction": _("建筑业"),
    "transport": _("交通运输、仓储和邮政业"),
    "commercial": _("批发零售、住宿餐饮和其他服务业"),
    "residential": _("居民生活"),
}

CARRIER_CHOICES = [(c.code, c.name_zh) for c in core_energy.CARRIERS.values()]


def unit_label(code: str) -> str:
    """A unit as people write it: 万千瓦时 for the stored code ``10^4 kWh``; a plain unit
    keeps its symbol in brackets, 千瓦时（kWh）."""
    unit = core_energy.UNITS[code]
    return unit.name_zh if "^" in code else f"{unit.name_zh}（{unit.code}）"


UNIT_CHOICES = [(u.code, unit_label(u.code)) for u in core_energy.UNITS.values()]


def plan_period() -> tuple[int, int]:
    """Base and target year of the active plan; ValidationError when no plan is loaded."""
    plan = Plan.objects.order_by("-target_year", "code").first()
    if plan is None:
        raise ValidationError(gettext("尚未载入规划方案：请先运行 ecer setup"))
    return plan.base_year, plan.target_year


def sector_field(sector: str) -> str:
    """Name of the field holding a sector's consumption [tce]."""
    return f"sector_{sector}_tce"


def value_added_field(sector: str) -> str:
    """Name of the field holding a production sector's value added [10^4 yuan]."""
    return f"value_added_{sector}_10k_yuan"


class DistrictTarget(models.Model):
    """A district's (or the city's) intensity targets for the plan period and planned growth."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("规划方案"), on_delete=models.CASCADE, related_name="energy_targets"
    )
    area = models.ForeignKey(Area, verbose_name=_("地区"), on_delete=models.PROTECT)
    basic_decline_pct = FiniteFloatField(
        _("能耗强度降低基本目标（%）"),
        help_text=_("目标年比基期年累计下降，%"),
        min_value=-100,
        max_value=100,
    )
    incentive_decline_pct = FiniteFloatField(
        _("能耗强度降低激励目标（%）"),
        help_text=_("不低于基本目标，%"),
        min_value=-100,
        max_value=100,
    )
    planned_gdp_growth_pct = FiniteFloatField(
        _("地区生产总值预期年均增速（%）"), help_text=_("可比价，%"), min_value=-100, max_value=100
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "area__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "area"], name="energy_target_unique_area")
        ]
        verbose_name = _("县区能耗强度目标")
        verbose_name_plural = _("县区能耗强度目标")

    def __str__(self) -> str:
        return f"{self.area} {self.basic_decline_pct}% / {self.incentive_decline_pct}%"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("basic_decline_pct", "incentive_decline_pct"):
            value = getattr(self, name)
            if value is not None and not -100 < value < 100:
                errors[name] = gettext("下降率须在 -100% 到 100% 之间")
        if (
            self.basic_decline_pct is not None
            and self.incentive_decline_pct is not None
            and self.incentive_decline_pct < self.basic_decline_pct
        ):
            errors["incentive_decline_pct"] = gettext("激励目标不能低于基本目标")
        growth = self.planned_gdp_growth_pct
        if growth is not None and not -50 < growth < 100:
            errors["planned_gdp_growth_pct"] = gettext("增速须在 -50% 到 100% 之间")
        if errors:
            raise ValidationError(errors)


class DistrictEnergyYear(models.Model):
    """One area's energy and GDP data for one year."""

    class ElectricityBasis(models.TextChoices):
        EQUIVALENT = "equivalent", _("当量值（0.1229 千克标准煤/千瓦时）")
        EQUAL = "equal", _("等价值（按年度发电煤耗）")

    area = models.ForeignKey(
        Area, verbose_name=_("地区"), on_delete=models.PROTECT, related_name="energy_years"
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    gdp_current_10k_yuan = FiniteFloatField(_("地区生产总值（当年价，万元）"), min_value=0)
    gdp_index = FiniteFloatField(
        _("地区生产总值指数（上年=100）"),
        null=True,
        blank=True,
        help_text=_("可比价，例如 106.5；基期年可留空"),
        min_value=0,
    )
    electricity_basis = models.CharField(
        _("电力折标方法"),
        max_length=12,
        choices=ElectricityBasis.choices,
        default=ElectricityBasis.EQUIVALENT,
    )
    electricity_equal_kgce_per_kwh = FiniteFloatField(
        _("电力等价值折标系数（千克标准煤/千瓦时）"),
        null=True,
        blank=True,
        help_text=_("仅在按等价值折标时填写，例如当年全国火电供电标准煤耗"),
        min_value=0,
    )
    sector_primary_tce = FiniteFloatField(
        _("第一产业能耗（吨标准煤）"), null=True, blank=True, min_value=0
    )
    sector_industry_tce = FiniteFloatField(
        _("工业能耗（吨标准煤）"), null=True, blank=True, min_value=0
    )
    sector_construction_tce = FiniteFloatField(
        _("建筑业能耗（吨标准煤）"), null=True, blank=True, min_value=0
    )
    sector_transport_tce = FiniteFloatField(
        _("交通运输、仓储和邮政业能耗（吨标准煤）"), null=True, blank=True, min_value=0
    )
    sector_commercial_tce = FiniteFloatField(
        _("批发零售、住宿餐饮和其他服务业能耗（吨标准煤）"), null=True, blank=True, min_value=0
    )
    sector_residential_tce = FiniteFloatField(
        _("居民生活能耗（吨标准煤）"), null=True, blank=True, min_value=0
    )
    value_added_primary_10k_yuan = FiniteFloatField(
        _("第一产业增加值（当年价，万元）"), null=True, blank=True
    )
    value_added_industry_10k_yuan = FiniteFloatField(
        _("工业增加值（当年价，万元）"), null=True, blank=True
    )
    value_added_construction_10k_yuan = FiniteFloatField(
        _("建筑业增加值（当年价，万元）"), null=True, blank=True
    )
    value_added_transport_10k_yuan = FiniteFloatField(
        _("交通运输、仓储和邮政业增加值（当年价，万元）"), null=True, blank=True
    )
    value_added_commercial_10k_yuan = FiniteFloatField(
        _("批发零售、住宿餐饮和其他服务业增加值（当年价，万元）"), null=True, blank=True
    )
    raw_material_tce = FiniteFloatField(_("原料用能（吨标准煤）"), default=0.0, min_value=0)
    renewable_tce = FiniteFloatField(_("可再生能源消费（吨标准煤）"), default=0.0, min_value=0)
    separately_listed_tce = FiniteFloatField(
        _("单列重大项目能耗（吨标准煤）"), default=0.0, min_value=0
    )
    source = models.CharField(_("来源"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_demo = models.BooleanField(_("示例数据"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__sort_order", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="energy_year_unique_area_year")
        ]
        verbose_name = _("县区年度能耗与生产总值")
        verbose_name_plural = _("县区年度能耗与生产总值")

    def __str__(self) -> str:
        return f"{self.area} {self.year}"

    def sector_values(self) -> dict[str, float | None]:
        """Consumption by sector [tce]; None where not reported."""
        return {s: getattr(self, sector_field(s)) for s in SECTORS}

    def value_added(self) -> dict[str, float | None]:
        """Value added by production sector [10^4 yuan, current prices]; None where missing."""
        return {s: getattr(self, value_added_field(s)) for s in PRODUCTION_SECTORS}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.year is not None:
            base_year, target_year = plan_period()
            if not base_year <= self.year <= target_year:
                errors["year"] = gettext("年份 %(year)s 不在规划期 %(start)s–%(end)s 内") % {
                    "year": self.year,
                    "start": base_year,
                    "end": target_year,
                }
            elif self.year > base_year and self.gdp_index is None:
                errors["gdp_index"] = gettext("基期年以后的年份必须填写地区生产总值指数")
        if self.gdp_current_10k_yuan is not None and not self.gdp_current_10k_yuan > 0:
            errors["gdp_current_10k_yuan"] = gettext("地区生产总值必须大于 0")
        if self.gdp_index is not None and not 50 <= self.gdp_index <= 200:
            errors["gdp_index"] = gettext("指数以上年为 100，应在 50–200 之间，例如 106.5")
        if self.electricity_basis == self.ElectricityBasis.EQUAL and not (
            self.electricity_equal_kgce_per_kwh and self.electricity_equal_kgce_per_kwh > 0
        ):
            errors["electricity_equal_kgce_per_kwh"] = gettext("按等价值折标时必须填写折标系数")
        nonnegative = [
            "raw_material_tce",
            "renewable_tce",
            "separately_listed_tce",
            *(sector_field(s) for s in SECTORS),
            *(value_added_field(s) for s in PRODUCTION_SECTORS),
        ]
        for name in nonnegative:
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = gettext("不能为负数")
        if errors:
            raise ValidationError(errors)


class CarrierLine(models.Model):
    """Abstract: consumption of one energy carrier in a physical unit, converted to tce by
    ``ecer.core.energy`` (a unit that does not fit the carrier is refused, never converted).
    Used by districts' years, enterprises' reports and projects' demand."""

    carrier = models.CharField(_("能源品种"), max_length=40, choices=CARRIER_CHOICES)
    quantity = FiniteFloatField(_("消费量"), min_value=0)
    unit = models.CharField(_("计量单位"), max_length=20, choices=UNIT_CHOICES)
    kgce_per_base_unit = FiniteFloatField(
        _("实测折标系数"),
        null=True,
        blank=True,
        help_text=_("千克标准煤/千克、/立方米、/千瓦时或/兆焦；参考系数为区间的品种必须填写"),
        min_value=0,
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.quantity:g} {unit_label(self.unit)}"  # type: ignore[attr-defined]

    def as_core(self) -> core_energy.Consumption:
        require_stored_values(self)
        return core_energy.Consumption(
            carrier_code=self.carrier,
            quantity=self.quantity,
            unit=self.unit,
            kgce_per_base_unit=self.kgce_per_base_unit,
        )

    def clean(self) -> None:
        if self.carrier is None or self.quantity is None or not self.unit:
            return
        error = carrier_error(self.carrier, self.quantity, self.unit, self.kgce_per_base_unit)
        if error is not None:
            raise ValidationError({error[0]: error[1]})


class CarrierConsumption(CarrierLine):
    """Consumption of one energy carrier in an area's year, in a physical unit."""

    energy_year = models.ForeignKey(
        DistrictEnergyYear,
        verbose_name=_("年度数据"),
        on_delete=models.CASCADE,
        related_name="carriers",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["energy_year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["energy_year", "carrier"], name="energy_carrier_unique_per_year"
            )
        ]
        verbose_name = _("分品种能源消费")
        verbose_name_plural = _("分品种能源消费")


def carrier_error(
    carrier: str, quantity: float, unit: str, kgce_per_base_unit: float | None
) -> tuple[str, str] | None:
    """(field, Chinese message) when ecer.core.energy refuses this line, else None."""
    try:
        core_energy.to_tce(carrier, quantity, unit, kgce_per_base_unit=kgce_per_base_unit)
    except core_energy.UnknownCarrierError:
        return "carrier", gettext("未知的能源品种 “%(code)s”") % {"code": carrier}
    except core_energy.UnitError as exc:
        accepted = "、".join(unit_label(code) for code in exc.accepted)
        name = core_energy.CARRIERS[carrier].name_zh
        return "unit", gettext("单位 “%(unit)s” 不适用于%(carrier)s，可用单位：%(accepted)s") % {
            "unit": unit,
            "carrier": name,
            "accepted": accepted,
        }
    except core_energy.MissingCoefficientError:
        name = core_energy.CARRIERS[carrier].name_zh
        return "kgce_per_base_unit", gettext(
            "%(carrier)s没有单一参考折标系数，请填写实测折标系数"
        ) % {"carrier": name}
    except ValueError:
        if quantity < 0:
            return "quantity", gettext("消费量不能为负数")
        return "kgce_per_base_unit", gettext("折标系数必须大于 0")
    return None
