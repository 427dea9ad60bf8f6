from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ecer.web.catalog.models import Area, Target
from ecer.web.indicators import service as indicators

pytestmark = pytest.mark.django_db


def test_pages_require_login(client: Any, demo_data: Any) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_dashboard_lists_every_target_with_status(admin_client: Any, demo_data: Any) -> None:
    response = admin_client.get("/?year=2024")
    assert response.status_code == 200
    html = response.content.decode()
    assert "示例数据" in html
    for target in Target.objects.all():
        assert f'data-target="{target.code}"' in html
    counts = response.context["counts"]
    assert counts["behind"] > 0
    assert counts["on_track"] + counts["met"] > counts["behind"]


def test_dashboard_rejects_a_year_outside_the_plan(admin_client: Any, demo_data: Any) -> None:
    assert admin_client.get("/?year=2031").status_code == 404
    assert admin_client.get("/?year=abc").status_code == 404


def test_tieshangang_is_off_track_in_the_demo(demo_data: Any) -> None:
    from ecer.web.energy.demo import load_demo

    plan = demo_data
    list(load_demo(plan))  # the intensity target is computed from the dual-control accounts
    tieshangang = Area.objects.get(code="tieshangang")
    haicheng = Area.objects.get(code="haicheng")
    intensity = Target.objects.filter(code="energy_intensity_decline")
    [bad] = indicators.evaluate(plan, tieshangang, 2024, targets=intensity)
    [good] = indicators.evaluate(plan, haicheng, 2024, targets=intensity)
    assert bad.result.status == "behind"
    assert good.result.status in ("on_track", "met")


def test_target_page_shows_chart_data_and_areas(admin_client: Any, demo_data: Any) -> None:
    response = admin_client.get("/targets/energy_intensity_decline/?year=2024")
    assert response.status_code == 200
    html = response.content.decode()
    assert "history-chart" in html
    assert "铁山港区" in html
    assert "时序进度要求" in html


def test_unknown_target_and_area_are_404(admin_client: Any, demo_data: Any) -> None:
    assert admin_client.get("/targets/nope/").status_code == 404
    assert admin_client.get("/areas/nope/").status_code == 404


def test_district_view_shows_only_decomposed_targets(admin_client: Any, demo_data: Any) -> None:
    response = admin_client.get("/areas/hepu/?year=2024")
    assert response.status_code == 200
    shown = {item.target.code for s in response.context["sections"] for item in s["items"]}
    assert shown == set(
        Target.objects.filter(applies_to_districts=True).values_list("code", flat=True)
    )


def test_excel_export_matches_the_page(admin_client: Any, demo_data: Any) -> None:
    page = admin_client.get("/?year=2024")
    response = admin_client.get("/export/targets.xlsx?year=2024")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "示例数据" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == page.context["total"]
    status_col = header.index("状态")
    behind = sum(1 for r in rows if r[status_col] == "进度滞后")
    assert behind == page.context["counts"]["behind"]


def test_english_is_available(admin_client: Any, demo_data: Any) -> None:
    response = admin_client.get("/en/?year=2024")
    assert response.status_code == 200
    assert "Plan overview" in response.content.decode()


def test_admin_lists_catalog_tables(admin_client: Any, demo_data: Any) -> None:
    for model in ("area", "department", "plan", "target", "task", "rule", "observation"):
        assert admin_client.get(f"/admin/catalog/{model}/").status_code == 200
