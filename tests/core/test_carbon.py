import pytest

from ecer.core.carbon import (
    FUEL_PARAMETERS,
    GRID_FACTOR_2022_GUANGXI_T_PER_MWH,
    HEAT_FACTOR_DEFAULT_T_PER_GJ,
    FuelCarbonParameters,
    MissingCarbonParametersError,
    assess_co2,
    co2_intensity,
    co2_intensity_decline,
    electricity_co2_t,
    emission_factor,
    fuel_combustion_co2_t,
    heat_co2_t,
    total_co2,
)
from ecer.core.energy import Consumption, UnitError


def test_natural_gas_emission_factor():
    # 389.31 GJ/10^4 m3 x 0.0153 tC/GJ = 5.956443 tC; x 0.99 = 5.89687857; x 44/12
    # = 21.6218881 tCO2 per 10^4 m3
    assert emission_factor(FUEL_PARAMETERS["natural_gas"]) == pytest.approx(21.6218881)


def test_diesel_emission_factor():
    # 42.652 GJ/t x 0.0202 tC/GJ = 0.8615704; x 0.98 = 0.84433899; x 44/12 = 3.0959096 tCO2/t
    assert emission_factor(FUEL_PARAMETERS["diesel"]) == pytest.approx(3.0959096)


def test_it_computes_combustion_co2_from_activity():
    # 100 t diesel x 3.0959096 tCO2/t = 309.59096 tCO2
    assert fuel_combustion_co2_t("diesel", 100, "t") == pytest.approx(309.59096)


def test_it_converts_the_activity_unit_within_the_dimension():
    # 100 000 kg = 100 t diesel -> 309.59096 tCO2
    assert fuel_combustion_co2_t("diesel", 100_000, "kg") == pytest.approx(309.59096)


def test_it_rejects_a_unit_of_the_wrong_dimension():
    with pytest.raises(UnitError) as caught:
        fuel_combustion_co2_t("natural_gas", 5, "t")
    assert caught.value.carrier_code == "natural_gas"
    assert caught.value.accepted == ("m3", "10^4 m3", "10^8 m3")


def test_raw_coal_needs_explicit_parameters():
    with pytest.raises(MissingCarbonParametersError, match="raw_coal"):
        fuel_combustion_co2_t("raw_coal", 1, "t")


def test_it_uses_explicit_parameters():
    # 10 t x 20 GJ/t x 0.026 tC/GJ x 0.95 x 44/12 = 10 x 0.494 x 3.6667 = 18.1133 tCO2
    params = FuelCarbonParameters(20.0, "t", 0.026, 0.95)
    assert fuel_combustion_co2_t("raw_coal", 10, "t", parameters=params) == pytest.approx(18.113333)


def test_it_rejects_an_oxidation_rate_above_one():
    with pytest.raises(ValueError, match="oxidation"):
        FuelCarbonParameters(20.0, "t", 0.026, 95)


def test_purchased_electricity_uses_the_default_2022_grid_factor():
    # 100 x 10^4 kWh = 1000 MWh x 0.5703 tCO2/MWh = 570.3 tCO2
    assert electricity_co2_t(100, "10^4 kWh") == pytest.approx(570.3)


def test_the_grid_factor_is_a_parameter():
    # 1000 MWh x 0.5 tCO2/MWh = 500 tCO2
    assert electricity_co2_t(1000, "MWh", grid_factor_t_per_mwh=0.5) == pytest.approx(500.0)


def test_net_exported_electricity_gives_negative_co2():
    # -200 MWh x 0.5703 = -114.06 tCO2
    assert electricity_co2_t(-200, "MWh") == pytest.approx(-114.06)


def test_it_rejects_electricity_in_a_heat_unit():
    with pytest.raises(UnitError, match="electricity"):
        electricity_co2_t(1, "GJ")


def test_purchased_heat():
    # 1000 GJ x 0.11 tCO2/GJ = 110 tCO2
    assert heat_co2_t(1000, "GJ", heat_factor_t_per_gj=0.11) == pytest.approx(110.0)


def test_it_accounts_lines_by_source():
    # diesel 100 t -> 309.59096; electricity 100 x 10^4 kWh -> 570.3;
    # gas 10 x 10^4 m3 x 21.6218881 = 216.218881; total 1096.1098443 tCO2
    account = total_co2(
        [
            Consumption("diesel", 100, "t"),
            Consumption("electricity", 100, "10^4 kWh"),
            Consumption("natural_gas", 10, "10^4 m3"),
        ]
    )
    assert account.fuel_co2_t == pytest.approx(309.59096 + 216.218881)
    assert account.electricity_co2_t == pytest.approx(570.3)
    assert account.heat_co2_t == 0.0
    assert account.by_carrier_t["natural_gas"] == pytest.approx(216.218881)
    assert account.total_co2_t == pytest.approx(1096.1098443)


def test_a_heat_line_needs_a_heat_factor():
    with pytest.raises(ValueError, match="heat_factor_t_per_gj"):
        total_co2([Consumption("heat", 10, "GJ")])


def test_co2_intensity_per_comparable_gdp():
    # 1096.11 tCO2 / 5000 x 10^4 yuan = 0.219222 tCO2 per 10^4 yuan
    assert co2_intensity(1096.11, 5000) == pytest.approx(0.219222)


