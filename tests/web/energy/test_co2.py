"""CO2 on the dual-control pages: per district-year, split by source, intensity at comparable
prices and its decline against the base year; carriers without parameters are named."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation

from ecer.web.energy import services
from ecer.web.energy.models import CarrierConsumption, DistrictEnergyYear
from ecer.web.env import ConfigError, env_positive_float

pytestmark = pytest.mark.django_db

# haicheng_two_years (conftest), grid 0.4044 tCO2/MWh, diesel 3.0959096 tCO2/t:
# 2020: electricity 400,000 x 10^4 kWh = 4,000,000 MWh x 0.4044 = 1,617,600 t;
#       diesel 100,000 t x 3.0959096 = 309,590.96 t; total 1,927,190.96 t;
#       GDP 2,000,000 -> intensity 0.96359548 t/10^4 yuan.
# 2021: electricity 4,200,000 MWh x 0.4044 = 1,698,480 t; total 2,008,070.96 t;
#       comparable GDP 2,000,000 x 110/100 = 2,200,000 (nominal 2,300,000 is not used)
#       -> intensity 0.91275953; decline (1 - 0.91275953 / 0.96359548) x 100 = 5.27565 %
#       (with nominal GDP it would be 9.394 %).


def _cells(html: str, year: int) -> dict[str, str]:
    row = re.search(rf'<tr data-year="{year}">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num" data-co2="(\w+)">(.*?)</td>', row.group(1), re.S)
    return {k: " ".join(re.sub(r"<[^>]+>", " ", v).split()) for k, v in cells}


def test_it_computes_each_year_by_hand(haicheng_two_years: Any, loaded_plan: Any) -> None:
    control = services.evaluate(haicheng_two_years, 2021, loaded_plan)
    base, year = control.years
    assert base.co2.total_co2_t == pytest.approx(1_927_190.96)
    assert year.co2.electricity_co2_t == pytest.approx(1_698_480.0)
    assert year.co2.fuel_co2_t == pytest.approx(309_590.96)
    assert year.co2.heat_co2_t == 0.0
    assert year.co2_intensity == pytest.approx(0.91275953)
    assert year.co2_decline is not None
    assert year.co2_decline.comparable_gdp_10k_yuan == pytest.approx(2_200_000)
    assert year.co2_decline.decline_pct == pytest.approx(5.275653, rel=1e-6)


def test_the_district_page_shows_the_split_and_the_decline(
    admin_client: Any, haicheng_two_years: Any
) -> None:
    html = admin_client.get("/energy/haicheng/?year=2021").content.decode()
    cells = _cells(html, 2021)
    assert cells == {
        "total": "2,008,071 上限",
        "fuel": "309,591",
        "electricity": "1,698,480",
        "heat": "0",
        "intensity": "0.9128",
        "decline": "5.28",
    }
    # Raw-material use cannot be separated from the carriers: said, not guessed.
    assert "含原料用能 20,000.0 吨标准煤" in html
    assert "0.4044" in html


def test_the_overview_lists_co2_per_area(admin_client: Any, haicheng_two_years: Any) -> None:
    html = admin_client.get("/energy/?year=2021").content.decode()
    co2 = html[html.index('id="co2-comparison"') :]
    assert 'data-co2-area="haicheng"' in co2
    assert "2,008,071" in co2 and "5.28" in co2
    assert "完成自治区下达目标" in html


def test_a_carrier_without_parameters_is_named_not_a_500(
    admin_client: Any, haicheng_two_years: Any
) -> None:
    row = DistrictEnergyYear.objects.get(area__code="haicheng", year=2021)
    CarrierConsumption.objects.create(energy_year=row, carrier="raw_coal", quantity=10, unit="t")
    response = admin_client.get("/energy/haicheng/?year=2021")
    assert response.status_code == 200
    html = response.content.decode()
    cells = _cells(html, 2021)
    assert cells["total"] == "—" and cells["fuel"] == "—" and cells["decline"] == "—"
    assert cells["electricity"] == "1,698,480"
    assert "缺少原煤的燃烧排放参数" in html
    # The base year is still complete.
    assert _cells(html, 2020)["total"].startswith("1,927,191")


def test_heat_without_a_factor_is_incomplete_not_zero(
    admin_client: Any, haicheng_two_years: Any, settings: Any
) -> None:
    settings.ECER_HEAT_CO2_T_PER_GJ = None
    row = DistrictEnergyYear.objects.get(area__code="haicheng", year=2021)
    CarrierConsumption.objects.create(energy_year=row, carrier="heat", quantity=1000, unit="GJ")
    html = admin_client.get("/energy/haicheng/?year=2021").content.decode()
    cells = _cells(html, 2021)
    assert cells["heat"] == "—" and cells["total"] == "—"
    assert "未设定热力排放因子" in html


def test_the_heat_factor_applies_when_set(
    admin_client: Any, haicheng_two_years: Any, settings: Any
) -> None:
    # 1000 GJ x 0.11 tCO2/GJ = 110 t; total 2,008,070.96 + 110 = 2,008,180.96
    row = DistrictEnergyYear.objects.get(area__code="haicheng", year=2021)
    CarrierConsumption.objects.create(energy_year=row, carrier="heat", quantity=1000, unit="GJ")
    cells = _cells(admin_client.get("/energy/haicheng/?year=2021").content.decode(), 2021)
    assert cells["heat"] == "110"
    assert cells["total"] == "2,008,181 上限"


def test_the_grid_factor_setting_is_used(
    admin_client: Any, haicheng_two_years: Any, settings: Any
) -> None:
    # 4,200,000 MWh x 0.5 = 2,100,000 t
    settings.ECER_GRID_CO2_T_PER_MWH = 0.5
    cells = _cells(admin_client.get("/energy/haicheng/?year=2021").content.decode(), 2021)
    assert cells["electricity"] == "2,100,000"


def test_the_demo_pages_render_co2(admin_client: Any, energy_demo: Any) -> None:
    html = admin_client.get("/energy/").content.decode()
    assert 'id="co2-comparison"' in html
    assert "缺少原煤的燃烧排放参数" in html


def test_the_co2_section_speaks_english(admin_client: Any, haicheng_two_years: Any) -> None:
    try:
        html = admin_client.get("/en/energy/haicheng/?year=2021").content.decode()
    finally:
        # The request leaves English active in this thread; later tests expect Chinese.
        translation.deactivate()
    assert "CO2 emissions" in html and "Purchased electricity" in html
    assert "The carrier figures include 20,000.0 tce of raw-material use" in html


def test_factor_settings_reject_bad_values(monkeypatch: Any) -> None:
    monkeypatch.setenv("ECER_X_FACTOR", "0")
    with pytest.raises(ConfigError):
        env_positive_float("ECER_X_FACTOR", 1.0)
    monkeypatch.setenv("ECER_X_FACTOR", "none")
    assert env_positive_float("ECER_X_FACTOR", 1.0) is None
    monkeypatch.setenv("ECER_X_FACTOR", "0.5703")
    assert env_positive_float("ECER_X_FACTOR", 1.0) == 0.5703
