"""The PDF reports: rendered to PNG pages (pdftoppm) and their Chinese text extracted
(pdftotext) by poppler, which ``make pytest`` installs when absent."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    # Fail, never skip: the test machine is prepared by `make pytest` (poppler-utils).
    assert path, f"{tool} not found: run `make pytest` (installs poppler-utils) as root"
    return path


def _render(content: bytes, tmp_path: Path, name: str) -> tuple[list[Path], str]:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run(
        [_poppler("pdftoppm"), "-r", "60", "-png", str(source), str(tmp_path / name)],
        check=True,
        timeout=60,
    )
    pages = sorted(tmp_path.glob(f"{name}-*.png"))
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(source), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    for page in pages[:2]:
        shutil.copy(page, ARTIFACTS / page.name)
    return pages, text


def test_annual_pdf_renders_with_its_chinese_text_and_charts(
    reports_demo: Any, tmp_path: Path
) -> None:
    from ecer.web.reports import documents, pdf

    doc = documents.annual(reports_demo, 2024)
    pages, text = _render(pdf.annual_pdf(doc), tmp_path, "annual")
    assert pages and all(p.stat().st_size > 5_000 for p in pages)
    assert "北海市 2024 年度县区节能减排目标责任评价考核结果" in text
    for name in ("海城区", "银海区", "铁山港区", "合浦县", "超额完成", "未完成", "免于考核"):
        assert name in text
    # The chart's title and guide labels are text drawn on the page, so they extract too.
    assert "各县区综合得分" in text and "超额完成 95" in text
    assert doc.data_version in text
    # The totals row carries the same figures as the Excel and the page.
    assert f"{doc.summary.assessed_tce:,.0f}" in text
    assert f"{doc.summary.mean_score:.2f}" in text


def test_chart_titles_in_english_use_ascii_brackets(reports_demo: Any, tmp_path: Path) -> None:
    from django.utils import translation

    from ecer.web.reports import documents, pdf

    with translation.override("en"):
        content = pdf.annual_pdf(documents.annual(reports_demo, 2024))
    _pages, text = _render(content, tmp_path, "annual-en")
    assert "(points)" in text and "（points）" not in text


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        # Scores up to 103: span 103 / 5 = 20.6 -> step 25; 125 leaves room for the label.
        (0.0, 103.0, [0, 25, 50, 75, 100, 125]),
        # Declines from -7.8 to 15.5 %: 23.3 / 5 = 4.66 -> step 5, from -10.
        (-7.8, 15.5, [-10, -5, 0, 5, 10, 15, 20]),
        (0.0, 0.37, [0, 0.1, 0.2, 0.3, 0.4]),
    ],
)
def test_chart_grid_lines_fall_on_round_values(low: float, high: float, ticks: list[float]) -> None:
    from ecer.web.reports.pdf import axis_ticks

    assert axis_ticks(low, high) == pytest.approx(ticks)


def test_midterm_and_briefing_pdfs_render(reports_demo: Any, tmp_path: Path) -> None:
    from ecer.web.reports import documents, pdf

    mid = documents.midterm(reports_demo, 2024)
    pages, text = _render(pdf.midterm_pdf(mid), tmp_path, "midterm")
    assert len(pages) >= 2
    assert "进度滞后清单及责任部门" in text and "市发展改革委" in text
    assert "北海市：各项目标评估" in text and "2020 年基期值" in text
    assert "一级预警（红色）" in text and "进度滞后" in text
    annual = documents.annual(reports_demo, 2024)
    pages, text = _render(pdf.briefing_pdf(annual), tmp_path, "briefing")
    assert len(pages) == 1
    assert "北海市节能减排一张图（2024 年）" in text and "需要关注" in text


@dataclass(frozen=True)
class Word:
    """A word pdftotext found on a page, its box in points from the top left."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, left: float, top: float, right: float, bottom: float) -> bool:
        return self.x0 < right and left < self.x1 and self.y0 < bottom and top < self.y1


WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@dataclass(frozen=True)
class Pixels:
    width: int
    data: bytes = field(repr=False)

    @classmethod
    def from_ppm(cls, raw: bytes) -> Pixels:
        # Binary PPM: "P6", width, height and maxval 255 as text, then 3 bytes a pixel.
        magic, width, height, maxval = raw.split(maxsplit=4)[:4]
        assert (magic, maxval) == (b"P6", b"255")
        size = 3 * int(width) * int(height)
        return cls(int(width), raw[-size:])

    def at(self, x: float, y: float) -> tuple[int, int, int]:
        k = 3 * (int(y) * self.width + int(x))
        return self.data[k], self.data[k + 1], self.data[k + 2]


def _first_page(
    content: bytes, tmp_path: Path, name: str, number: int = 1
) -> tuple[list[Word], Pixels]:
    """The first (or ``number``th) page's words (pdftotext -bbox) and its pixels at 72 dpi,
    one pixel a point."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(content)
    page = ["-f", str(number), "-l", str(number)]
    bbox = subprocess.run(
        [_poppler("pdftotext"), *page, "-bbox", str(source), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    words = [
        Word(html.unescape(text), float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, text in WORD.findall(bbox)
    ]
    image = tmp_path / f"{name}-page1"
    subprocess.run(
        [_poppler("pdftoppm"), *page, "-r", "72", "-singlefile", str(source), str(image)],
        check=True,
        timeout=60,
    )
    return words, Pixels.from_ppm(image.with_suffix(".ppm").read_bytes())


def _background_left_of(pixels: Pixels, word: Word) -> tuple[int, int, int]:
    """The cell's background just left of a centred word."""
    return pixels.at(word.x0 - 4, (word.y0 + word.y1) / 2)


