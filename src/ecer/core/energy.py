"""Energy carriers and their conversion to tonnes of standard coal equivalent (tce).

Numbers: every quantity and coefficient is a ``float``. Coefficients are written as the
decimal literals printed in the reference tables (4 decimals) and sums use ``math.fsum``;
rounding is left to whoever displays a figure. Floats were chosen over ``Decimal`` because
the coefficients themselves are rounded reference values (7000 kcal = 1 kgce), so the extra
digits of ``Decimal`` would carry no information, and the LMDI and projection code downstream
needs ``log``/``exp``.

Units: a small explicit unit system with four dimensions (mass, volume, electricity, heat).
Conversion happens only within a dimension. A quantity given in a unit of the wrong dimension
for its carrier (for example tonnes of natural gas) raises :class:`UnitError`; nothing is ever
converted silently across dimensions.

Electricity is converted either at its *equivalent value* (当量值, 0.1229 kgce/kWh, the heat
content of 1 kWh = 3600 kJ) or at an *equal value* (等价值): the standard coal used to
generate and supply 1 kWh, a figure published per year. Because the published yearly values
could not be verified from a primary source here, the equal value is always a parameter.

References
----------
GB/T 2589-2020《综合能耗计算通则》(General rules for calculation of the comprehensive
energy consumption), Annex A (informative), 各种能源折标准煤参考系数. 1 kgce = 29 307 kJ
(7000 kcal); each solid/liquid/gas coefficient is the carrier's mean net calorific value
divided by 7000 kcal. The coefficients below were cross-checked against several independent
transcriptions of the table (the standard's own text was not available to the author); the
same values appear in GB/T 2589-2008 Annex A and in the reference table of the National
Bureau of Statistics energy statistics reporting system (能源统计报表制度). Rows whose
coefficient is not from GB/T 2589 say so in their ``source``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Literal

__all__ = [
    "CARRIERS",
    "ELECTRICITY_EQUIVALENT_KGCE_PER_KWH",
    "UNITS",
    "Consumption",
    "Dimension",
    "ElectricityBasis",
    "EnergyCarrier",
    "MissingCoefficientError",
    "ThresholdComparison",
    "Unit",
    "UnitError",
    "UnknownCarrierError",
    "convert",
    "get_carrier",
    "get_unit",
    "is_key_energy_unit",
    "tce_by_carrier",
    "to_base_quantity",
    "to_tce",
    "total_tce",
    "units_of",
]

ElectricityBasis = Literal["equivalent", "equal"]

# GB/T 2589-2020 Annex A, 电力(当量值): 3600 kJ/kWh (860 kcal/kWh) -> 860/7000 = 0.1229 kgce/kWh.
ELECTRICITY_EQUIVALENT_KGCE_PER_KWH = 0.1229


class Dimension(StrEnum):
    """Physical dimension of a quantity; each has one base unit."""

    MASS = "mass"  # base unit kg
    VOLUME = "volume"  # base unit m3 (gas at standard conditions)
    ELECTRICITY = "electricity"  # base unit kWh
    HEAT = "heat"  # base unit MJ


@dataclass(frozen=True)
class Unit:
    """A unit of measurement.

    code: Canonical ASCII code, e.g. ``"10^4 m3"``.
    name_zh: Chinese name used on forms, e.g. ``"万立方米"``.
    dimension: The physical dimension.
    to_base: Size of one unit in the dimension's base unit [kg, m3, kWh or MJ].
    """

    code: str
    name_zh: str
    dimension: Dimension
    to_base: float


_UNIT_LIST: tuple[Unit, ...] = (
    Unit("kg", "千克", Dimension.MASS, 1.0),
    Unit("t", "吨", Dimension.MASS, 1e3),
    Unit("10^4 t", "万吨", Dimension.MASS, 1e7),
    Unit("m3", "立方米", Dimension.VOLUME, 1.0),
    Unit("10^4 m3", "万立方米", Dimension.VOLUME, 1e4),
    Unit("10^8 m3", "亿立方米", Dimension.VOLUME, 1e8),
    Unit("kWh", "千瓦时", Dimension.ELECTRICITY, 1.0),
    Unit("MWh", "兆瓦时", Dimension.ELECTRICITY, 1e3),
    Unit("10^4 kWh", "万千瓦时", Dimension.ELECTRICITY, 1e4),
    Unit("GWh", "吉瓦时", Dimension.ELECTRICITY, 1e6),
    Unit("10^8 kWh", "亿千瓦时", Dimension.ELECTRICITY, 1e8),
    Unit("kJ", "千焦", Dimension.HEAT, 1e-3),
    Unit("MJ", "兆焦", Dimension.HEAT, 1.0),
    Unit("GJ", "吉焦", Dimension.HEAT, 1e3),
    Unit("10^6 kJ", "百万千焦", Dimension.HEAT, 1e3),
    Unit("TJ", "太焦", Dimension.HEAT, 1e6),
)

UNITS: Mapping[str, Unit] = MappingProxyType({u.code: u for u in _UNIT_LIST})
_UNIT_ALIASES: Mapping[str, Unit] = MappingProxyType(
    {**{u.code: u for u in _UNIT_LIST}, **{u.name_zh: u for u in _UNIT_LIST}}
)


class UnitError(ValueError):
    """A quantity's unit does not fit its carrier (or is not a known unit)."""

    def __init__(self, carrier_code: str | None, unit_given: str, accepted: tuple[str, ...]):
        self.carrier_code = carrier_code
        self.unit_given = unit_given
        self.accepted = accepted
        subject = f"carrier {carrier_code!r}" if carrier_code else "this quantity"
        super().__init__(
            f"unit {unit_given!r} is not accepted for {subject}; "
            f"accepted units: {', '.join(accepted)}"
        )


