"""A hand-made district with two years, and the energy demo (whole demo: tests/web/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest


def make_year(
    area: Any,
    year: int,
    *,
    gdp: float,
    index: float | None,
    electricity: float,
    diesel: float,
    raw: float,
    renewable: float,
    listed: float,
) -> Any:
    from ecer.web.energy.models import CarrierConsumption, DistrictEnergyYear

    row = DistrictEnergyYear.objects.create(
        area=area,
        year=year,
        gdp_current_10k_yuan=gdp,
        gdp_index=index,
        raw_material_tce=raw,
        renewable_tce=renewable,
        separately_listed_tce=listed,
        source="test",
    )
    CarrierConsumption.objects.create(
        energy_year=row, carrier="electricity", quantity=electricity, unit="10^4 kWh"
    )
    CarrierConsumption.objects.create(energy_year=row, carrier="diesel", quantity=diesel, unit="t")
    return row


@pytest.fixture
def haicheng_two_years(loaded_plan: Any) -> Any:
    """海城区 2020 and 2021, figures chosen so every result can be checked by hand.

    2020: electricity 400,000 x 10^4 kWh x 1.229 tce = 491,600 tce; diesel 100,000 t x 1.4571 =
    145,710 tce; gross 637,310; minus raw material 20,000 and renewables 17,310 -> assessed
    600,000 tce; GDP 2,000,000 x 10^4 yuan -> assessed intensity 0.3 tce/10^4 yuan.
    2021: GDP index 110 -> comparable GDP 2,200,000; electricity 420,000 -> 516,180 tce;
    diesel 145,710; gross 661,890; minus 20,000 + 21,890 + 20,000 (separately listed) ->
    assessed 600,000 tce; assessed intensity 0.272727, decline 1 - 1/1.1 = 9.0909 %.
    """
    from ecer.web.catalog.models import Area
    from ecer.web.energy.models import DistrictTarget

    area = Area.objects.get(code="haicheng")
    DistrictTarget.objects.create(
        plan=loaded_plan,
        area=area,
        basic_decline_pct=14.0,
        incentive_decline_pct=16.0,
        planned_gdp_growth_pct=6.5,
    )
    make_year(
        area,
        2020,
        gdp=2_000_000,
        index=None,
        electricity=400_000,
        diesel=100_000,
        raw=20_000,
        renewable=17_310,
        listed=0,
    )
    make_year(
        area,
        2021,
        gdp=2_300_000,
        index=110.0,
        electricity=420_000,
        diesel=100_000,
        raw=20_000,
        renewable=21_890,
        listed=20_000,
    )
    return area


@pytest.fixture
def energy_demo(loaded_plan: Any) -> Any:
    from ecer.web.energy.demo import load_demo

    list(load_demo(loaded_plan))
    return loaded_plan
