"""The dual-control pages, the year form, the export and `ecer energy report`."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

import pytest
from openpyxl import load_workbook

from ecer.cli import main
from ecer.web.energy.models import CarrierConsumption, DistrictEnergyYear

pytestmark = pytest.mark.django_db


class _Rows(HTMLParser):
    """Text of each cell of the rows that carry data-area, keyed by area code."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self._area: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and dict(attrs).get("data-area"):
            self._area = dict(attrs)["data-area"]
            self.rows[self._area] = []
        elif tag == "td" and self._area:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._area and self._cell is not None:
            self.rows[self._area].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._area = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> dict[str, list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def login(client: Any, django_user_model: Any, role: str, area: str | None = None) -> None:
    from ecer.web.accounts.models import Membership
    from ecer.web.catalog.models import Area

    user = django_user_model.objects.create_user(role, password="pw-for-tests-only")
    Membership.objects.create(
        user=user, role=role, area=Area.objects.get(code=area) if area else None
    )
    client.force_login(user)


def test_report_prints_the_figures_the_page_shows(
    admin_client: Any, energy_demo: Any, capsys: Any
) -> None:
    html = admin_client.get("/energy/?year=2024").content.decode()
    rows = table_rows(html)
    assert set(rows) == {"beihai", "haicheng", "yinhai", "tieshangang", "hepu"}
    assert main(["energy", "report", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    for code, cells in rows.items():
        name = cells[0].split()[0]
        line = lines[name]
        # Gross, deducted, assessed, intensities, declines, targets, interim (one figure a cell
        # on the page, two to a column in the report), budget, lights.
        for cell in cells[1:12]:
            assert cell in line, (code, cell, line)
        assert cells[13] in line
        # Intensity and total: the indicator's status beside the light, as in the report.
        for cell in (cells[14], cells[15]):
            status, light, basis = cell.split()
            assert f"{light} {status}" in " ".join(line.split()), (code, cell, line)
            assert basis == "状态按考核口径判断"
    assert "合浦县" in out and "二级预警（黄色）" in out
    assert "LMDI" in out


def test_report_rejects_a_year_outside_the_plan(energy_demo: Any, capsys: Any) -> None:
    assert main(["energy", "report", "--year", "2030"]) == 1
    assert "outside the plan period" in capsys.readouterr().err


def test_district_page_shows_both_bases_and_the_lights(admin_client: Any, energy_demo: Any):
    response = admin_client.get("/energy/hepu/?year=2024")
    html = response.content.decode()
    c = response.context["c"]
    assert 'data-kind="intensity" data-level="yellow"' in html
    assert 'data-kind="total" data-level="yellow"' in html
    assert f"{c.current.consumption.gross_tce:,.0f}" in html
    assert f"{c.current.consumption.assessed_tce:,.0f}" in html
    assert "data-waterfall" in html and "trend-chart" in html


def test_a_district_user_is_sent_to_its_own_district(
    client: Any, energy_demo: Any, django_user_model: Any
) -> None:
    login(client, django_user_model, "district", "hepu")
    response = client.get("/energy/")
    assert response.status_code == 302 and response.url.endswith("/energy/hepu/")
    assert client.get("/energy/tieshangang/").status_code == 404


def test_export_holds_the_visible_areas_with_the_data_version(
    client: Any, energy_demo: Any, django_user_model: Any
) -> None:
    login(client, django_user_model, "district", "hepu")
    response = client.get("/energy/export.xlsx?year=2024")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "数据版本 v" in sheet["A2"].value
    areas = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert areas == ["合浦县"]
    header = [c.value for c in sheet[3]]
    hepu = dict(zip(header, next(sheet.iter_rows(min_row=4, values_only=True)), strict=True))
    assert hepu["强度预警"] == "二级预警（黄色）"
    # The indicator service's statuses, in the warning level's colour (LEVEL_HEX).
    assert hepu["强度状态"] == "进度滞后" and hepu["总量状态"] == "进度滞后"
    fill = sheet.cell(row=4, column=header.index("强度状态") + 1).fill
    assert fill.fgColor.rgb.endswith("F9A825")


def year_post(**overrides: str) -> dict[str, str]:
    data = {
        "gdp_current_10k_yuan": "2500000",
        "gdp_index": "106",
        "electricity_basis": "equivalent",
        "raw_material_tce": "0",
        "renewable_tce": "1000",
        "separately_listed_tce": "0",
        "source": "统计局快报",
        "note": "",
        "carriers-TOTAL_FORMS": "2",
        "carriers-INITIAL_FORMS": "0",
        "carriers-MIN_NUM_FORMS": "0",
        "carriers-MAX_NUM_FORMS": "1000",
        "carriers-0-carrier": "electricity",
        "carriers-0-quantity": "400000",
        "carriers-0-unit": "10^4 kWh",
        "carriers-1-carrier": "diesel",
        "carriers-1-quantity": "100000",
        "carriers-1-unit": "t",
    }
    data.update(overrides)
    return data


def test_the_year_form_saves_the_year_and_its_carriers(
    admin_client: Any, haicheng_two_years: Any
) -> None:
    response = admin_client.post("/energy/haicheng/2022/edit/", year_post())
    assert response.status_code == 302
    row = DistrictEnergyYear.objects.get(area__code="haicheng", year=2022)
    assert row.renewable_tce == 1000 and not row.is_demo
    assert sorted(row.carriers.values_list("carrier", flat=True)) == ["diesel", "electricity"]
    assert row.history.count() == 1
    page = admin_client.get(response.url)
    # 491,600 + 145,710 tce gross (the carriers of the hand-made 2020).
    assert "637,310" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"carriers-1-unit": "kWh"}, "单位 “kWh” 不适用于柴油"),
        ({"gdp_index": ""}, "基期年以后的年份必须填写地区生产总值指数"),
        ({"raw_material_tce": "700000"}, "超过能源消费总量"),
        ({"carriers-1-carrier": "electricity", "carriers-1-unit": "10^4 kWh"}, "重复"),
    ],
)
def test_the_year_form_refuses_bad_input_and_changes_nothing(
    admin_client: Any, haicheng_two_years: Any, overrides: dict[str, str], message: str
) -> None:
    before = CarrierConsumption.objects.count()
    response = admin_client.post("/energy/haicheng/2021/edit/", year_post(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert CarrierConsumption.objects.count() == before
    row = DistrictEnergyYear.objects.get(area__code="haicheng", year=2021)
    assert row.gdp_current_10k_yuan == 2_300_000 and row.renewable_tce == 21_890


def test_only_city_administrators_change_energy_data(
    client: Any, haicheng_two_years: Any, django_user_model: Any
) -> None:
    login(client, django_user_model, "district", "haicheng")
    assert client.post("/energy/haicheng/2022/edit/", year_post()).status_code == 403
    assert not DistrictEnergyYear.objects.filter(year=2022).exists()


def test_the_district_page_speaks_english(admin_client: Any, energy_demo: Any) -> None:
    html = admin_client.get("/en/energy/hepu/?year=2024").content.decode()
    assert "Energy intensity warning" in html
    assert "Consumption and intensity: gross and assessed" in html