class UnknownCarrierError(LookupError):
    """No energy carrier has this code."""


class MissingCoefficientError(ValueError):
    """The carrier has no single reference coefficient; a measured one must be given."""


def get_unit(code: str) -> Unit:
    """Return the unit with this ASCII code or Chinese name; raise :class:`UnitError`."""
    try:
        return _UNIT_ALIASES[code.strip()]
    except KeyError:
        raise UnitError(None, code, tuple(UNITS)) from None


def units_of(dimension: Dimension) -> tuple[str, ...]:
    """Codes of all units of a dimension."""
    return tuple(u.code for u in _UNIT_LIST if u.dimension is dimension)


def convert(quantity: float, from_unit: str, to_unit: str) -> float:
    """Convert a quantity between two units of the same dimension.

    quantity: Amount [from_unit].
    Returns the amount [to_unit]. Raises :class:`UnitError` across dimensions.
    """
    source, target = get_unit(from_unit), get_unit(to_unit)
    if source.dimension is not target.dimension:
        raise UnitError(None, from_unit, units_of(target.dimension))
    return quantity * source.to_base / target.to_base


@dataclass(frozen=True)
class EnergyCarrier:
    """An energy carrier (能源品种) and its reference coefficient to standard coal.

    code: Stable identifier, e.g. ``"natural_gas"``.
    name_zh: Chinese name as on statistical forms.
    dimension: Dimension its quantities are measured in.
    display_unit: Unit usually used on district statistical forms.
    kgce_per_base_unit: Reference coefficient [kgce/kg, kgce/m3, kgce/kWh or kgce/MJ],
        or ``None`` when the reference table gives only a range and a measured coefficient
        must be supplied.
    kgce_range: (low, high) range printed in the table [same unit], if any.
    source: Table and row the coefficient comes from.
    """

    code: str
    name_zh: str
    dimension: Dimension
    display_unit: str
    kgce_per_base_unit: float | None
    kgce_range: tuple[float, float] | None
    source: str

    @property
    def accepted_units(self) -> tuple[str, ...]:
        """Codes of the units a quantity of this carrier may be given in."""
        return units_of(self.dimension)


_A = "GB/T 2589-2020 Annex A"
_NBS = (
    "NBS energy statistics reporting system reference table 各种能源折标准煤参考系数 "
    "(not a GB/T 2589 row)"
)

