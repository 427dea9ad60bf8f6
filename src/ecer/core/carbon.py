"""CO2 from energy use: fuel combustion by carrier and net purchased electricity/heat.

Numbers are ``float`` (see :mod:`ecer.core.energy`). Fuel quantities use the unit system of
:mod:`ecer.core.energy`: a quantity in a unit of the wrong dimension raises ``UnitError``.

Fuel combustion (GB/T 32150-2015, calculation of combustion emissions and Annex A):
    CO2 [t] = AD [t or 10^4 m3] x NCV [GJ per unit] x CC [tC/GJ] x OF x 44/12
with AD the activity data, NCV the net calorific value, CC the carbon content per unit of
heat and OF the carbon oxidation rate. The default parameters are those of GB/T 32150-2015
Table A.1 (常见化石燃料特性参数缺省值), which were themselves taken from the China Energy
Statistical Yearbook, the provincial GHG inventory guidelines (《省级温室气体清单编制指南
(试行)》, 2011), the 2005 China GHG inventory study and the 2006 IPCC Guidelines; they were
cross-checked against two independent transcriptions of the table. Raw coal (原煤) has no
row: pass the parameters of the coal actually burned (e.g. bituminous coal).

Purchased electricity (GB/T 32150-2015, emissions of purchased electricity and heat):
    CO2 [t] = net purchased electricity [MWh] x grid emission factor [tCO2/MWh]
The factor is a parameter. :data:`GRID_FACTOR_2022_NATIONAL_T_PER_MWH` = 0.5703 tCO2/MWh is
the national grid average emission factor published by the Ministry of Ecology and Environment
for 2022 (环办气候函〔2023〕43号, 《关于做好2023—2025年发电行业企业温室气体排放报告管理有关
工作的通知》). Later factors (MEE/NBS announcements on the 2021 and 2022 electricity CO2
factors) exist and may be passed instead.

References
----------
GB/T 32150-2015《工业企业温室气体排放核算和报告通则》, calculation methods and Annex A,
Table A.1. (Clause and formula numbers are not quoted: the standard's text was not at hand.)
国家发展改革委《省级温室气体清单编制指南(试行)》(2011).
生态环境部、国家统计局《关于发布2022年电力二氧化碳排放因子的公告》(2024-12-20): 2022 national,
regional and provincial average electricity CO2 factors "供核算电力消费的二氧化碳排放量时参考使用";
national 0.5366, 广西 0.4044 kgCO2/kWh. The figures were read from press reprints of the
announcement (national value in two independent reprints, the provincial one in one); check
them against the announcement's attachment before relying on them.
国家发展改革委 24 行业企业温室气体排放核算方法与报告指南(试行) (发改办气候〔2013〕2526号,
〔2014〕2920号, 〔2015〕1722号): purchased heat "排放因子暂按 0.11 tCO2/GJ 计".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ecer.core.energy import (
    Consumption,
    Dimension,
    Unit,
    UnitError,
    get_unit,
    units_of,
)
from ecer.core.intensity import comparable_gdp, decline_pct

__all__ = [
    "CO2_PER_C",
    "FUEL_PARAMETERS",
    "GRID_FACTOR_2022_GUANGXI_T_PER_MWH",
    "GRID_FACTOR_2022_NATIONAL_T_PER_MWH",
    "HEAT_FACTOR_DEFAULT_T_PER_GJ",
    "CarbonAccount",
    "Co2Assessment",
    "Co2IntensityDecline",
    "FuelCarbonParameters",
    "MissingCarbonParametersError",
    "assess_co2",
    "co2_intensity",
    "co2_intensity_decline",
    "electricity_co2_t",
    "emission_factor",
    "fuel_combustion_co2_t",
    "heat_co2_t",
    "total_co2",
]

# Molar mass ratio CO2/C = 44/12 (GB/T 32150-2015, combustion emission factor).
CO2_PER_C = 44.0 / 12.0

# MEE, 环办气候函〔2023〕43号: national grid average emission factor 0.5703 tCO2/MWh.
GRID_FACTOR_2022_NATIONAL_T_PER_MWH = 0.5703

# MEE/NBS 《关于发布2022年电力二氧化碳排放因子的公告》(2024-12-20): 广西 provincial average
# electricity CO2 factor 2022, 0.4044 kgCO2/kWh = tCO2/MWh (for electricity consumption).
GRID_FACTOR_2022_GUANGXI_T_PER_MWH = 0.4044

# NDRC industry GHG accounting guidelines (发改办气候〔2013〕2526号 et seq.): purchased heat
# "排放因子暂按 0.11 tCO2/GJ 计".
HEAT_FACTOR_DEFAULT_T_PER_GJ = 0.11


class MissingCarbonParametersError(LookupError):
    """No default combustion parameters exist for this fuel; pass them explicitly."""


@dataclass(frozen=True)
class FuelCarbonParameters:
    """Combustion parameters of one fuel.

    ncv_gj_per_unit: Net calorific value [GJ/t or GJ/10^4 m3].
    unit: Activity unit the NCV refers to, ``"t"`` or ``"10^4 m3"``.
    carbon_tc_per_gj: Carbon content per unit of heat [tC/GJ].
    oxidation_rate: Carbon oxidation rate [fraction, 0..1].
    source: Where the figures come from.
    """

    ncv_gj_per_unit: float
    unit: str
    carbon_tc_per_gj: float
    oxidation_rate: float
    source: str = "user supplied"

    def __post_init__(self) -> None:
        get_unit(self.unit)
        if not (self.ncv_gj_per_unit > 0 and self.carbon_tc_per_gj > 0):
            raise ValueError("NCV and carbon content must be > 0")
        if not 0 < self.oxidation_rate <= 1:
            raise ValueError(f"oxidation rate must be in (0, 1], got {self.oxidation_rate}")


def emission_factor(parameters: FuelCarbonParameters) -> float:
    """CO2 emission factor of a fuel [tCO2/t or tCO2/10^4 m3]."""
    # GB/T 32150-2015 combustion emission factor: EF = NCV x CC x OF x 44/12.
    return (
        parameters.ncv_gj_per_unit
        * parameters.carbon_tc_per_gj
        * parameters.oxidation_rate
        * CO2_PER_C
    )


_T = "GB/T 32150-2015 Table A.1"


def _p(ncv: float, unit: str, cc_per_tj: float, of_pct: float, row: str) -> FuelCarbonParameters:
    # The table prints carbon content as 10^-3 tC/GJ (= tC/TJ) and oxidation in percent.
    return FuelCarbonParameters(ncv, unit, cc_per_tj / 1000.0, of_pct / 100.0, f"{_T}, {row}")


# Keys match ecer.core.energy carrier codes where the carrier is the same.
# fmt: off
FUEL_PARAMETERS: Mapping[str, FuelCarbonParameters] = MappingProxyType({
    "anthracite": _p(26.7, "t", 27.4, 94, "无烟煤"),
    "bituminous_coal": _p(19.570, "t", 26.1, 93, "烟煤"),
    "lignite": _p(11.9, "t", 28.0, 96, "褐煤"),
    "cleaned_coal": _p(26.334, "t", 25.41, 90, "洗精煤"),
    "other_washed_coal": _p(12.545, "t", 25.41, 90, "其他洗煤"),
    "briquette": _p(17.460, "t", 33.6, 90, "型煤"),
    "coke": _p(28.435, "t", 29.5, 93, "焦炭"),
    "crude_oil": _p(41.816, "t", 20.1, 98, "原油"),
    "fuel_oil": _p(41.816, "t", 21.1, 98, "燃料油"),
    "gasoline": _p(43.070, "t", 18.9, 98, "汽油"),
    "diesel": _p(42.652, "t", 20.2, 98, "柴油"),
    "kerosene": _p(43.070, "t", 19.6, 98, "一般煤油"),
    "lpg": _p(50.179, "t", 17.2, 98, "液化石油气"),
    "refinery_dry_gas": _p(45.998, "t", 18.2, 98, "炼厂干气"),
    "natural_gas": _p(389.31, "10^4 m3", 15.3, 99, "天然气"),
    "coke_oven_gas": _p(179.81, "10^4 m3", 13.58, 99, "焦炉煤气"),
    "blast_furnace_gas": _p(33.000, "10^4 m3", 70.8, 99, "高炉煤气"),
    "converter_gas": _p(84.000, "10^4 m3", 49.6, 99, "转炉煤气"),
    "other_gas": _p(52.270, "10^4 m3", 12.2, 99, "其他煤气"),
})
# fmt: on


def _parameters_for(code: str, parameters: FuelCarbonParameters | None) -> FuelCarbonParameters:
    if parameters is not None:
        return parameters
    try:
        return FUEL_PARAMETERS[code]
    except KeyError:
        raise MissingCarbonParametersError(
            f"no default combustion parameters for fuel {code!r}; pass FuelCarbonParameters "
            f"(defaults exist for: {', '.join(FUEL_PARAMETERS)})"
        ) from None


def fuel_combustion_co2_t(
    fuel_code: str,
    quantity: float,
    unit: str,
    *,
    parameters: FuelCarbonParameters | None = None,
) -> float:
    """CO2 from burning a fuel [tCO2].

    fuel_code: Fuel code (a key of :data:`FUEL_PARAMETERS` unless ``parameters`` is given).
    quantity: Amount burned [unit]; must be >= 0.
    unit: Unit of ``quantity``; must have the dimension of the parameters' unit.
    parameters: Combustion parameters overriding the defaults.
    """
    p = _parameters_for(fuel_code, parameters)
    given, reference = _unit_or_none(unit), get_unit(p.unit)
    if given is None or given.dimension is not reference.dimension:
        raise UnitError(fuel_code, unit, units_of(reference.dimension))
    if not math.isfinite(quantity) or quantity < 0:
        raise ValueError(f"quantity of {fuel_code!r} must be finite and >= 0, got {quantity}")
    activity = quantity * given.to_base / reference.to_base
    # GB/T 32150-2015 combustion emissions: E = AD x EF.
    return activity * emission_factor(p)


def _unit_or_none(code: str) -> Unit | None:
    try:
        return get_unit(code)
    except UnitError:
        return None


def electricity_co2_t(
    net_purchased: float,
    unit: str = "MWh",
    *,
    grid_factor_t_per_mwh: float = GRID_FACTOR_2022_NATIONAL_T_PER_MWH,
) -> float:
    """CO2 of net purchased electricity [tCO2].

    net_purchased: Purchased minus exported electricity [unit]; may be negative.
    unit: An electricity unit, e.g. ``"MWh"`` or ``"10^4 kWh"``.
    grid_factor_t_per_mwh: Grid emission factor [tCO2/MWh].
    """
    u = _unit_or_none(unit)
    if u is None or u.dimension is not Dimension.ELECTRICITY:
        raise UnitError("electricity", unit, units_of(Dimension.ELECTRICITY))
    if not math.isfinite(net_purchased):
        raise ValueError(f"net purchased electricity must be finite, got {net_purchased}")
    mwh = net_purchased * u.to_base / 1000.0
    # GB/T 32150-2015 purchased electricity: E = AD_electricity x EF_grid.
    return mwh * grid_factor_t_per_mwh


def heat_co2_t(net_purchased: float, unit: str = "GJ", *, heat_factor_t_per_gj: float) -> float:
    """CO2 of net purchased heat [tCO2].

    net_purchased: Purchased minus exported heat [unit]; may be negative.
    heat_factor_t_per_gj: Heat emission factor [tCO2/GJ] (no default: it is local data).
    """
    u = _unit_or_none(unit)
    if u is None or u.dimension is not Dimension.HEAT:
        raise UnitError("heat", unit, units_of(Dimension.HEAT))
    if not math.isfinite(net_purchased):
        raise ValueError(f"net purchased heat must be finite, got {net_purchased}")
    gj = net_purchased * u.to_base / 1000.0
    # GB/T 32150-2015 purchased heat: E = AD_heat x EF_heat.
    return gj * heat_factor_t_per_gj


@dataclass(frozen=True)
class CarbonAccount:
    """CO2 of a set of consumption lines, split by source.

    fuel_co2_t: From fuel combustion [tCO2].
    electricity_co2_t: From purchased electricity [tCO2].
    heat_co2_t: From purchased heat [tCO2].
    by_carrier_t: CO2 per carrier code [tCO2].
    total_co2_t: Sum of the three [tCO2].
    """

    fuel_co2_t: float
    electricity_co2_t: float
    heat_co2_t: float
    by_carrier_t: Mapping[str, float]
    total_co2_t: float


def total_co2(
    lines: Iterable[Consumption],
    *,
    grid_factor_t_per_mwh: float = GRID_FACTOR_2022_NATIONAL_T_PER_MWH,
    heat_factor_t_per_gj: float | None = None,
    parameters: Mapping[str, FuelCarbonParameters] | None = None,
) -> CarbonAccount:
    """CO2 of energy consumption lines (electricity and heat lines count as purchased).

    grid_factor_t_per_mwh: Grid emission factor [tCO2/MWh].
    heat_factor_t_per_gj: Heat emission factor [tCO2/GJ]; required if a heat line exists.
    parameters: Per-fuel parameters overriding :data:`FUEL_PARAMETERS`.
    """
    overrides = parameters or {}
    fuel: list[float] = []
    power: list[float] = []
    heat: list[float] = []
    by_carrier: dict[str, list[float]] = {}
    for line in lines:
        if line.carrier_code == "electricity":
            value = electricity_co2_t(
                line.quantity, line.unit, grid_factor_t_per_mwh=grid_factor_t_per_mwh
            )
            power.append(value)
        elif line.carrier_code == "heat":
            if heat_factor_t_per_gj is None:
                raise ValueError("a heat line needs heat_factor_t_per_gj [tCO2/GJ]")
            value = heat_co2_t(line.quantity, line.unit, heat_factor_t_per_gj=heat_factor_t_per_gj)
            heat.append(value)
        else:
            value = fuel_combustion_co2_t(
                line.carrier_code,
                line.quantity,
                line.unit,
                parameters=overrides.get(line.carrier_code),
            )
            fuel.append(value)
        by_carrier.setdefault(line.carrier_code, []).append(value)
    fuel_t, power_t, heat_t = math.fsum(fuel), math.fsum(power), math.fsum(heat)
    return CarbonAccount(
        fuel_co2_t=fuel_t,
        electricity_co2_t=power_t,
        heat_co2_t=heat_t,
        by_carrier_t=MappingProxyType({k: math.fsum(v) for k, v in by_carrier.items()}),
        total_co2_t=math.fsum((fuel_t, power_t, heat_t)),
    )


def co2_intensity(co2_t: float, comparable_gdp_10k_yuan: float) -> float:
    """CO2 per unit of GDP at comparable prices [tCO2/10^4 yuan].

    co2_t: Emissions [tCO2].
    comparable_gdp_10k_yuan: GDP at comparable (base-year) prices [10^4 yuan].
    """
    if not comparable_gdp_10k_yuan > 0:
        raise ValueError(f"GDP must be > 0, got {comparable_gdp_10k_yuan}")
    # Plan 二、主要目标: 单位地区生产总值二氧化碳 = CO2 / GDP (comparable prices).
    return co2_t / comparable_gdp_10k_yuan


@dataclass(frozen=True)
class Co2Assessment:
    """CO2 of consumption lines with everything that kept a part from being counted.

    A part is ``None`` when it cannot be computed; it is never silently zero.

    fuel_co2_t: Fuel combustion [tCO2]; None when a fuel has no combustion parameters.
    electricity_co2_t: Net purchased electricity [tCO2].
    heat_co2_t: Net purchased heat [tCO2]; None when a heat line exists but no factor.
    total_co2_t: Sum of the three [tCO2]; None when any part is None.
    missing_parameters: Fuel carrier codes without combustion parameters.
    heat_factor_missing: A heat line exists and no heat factor was given.
    raw_material_tce: Raw-material use (原料用能) inside the fuel lines that cannot be told
        apart from fuel burned [tce]; when > 0 the fuel figure counts it as burned and is an
        upper bound.
    grid_factor_t_per_mwh: Grid factor used [tCO2/MWh].
    heat_factor_t_per_gj: Heat factor used [tCO2/GJ], or None.
    """

    fuel_co2_t: float | None
    electricity_co2_t: float
    heat_co2_t: float | None
    total_co2_t: float | None
    missing_parameters: tuple[str, ...]
    heat_factor_missing: bool
    raw_material_tce: float
    grid_factor_t_per_mwh: float
    heat_factor_t_per_gj: float | None

    @property
    def complete(self) -> bool:
        """Every line could be counted."""
        return self.total_co2_t is not None

    @property
    def includes_raw_material(self) -> bool:
        """The fuel figure includes raw-material use that could not be separated."""
        return self.raw_material_tce > 0


def assess_co2(
    lines: Iterable[Consumption],
    *,
    raw_material_tce: float = 0.0,
    grid_factor_t_per_mwh: float = GRID_FACTOR_2022_GUANGXI_T_PER_MWH,
    heat_factor_t_per_gj: float | None = HEAT_FACTOR_DEFAULT_T_PER_GJ,
    parameters: Mapping[str, FuelCarbonParameters] | None = None,
) -> Co2Assessment:
    """CO2 of consumption lines, split by source, naming what could not be counted.

    Unlike :func:`total_co2` this does not raise for a fuel without parameters or a heat line
    without a factor: the affected part is None and the carrier is listed.

    lines: Consumption lines (electricity and heat lines count as purchased).
    raw_material_tce: Raw-material use contained in ``lines`` [tce], >= 0. It is not burned,
        but lines give no carrier for it, so it cannot be deducted; it is reported instead.
    grid_factor_t_per_mwh: Grid emission factor [tCO2/MWh].
    heat_factor_t_per_gj: Heat emission factor [tCO2/GJ]; None = no factor available.
    parameters: Per-fuel parameters overriding :data:`FUEL_PARAMETERS`.
    """
    if not (math.isfinite(raw_material_tce) and raw_material_tce >= 0):
        raise ValueError(f"raw_material_tce must be finite and >= 0, got {raw_material_tce}")
    overrides = parameters or {}
    lines = list(lines)
    missing: list[str] = []
    heat_missing = False
    countable: list[Consumption] = []
    for line in lines:
        code = line.carrier_code
        if code == "heat" and heat_factor_t_per_gj is None:
            heat_missing = True
        elif code not in ("electricity", "heat") and (
            code not in FUEL_PARAMETERS and code not in overrides
        ):
            if code not in missing:
                missing.append(code)
        else:
            countable.append(line)
    account = total_co2(
        countable,
        grid_factor_t_per_mwh=grid_factor_t_per_mwh,
        heat_factor_t_per_gj=heat_factor_t_per_gj,
        parameters=overrides,
    )
    fuel = None if missing else account.fuel_co2_t
    heat = None if heat_missing else account.heat_co2_t
    total = (
        None if fuel is None or heat is None else math.fsum((fuel, account.electricity_co2_t, heat))
    )
    return Co2Assessment(
        fuel_co2_t=fuel,
        electricity_co2_t=account.electricity_co2_t,
        heat_co2_t=heat,
        total_co2_t=total,
        missing_parameters=tuple(missing),
        heat_factor_missing=heat_missing,
        raw_material_tce=raw_material_tce,
        grid_factor_t_per_mwh=grid_factor_t_per_mwh,
        heat_factor_t_per_gj=heat_factor_t_per_gj,
    )


@dataclass(frozen=True)
class Co2IntensityDecline:
    """CO2 intensity of a year against the base year, with every intermediate figure.

    base_co2_t: Base-year CO2 [tCO2].
    base_gdp_10k_yuan: Base-year nominal GDP [10^4 yuan].
    base_intensity: Base-year CO2 intensity [tCO2/10^4 yuan].
    co2_t: CO2 of the year [tCO2].
    comparable_gdp_10k_yuan: GDP of the year at base-year prices [10^4 yuan].
    intensity: CO2 intensity of the year [tCO2/10^4 yuan].
    decline_pct: Cumulative decline against the base year [%]; negative when it rose.
    """

    base_co2_t: float
    base_gdp_10k_yuan: float
    base_intensity: float
    co2_t: float
    comparable_gdp_10k_yuan: float
    intensity: float
    decline_pct: float


def co2_intensity_decline(
    base_co2_t: float,
    base_gdp_10k_yuan: float,
    co2_t: float,
    yearly_indices_since_base: Sequence[float],
) -> Co2IntensityDecline:
    """Cumulative CO2-intensity decline of a year against the base year (e.g. 2020).

    Mirrors :func:`ecer.core.intensity.intensity_decline`: GDP at comparable prices is the
    base year's nominal GDP chained with the yearly indices, never the year's nominal GDP.

    base_co2_t: Base-year CO2 [tCO2], > 0.
    base_gdp_10k_yuan: Base-year nominal GDP [10^4 yuan].
    co2_t: CO2 of the year [tCO2] (computed with the same factors as the base).
    yearly_indices_since_base: GDP indices of each year after the base up to the year
        (previous year = 100).
    """
    base_intensity = co2_intensity(base_co2_t, base_gdp_10k_yuan)
    gdp = comparable_gdp(base_gdp_10k_yuan, yearly_indices_since_base)
    intensity = co2_intensity(co2_t, gdp)
    return Co2IntensityDecline(
        base_co2_t=base_co2_t,
        base_gdp_10k_yuan=base_gdp_10k_yuan,
        base_intensity=base_intensity,
        co2_t=co2_t,
        comparable_gdp_10k_yuan=gdp,
        intensity=intensity,
        # Plan 二: 单位地区生产总值二氧化碳排放比 2020 年下降 = (1 - I_t / I_2020) x 100.
        decline_pct=decline_pct(base_intensity, intensity),
    )
