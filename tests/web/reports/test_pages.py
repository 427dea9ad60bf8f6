"""The reports page: scope, page totals against the Excel, generation and download (the
scheme editor: test_scheme_form.py)."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest

pytestmark = pytest.mark.django_db


def _user(django_user_model: Any, name: str, role: str, area: str | None = None) -> Any:
    from ecer.web.accounts.models import Membership
    from ecer.web.catalog.models import Area

    user = django_user_model.objects.create_user(name, password="pw-for-tests-only")
    Membership.objects.create(
        user=user, role=role, area=Area.objects.get(code=area) if area else None
    )
    return user


def _cells(html: str, row_id: str, col: str) -> str:
    row = re.search(rf'<tr[^>]*id="{row_id}".*?</tr>', html, re.S)
    assert row, row_id
    cell = re.search(rf'data-col="{col}">([^<]*)<', row.group(0))
    assert cell
    return cell.group(1).strip()


def test_the_page_totals_equal_the_excel_totals(
    reports_demo: Any, client: Any, django_user_model: Any
) -> None:
    client.force_login(_user(django_user_model, "leader1", "leader"))
    html = client.get("/reports/?year=2024").content.decode()
    assert 'data-area="tieshangang" data-grade="failed"' in html
    assert "免于考核" in html and "单列重大项目" in html
    page_assessed = float(_cells(html, "totals", "assessed").replace(",", ""))
    page_score = float(_cells(html, "totals", "score"))

    response = client.post(
        "/reports/generate/",
        {"kind": "annual_xlsx", "year": "2024"},
        HTTP_ACCEPT="application/json",
    )
    job = response.json()
    assert job["status"] == "done" and job["progress"] == 100
    assert job["data_version"].startswith("v")
    from ecer.web.reports.models import AssessmentResult

    stored = {r.area.code: r for r in AssessmentResult.objects.filter(year=2024)}
    assert stored["haicheng"].grade == "exceeded" and stored["haicheng"].scheme.number == 1
    assert stored["hepu"].data_version == job["data_version"]
    download = client.get(f"/reports/jobs/{job['id']}/download/")
    assert download["Content-Disposition"] == 'attachment; filename="ecer-annual-xlsx-2024.xlsx"'
    ws = openpyxl.load_workbook(io.BytesIO(download.content))["年度考核结果"]
    total_row = next(r for r in range(5, 12) if ws.cell(r, 1).value == "合计／平均")
    assert ws.cell(total_row, 6).value == page_assessed
    assert ws.cell(total_row, 13).value == page_score


def test_a_district_user_sees_only_its_assessment_and_no_reports(
    reports_demo: Any, client: Any, django_user_model: Any
) -> None:
    client.force_login(_user(django_user_model, "hc", "district", "haicheng"))
    html = client.get("/reports/?year=2024").content.decode()
    assert 'data-area="haicheng"' in html
    assert 'data-area="tieshangang"' not in html and 'id="generate-form"' not in html
    assert (
        client.post("/reports/generate/", {"kind": "annual_pdf", "year": "2024"}).status_code == 403
    )


def test_generating_a_pdf_records_the_data_version(reports_demo: Any, admin_client: Any) -> None:
    response = admin_client.post("/reports/generate/", {"kind": "briefing_pdf", "year": "2024"})
    assert response.status_code == 302
    from ecer.web.reports.models import ReportJob

    job = ReportJob.objects.get()
    assert job.status == "done", job.error
    assert bytes(job.content).startswith(b"%PDF")
    status = admin_client.get(f"/reports/jobs/{job.pk}/").json()
    assert status["filename"] == "ecer-briefing-pdf-2024.pdf"


def test_the_page_and_the_form_open_on_the_default_year_of_the_area_shown(
    reports_demo: Any, client: Any, django_user_model: Any
) -> None:
    from ecer.web.catalog.models import Area
    from ecer.web.energy.models import DistrictEnergyYear
    from ecer.web.indicators import service as indicators

    # One district's early figures for 2025 move neither the city's year nor another
    # district's: each opens on the latest year its own accounts are complete for.
    early = DistrictEnergyYear.objects.get(area__code="haicheng", year=2024)
    early.pk, early.year = None, 2025
    early.save()
    city = Area.objects.get(kind=Area.Kind.CITY)
    assert indicators.default_year(reports_demo, city) == 2024
    client.force_login(_user(django_user_model, "leader1", "leader"))
    response = client.get("/reports/")
    assert response.context["year"] == 2024
    assert '<input type="hidden" name="year" value="2024">' in response.content.decode()
    client.force_login(_user(django_user_model, "yh", "district", "yinhai"))
    assert client.get("/reports/").context["year"] == 2024
    client.force_login(_user(django_user_model, "hc", "district", "haicheng"))
    assert indicators.default_year(reports_demo, Area.objects.get(code="haicheng")) == 2025
    assert client.get("/reports/").context["year"] == 2025


def test_the_base_year_is_never_the_default_for_it_cannot_be_assessed(
    reports_demo: Any, client: Any, django_user_model: Any
) -> None:
    from ecer.web.catalog.models import Area
    from ecer.web.energy.models import DistrictEnergyYear
    from ecer.web.indicators import service as indicators

    # Without the 2021 accounts every area's data are complete only for the base year 2020.
    DistrictEnergyYear.objects.filter(year__gt=reports_demo.base_year).delete()
    city = Area.objects.get(kind=Area.Kind.CITY)
    assert indicators.default_year(reports_demo, city) == reports_demo.base_year
    client.force_login(_user(django_user_model, "leader1", "leader"))
    assert client.get("/reports/").context["year"] == reports_demo.base_year + 1
