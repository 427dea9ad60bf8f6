"""The PDF reports: rendered to PNG pages (pdftoppm) and their Chinese text extracted
(pdftotext) by poppler, which ``make pytest`` installs when absent."""

from __future__ import annotations

import shutil
import subprocess
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


def test_midterm_and_briefing_pdfs_render(reports_demo: Any, tmp_path: Path) -> None:
    from ecer.web.reports import documents, pdf

    mid = documents.midterm(reports_demo, 2024)
    pages, text = _render(pdf.midterm_pdf(mid), tmp_path, "midterm")
    assert len(pages) >= 2
    assert "进度滞后清单及责任部门" in text and "市发展改革委" in text
    assert "北海市：各项目标评估" in text and "2020 年基期值" in text
    assert "一级预警（红色）" in text and "进度滞后" in text
    annual = documents.annual(reports_demo, 2024)
    pages, text = _render(pdf.briefing_pdf(annual, mid), tmp_path, "briefing")
    assert len(pages) == 1
    assert "北海市节能减排一张图（2024 年）" in text and "需要关注" in text


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
