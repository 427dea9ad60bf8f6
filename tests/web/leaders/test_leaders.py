"""The leaders' views: the shipped boundaries, the sites inside their districts, the light
table's colours against the indicator service, sorting, export, the map and the scopes."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from ecer.core import geo
from ecer.web import geodata
from ecer.web.catalog.models import Area
from ecer.web.enterprises.models import Enterprise
from ecer.web.indicators import service as indicators
from ecer.web.indicators.feeds import FeedContext
from ecer.web.leaders import services
from ecer.web.monitoring.models import MonitoringPoint
from ecer.web.reports import services as reports

pytestmark = pytest.mark.django_db

YEAR = 2024


def test_the_shipped_boundaries_are_the_citys_four_districts(loaded_plan: Any) -> None:
    names = sorted(d.name for d in geodata.districts())
    districts = sorted(a.name for a in Area.objects.exclude(kind=Area.Kind.CITY))
    assert names == districts == sorted(["海城区", "银海区", "铁山港区", "合浦县"])
    # Each drawn: non-empty and inside the city's extent (about 108.8–109.8 °E, 20.9–21.9 °N).
    for district in geodata.districts():
        west, south, east, north = district.bounds
        assert 108.8 < west < east < 109.8 and 20.8 < south < north < 22.0


def test_every_demo_site_lies_inside_its_district(full_demo: Any) -> None:
    sites = [*Enterprise.objects.all(), *MonitoringPoint.objects.all()]
    assert len(sites) >= 9
    for site in sites:
        assert site.longitude is not None, site
        found = geo.district_of(geodata.districts(), site.longitude, site.latitude)
        assert found == site.area.name, site


def test_a_site_outside_its_district_or_the_city_is_refused(full_demo: Any) -> None:
    firm = Enterprise.objects.get(credit_code="91450512MA5TG0034R")  # 铁山港区
    firm.longitude, firm.latitude = 109.11, 21.47  # in 海城区
    with pytest.raises(ValidationError, match="在海城区，不在登记的铁山港区"):
        firm.full_clean()
    firm.longitude, firm.latitude = 113.3, 23.1  # Guangzhou
    with pytest.raises(ValidationError, match="不在北海市范围内"):
        firm.full_clean()
    firm.longitude, firm.latitude = 21.5, 109.5  # swapped
    with pytest.raises(ValidationError, match="填反"):
        firm.full_clean()
    firm.longitude, firm.latitude = 109.5, None
    with pytest.raises(ValidationError, match="同时填写"):
        firm.full_clean()


def _table(plan: Any, sort: str = "") -> services.LightTable:
    areas = list(Area.objects.order_by("sort_order"))
    return services.light_table(plan, areas, YEAR, sort=sort)


def test_each_light_is_the_indicator_services_level(full_demo: Any) -> None:
    table = _table(full_demo)
    assert [t.code for t in table.targets] == [
        t.code for t in full_demo.targets.filter(applies_to_districts=True).order_by("sort_order")
    ]
    context = FeedContext(full_demo, YEAR)
    for row in table.rows:
        for target, light in zip(table.targets, row.cells, strict=False):
            expected = indicators.indicator(target, row.area, YEAR, context=context)
            assert light is not None and light.level is expected.level, (row.area, target)
            assert light.reason == reports.sentence(expected, YEAR)
    graded = {
        a.area.code: a.result.grade
        for a in reports.assess_year(YEAR, full_demo, reports.current_scheme_version().scheme())
    }
    for row in table.rows:
        grade_cell = row.cells[-1]
        if row.area.is_city:
            assert grade_cell is None
        else:
            assert grade_cell is not None
            assert grade_cell.level is services.GRADE_LEVELS[graded[row.area.code]]
    # Not all one colour: the demo has red and green cells.
    levels = {c.level.value for row in table.rows for c in row.cells if c is not None}
    assert {"red", "green"} <= levels


def test_the_page_shows_the_same_colours_and_sorts_by_red(
    full_demo: Any, admin_client: Any
) -> None:
    table = _table(full_demo)
    html = admin_client.get(f"/leaders/lights/?year={YEAR}").content.decode()
    for row in table.rows:
        for light in row.cells:
            if light is not None:
                assert f'data-level="{light.level}" class="cell {light.level}"' in html
    by_red = _table(full_demo, sort="red")
    reds = [row.red for row in by_red.rows]
    assert reds == sorted(reds, reverse=True) and reds[0] > 0
    page = admin_client.get(f"/leaders/lights/?year={YEAR}&sort=red").content.decode()
    positions = [page.index(f'data-area="{row.area.code}"') for row in by_red.rows]
    assert positions == sorted(positions)


def test_the_export_holds_the_rows_and_colours_shown(full_demo: Any, admin_client: Any) -> None:
    response = admin_client.get(f"/leaders/lights/export.xlsx?year={YEAR}&sort=red")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    table = _table(full_demo, sort="red")
    assert [r[0] for r in rows] == [row.area.name for row in table.rows]
    for excel_row, row in zip(sheet.iter_rows(min_row=3), table.rows, strict=True):
        for cell, light in zip(excel_row[1:], row.cells, strict=False):
            if light is None:
                assert cell.value == "—"
            else:
                assert cell.value == light.text
                assert cell.fill.fgColor.rgb.endswith(services.LEVEL_HEX[light.level.value])
        assert list(r.value for r in excel_row[-3:]) == [row.red, row.yellow, row.green]


def test_the_map_colours_each_district_by_the_chosen_indicator(
    full_demo: Any, admin_client: Any
) -> None:
    table = _table(full_demo)
    codes = [*(t.code for t in table.targets), services.GRADE_COLUMN]
    for column, code in [(0, codes[0]), (len(codes) - 1, codes[-1])]:
        html = admin_client.get(f"/leaders/map/?year={YEAR}&show={code}").content.decode()
        for row in table.rows:
            light = row.cells[column]
            if row.area.is_city or light is None:
                continue
            assert f'data-area="{row.area.name}" data-level="{light.level}"' in html, code
    html = admin_client.get(f"/leaders/map/?year={YEAR}").content.decode()
    assert html.count('data-site="enterprise"') == Enterprise.objects.count()
    assert html.count('data-site="point"') == MonitoringPoint.objects.count()
    assert 'data-state="offline"' in html and 'data-state="alarm"' in html
    only_firms = admin_client.get("/leaders/map/?layers=1&layer=enterprises").content.decode()
    assert 'data-site="point"' not in only_firms and 'data-site="enterprise"' in only_firms


@pytest.mark.parametrize(
    "query", ["year=abc", "year=1900", "year=99999999999", "show=nonsense", "year=2020.5"]
)
def test_a_bad_query_is_a_404_not_an_error(full_demo: Any, admin_client: Any, query: str) -> None:
    for path in ("/leaders/map/", "/leaders/lights/", "/leaders/screen/", "/leaders/phone/"):
        status = admin_client.get(f"{path}?{query}").status_code
        assert status in (200, 404), (path, query)
    assert admin_client.get("/leaders/screen/?refresh=abc").status_code == 200


def test_the_screen_and_phone_pages_carry_every_panel(full_demo: Any, admin_client: Any) -> None:
    html = admin_client.get(f"/leaders/screen/?year={YEAR}&refresh=5").content.decode()
    for panel in ("targets", "map", "ranking", "monitoring", "reductions", "trend"):
        assert f'data-panel="{panel}"' in html
    assert 'data-refresh-seconds="5"' in html and "/leaders/screen/panels/?year=2024" in html
    fragment = admin_client.get(f"/leaders/screen/panels/?year={YEAR}").content.decode()
    assert "<html" not in fragment and 'data-panel="trend"' in fragment
    phone = admin_client.get(f"/leaders/phone/?year={YEAR}").content.decode()
    for section in ("phone-targets", "phone-lights", "phone-alarms"):
        assert f'id="{section}"' in phone