# fmt: off
_CARRIER_LIST: tuple[EnergyCarrier, ...] = (
    # Solid fuels [kgce/kg]. Each is NCV [kcal/kg] / 7000.
    EnergyCarrier("raw_coal", "原煤", Dimension.MASS, "t", 0.7143, None,
                  f"{_A}, 原煤: 5000 kcal/kg -> 0.7143 kgce/kg"),
    EnergyCarrier("cleaned_coal", "洗精煤", Dimension.MASS, "t", 0.9000, None,
                  f"{_A}, 洗精煤: 6300 kcal/kg -> 0.9000 kgce/kg"),
    EnergyCarrier("other_washed_coal", "其他洗煤", Dimension.MASS, "t", None, (0.2857, 0.4286),
                  f"{_A}, 其他洗煤: 洗中煤 0.2857, 煤泥 0.2857~0.4286 kgce/kg"),
    EnergyCarrier("briquette", "型煤", Dimension.MASS, "t", 0.6000, None,
                  f"{_NBS}, 型煤 0.6000 tce/t"),
    EnergyCarrier("coke", "焦炭", Dimension.MASS, "t", 0.9714, None,
                  f"{_A}, 焦炭: 6800 kcal/kg -> 0.9714 kgce/kg"),
    EnergyCarrier("other_coking_products", "其他焦化产品", Dimension.MASS, "t", 1.3000, None,
                  f"{_NBS}, 其他焦化产品 1.3000 tce/t"),
    # Liquid fuels [kgce/kg].
    EnergyCarrier("crude_oil", "原油", Dimension.MASS, "t", 1.4286, None,
                  f"{_A}, 原油: 10000 kcal/kg -> 1.4286 kgce/kg"),
    EnergyCarrier("fuel_oil", "燃料油", Dimension.MASS, "t", 1.4286, None,
                  f"{_A}, 燃料油: 10000 kcal/kg -> 1.4286 kgce/kg"),
    EnergyCarrier("gasoline", "汽油", Dimension.MASS, "t", 1.4714, None,
                  f"{_A}, 汽油: 10300 kcal/kg -> 1.4714 kgce/kg"),
    EnergyCarrier("kerosene", "煤油", Dimension.MASS, "t", 1.4714, None,
                  f"{_A}, 煤油: 10300 kcal/kg -> 1.4714 kgce/kg"),
    EnergyCarrier("diesel", "柴油", Dimension.MASS, "t", 1.4571, None,
                  f"{_A}, 柴油: 10200 kcal/kg -> 1.4571 kgce/kg"),
    EnergyCarrier("lpg", "液化石油气", Dimension.MASS, "t", 1.7143, None,
                  f"{_A}, 液化石油气: 12000 kcal/kg -> 1.7143 kgce/kg"),
    EnergyCarrier("refinery_dry_gas", "炼厂干气", Dimension.MASS, "t", 1.5714, None,
                  f"{_A}, 炼厂干气: 11000 kcal/kg -> 1.5714 kgce/kg"),
    EnergyCarrier("other_petroleum_products", "其他石油制品", Dimension.MASS, "t", 1.2000, None,
                  f"{_NBS}, 其他石油制品 1.2000 tce/t"),
    # Gaseous fuels [kgce/m3].
    EnergyCarrier("natural_gas", "天然气", Dimension.VOLUME, "10^4 m3", 1.2143, (1.1000, 1.3300),
                  f"{_A}, 天然气: range 1.1000~1.3300 kgce/m3; reference 1.2143 kgce/m3 "
                  "(8500 kcal/m3, = 12.143 tce/10^4 m3 in the NBS reference table)"),
    EnergyCarrier("coke_oven_gas", "焦炉煤气", Dimension.VOLUME, "10^4 m3", None, (0.5714, 0.6143),
                  f"{_A}, 焦炉煤气: 4000~4300 kcal/m3 -> 0.5714~0.6143 kgce/m3"),
    EnergyCarrier("blast_furnace_gas", "高炉煤气", Dimension.VOLUME, "10^4 m3", 0.1286, None,
                  f"{_A}, 高炉煤气: 900 kcal/m3 -> 0.1286 kgce/m3"),
    EnergyCarrier("converter_gas", "转炉煤气", Dimension.VOLUME, "10^4 m3", None, None,
                  "no reference coefficient verified; supply the measured coefficient"),
    EnergyCarrier("other_gas", "其他煤气", Dimension.VOLUME, "10^4 m3", None, None,
                  f"{_A} lists 其他煤气 by kind (发生炉煤气 0.1786, 水煤气 0.3571, ...); "
                  "supply the coefficient of the kind used"),
    # Secondary energy.
    EnergyCarrier("heat", "热力", Dimension.HEAT, "GJ", 0.03412, None,
                  f"{_A}, 热力(当量值): 0.03412 kgce/MJ"),
    EnergyCarrier("electricity", "电力", Dimension.ELECTRICITY, "10^4 kWh",
                  ELECTRICITY_EQUIVALENT_KGCE_PER_KWH, None,
                  f"{_A}, 电力(当量值): 3600 kJ/kWh (860 kcal) -> 0.1229 kgce/kWh"),
)
# fmt: on