WHITE_ENOUGH = 235


def test_the_midterm_counts_table_sits_beside_its_chart_on_white_rows(
    reports_demo: Any, tmp_path: Path
) -> None:
    from ecer.web.reports import documents, pdf

    mid = documents.midterm(reports_demo, 2024)
    words, pixels = _first_page(pdf.midterm_pdf(mid), tmp_path, "midterm")
    # Everything above the behind-schedule section: the chart and the counts table.
    section = next(w for w in words if w.text == "进度滞后清单及责任部门")
    top = [w for w in words if w.y1 <= section.y0]
    title = next(w for w in top if w.text.startswith("各地区目标预警"))
    legend_end = next(w for w in top if w.text == "红色预警")
    areas = [w for w in top if w.text in {"北海市", "海城区", "银海区", "铁山港区", "合浦县"}]
    # The chart's category labels are its lowest line; the other area names are the table's.
    labels_y = max(w.y1 for w in areas)
    chart = (title.x0, title.y0, legend_end.x1, labels_y)
    table_areas = [w for w in areas if w.y1 < labels_y - 2]
    assert [w.text for w in table_areas] == ["北海市", "海城区", "银海区", "铁山港区", "合浦县"]
    header = [w for w in top if w.text in {"地区", "目标", "正常", "滞后"}]
    assert len(header) == 4
    for word in header + table_areas:
        assert not word.overlaps(*chart), f"{word} lies on the chart {chart}"
    # The body rows are white: the chart's last series colour does not fill them.
    for word in table_areas:
        assert min(_background_left_of(pixels, word)) > WHITE_ENOUGH, word


def test_the_annual_table_rows_are_white_below_the_charts(
    reports_demo: Any, tmp_path: Path
) -> None:
    from ecer.web.reports import documents, pdf

    doc = documents.annual(reports_demo, 2024)
    words, pixels = _first_page(pdf.annual_pdf(doc), tmp_path, "annual")
    areas = [w for w in words if w.text in {"海城区", "银海区", "铁山港区", "合浦县"}]
    labels_y = min(w.y1 for w in areas)  # the charts' category labels come first
    rows = [w for w in areas if w.y0 > labels_y + 2]
    assert [w.text for w in rows] == ["海城区", "银海区", "铁山港区", "合浦县"]
    for word in rows:
        assert min(_background_left_of(pixels, word)) > WHITE_ENOUGH, word


def _same_row(words: list[Word], anchor: Word, text: str) -> Word:
    """The word ``text`` in the table row of ``anchor`` (their vertical centres agree)."""
    centre = (anchor.y0 + anchor.y1) / 2
    found = [w for w in words if w.text == text and abs((w.y0 + w.y1) / 2 - centre) < 2]
    assert len(found) == 1, (anchor, text, found)
    return found[0]


def test_status_and_warning_cells_take_the_colour_of_the_level(
    reports_demo: Any, tmp_path: Path
) -> None:
    from ecer.web.catalog.labels import LEVEL_HEX, STATUS_LABELS
    from ecer.web.catalog.models import Area
    from ecer.web.indicators import service as indicators
    from ecer.web.reports import documents, pdf

    def rgb(level: str) -> tuple[int, int, int]:
        # Written out from the hex here, not through the helper pdf.py uses.
        value = LEVEL_HEX[level]
        return int(value[:2], 16), int(value[2:4], 16), int(value[4:], 16)

    city = Area.objects.get(kind=Area.Kind.CITY)
    items = indicators.evaluate(reports_demo, city, 2024)
    seen = set()
    # The briefing's table of the city's computed targets: red and green cells.
    words, pixels = _first_page(
        pdf.briefing_pdf(documents.annual(reports_demo, 2024)), tmp_path, "b"
    )
    for item in [i for i in items if i.is_computed]:
        name = next(w for w in words if w.text == item.target.name)
        for text in (str(STATUS_LABELS[item.status.value]), item.level.label_zh):
            cell = _same_row(words, name, text)
            assert _background_left_of(pixels, cell) == rgb(item.level.value), (item, text)
        seen.add(item.level.value)
    # The mid-term's list of targets behind schedule (page 1): red and yellow cells.
    mid = documents.midterm(reports_demo, 2024, [city])
    words, pixels = _first_page(pdf.midterm_pdf(mid), tmp_path, "m")
    section = next(w for w in words if w.text == "进度滞后清单及责任部门")
    for item in [i for i in items if i.status.value == "behind"]:
        name = next(w for w in words if w.text == item.target.name and w.y0 > section.y1)
        cell = _same_row(words, name, item.level.label_zh)
        assert _background_left_of(pixels, cell) == rgb(item.level.value), item
        seen.add(item.level.value)
    assert {"red", "yellow", "green"} <= seen


def test_a_missing_font_fails_with_a_clear_message(settings: Any, tmp_path: Path) -> None:
    from ecer.web.reports import fonts

    settings.ECER_PDF_FONT = str(tmp_path / "none.otf")
    with pytest.raises(fonts.FontMissing, match="ECER_PDF_FONT 指向的字体文件不存在"):
        fonts.cjk_font_path()
    settings.ECER_PDF_FONT = ""
    settings.DATA_DIR = tmp_path
    original = fonts.SYSTEM_COLLECTIONS
    try:
        fonts.SYSTEM_COLLECTIONS = (tmp_path / "missing.ttc",)
        with pytest.raises(fonts.FontMissing, match=r"未找到中文字体.*no CJK font found"):
            fonts.cjk_font_path()
    finally:
        fonts.SYSTEM_COLLECTIONS = original
