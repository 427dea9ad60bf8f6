"""One question, one answer (issue #18): every surface shows the indicator service's value,
status and warning level for every target x area x year, and a plan value lives only in the
plan file."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from ecer.web.catalog.labels import STATUS_LABELS
from ecer.web.catalog.models import Area, Plan, Target
from ecer.web.catalog.templatetags.ecer_tags import num
from ecer.web.indicators import service as indicators
from ecer.web.textreport import INDICATOR_DIGITS

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "ecer"
PLAN_FILE = SRC / "plan" / "plans" / "beihai-2021-2025.yaml"
YEARS = range(2021, 2025)  # the demo's years after the base year


def html_rows(html: str, key: str) -> dict[str, dict[str, str]]:
    """The data-value / data-status / data-level of each table row keyed by data-<key>."""
    rows = {}
    for match in re.finditer(rf'<tr[^>]*\bdata-{key}="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        rows[match.group(1)] = dict(re.findall(r'data-(value|status|level)="([^"]*)"', match[2]))
        rows[match.group(1)]["html"] = match[2]
    return rows


def assert_same(shown: dict[str, str], item: indicators.Indicator, where: str) -> None:
    assert shown.get("status") == item.status.value, where
    assert shown.get("level") == item.level.value, where
    value = shown.get("value")
    if item.value is None:
        assert value == "", where
    else:
        assert value and float(value) == pytest.approx(item.value, rel=1e-9), where


def cli_rows(capsys: Any, year: int, area: Area) -> dict[str, list[str]]:
    from ecer.cli import main

    capsys.readouterr()
    assert main(["progress", "--year", str(year), "--area", area.code]) == 0
    out = capsys.readouterr().out
    return {
        cells[1]: cells
        for cells in (re.split(r"\s{2,}", line.strip()) for line in out.splitlines())
        if len(cells) >= 8
    }


def export_rows(client: Any, year: int, area: Area) -> dict[str, list[Any]]:
    response = client.get(f"/export/targets.xlsx?year={year}&area={area.code}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    rows = {}
    for row in sheet.iter_rows(min_row=4, values_only=True):
        rows[row[header.index("目标代码")]] = dict(zip(header, row, strict=True))
    return rows


def walk(client: Any, capsys: Any, plan: Plan, years: range) -> int:
    """Check every surface for every target x area x year; return how many were compared."""
    compared = 0
    areas = list(Area.objects.all())
    for year in years:
        for area in areas:
            items = indicators.evaluate(plan, area, year)
            page = "/" if area.is_city else f"/areas/{area.code}/"
            overview = html_rows(client.get(f"{page}?year={year}").content.decode(), "target")
            cli = cli_rows(capsys, year, area)
            sheet = export_rows(client, year, area)
            for item in items:
                code, where = item.target.code, f"{item.target.code} {area.code} {year}"
                assert_same(overview[code], item, f"overview {where}")
                if item.value is not None:  # the same digits as the terminal
                    assert num(item.value, INDICATOR_DIGITS) in overview[code]["html"], where
                line = cli[item.target.name[:28]]
                assert line[3].split(" (")[0] == (
                    "—" if item.value is None else num(item.value, INDICATOR_DIGITS)
                ), f"cli {where}"
                assert line[6] == str(STATUS_LABELS[item.status.value]), f"cli {where}"
                assert line[7] == item.level.label_zh, f"cli {where}"
                row = sheet[code]
                shown = row["最新值"]
                assert (shown is None) == (item.value is None), f"export {where}"
                if item.value is not None:
                    assert shown == pytest.approx(item.value, rel=1e-9), f"export {where}"
                assert row["状态"] == str(STATUS_LABELS[item.status.value]), f"export {where}"
                assert row["预警"] == item.level.label_zh, f"export {where}"
                compared += 1
        for target in plan.targets.all():
            html = client.get(f"/targets/{target.code}/?year={year}").content.decode()
            for code, shown in html_rows(html, "area").items():
                item = indicators.indicator(target, Area.objects.get(code=code), year)
                assert_same(shown, item, f"target page {target.code} {code} {year}")
                compared += 1
    return compared


def test_every_surface_shows_the_same_value_and_status(
    admin_client: Any, full_demo: Any, capsys: Any
) -> None:
    compared = walk(admin_client, capsys, full_demo, YEARS)
    # 45 city targets + 4 district targets x 4 districts, on three surfaces and the target
    # page, for four years.
    assert compared == 4 * 2 * (45 + 4 * 4)


def test_generated_data_keep_one_answer(admin_client: Any, full_demo: Any, capsys: Any) -> None:
    from ecer.cli import main

    assert main(["demo", "generate", "--sources", "4", "--days", "1", "--end", "2024-12-31"]) == 0
    from ecer.web.enterprises.generate import generated_enterprises

    assert generated_enterprises().count() == 2
    assert walk(admin_client, capsys, full_demo, range(2024, 2025)) > 0


def test_a_computed_target_is_never_typed_by_hand(full_demo: Any) -> None:
    from ecer.web.audit.models import Status
    from ecer.web.catalog.models import Observation

    # The demo types no figure of a computed target; its status comes from its feed only.
    computed = Target.objects.exclude(feed="reported")
    assert computed.count() == 15  # 8 from the accounts, 7 from the registers
    assert not Observation.objects.filter(target__in=computed).exists()
    # A reported figure of a computed target is only a cross-check beside the computed one.
    target = Target.objects.get(code="energy_intensity_decline")
    hepu = Area.objects.get(code="hepu")
    before = indicators.indicator(target, hepu, 2024)
    assert before.value is not None and before.reconciliation is None
    Observation.objects.create(
        target=target, area=hepu, year=2024, value=before.value * 0.9, status=Status.APPROVED
    )
    after = indicators.indicator(target, hepu, 2024)
    assert (after.value, after.status, after.level) == (before.value, before.status, before.level)
    assert after.reconciliation is not None
    assert after.reconciliation.difference_pct == pytest.approx(-10.0)
    assert after.reconciliation.beyond_tolerance


def test_the_default_year_is_the_latest_complete_year_of_the_area(full_demo: Any) -> None:
    from ecer.web.energy.models import DistrictEnergyYear

    city = Area.objects.get(kind="city")
    hepu = Area.objects.get(code="hepu")
    assert indicators.default_year(full_demo, city) == 2024
    # One district's early figure for 2025 moves its own view only.
    row = DistrictEnergyYear.objects.get(area=hepu, year=2024)
    carriers = list(row.carriers.all())
    row.pk, row.year = None, 2025
    row.save()
    for carrier in carriers:
        carrier.pk, carrier.energy_year = None, row
        carrier.save()
    assert indicators.default_year(full_demo, hepu) == 2025
    assert indicators.default_year(full_demo, city) == 2024


# Literals equal to a plan figure by coincidence, each with what it is.
COINCIDENCES = {
    ("core/quality.py", 115.0): "upper bound of a plausible GDP index (previous year = 100)",
}


def _plan_figures() -> set[str]:
    """Every figure of the plan file's targets and rules, as text (e.g. "2106", "12.5")."""
    data = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))
    values: list[float] = [t["target_value"] for t in data["targets"] if t.get("target_value")]
    for rule in data["rules"]:
        values += [
            value
            for name, value in rule.get("parameters", {}).items()
            if type(value) in (int, float) and not re.fullmatch(r"[a-z]+_year", name)
        ]
    return {f"{v:g}" for v in values}


