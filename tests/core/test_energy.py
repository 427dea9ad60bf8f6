import math

import pytest

from ecer.core.energy import (
    CARRIERS,
    Consumption,
    MissingCoefficientError,
    UnitError,
    UnknownCarrierError,
    convert,
    tce_by_carrier,
    to_tce,
    total_tce,
)


def test_it_converts_raw_coal_tonnes():
    # 1000 t = 1 000 000 kg x 0.7143 kgce/kg = 714 300 kgce = 714.3 tce
    assert to_tce("raw_coal", 1000, "t") == pytest.approx(714.3)


def test_it_converts_natural_gas_in_ten_thousand_cubic_metres():
    # 12.5 x 10^4 m3 = 125 000 m3 x 1.2143 kgce/m3 = 151 787.5 kgce = 151.7875 tce
    assert to_tce("natural_gas", 12.5, "10^4 m3") == pytest.approx(151.7875)


def test_it_accepts_chinese_unit_names():
    # 万立方米 is 10^4 m3: same figure as above
    assert to_tce("natural_gas", 12.5, "万立方米") == pytest.approx(151.7875)


def test_it_converts_electricity_at_equivalent_value():
    # 500 x 10^4 kWh = 5 000 000 kWh x 0.1229 kgce/kWh = 614 500 kgce = 614.5 tce
    assert to_tce("electricity", 500, "10^4 kWh") == pytest.approx(614.5)


def test_it_converts_electricity_at_equal_value_given_as_parameter():
    # 5 000 000 kWh x 0.300 kgce/kWh (parameter) = 1 500 000 kgce = 1500 tce
    tce = to_tce(
        "electricity",
        500,
        "10^4 kWh",
        electricity_basis="equal",
        equal_value_kgce_per_kwh=0.300,
    )
    assert tce == pytest.approx(1500.0)


def test_it_requires_the_equal_value_coefficient():
    with pytest.raises(MissingCoefficientError, match="equal_value_kgce_per_kwh"):
        to_tce("electricity", 1, "MWh", electricity_basis="equal")


def test_it_rejects_an_unknown_electricity_basis():
    with pytest.raises(ValueError, match="electricity_basis"):
        to_tce("electricity", 1, "MWh", electricity_basis="average")  # type: ignore[arg-type]


def test_it_converts_heat():
    # 2000 GJ = 2 000 000 MJ x 0.03412 kgce/MJ = 68 240 kgce = 68.24 tce
    assert to_tce("heat", 2000, "GJ") == pytest.approx(68.24)


def test_it_treats_million_kilojoules_as_gigajoules():
    # 百万千焦 = 10^6 kJ = 1 GJ: 2000 x 10^6 kJ -> 68.24 tce as above
    assert to_tce("heat", 2000, "百万千焦") == pytest.approx(68.24)


def test_it_rejects_tonnes_of_natural_gas_naming_carrier_and_units():
    with pytest.raises(UnitError) as caught:
        to_tce("natural_gas", 3, "t")
    error = caught.value
    assert error.carrier_code == "natural_gas"
    assert error.unit_given == "t"
    assert error.accepted == ("m3", "10^4 m3", "10^8 m3")
    assert "natural_gas" in str(error) and "10^4 m3" in str(error)


def test_it_rejects_an_unknown_unit_for_a_carrier():
    with pytest.raises(UnitError, match=r"'barrel'.*raw_coal"):
        to_tce("raw_coal", 3, "barrel")


def test_it_rejects_an_unknown_carrier():
    with pytest.raises(UnknownCarrierError, match="peat"):
        to_tce("peat", 1, "t")


def test_it_rejects_negative_quantities():
    with pytest.raises(ValueError, match=">= 0"):
        to_tce("diesel", -1, "t")


def test_it_requires_a_measured_coefficient_for_range_only_carriers():
    with pytest.raises(MissingCoefficientError, match=r"0\.5714~0\.6143"):
        to_tce("coke_oven_gas", 1, "10^4 m3")


