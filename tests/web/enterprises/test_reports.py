"""Annual energy utilisation reports: conversion to tce, the import, the form and review."""

from __future__ import annotations

import io
from typing import Any

import pytest

from ecer.web.audit.models import Status
from ecer.web.enterprises import services
from ecer.web.enterprises.io import (
    CARRIER_SHEET,
    OUTPUT_SHEET,
    REPORT_SHEET,
    carrier_columns,
    import_workbook,
    output_columns,
    report_columns,
)
from ecer.web.enterprises.models import EnergyReport, ProductionUnit, ReportCarrier
from ecer.web.sheets import SheetImportError, save, write_sheets

from .conftest import CODE, OTHER

pytestmark = pytest.mark.django_db


def workbook(reports, carriers, outputs=()) -> bytes:
    return save(
        write_sheets(
            [
                (REPORT_SHEET, report_columns(), reports),
                (CARRIER_SHEET, carrier_columns(), carriers),
                (OUTPUT_SHEET, output_columns(), list(outputs)),
            ]
        )
    )


def carrier(code: str, name: str, quantity: Any, unit: str, year: int = 2023) -> dict:
    return {"enterprise": code, "year": year, "carrier": name, "quantity": quantity, "unit": unit}


FULL_REPORT = [
    carrier(CODE, "原煤", 1000, "t"),  # 1,000 t x 0.7143 = 714.3 tce
    carrier(CODE, "electricity", 100, "10^4 kWh"),  # 1,000,000 kWh x 0.1229 kgce = 122.9 tce
    carrier(CODE, "柴油", 10, "吨"),  # 10 t x 1.4571 = 14.571 tce
]


def test_a_full_report_converts_to_tce(firm):
    lines = FULL_REPORT
    summary = import_workbook(
        workbook([{"enterprise": CODE, "year": 2023, "raw_material_tce": 50}], lines),
        firm.user,
        None,
    )
    assert (summary.reports, summary.carriers) == (1, 3)
    report = EnergyReport.objects.get()
    assert report.status == Status.SUBMITTED and report.submitted_by == firm.user
    figures = services.report_figures(report)
    # 714.3 + 122.9 + 14.571 = 851.771 tce: not a key unit (< 5,000 tce).
    assert figures.gross_tce == pytest.approx(851.771)
    assert figures.tce_by_carrier["electricity"] == pytest.approx(122.9)
    assert not figures.is_key_unit


def test_every_error_is_named_and_nothing_is_stored(firm):
    EnergyReport.objects.create(enterprise=firm.other, year=2022)
    before = (EnergyReport.objects.count(), ReportCarrier.objects.count())
    content = workbook(
        [
            {"enterprise": CODE, "year": 2023},
            {"enterprise": CODE, "year": 2023},
            {"enterprise": "91450502MA5HC00154", "year": 2023},
            {"enterprise": OTHER, "year": 2022},
            {"enterprise": CODE, "year": 2099},
        ],
        [
            *FULL_REPORT,
            carrier(CODE, "unobtainium", 1, "t"),
            carrier(CODE, "原煤", -5, "t", year=2023),
            carrier(CODE, "diesel", 3, "kWh"),
        ],
        [
            {
                "enterprise": CODE,
                "year": 2023,
                "unit_name": "不存在的线",
                "product": "x",
                "output": 1,
                "output_unit": "t",
            }
        ],
    )
    with pytest.raises(SheetImportError) as caught:
        import_workbook(content, firm.user, None)
    errors = {(e.sheet, e.row): (e.column, e.message) for e in caught.value.errors}
    assert errors[(REPORT_SHEET, 3)] == ("年份", "与第 2 行重复")
    assert errors[(REPORT_SHEET, 4)][1].startswith("统一社会信用代码无效：")
    assert "expected '5', got '4'" in errors[(REPORT_SHEET, 4)][1]
    assert errors[(REPORT_SHEET, 5)] == (
        "年份",
        "铁山港测试石化 已有 2022 年报告，请在报告页面修改",
    )
    assert errors[(REPORT_SHEET, 6)][0] == "年份"
    assert errors[(CARRIER_SHEET, 5)] == ("能源品种", "未知的能源品种 “unobtainium”")
    assert errors[(CARRIER_SHEET, 6)] == ("消费量", "不能为负数")
    assert errors[(CARRIER_SHEET, 7)][0] == "计量单位"
    assert errors[(CARRIER_SHEET, 7)][1].startswith("单位 “kWh” 不适用于柴油")
    assert errors[(OUTPUT_SHEET, 2)] == (
        "装置/生产线",
        "海城测试冷库 没有名为 “不存在的线” 的装置/生产线",
    )
    assert (EnergyReport.objects.count(), ReportCarrier.objects.count()) == before


def test_an_enterprise_imports_only_its_own_reports(firm):
    content = workbook([{"enterprise": OTHER, "year": 2023}], [carrier(OTHER, "原煤", 1, "t")])
    with pytest.raises(SheetImportError) as caught:
        import_workbook(content, firm.user, {CODE})
    assert caught.value.errors[0].message == "无权为该单位导入报告"


def test_the_form_saves_a_draft_and_the_review_approves_it(client, firm, django_user_model):
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(django_user_model.objects.create_superuser("boss", "", "pw-x-12345"))
    ProductionUnit.objects.create(enterprise=firm.enterprise, name="冷库一", capacity=1)
    client.force_login(firm.user)
    data = {
        "raw_material_tce": "0",
        "savings_tce": "12",
        "value_added_10k_yuan": "3000",
        "saving_projects": "",
        "note": "",
        "carriers-TOTAL_FORMS": "1",
        "carriers-INITIAL_FORMS": "0",
        "carriers-MIN_NUM_FORMS": "0",
        "carriers-MAX_NUM_FORMS": "1000",
        "carriers-0-carrier": "electricity",
        "carriers-0-quantity": "500",
        "carriers-0-unit": "10^4 kWh",
        "outputs-TOTAL_FORMS": "0",
        "outputs-INITIAL_FORMS": "0",
        "outputs-MIN_NUM_FORMS": "0",
        "outputs-MAX_NUM_FORMS": "1000",
    }
    bad = client.post(f"/enterprises/{CODE}/reports/2023/edit/", {**data, "carriers-0-unit": "t"})
    assert "单位 “t” 不适用于电力" in bad.content.decode()
    assert not EnergyReport.objects.exists()
    assert client.post(f"/enterprises/{CODE}/reports/2023/edit/", data).status_code == 302
    report = EnergyReport.objects.get()
    assert report.status == Status.DRAFT
    client.post(f"/enterprises/{CODE}/reports/2023/submit/")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    # Submitted: the enterprise cannot edit it any more.
    assert client.get(f"/enterprises/{CODE}/reports/2023/edit/").status_code == 302
    assert (
        client.post(
            f"/enterprises/{CODE}/reports/2023/review/", {"decision": "approve"}
        ).status_code
        == 403
    )
    admin_client.post(f"/enterprises/{CODE}/reports/2023/review/", {"decision": "approve"})
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    page = admin_client.get(f"/enterprises/{CODE}/reports/2023/").content.decode()
    assert "614.5" in page  # 5,000,000 kWh x 0.1229 kgce/kWh


def test_the_import_page_lists_errors(admin_client, firm):
    upload = io.BytesIO(workbook([{"enterprise": CODE, "year": "去年"}], []))
    upload.name = "bad.xlsx"
    response = admin_client.post("/enterprises/reports/import/", {"file": upload})
    assert response.status_code == 200
    assert "年份必须是 2000–" in response.content.decode()