def test_co2_intensity_rejects_zero_gdp():
    with pytest.raises(ValueError, match="GDP"):
        co2_intensity(1.0, 0)


def test_every_default_cites_gbt_32150():
    assert all(p.source.startswith("GB/T 32150-2015") for p in FUEL_PARAMETERS.values())


# --- assess_co2: every part counted or named, never silently zero.

_MIX = [
    Consumption("diesel", 100, "t"),
    Consumption("electricity", 100, "10^4 kWh"),
    Consumption("heat", 1000, "GJ"),
]


def test_it_splits_co2_into_fuel_electricity_and_heat():
    # diesel 100 t x 3.0959096 = 309.59096; electricity 10^6 kWh = 1000 MWh x 0.4044 = 404.4;
    # heat 1000 GJ x 0.11 = 110; total 309.59096 + 404.4 + 110 = 823.99096 tCO2
    result = assess_co2(_MIX)
    assert result.fuel_co2_t == pytest.approx(309.59096)
    assert result.electricity_co2_t == pytest.approx(404.4)
    assert result.heat_co2_t == pytest.approx(110.0)
    assert result.total_co2_t == pytest.approx(823.99096)
    assert result.complete and not result.includes_raw_material


def test_it_uses_the_given_grid_and_heat_factors():
    # 1000 MWh x 0.5703 = 570.3; 1000 GJ x 0.1 = 100; + 309.59096 = 979.89096 tCO2
    result = assess_co2(_MIX, grid_factor_t_per_mwh=0.5703, heat_factor_t_per_gj=0.1)
    assert result.total_co2_t == pytest.approx(979.89096)


def test_a_fuel_without_parameters_leaves_fuel_and_total_unknown_and_is_named():
    result = assess_co2([*_MIX, Consumption("raw_coal", 50, "t")])
    assert result.missing_parameters == ("raw_coal",)
    assert result.fuel_co2_t is None and result.total_co2_t is None
    assert result.electricity_co2_t == pytest.approx(404.4)
    assert result.heat_co2_t == pytest.approx(110.0)
    assert not result.complete


def test_explicit_parameters_fill_a_missing_fuel():
    # raw coal 10 t x 20 GJ/t x 0.026 tC/GJ x 0.95 x 44/12 = 18.113333 tCO2
    params = {"raw_coal": FuelCarbonParameters(20.0, "t", 0.026, 0.95)}
    result = assess_co2([Consumption("raw_coal", 10, "t")], parameters=params)
    assert result.total_co2_t == pytest.approx(18.113333)


def test_a_heat_line_without_factor_is_not_zero():
    result = assess_co2(_MIX, heat_factor_t_per_gj=None)
    assert result.heat_factor_missing
    assert result.heat_co2_t is None and result.total_co2_t is None
    assert result.fuel_co2_t == pytest.approx(309.59096)


def test_no_heat_line_needs_no_heat_factor():
    result = assess_co2(_MIX[:2], heat_factor_t_per_gj=None)
    assert result.total_co2_t == pytest.approx(309.59096 + 404.4)
    assert not result.heat_factor_missing


def test_raw_material_use_is_reported_not_deducted():
    result = assess_co2(_MIX, raw_material_tce=12.5)
    assert result.includes_raw_material and result.raw_material_tce == 12.5
    assert result.fuel_co2_t == pytest.approx(309.59096)


def test_it_rejects_negative_raw_material():
    with pytest.raises(ValueError, match="raw_material"):
        assess_co2(_MIX, raw_material_tce=-1)


def test_default_factors_are_the_cited_ones():
    assert GRID_FACTOR_2022_GUANGXI_T_PER_MWH == 0.4044
    assert HEAT_FACTOR_DEFAULT_T_PER_GJ == 0.11


# --- CO2 intensity decline against the base year at comparable prices.


def test_co2_intensity_decline_uses_comparable_gdp():
    # Base: 1000 t / 10 000 (10^4 yuan) = 0.1. Two years at 105 and 104:
    # GDP = 10 000 x 1.05 x 1.04 = 10 920; 1050 / 10 920 = 0.0961538;
    # decline = (1 - 0.0961538 / 0.1) x 100 = 3.846154 %
    result = co2_intensity_decline(1000.0, 10_000.0, 1050.0, [105.0, 104.0])
    assert result.base_intensity == pytest.approx(0.1)
    assert result.comparable_gdp_10k_yuan == pytest.approx(10_920.0)
    assert result.intensity == pytest.approx(0.0961538, rel=1e-6)
    assert result.decline_pct == pytest.approx(3.846154, rel=1e-6)


def test_co2_intensity_decline_in_the_base_year_is_zero():
    result = co2_intensity_decline(1000.0, 10_000.0, 1000.0, [])
    assert result.decline_pct == pytest.approx(0.0)


def test_co2_intensity_rise_is_a_negative_decline():
    # 1200 / 10 000 = 0.12 against 0.1: (1 - 1.2) x 100 = -20 %
    assert co2_intensity_decline(1000.0, 10_000.0, 1200.0, [100.0]).decline_pct == pytest.approx(
        -20.0
    )