def test_it_uses_a_measured_coefficient():
    # 1 x 10^4 m3 = 10 000 m3 x 0.6000 kgce/m3 = 6000 kgce = 6 tce
    assert to_tce("coke_oven_gas", 1, "10^4 m3", kgce_per_base_unit=0.6) == pytest.approx(6.0)


def test_it_converts_within_a_dimension():
    # 2 x 10^8 m3 = 200 000 000 m3 = 20 000 x 10^4 m3
    assert convert(2, "10^8 m3", "10^4 m3") == pytest.approx(20000.0)


def test_it_refuses_to_convert_across_dimensions():
    with pytest.raises(UnitError):
        convert(1, "t", "m3")


def test_it_totals_consumption_lines():
    # 714.3 (1000 t raw coal) + 614.5 (500 x 10^4 kWh) + 151.7875 (12.5 x 10^4 m3 gas)
    # = 1480.5875 tce
    lines = [
        Consumption("raw_coal", 1000, "t"),
        Consumption("electricity", 500, "10^4 kWh"),
        Consumption("natural_gas", 12.5, "10^4 m3"),
    ]
    assert total_tce(lines) == pytest.approx(1480.5875)


def test_it_sums_lines_per_carrier():
    # 600 t + 400 t diesel = 1000 t x 1.4571 tce/t = 1457.1 tce
    lines = [Consumption("diesel", 600, "t"), Consumption("diesel", 400_000, "kg")]
    assert tce_by_carrier(lines) == {"diesel": pytest.approx(1457.1)}


# Each GB/T 2589 coefficient is the mean net calorific value / 7000 kcal, rounded to
# 4 decimals (heat: 1 MJ = 1000/4.1868 kcal = 238.85 kcal; /7000 = 0.034121).
@pytest.mark.parametrize(
    ("code", "kcal_per_unit"),
    [
        ("raw_coal", 5000),
        ("cleaned_coal", 6300),
        ("coke", 6800),
        ("crude_oil", 10000),
        ("fuel_oil", 10000),
        ("gasoline", 10300),
        ("kerosene", 10300),
        ("diesel", 10200),
        ("lpg", 12000),
        ("refinery_dry_gas", 11000),
        ("natural_gas", 8500),
        ("blast_furnace_gas", 900),
        ("electricity", 860),
    ],
)
def test_reference_coefficients_match_their_calorific_values(code, kcal_per_unit):
    coefficient = CARRIERS[code].kgce_per_base_unit
    assert coefficient == round(kcal_per_unit / 7000, 4)


def test_heat_coefficient_matches_its_definition():
    assert CARRIERS["heat"].kgce_per_base_unit == round(1000 / 4.1868 / 7000, 5)


def test_every_carrier_cites_a_source_and_has_a_known_display_unit():
    for carrier in CARRIERS.values():
        assert carrier.source
        assert carrier.display_unit in carrier.accepted_units
        if carrier.kgce_per_base_unit is None:
            assert carrier.kgce_range is None or carrier.kgce_range[0] < carrier.kgce_range[1]
        else:
            assert math.isfinite(carrier.kgce_per_base_unit)


def test_the_key_unit_threshold_and_its_comparison_are_the_callers():
    from ecer.core.energy import ThresholdComparison, is_key_energy_unit

    # 三(一) "年能耗5000吨标准煤以上": at exactly 5000 tce a unit is in (inclusive).
    assert is_key_energy_unit(5000.0, 5000.0, ThresholdComparison.AT_LEAST)
    assert not is_key_energy_unit(4999.9, 5000.0, "at_least")
    # 四(七) "超过5000吨": at exactly 5000 tce it is not (exclusive); 5000.1 is.
    assert not is_key_energy_unit(5000.0, 5000.0, ThresholdComparison.GREATER_THAN)
    assert is_key_energy_unit(5000.1, 5000.0, "greater_than")
    # Another threshold is taken as given: 3000 tce.
    assert is_key_energy_unit(3000.0, 3000.0, "at_least")
    assert not is_key_energy_unit(4999.9, 10_000.0, "at_least")
    with pytest.raises(ValueError):
        is_key_energy_unit(5000.0, 5000.0, "about")
    with pytest.raises(ValueError):
        is_key_energy_unit(5000.0, math.nan, "at_least")
