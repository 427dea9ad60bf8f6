"""/energy/ and `ecer energy report` read the indicator service: the same value, status and
colour for the intensity and total-consumption targets as the plan overview, the district
pages and `ecer progress`; the city's basic target is the plan file's."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from ecer.cli import main
from ecer.web.catalog.labels import LEVEL_CLASSES

pytestmark = pytest.mark.django_db

AREAS = ("beihai", "haicheng", "yinhai", "tieshangang", "hepu")
INTENSITY = "energy_intensity_decline"
TOTAL = "energy_consumption_total"


def cells(line: str) -> list[str]:
    """The columns of a text-table line (columns are two or more spaces apart)."""
    return re.split(r"\s{2,}", line.strip())


def table(out: str, header_first: str) -> dict[str, list[str]]:
    """Rows of the text table whose header starts with ``header_first``, keyed by the
    second column (progress: the target) or the first (energy report: the area)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_first))
    header = cells(lines[start])
    rows: dict[str, list[str]] = {}
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        row = cells(line)
        if len(row) != len(header):
            break
        rows[row[1] if header_first == "条款" else row[0]] = row
    return {"__header__": header, **rows}


def test_progress_and_energy_report_agree_on_intensity_and_total(
    full_demo: Any, capsys: Any
) -> None:
    from ecer.web.catalog.models import Area, Target
    from ecer.web.indicators import service as indicators

    intensity = Target.objects.get(code=INTENSITY)
    assert main(["energy", "report", "--year", "2024"]) == 0
    report = table(capsys.readouterr().out, "地区")
    header = report.pop("__header__")
    assert header[header.index("强度预警") + 1] == "强度状态"
    assert header[header.index("总量预警") + 1] == "总量状态"
    for code in AREAS:
        area = Area.objects.get(code=code)
        assert main(["progress", "--year", "2024", "--area", code]) == 0
        progress = table(capsys.readouterr().out, "条款")
        status_column = progress.pop("__header__").index("状态")
        row = report[area.name]
        # 最新值 "0.5659 (2024)" against 强度(考核/总量) "0.5659 / 0.6707".
        progress_value = progress[intensity.name][3].split()[0]
        report_value = row[header.index("强度(考核/总量,tce/万元)")].split(" / ")[0]
        assert progress_value == report_value, (code, progress_value, report_value)
        # The printed value is the service's assessed intensity to 4 decimals.
        item = indicators.indicator(intensity, area, 2024)
        assert item.value is not None and item.value > 0.1
        assert abs(float(report_value) - item.value) <= 0.5e-4
        assert progress[intensity.name][status_column] == row[header.index("强度状态")]
        assert progress["能源消费总量"][status_column] == row[header.index("总量状态")]
        assert progress[intensity.name][status_column + 1] == row[header.index("强度预警")]
    statuses = {report[Area.objects.get(code=c).name][header.index("强度状态")] for c in AREAS}
    assert {"进度滞后", "进度正常"} <= statuses  # the demo has areas on and off track


class _Marked(HTMLParser):
    """(area, target) -> (status, level, class) of the elements that carry data-status.

    On the plan overview the row carries data-target and its cell data-status/data-level;
    on the energy pages one element carries all of them with data-area.
    """

    def __init__(self, area: str | None = None) -> None:
        super().__init__()
        self.area = area
        self.target: str | None = None
        self.found: dict[tuple[str, str], tuple[str, str]] = {}
        self.classes: dict[tuple[str, str], str] = {}
        self._pending: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "tr" and "data-target" in a:
            self.target = a["data-target"]
        if "data-status" in a:
            key = (a.get("data-area") or self.area or "", a.get("data-target") or self.target)
            self.found[key] = (a["data-status"], a["data-level"])  # type: ignore[index]
            if "status" in a.get("class", "").split():
                self.classes[key] = a["class"]  # type: ignore[index]
            else:
                self._pending = key  # type: ignore[assignment]
        elif self._pending and tag == "span" and "status" in a.get("class", "").split():
            self.classes[self._pending] = a["class"]
            self._pending = None


def marked(html: str, area: str | None = None) -> _Marked:
    parser = _Marked(area)
    parser.feed(html)
    return parser


def test_energy_pages_show_the_status_and_colour_of_the_plan_overview(
    admin_client: Any, full_demo: Any
) -> None:
    energy = marked(admin_client.get("/energy/?year=2024").content.decode())
    assert {area for area, _target in energy.found} == set(AREAS)
    levels = set()
    for code in AREAS:
        url = "/?year=2024" if code == "beihai" else f"/areas/{code}/?year=2024"
        overview = marked(admin_client.get(url).content.decode(), code)
        district = marked(admin_client.get(f"/energy/{code}/?year=2024").content.decode())
        for target in (INTENSITY, TOTAL):
            key = (code, target)
            assert energy.found[key] == overview.found[key], key
            assert district.found[key] == overview.found[key], key
            _status, level = overview.found[key]
            assert f"status {LEVEL_CLASSES[level]}" in energy.classes[key]
            assert energy.classes[key] == overview.classes[key] == district.classes[key]
            levels.add(level)
    assert {"red", "yellow", "green"} <= levels


def test_the_city_basic_target_follows_the_plan_file(
    admin_client: Any, energy_demo: Any, tmp_path: Path
) -> None:
    from ecer.plan.loader import default_plan_path, load_plan_file
    from ecer.web.catalog.loading import load_catalog_into_db
    from ecer.web.energy.models import DistrictTarget

    city_target = DistrictTarget.objects.get(area__code="beihai")
    assert city_target.basic_decline_pct == 12.5  # the demo took it from the plan

    text = default_plan_path().read_text(encoding="utf-8")
    start = text.index("  - code: energy_intensity_decline")
    end = text.index("  - code:", start + 1)
    block = text[start:end]
    assert "    target_value: 12.5\n" in block
    edited = text[:start] + block.replace("target_value: 12.5", "target_value: 13.4") + text[end:]
    path = tmp_path / "plan.yaml"
    path.write_text(edited, encoding="utf-8")
    load_catalog_into_db(load_plan_file(path))

    response = admin_client.get("/energy/?year=2024")
    [city] = [r for r in response.context["rows"] if r.area.code == "beihai"]
    assert city.control.target.basic_decline_pct == 13.4
    assert city.intensity.target_value == 13.4
    # 2024 on the even-pace path to 13.4 % by 2025: 1 - (1 - 0.134)^(4/5) = 10.87 %.
    assert city.control.interim_basic_pct == pytest.approx((1 - (1 - 0.134) ** 0.8) * 100)
    html = response.content.decode()
    row = html[html.index('<tr data-area="beihai">') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num">13.4</td>' in row and '<td class="num">14</td>' in row
    assert '<td class="num">10.87</td>' in row
    # The stored row was not touched: the plan file is the only home of the figure.
    city_target.refresh_from_db()
    assert city_target.basic_decline_pct == 12.5
