"""Each report's CO2 on the enterprise page: total and split, with what could not be counted."""

from __future__ import annotations

import re
from typing import Any

import pytest

from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE
from ecer.web.enterprises.models import EnergyReport, ReportCarrier

pytestmark = pytest.mark.django_db


def _cells(html: str, year: int) -> dict[str, str]:
    table = html[html.index('id="co2-reports"') :]
    row = re.search(rf'<tr data-year="{year}">(.*?)</tr>', table, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num" data-co2="(\w+)">(.*?)</td>', row.group(1), re.S)
    return {k: " ".join(re.sub(r"<[^>]+>", " ", v).split()) for k, v in cells}


def _report(firm: Any, year: int, raw_material_tce: float = 0.0) -> EnergyReport:
    return EnergyReport.objects.create(
        enterprise=firm.enterprise, year=year, raw_material_tce=raw_material_tce
    )


def test_a_report_shows_its_co2_split_by_source(admin_client: Any, firm: Any) -> None:
    # natural gas 50 x 10^4 m3 x 21.6218881 = 1,081.094 t; electricity 2,000 MWh x 0.4044 =
    # 808.8 t; heat 500 GJ x 0.11 = 55 t; total 1,081.094 + 808.8 + 55 = 1,944.894 t
    report = _report(firm, 2023)
    for carrier, quantity, unit in (
        ("natural_gas", 50, "10^4 m3"),
        ("electricity", 2000, "MWh"),
        ("heat", 500, "GJ"),
    ):
        ReportCarrier.objects.create(report=report, carrier=carrier, quantity=quantity, unit=unit)
    html = admin_client.get(f"/enterprises/{firm.enterprise.credit_code}/").content.decode()
    assert _cells(html, 2023) == {
        "total": "1,944.9",
        "fuel": "1,081.1",
        "electricity": "808.8",
        "heat": "55",
    }


def test_raw_material_use_marks_the_fuel_figure_an_upper_bound(
    admin_client: Any, firm: Any
) -> None:
    # diesel 10 t x 3.0959096 = 30.959 t, raw-material use 5 tce inside it
    report = _report(firm, 2023, raw_material_tce=5.0)
    ReportCarrier.objects.create(report=report, carrier="diesel", quantity=10, unit="t")
    html = admin_client.get(f"/enterprises/{firm.enterprise.credit_code}/").content.decode()
    assert _cells(html, 2023)["total"] == "31 上限"
    assert "含原料用能 5.0 吨标准煤" in html


def test_raw_coal_is_named_instead_of_a_500(admin_client: Any, enterprise_demo: Any) -> None:
    # The demo cement works burns raw coal, which GB/T 32150-2015 Annex A has no row for.
    response = admin_client.get(f"/enterprises/{DEMO_ENTERPRISE_CODE}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "缺少原煤的燃烧排放参数" in html
    cells = _cells(html, 2024)
    assert cells["total"] == "—" and cells["fuel"] == "—"
    assert cells["electricity"] != "—"