CARRIERS: Mapping[str, EnergyCarrier] = MappingProxyType({c.code: c for c in _CARRIER_LIST})


def get_carrier(code: str) -> EnergyCarrier:
    """Return the carrier with this code; raise :class:`UnknownCarrierError`."""
    try:
        return CARRIERS[code]
    except KeyError:
        raise UnknownCarrierError(
            f"unknown energy carrier {code!r}; known carriers: {', '.join(CARRIERS)}"
        ) from None


def to_base_quantity(carrier_code: str, quantity: float, unit: str) -> float:
    """Quantity of a carrier in its dimension's base unit [kg, m3, kWh or MJ].

    Raises :class:`UnitError` (naming the carrier, the unit given and the units accepted)
    when the unit is unknown or of another dimension.
    """
    carrier = get_carrier(carrier_code)
    try:
        u = get_unit(unit)
    except UnitError:
        raise UnitError(carrier.code, unit, carrier.accepted_units) from None
    if u.dimension is not carrier.dimension:
        raise UnitError(carrier.code, unit, carrier.accepted_units)
    if not math.isfinite(quantity) or quantity < 0:
        raise ValueError(f"quantity of {carrier.code!r} must be finite and >= 0, got {quantity}")
    return quantity * u.to_base


def _coefficient(
    carrier: EnergyCarrier,
    electricity_basis: ElectricityBasis,
    equal_value_kgce_per_kwh: float | None,
    kgce_per_base_unit: float | None,
) -> float:
    if electricity_basis not in ("equivalent", "equal"):
        raise ValueError(
            f"electricity_basis must be 'equivalent' or 'equal', got {electricity_basis!r}"
        )
    if carrier.code == "electricity" and electricity_basis == "equal":
        # GB/T 2589-2020 Annex A, 电力(等价值): standard coal consumed per kWh supplied, per year.
        if equal_value_kgce_per_kwh is None or not equal_value_kgce_per_kwh > 0:
            raise MissingCoefficientError(
                "electricity at equal value needs equal_value_kgce_per_kwh > 0 [kgce/kWh], "
                "e.g. the year's national average coal consumption of thermal power supply"
            )
        return equal_value_kgce_per_kwh
    if kgce_per_base_unit is not None:
        if not (math.isfinite(kgce_per_base_unit) and kgce_per_base_unit > 0):
            raise ValueError(
                f"coefficient for {carrier.code!r} must be > 0, got {kgce_per_base_unit}"
            )
        return kgce_per_base_unit
    if carrier.kgce_per_base_unit is None:
        rng = (
            f" (table range {carrier.kgce_range[0]}~{carrier.kgce_range[1]})"
            if carrier.kgce_range
            else ""
        )
        raise MissingCoefficientError(
            f"carrier {carrier.code!r} has no single reference coefficient{rng}; "
            "pass the measured kgce_per_base_unit"
        )
    return carrier.kgce_per_base_unit


