"""Registers (台账, issue #20 item 4): items behind the targets that count things to
eliminate, rectify or build; the target's figure is the register's count."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from ecer.plan.schema import feed_register
from ecer.web.accounts.models import Membership, Role
from ecer.web.catalog.models import Area, Target
from ecer.web.indicators import service as indicators
from ecer.web.registers import services
from ecer.web.registers.models import Item, Register, Status, Step

pytestmark = pytest.mark.django_db

HEADERS = [label for _code, label in services.COLUMNS]
DISTRICTS = ["haicheng", "yinhai", "tieshangang", "hepu"]


def workbook(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = services.SHEET
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(code) for code, _label in services.COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def boiler_rows() -> list[dict[str, Any]]:
    """200 boilers of 1–10 t/h registered in 2020: 120 verified in 2022, 30 done in 2023 and
    not verified, 50 only registered."""
    rows = []
    for i in range(200):
        row: dict[str, Any] = {
            "identifier": f"B{i + 1:03d}",
            "name": f"锅炉{i + 1}",
            "area": DISTRICTS[i % 4],
            "location": f"示例路{i + 1}号",
            "owner": "示例企业",
            "size": float(i % 10 + 1),
            "registered_on": date(2020, 5, 1),
        }
        if i < 120:
            row |= {"done_on": date(2022, 3, 1), "verified_on": date(2022, 6, 1)}
        elif i < 150:
            row |= {"rectifying_on": date(2023, 1, 10), "done_on": date(2023, 9, 1)}
        rows.append(row)
    return rows


def upload(client: Any, code: str, content: bytes) -> Any:
    file = SimpleUploadedFile("register.xlsx", content)
    return client.post(f"/registers/{code}/import/", {"file": file})


def test_a_workbook_with_five_bad_rows_changes_nothing_and_the_correct_one_moves_the_target(
    admin_client: Any, loaded_plan: Any
) -> None:
    target = Target.objects.get(code="small_coal_boilers_elimination")
    city = Area.objects.get(kind="city")
    before = indicators.indicator(target, city, 2024)
    assert before.value is None and "台账尚无条目" in before.problems

    rows = boiler_rows()
    bad = [dict(r) for r in rows]
    bad[9]["size"] = "inf"  # row 11: not a finite number
    bad[19]["size"] = 12.0  # row 21: above the register's 10 t/h
    bad[29]["area"] = "nowhere"  # row 31: no such district
    bad[39]["done_on"] = None  # row 41: verified but never done
    bad[49]["identifier"] = "B001"  # row 51: the identifier of row 2
    response = upload(admin_client, "coal_boilers_small", workbook(bad))
    assert response.status_code == 200  # the errors page of every import, nothing stored
    html = response.content.decode()
    found = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(.*?)</td><td>(.*?)</td></tr>", html)
    assert [(sheet, int(row), column) for sheet, row, column, _m in found] == [
        ("台账", 11, "规模"),
        ("台账", 21, "规模"),
        ("台账", 31, "所在县区"),
        ("台账", 41, "核查日期"),
        ("台账", 51, "编号"),
    ]
    messages = [m for *_rest, m in found]
    assert "不是有限的数值" in messages[0]
    assert "超过本台账的界定值 10 蒸吨/小时" in messages[1]
    assert "nowhere" in messages[2]
    assert "缺少完成日期" in messages[3]
    assert "与第 2 行编号重复" in messages[4]
    assert not Item.objects.exists() and not Step.objects.exists()
    after_bad = indicators.indicator(target, city, 2024)
    assert (after_bad.value, after_bad.status) == (before.value, before.status)

    response = upload(admin_client, "coal_boilers_small", workbook(rows))
    assert response.status_code == 302
    assert Item.objects.count() == 200
    # Steps: 200 registered + 120 x (done, verified) + 30 x (rectifying, done).
    assert Step.objects.count() == 200 + 120 * 2 + 30 * 2
    item = indicators.indicator(target, city, 2024)
    # 200 registered in 2020; 120 verified in 2022; the 30 done in 2023 are not verified.
    assert item.series == ((2020, 200.0), (2021, 200.0), (2022, 80.0), (2023, 80.0), (2024, 80.0))
    assert item.value == 80.0
    # Path 2024: 200 x (1 - 4/5) = 40 remaining allowed; 80 left -> behind; done 120/200 = 60 %.
    assert item.status.value == "behind"
    assert item.completion_percent == pytest.approx(60.0)
    [with_done] = item.alternatives
    assert with_done.value == 50.0
    # The items behind the number are one click away from the target page.
    page = admin_client.get(f"/targets/{target.code}/?year=2024").content.decode()
    link = f"/registers/coal_boilers_small/?area={city.code}&year=2024&counted=1"
    assert link in page
    listed = admin_client.get(link).content.decode()
    assert 'data-count="80"' in listed
    # Listed 50 to a page (ecer.web.listing): all 80 on two pages.
    assert listed.count("<tr data-item=") == 50
    second = admin_client.get(f"{link}&page=2").content.decode()
    assert second.count("<tr data-item=") == 30

    # The export reads back as the same register (a re-import changes nothing).
    export = admin_client.get("/registers/export.xlsx?register=coal_boilers_small")
    assert export.status_code == 200
    response = upload(admin_client, "coal_boilers_small", export.content)
    assert response.status_code == 302
    assert Step.objects.count() == 200 + 120 * 2 + 30 * 2
    assert indicators.indicator(target, city, 2024).value == 80.0


def test_the_target_value_is_the_register_count_for_every_area_and_year(
    admin_client: Any, full_demo: Any
) -> None:
    compared = 0
    fed = Target.objects.filter(feed__startswith="registers.")
    assert fed.count() == 7
    for target in fed:
        register = Register.objects.get(code=feed_register(target.feed))
        assert register.items.exists(), target.code
        areas = (
            Area.objects.all() if target.applies_to_districts else Area.objects.filter(kind="city")
        )
        for area in areas:
            for year in range(2020, 2025):
                item = indicators.indicator(target, area, year)
                counted = services.counted(target, register, area, year)
                if register.measure == "size":
                    expected = sum(i.size or 0.0 for i in counted)
                else:
                    expected = counted.count()
                if target.kind == Target.Kind.CUMULATIVE_INCREASE and year == 2020:
                    assert item.result.latest is None  # an increase starts after the base year
                    continue
                assert item.value == pytest.approx(expected), f"{target.code} {area} {year}"
                compared += 1
        city = Area.objects.get(kind="city")
        page = admin_client.get(
            f"/registers/{register.code}/?area={city.code}&year=2024&counted=1"
        ).content.decode()
        shown = indicators.indicator(target, city, 2024)
        assert f'data-value="{shown.value}"' in page
        behind = services.counted(target, register, city, 2024)
        assert page.count("<tr data-item=") == behind.count()
    # 5 city-level eliminations x 5 years, the built-up boilers x 5 areas x 5 years, and the
    # charging piles' increase in 2021-2024.
    assert compared == 5 * 5 + 5 * 5 + 4


@pytest.fixture
def district_client(django_user_model: Any, loaded_plan: Any) -> Any:
    from django.test import Client

    client = Client()
    user = django_user_model.objects.create_user("haicheng", "", "pw-for-tests-only")
    Membership.objects.create(user=user, role=Role.DISTRICT, area=Area.objects.get(code="haicheng"))
    client.force_login(user)
    return client


def test_a_district_sees_and_edits_its_own_items_and_the_city_verifies(
    district_client: Any, admin_client: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    rows = [r for r in boiler_rows()[:8] if not r.get("verified_on")]
    for row in boiler_rows()[150:158]:
        rows.append(row)
    # A district may not register another district's item nor fill in a verification.
    stray = dict(rows[0], identifier="X1", area="yinhai")
    claimed = dict(rows[0], identifier="X2", area="haicheng", done_on=date(2021, 1, 1))
    claimed["verified_on"] = date(2021, 2, 1)
    own = [dict(r, area="haicheng") for r in rows]
    response = upload(district_client, "coal_boilers_small", workbook([*own, stray, claimed]))
    assert response.status_code == 200  # the errors page of every import, nothing stored
    html = response.content.decode()
    assert "不是您可以登记的县区：yinhai" in html and "核查由市级完成" in html
    assert not Item.objects.exists()
    assert upload(district_client, "coal_boilers_small", workbook(own)).status_code == 302
    other_row = dict(rows[0], identifier="Y1", area="yinhai")
    assert upload(admin_client, "coal_boilers_small", workbook([other_row])).status_code == 302
    other = Item.objects.get(identifier="Y1")
    # The district's list shows its own items only; another district's item is not found.
    page = district_client.get("/registers/coal_boilers_small/").content.decode()
    assert page.count("<tr data-item=") == len(own)
    assert district_client.get(f"/registers/items/{other.pk}/").status_code == 404

    target = Target.objects.get(code="small_coal_boilers_elimination")
    city = Area.objects.get(kind="city")
    remaining = indicators.indicator(target, city, 2024).value
    assert remaining == len(own) + 1
    item = Item.objects.get(identifier=own[0]["identifier"])
    fake = SimpleUploadedFile("closure.pdf", b"not a pdf at all")
    district_client.post(
        f"/registers/items/{item.pk}/step/",
        {"status": "done", "date": "2024-03-01", "evidence": fake},
    )
    item.refresh_from_db()
    assert item.status == Status.REGISTERED  # the evidence is no PDF: nothing recorded
    pdf = b"%PDF-1.4\n% closure certificate\n"
    district_client.post(
        f"/registers/items/{item.pk}/step/",
        {"status": "done", "date": "2024-03-01", "evidence": SimpleUploadedFile("c.pdf", pdf)},
    )
    item.refresh_from_db()
    assert (item.status, item.done_on) == (Status.DONE, date(2024, 3, 1))
    step = item.steps.get(status=Status.DONE)
    assert step.evidence_sha256 == hashlib.sha256(pdf).hexdigest()
    assert step.evidence_size == len(pdf)
    evidence = f"/registers/items/{item.pk}/steps/{step.pk}/evidence/"
    assert district_client.get(evidence).content == pdf
    # Done is not eliminated: the target waits for the city's verification.
    assert indicators.indicator(target, city, 2024).value == remaining
    district_client.post(
        f"/registers/items/{item.pk}/step/", {"status": "verified", "date": "2024-04-01"}
    )
    item.refresh_from_db()
    assert item.status == Status.DONE
    admin_client.post(
        f"/registers/items/{item.pk}/step/", {"status": "verified", "date": "2024-04-01"}
    )
    item.refresh_from_db()
    assert item.status == Status.VERIFIED
    assert indicators.indicator(target, city, 2024).value == remaining - 1
    # Every step and every change is on the item's page, with who made it.
    page = admin_client.get(f"/registers/items/{item.pk}/").content.decode()
    assert page.count("<tr data-step=") == 3
    assert "haicheng" in page and "boss" in page
    assert item.history.count() >= 3


def test_an_import_does_not_rewrite_recorded_steps(admin_client: Any, loaded_plan: Any) -> None:
    rows = boiler_rows()[:3]
    assert upload(admin_client, "coal_boilers_small", workbook(rows)).status_code == 302
    changed = [dict(rows[0], done_on=date(2022, 3, 2)), dict(rows[1], verified_on=None)]
    response = upload(admin_client, "coal_boilers_small", workbook(changed))
    assert response.status_code == 200  # the errors page of every import, nothing stored
    html = response.content.decode()
    assert "与已记录的日期 2022-03-01 不符" in html
    assert "已记录的步骤不能通过导入撤销" in html
    assert Item.objects.get(identifier="B001").done_on == date(2022, 3, 1)


def test_the_plan_file_names_a_register_for_each_register_feed() -> None:
    from ecer.plan.loader import default_plan_path, load_plan_file
    from ecer.plan.schema import PlanCatalog, cross_check_errors

    catalog = load_plan_file(default_plan_path())
    data = catalog.model_dump(mode="json")
    index = next(i for i, t in enumerate(data["targets"]) if t["code"] == "charging_piles_added")
    data["targets"][index]["feed"] = "registers.nowhere"
    broken = PlanCatalog.model_validate(data, context={"defer_cross_checks": True})
    assert cross_check_errors(broken) == [
        (("targets", index, "feed"), "unknown register 'nowhere'")
    ]
    data["targets"][index]["feed"] = "registers"
    with pytest.raises(ValueError, match="names its register"):
        PlanCatalog.model_validate(data)
    data["targets"][index]["feed"] = "registers.charging_piles"
    piles = next(i for i, r in enumerate(data["registers"]) if r["code"] == "charging_piles")
    data["registers"][piles]["size_unit"] = "台"
    broken = PlanCatalog.model_validate(data, context={"defer_cross_checks": True})
    assert [reason for _loc, reason in cross_check_errors(broken)] == [
        "register 'charging_piles' sums sizes in '台', the target is in '个'"
    ]
