"""The filing grid: a unit's figures of a year on one form and one workbook; one bad cell
saves nothing; locked cells stay locked; the scope holds on display and on submit."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ecer.web.audit.models import Status
from ecer.web.catalog.models import ANNUAL, Area, Observation, Target
from tests.web.accounts.conftest import World

pytestmark = pytest.mark.django_db

YEAR = 2023


def _district_targets() -> list[Target]:
    return list(Target.objects.filter(applies_to_districts=True).order_by("sort_order"))


def _cells(targets: list[Target], value: str = "12") -> dict[str, str]:
    return {f"v-{t.pk}-{q}": value for t in targets for q in (1, 2, 3, 4, ANNUAL)}


def test_a_district_files_and_submits_its_whole_year_at_once(world: World, client: Any) -> None:
    client.force_login(world.users["district"])
    page = client.get(f"/observations/file/?year={YEAR}").content.decode()
    targets = _district_targets()
    for target in targets:
        assert target.name in page and target.observation_unit in page
    response = client.post(f"/observations/file/?year={YEAR}", {**_cells(targets), "submit": ""})
    assert response.status_code == 302
    haicheng = Area.objects.get(code="haicheng")
    filed = Observation.objects.filter(area=haicheng, year=YEAR)
    assert filed.count() == len(targets) * 5
    assert set(filed.values_list("status", flat=True)) == {Status.SUBMITTED}
    assert set(filed.values_list("value", flat=True)) == {12.0}
    # Submitted figures are locked: typing over one is an error and saves nothing.
    cell = f"v-{targets[0].pk}-1"
    page = client.post(f"/observations/file/?year={YEAR}", {cell: "13"}).content.decode()
    assert "不能在此修改" in page
    assert not filed.filter(value=13).exists()


def test_one_bad_cell_saves_nothing_and_is_marked(world: World, client: Any) -> None:
    client.force_login(world.users["district"])
    targets = _district_targets()
    share = next(t for t in targets if t.observation_unit == "%")
    values = {**_cells(targets), f"v-{share.pk}-2": "150", f"v-{targets[0].pk}-3": "十二"}
    before = Observation.objects.count()
    page = client.post(f"/observations/file/?year={YEAR}", values).content.decode()
    assert Observation.objects.count() == before
    assert "“十二”不是数字" in page and "均未保存" in page
    assert page.count('class="has-error"') == 2
    assert 'value="150"' in page  # what was typed is kept for correcting


def test_the_scope_holds(world: World, client: Any) -> None:
    client.force_login(world.users["district"])
    assert client.get("/observations/file/?area=tieshangang").status_code == 404
    assert client.get("/observations/file/?year=abc").status_code == 404
    assert client.get("/observations/file/?year=2030").status_code == 404
    # A cell name of a target the district does not file is ignored, never saved.
    city_only = Target.objects.filter(applies_to_districts=False).first()
    assert city_only is not None
    client.post(f"/observations/file/?year={YEAR}", {f"v-{city_only.pk}-0": "5"})
    assert not Observation.objects.filter(target=city_only).exists()
    for role in ("enterprise", "leader", "no_role"):
        client.force_login(world.users[role])
        assert client.get("/observations/file/").status_code == 403
    client.force_login(world.users["department"])
    page = client.get(f"/observations/file/?year={YEAR}").content.decode()
    assert "北海市" in page
    assert client.get("/observations/file/?area=haicheng").status_code == 404


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "填报表.xlsx",
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_the_workbook_round_trip_by_chinese_names(world: World, client: Any) -> None:
    client.force_login(world.users["district"])
    exported = client.get(f"/observations/file/export.xlsx?year={YEAR}").content
    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["目标", "单位", "上年值"]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert names == [t.name for t in _district_targets()]
    for row in sheet.iter_rows(min_row=2):
        for cell in row[3:]:
            cell.value = 7
    good = io.BytesIO()
    book.save(good)
    # A bad copy first: an unknown target and a word: nothing changes, both named.
    sheet.cell(row=2, column=1, value="不存在的目标")
    sheet.cell(row=3, column=5, value="七")
    bad = io.BytesIO()
    book.save(bad)
    page = client.post(
        f"/observations/file/import/?year={YEAR}", {"file": _upload(bad.getvalue())}
    ).content.decode()
    assert "不存在的目标" in page and "“七”不是数字" in page
    assert not Observation.objects.filter(year=YEAR).exists()
    response = client.post(
        f"/observations/file/import/?year={YEAR}", {"file": _upload(good.getvalue())}
    )
    assert response.status_code == 302
    filed = Observation.objects.filter(year=YEAR, area__code="haicheng")
    assert filed.count() == len(_district_targets()) * 5
    assert set(filed.values_list("status", flat=True)) == {Status.DRAFT}
