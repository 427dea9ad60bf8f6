"""Excel import of the districts' yearly data: all rows checked first, errors per cell."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ecer.web.energy.io import (
    CARRIER_SHEET,
    YEAR_SHEET,
    import_workbook,
    rows_workbook,
)
from ecer.web.energy.models import CarrierConsumption, DistrictEnergyYear
from ecer.web.sheets import SheetImportError

pytestmark = pytest.mark.django_db


def year_row(**values: Any) -> dict[str, Any]:
    return {"area": "银海区", "year": 2020, "gdp_current_10k_yuan": 1_000_000, **values}


def carrier_row(**values: Any) -> dict[str, Any]:
    return {
        "area": "yinhai",
        "year": 2020,
        "carrier": "原煤",
        "quantity": 1000,
        "unit": "t",
        **values,
    }


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        DistrictEnergyYear.objects.values_list("area__code", "year", "gdp_current_10k_yuan")
    ) + sorted(CarrierConsumption.objects.values_list("energy_year_id", "carrier", "quantity"))


def test_it_imports_a_valid_workbook_by_names_or_codes(loaded_plan: Any) -> None:
    content = rows_workbook(
        [year_row()],
        [carrier_row(), carrier_row(carrier="electricity", quantity=50, unit="10^4 kWh")],
    )
    summary = import_workbook(content, loaded_plan)
    assert (summary.years_created, summary.carrier_rows) == (1, 2)
    row = DistrictEnergyYear.objects.get(area__code="yinhai", year=2020)
    assert sorted(row.carriers.values_list("carrier", flat=True)) == ["electricity", "raw_coal"]
    # Importing again updates the year and replaces its carriers: nothing doubles.
    summary = import_workbook(content, loaded_plan)
    assert (summary.years_created, summary.years_updated) == (0, 1)
    assert row.carriers.count() == 2


def test_every_error_names_sheet_row_and_column_and_nothing_is_written(
    haicheng_two_years: Any, loaded_plan: Any
) -> None:
    before = snapshot()
    content = rows_workbook(
        [
            year_row(),  # valid on its own
            year_row(area="atlantis", year=2021, gdp_index=105),
            year_row(year=2031),
            year_row(year=2022, gdp_current_10k_yuan="很多", gdp_index=104),
            {"area": "haicheng", "year": 2021, "gdp_current_10k_yuan": 1, "gdp_index": 300},
        ],
        [
            carrier_row(unit="10^4 m3"),
            carrier_row(carrier="unobtainium"),
            carrier_row(year=2023, area="hepu"),
        ],
    )
    with pytest.raises(SheetImportError) as caught:
        import_workbook(content, loaded_plan)
    errors = {(e.sheet, e.row, e.column): e.message for e in caught.value.errors}
    assert errors[(YEAR_SHEET, 3, "地区")] == "未知的地区 “atlantis”"
    assert errors[(YEAR_SHEET, 4, "年份")] == "年份 2031 不在规划期 2020–2025 内"
    assert errors[(YEAR_SHEET, 5, "地区生产总值（当年价，万元）")] == "必须是数字，收到 “很多”"
    assert "指数以上年为 100" in errors[(YEAR_SHEET, 6, "地区生产总值指数（上年=100）")]
    assert errors[(CARRIER_SHEET, 2, "计量单位")].startswith("单位 “10^4 m3” 不适用于原煤")
    assert errors[(CARRIER_SHEET, 3, "能源品种")] == "未知的能源品种 “unobtainium”"
    assert "合浦县 2023 年" in errors[(CARRIER_SHEET, 4, "年份")]
    assert snapshot() == before


def test_deductions_larger_than_the_carriers_are_refused(loaded_plan: Any) -> None:
    content = rows_workbook([year_row(raw_material_tce=800)], [carrier_row()])
    with pytest.raises(SheetImportError) as caught:
        import_workbook(content, loaded_plan)
    [error] = caught.value.errors
    # 1,000 t raw coal x 0.7143 = 714.3 tce < 800 tce deducted.
    assert (error.row, error.column) == (2, "原料用能（吨标准煤）")
    assert "800.0" in error.message and "714.3" in error.message
    assert not DistrictEnergyYear.objects.exists()


@pytest.mark.parametrize(
    "content", [b"", b"not a workbook", b"PK\x03\x04broken zip"], ids=["empty", "text", "zip"]
)
def test_a_damaged_file_gets_a_clear_error(loaded_plan: Any, content: bytes) -> None:
    with pytest.raises(SheetImportError) as caught:
        import_workbook(content, loaded_plan)
    assert "无法读取 Excel 文件" in str(caught.value)


def test_the_template_lists_areas_carriers_and_units(admin_client: Any, loaded_plan: Any):
    response = admin_client.get("/energy/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [YEAR_SHEET, CARRIER_SHEET, "填表说明"]
    help_text = " ".join(
        str(c) for row in workbook["填表说明"].iter_rows(values_only=True) for c in row if c
    )
    assert "tieshangang" in help_text and "天然气" in help_text and "万立方米" in help_text


def test_the_import_page_lists_errors_and_writes_nothing(
    admin_client: Any, loaded_plan: Any
) -> None:
    content = rows_workbook([year_row(gdp_current_10k_yuan=-5)], [])
    upload = io.BytesIO(content)
    upload.name = "bad.xlsx"
    response = admin_client.post("/energy/import/", {"file": upload})
    assert response.status_code == 200
    assert "地区生产总值必须大于 0" in response.content.decode()
    assert not DistrictEnergyYear.objects.exists()
    upload = io.BytesIO(rows_workbook([year_row()], [carrier_row()]))
    upload.name = "good.xlsx"
    response = admin_client.post("/energy/import/", {"file": upload})
    assert response.status_code == 302
    assert DistrictEnergyYear.objects.count() == 1
