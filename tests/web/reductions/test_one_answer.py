"""The four reduction targets give one answer: /reductions/, the plan overview, `ecer progress`
and `ecer reductions report` all read the indicator service, and the targets are the plan
file's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ecer.cli import main
from ecer.core import reductions as core
from ecer.plan.loader import default_plan_path
from ecer.web.catalog.models import Area
from ecer.web.indicators import service as indicators
from ecer.web.reductions import figures
from tests.web.reports.conftest import reports_demo  # noqa: F401  (the whole demo)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reports_demo")]

# COD in effect in 2024, by hand from the demo projects (ecer.web.reductions.demo), verified:
# Haicheng upgrade 10,400 m³/d x (60 - 28) mg/L x 365 d = 121.472 t and Hepu's new plant
# 30,000 m³/d x (220 - 40) mg/L x 365 d = 1,971 t, both in full effect in 2024.
COD_2024_T = 121.472 + 1971.0


def cells(line: str) -> list[str]:
    """The cells of a text_table row (columns are separated by two spaces or more)."""
    return re.split(r"\s{2,}", line.strip())


def rows_by_first_cell(out: str, names: list[str], column: int = 0) -> dict[str, list[str]]:
    found = {}
    for line in out.splitlines():
        row = cells(line)
        if len(row) > column and row[column] in names:
            found[row[column]] = row
    return found


def page_row(html: str, target_code: str) -> dict[str, str]:
    """The data-value, data-status and data-level of the row of ``target_code``."""
    start = html.index(f'data-target="{target_code}"')
    row = html[start : html.index("</tr>", start)]
    return {
        key: re.search(rf'data-{key}="([^"]*)"', row).group(1)  # type: ignore[union-attr]
        for key in ("value", "status", "level")
    }


def city() -> Area:
    return Area.objects.get(kind=Area.Kind.CITY)


def test_the_report_and_progress_print_the_same_figures(demo_data: Any, capsys: Any) -> None:
    targets = figures.plan_targets(demo_data)
    assert list(targets) == list(core.Pollutant)
    assert main(["reductions", "report", "--year", "2024"]) == 0
    report = rows_by_first_cell(capsys.readouterr().out, [p.label_zh for p in targets])
    assert main(["progress", "--year", "2024"]) == 0
    names = [t.name[:28] for t in targets.values()]
    progress = rows_by_first_cell(capsys.readouterr().out, names, column=1)
    items = figures.official(demo_data, city(), 2024, targets)
    for f in items:
        mine, theirs = report[f.pollutant.label_zh], progress[f.indicator.target.name[:28]]
        # value, target, completion, time progress, status, warning
        assert mine[1:] == [theirs[3], theirs[2], *theirs[4:]], f.pollutant
    cod = report[core.Pollutant.COD.label_zh]
    assert cod[1] == "2,092.472 (2024)" and cod[2] == "2,106 吨"
    # 2,092.472 / 2,106 = 99.4 %, ahead of the time progress 4/5: on track, green.
    assert cod[3:] == ["99.4%", "80%", "进度正常", "三级（绿色）"]
    # VOCs: 90 t of 270 t = 33.3 % < half the time progress (40 %): behind, red.
    assert report[core.Pollutant.VOCS.label_zh][3:] == [
        "33.3%",
        "80%",
        "进度滞后",
        "一级预警（红色）",
    ]


def test_a_district_gets_its_verified_reductions_without_a_target(capsys: Any) -> None:
    assert main(["reductions", "report", "--year", "2024", "--area", "hepu"]) == 0
    out = capsys.readouterr().out
    assert "将重点工程减排目标下达给全市" in out
    row = rows_by_first_cell(out, [core.Pollutant.COD.label_zh])[core.Pollutant.COD.label_zh]
    # Hepu's new plant alone: 1,971 t; no target, status or warning of its own.
    assert row[1:] == ["1,971", "—", "—", "—", "—", "—"]


@pytest.mark.parametrize("args", [["--area", "atlantis"], ["--year", "2030"], ["--year", "2019"]])
def test_the_report_rejects_what_the_plan_does_not_know(capsys: Any, args: list[str]) -> None:
    assert main(["reductions", "report", *args]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_the_page_shows_the_indicators_and_the_overviews_figures(
    admin_client: Any, demo_data: Any
) -> None:
    targets = figures.plan_targets(demo_data)
    items = indicators.evaluate(demo_data, city(), 2024, targets=list(targets.values()))
    page = admin_client.get("/reductions/?year=2024").content.decode()
    overview = admin_client.get("/?year=2024").content.decode()
    for item in items:
        expected = {"value": str(item.value), "status": item.status, "level": item.level}
        assert page_row(page, item.target.code) == expected
        assert page_row(overview, item.target.code) == expected
    assert float(page_row(page, targets[core.Pollutant.COD].code)["value"]) == pytest.approx(
        COD_2024_T
    )


def test_the_page_opens_on_the_default_year_within_the_plan_period(
    admin_client: Any, demo_data: Any
) -> None:
    response = admin_client.get("/reductions/")
    assert response.context["year"] == indicators.default_year(demo_data, city())
    assert response.context["years"] == list(range(demo_data.base_year, demo_data.target_year + 1))
    assert admin_client.get(f"/reductions/?year={demo_data.target_year + 1}").status_code == 404


def test_the_preview_is_labelled_and_leaves_the_official_figure(
    admin_client: Any, demo_data: Any
) -> None:
    vocs = figures.plan_targets(demo_data)[core.Pollutant.VOCS]
    official = page_row(admin_client.get("/reductions/?year=2024").content.decode(), vocs.code)
    html = admin_client.get("/reductions/?year=2024&preview=1").content.decode()
    assert page_row(html, vocs.code) == official
    assert "不作为考核口径" in html
    # The completed VOC end treatment is in the preview only: more than the verified 90 t.
    start = html.index(f'data-target="{vocs.code}"')
    preview = re.search(r'data-preview-value="([^"]*)"', html[start:])
    assert preview is not None and float(preview.group(1)) > float(official["value"])


def test_the_cod_target_is_the_plan_files(
    admin_client: Any, demo_data: Any, tmp_path: Path, capsys: Any
) -> None:
    text = default_plan_path().read_text(encoding="utf-8")
    changed = text.replace("    target_value: 2106\n", "    target_value: 3000\n")
    assert changed != text
    path = tmp_path / "plan.yaml"
    path.write_text(changed, encoding="utf-8")
    assert main(["plan", "load", str(path)]) == 0
    capsys.readouterr()
    cod = figures.plan_targets(demo_data)[core.Pollutant.COD]
    html = admin_client.get("/reductions/?year=2024").content.decode()
    start = html.index(f'data-target="{cod.code}"')
    assert "3,000 吨" in html[start : html.index("</tr>", start)]
    # 2,092.472 / 3,000 = 69.7 % < the path's 80 %, above half of it: behind, yellow.
    assert page_row(html, cod.code) | {"value": ""} == {
        "value": "",
        "status": "behind",
        "level": "yellow",
    }
    assert main(["reductions", "report", "--year", "2024"]) == 0
    out = capsys.readouterr().out
    row = rows_by_first_cell(out, [core.Pollutant.COD.label_zh])[core.Pollutant.COD.label_zh]
    assert row[2:] == ["3,000 吨", "69.7%", "80%", "进度滞后", "二级预警（黄色）"]