def test_no_plan_figure_is_a_constant_in_the_code() -> None:
    # Figures too common to tell apart from other numbers (round percentages up to 100, years,
    # counts under 100) are left out; every distinctive figure of the plan is checked: as a
    # number literal in the Python code of core and web, and as a value in their data files.
    distinctive = {f for f in _plan_figures() if "." in f or float(f) > 100}
    assert {"2106", "115", "360", "270", "12.5", "5000", "3900", "2.2"} <= distinctive
    figures = {float(f) for f in distinctive}
    hits = []
    for folder in (SRC / "core", SRC / "web"):
        for path in folder.rglob("*.py"):
            # Migrations, and the invented demo and generated data sets (a 5,000 m3/d flow is
            # not the key-unit threshold), are not where a plan value could hide.
            if "migrations" in path.parts or path.stem in ("demo", "generate"):
                continue
            # "超过30%" as a fraction, in the accounting core.
            checked = figures | {0.3} if folder.name == "core" else figures
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Constant)
                    and type(node.value) in (int, float)
                    and float(node.value) in checked
                ):
                    where = (str(path.relative_to(SRC)), float(node.value))
                    if where not in COINCIDENCES:
                        hits.append(f"{where[0]}:{node.lineno}: {node.value}")
        text = "|".join(re.escape(f) for f in distinctive)
        pattern = re.compile(rf":\s*\[?\s*({text})(\.0)?\s*[,\]]?\s*$")
        for path in [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line.split("#")[0].rstrip()):
                    hits.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert not hits, "plan figures in the code:\n" + "\n".join(hits)


def test_a_plan_value_edited_in_the_file_reaches_every_surface(
    admin_client: Any, full_demo: Any, tmp_path: Path, capsys: Any
) -> None:
    from ecer.cli import main

    text = PLAN_FILE.read_text(encoding="utf-8")
    changed = text.replace("    target_value: 2106\n", "    target_value: 3000\n")
    assert changed.count("target_value: 3000") == 1
    path = tmp_path / "plan.yaml"
    path.write_text(changed, encoding="utf-8")
    assert main(["plan", "load", str(path)]) == 0
    cod = Target.objects.get(code="cod_reduction")
    city = Area.objects.get(kind="city")
    item = indicators.indicator(cod, city, 2024)
    # 2,092.472 t in effect against 3,000 t: 69.7 % at a time progress of 80 %: behind.
    assert (item.target_value, item.status.value) == (3000.0, "behind")
    assert round(item.completion_percent or 0, 1) == 69.7
    overview = html_rows(admin_client.get("/?year=2024").content.decode(), "target")
    assert "3,000 吨" in overview[cod.code]["html"]
    reductions = html_rows(admin_client.get("/reductions/?year=2024").content.decode(), "target")
    assert "3,000 吨" in reductions[cod.code]["html"]
    assert_same(reductions[cod.code], item, "reductions page")
    target_page = admin_client.get(f"/targets/{cod.code}/?year=2024").content.decode()
    assert "3,000 吨" in target_page
    assert cli_rows(capsys, 2024, city)[cod.name[:28]][2] == "3,000 吨"
    assert export_rows(admin_client, 2024, city)[cod.code]["目标值"] == 3000
    # ... and every surface still agrees with the service on everything else.
    assert walk(admin_client, capsys, full_demo, range(2024, 2025)) > 0