def to_tce(
    carrier_code: str,
    quantity: float,
    unit: str,
    *,
    electricity_basis: ElectricityBasis = "equivalent",
    equal_value_kgce_per_kwh: float | None = None,
    kgce_per_base_unit: float | None = None,
) -> float:
    """Convert a quantity of an energy carrier to standard coal.

    carrier_code: Carrier code, see :data:`CARRIERS`.
    quantity: Amount consumed [unit]; must be >= 0.
    unit: A unit of the carrier's dimension (code or Chinese name), e.g. ``"10^4 m3"``.
    electricity_basis: ``"equivalent"`` (当量值, 0.1229 kgce/kWh) or ``"equal"`` (等价值).
    equal_value_kgce_per_kwh: Equal-value coefficient [kgce/kWh]; required for ``"equal"``.
    kgce_per_base_unit: Measured coefficient overriding the reference one
        [kgce/kg, kgce/m3, kgce/kWh or kgce/MJ]; required for carriers given only as a range.
    Returns the energy [tce].
    """
    carrier = get_carrier(carrier_code)
    base = to_base_quantity(carrier_code, quantity, unit)
    coefficient = _coefficient(
        carrier, electricity_basis, equal_value_kgce_per_kwh, kgce_per_base_unit
    )
    # GB/T 2589-2020 clause 8: energy [kgce] = quantity [physical unit] x coefficient; /1000 -> tce.
    return base * coefficient / 1000.0


@dataclass(frozen=True)
class Consumption:
    """One line of energy consumption.

    carrier_code: Carrier code, see :data:`CARRIERS`.
    quantity: Amount consumed [unit].
    unit: Unit of ``quantity`` (code or Chinese name).
    kgce_per_base_unit: Optional measured coefficient [kgce per base unit].
    """

    carrier_code: str
    quantity: float
    unit: str
    kgce_per_base_unit: float | None = None

    def tce(
        self,
        *,
        electricity_basis: ElectricityBasis = "equivalent",
        equal_value_kgce_per_kwh: float | None = None,
    ) -> float:
        """This line's energy [tce]."""
        return to_tce(
            self.carrier_code,
            self.quantity,
            self.unit,
            electricity_basis=electricity_basis,
            equal_value_kgce_per_kwh=equal_value_kgce_per_kwh,
            kgce_per_base_unit=self.kgce_per_base_unit,
        )


def tce_by_carrier(
    lines: Iterable[Consumption],
    *,
    electricity_basis: ElectricityBasis = "equivalent",
    equal_value_kgce_per_kwh: float | None = None,
) -> dict[str, float]:
    """Energy per carrier [tce], in first-seen order of the carriers."""
    parts: dict[str, list[float]] = {}
    for line in lines:
        parts.setdefault(line.carrier_code, []).append(
            line.tce(
                electricity_basis=electricity_basis,
                equal_value_kgce_per_kwh=equal_value_kgce_per_kwh,
            )
        )
    return {code: math.fsum(values) for code, values in parts.items()}


def total_tce(
    lines: Iterable[Consumption],
    *,
    electricity_basis: ElectricityBasis = "equivalent",
    equal_value_kgce_per_kwh: float | None = None,
) -> float:
    """Total energy of several consumption lines [tce]."""
    return math.fsum(
        tce_by_carrier(
            lines,
            electricity_basis=electricity_basis,
            equal_value_kgce_per_kwh=equal_value_kgce_per_kwh,
        ).values()
    )


class ThresholdComparison(StrEnum):
    """How a plan's wording compares an annual consumption with its threshold.

    ``at_least``: "以上"/"不低于" (inclusive, >=); ``greater_than``: "超过" (exclusive, >).
    The values are those of the ``comparison`` parameter of the plan file's rules.
    """

    AT_LEAST = "at_least"
    GREATER_THAN = "greater_than"


def is_key_energy_unit(
    annual_tce: float, threshold_tce: float, comparison: ThresholdComparison | str
) -> bool:
    """Whether a unit is a key energy-consuming unit (重点用能单位).

    The threshold and its comparison are the plan's (Beihai 三(一): "年能耗5000吨标准煤以上",
    rule ``key_energy_unit_threshold``: 5000, at_least); the caller passes them.

    annual_tce: The unit's annual comprehensive energy consumption [tce].
    threshold_tce: The plan's threshold [tce per year].
    comparison: ``at_least`` (>=) or ``greater_than`` (>).
    """
    if not math.isfinite(threshold_tce):
        raise ValueError(f"threshold must be a finite number of tce, got {threshold_tce!r}")
    # 三(一) "以上" is inclusive; 四(七) "超过" is exclusive.
    if ThresholdComparison(comparison) is ThresholdComparison.AT_LEAST:
        return annual_tce >= threshold_tce
    return annual_tce > threshold_tce
