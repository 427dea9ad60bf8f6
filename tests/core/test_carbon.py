import pytest

from ecer.core.carbon import (
    FUEL_PARAMETERS,
    FuelCarbonParameters,
    MissingCarbonParametersError,
    co2_intensity,
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
