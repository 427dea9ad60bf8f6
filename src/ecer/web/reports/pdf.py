"""The reports as PDF (fpdf2) with the CJK font of ``fonts`` and charts drawn with fpdf2's own
primitives (rectangles, lines, text) from the figures of ``documents``: no image library.

Every page carries the report's data version and generation time in its footer. A target's
status and warning level are written on its level's colour (``LEVEL_HEX`` of
``ecer.web.catalog.labels``, the colours of the web pages and the Excel workbooks); the
other colours here only tell a chart's series apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from ecer.core import assessment as core
from ecer.core import progress as core_progress
from ecer.web.catalog.labels import (
    STATUS_LABELS,
    WARNING_LABELS,
    hex_rgb,
    level_ink_hex,
    level_rgb,
    status_level,
)
from ecer.web.reports.documents import AnnualDocument, MidtermDocument
from ecer.web.reports.fonts import cjk_font_path
from ecer.web.reports.services import MidtermRow

FONT = "cjk"
Color = tuple[int, int, int]
# Series colours of the charts (no status: a status or level is drawn in its level's colour).
BLUE: Color = (52, 101, 164)
ORANGE: Color = (230, 145, 56)
PURPLE: Color = (117, 80, 123)
HEADER_STYLE = FontFace(emphasis=None, fill_color=(221, 235, 247))
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Badge:
    """A table cell written on a warning level's colour (``red``, ``yellow``…)."""

    text: str
    level: str

    @property
    def style(self) -> FontFace:
        return FontFace(color=hex_rgb(level_ink_hex(self.level)), fill_color=level_rgb(self.level))


Cell = str | Badge


def status_badge(row: MidtermRow) -> Badge:
    """A target's status in words on its warning level's colour, as on the web pages."""
    return Badge(str(STATUS_LABELS.get(row.status.value, row.status.value)), row.level.value)


def level_badge(row: MidtermRow) -> Badge:
    return Badge(row.level.label_zh, row.level.value)


class ReportPDF(FPDF):
    def __init__(self, title: str, stamp: str, orientation: str = "landscape") -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.report_title = title
        self.stamp = stamp
        self.add_font(FONT, fname=str(cjk_font_path()))
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=14)
        self.set_margins(12, 12, 12)
        self.set_title(title)
        self.set_creator("ECER")

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, size=7)
        self.set_text_color(110, 110, 110)
        self.cell(0, 4, f"{self.report_title} · {self.stamp}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 4, _("第 %(n)s 页") % {"n": self.page_no()}, align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, text: str, size: float = 16) -> None:
        self.set_font(FONT, size=size)
        self.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10)
        self.ln(2)

    def section(self, text: str) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.ln(2)
        self.set_font(FONT, size=12)
        self.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)

    def notes(self, notes: Sequence[str]) -> None:
        self.set_font(FONT, size=8)
        self.ln(2)
        self.cell(0, 5, _("注："), new_x="LMARGIN", new_y="NEXT")
        for k, note in enumerate(notes, start=1):
            self.multi_cell(0, 4, f"{k}. {note}", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)

    def data_table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        widths: Sequence[float],
        group_header: Sequence[tuple[str, int]] | None = None,
        font_size: float = 8,
        left: float | None = None,
    ) -> None:
        """A table at the current height: across the text width with ``widths`` as proportions,
        or, given ``left`` [mm from the page's left edge], at that place with ``widths`` in mm.

        fpdf2 centres a table across the text width whatever the current x, so a table meant to
        stand beside a chart must say where and how wide it is.
        """
        self.set_font(FONT, size=font_size)
        if left is not None:
            self.set_x(left)
        with self.table(
            col_widths=tuple(widths),
            width=None if left is None else sum(widths),
            align="CENTER" if left is None else "LEFT",
            headings_style=HEADER_STYLE,
            line_height=font_size * 0.5,
            text_align="CENTER",
            num_heading_rows=2 if group_header else 1,
            first_row_as_headings=True,
        ) as table:
            if group_header:
                top = table.row()
                for text, span in group_header:
                    top.cell(text, colspan=span)
            head = table.row()
            for text in header:
                head.cell(text)
            for values in rows:
                row = table.row()
                for value in values:
                    if isinstance(value, Badge):
                        row.cell(value.text, style=value.style)
                    else:
                        row.cell(value)
        self.set_font(FONT, size=9)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: Color


def axis_ticks(low: float, high: float, lines: int = 5) -> list[float]:
    """Grid values from ``low`` to above ``high`` at a round step (1, 2, 2.5 or 5 × 10^k),
    at most about ``lines`` steps, with room above the highest value for its label."""
    raw = (high - low) / lines or 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ceiling = high + (high - low) * 0.04  # room for the highest bar's label
    ticks = [math.floor(low / step + 1e-9) * step]
    while ticks[-1] < ceiling:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def bar_chart(
    pdf: ReportPDF,
    x: float,
    y: float,
    w: float,
    h: float,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    guides: Sequence[tuple[float, str, Color]] = (),
) -> None:
    """Grouped bars with a zero line, four grid lines, guide lines and a legend [mm].

    Drawn in a local graphics state: the series' fill colour must not outlive the chart, or
    fpdf2 fills the body cells of the next table with it (a table's cells take the current fill
    colour as their background).
    """
    with pdf.local_context():
        values = [v for s in series for v in s.values if v is not None]
        values += [g[0] for g in guides]
        ticks = axis_ticks(min([0.0, *values]), max([0.0, *values]) or 1.0)
        bottom, top = ticks[0], ticks[-1]
        span = top - bottom
        pdf.set_font(FONT, size=9)
        pdf.set_xy(x, y)
        heading = _("%(title)s（%(unit)s）") % {"title": title, "unit": unit} if unit else title
        pdf.cell(w, 5, heading, align="L")
        # Legend on the title line, right aligned.
        lx = x + w
        pdf.set_font(FONT, size=7)
        for s in reversed(series):
            lx -= pdf.get_string_width(s.name) + 8
            pdf.set_fill_color(*s.color)
            pdf.rect(lx, y + 1.5, 3, 3, style="F")
            pdf.text(lx + 4, y + 4, s.name)
        plot_x, plot_y, plot_w, plot_h = x + 12, y + 8, w - 14, h - 16

        def y_of(value: float) -> float:
            return plot_y + plot_h * (top - value) / span

        pdf.set_draw_color(220, 220, 220)
        pdf.set_line_width(0.1)
        for value in ticks:
            gy = y_of(value)
            pdf.line(plot_x, gy, plot_x + plot_w, gy)
            pdf.set_text_color(110, 110, 110)
            pdf.text(x, gy + 1, f"{value:,.0f}" if value == int(value) else f"{value:g}")
        pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.3)
        pdf.line(plot_x, y_of(0.0), plot_x + plot_w, y_of(0.0))
        n = max(1, len(categories))
        slot = plot_w / n
        bar = slot * 0.7 / max(1, len(series))
        for i, category in enumerate(categories):
            sx = plot_x + slot * i + slot * 0.15
            for j, s in enumerate(series):
                value = s.values[i]
                if value is None or not math.isfinite(value):
                    continue
                y0, y1 = sorted((y_of(0.0), y_of(value)))
                pdf.set_fill_color(*s.color)
                pdf.rect(sx + bar * j, y0, bar * 0.92, max(0.2, y1 - y0), style="F")
                pdf.set_font(FONT, size=6)
                label_y = y0 - 0.8 if value >= 0 else y1 + 2.5
                pdf.text(sx + bar * j, label_y, f"{value:.1f}")
            pdf.set_font(FONT, size=7)
            cw = pdf.get_string_width(category)
            pdf.text(plot_x + slot * i + (slot - cw) / 2, plot_y + plot_h + 4, category)
        for value, label, color in guides:
            pdf.set_draw_color(*color)
            pdf.set_dash_pattern(dash=1.2, gap=0.8)
            gy = y_of(value)
            pdf.line(plot_x, gy, plot_x + plot_w, gy)
            pdf.set_dash_pattern()
            pdf.set_text_color(*color)
            pdf.set_font(FONT, size=6)
            # On a white ground: the label stands over the last bar when that bar is tall.
            label_w = pdf.get_string_width(label)
            pdf.set_fill_color(255, 255, 255)
            pdf.rect(plot_x + plot_w - label_w - 0.6, gy - 3.0, label_w + 0.6, 2.6, style="F")
            pdf.text(plot_x + plot_w - label_w, gy - 0.8, label)
            pdf.set_text_color(0, 0, 0)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_font(FONT, size=9)


def _n(value: float | None, fmt: str = ".2f") -> str:
    return "—" if value is None else format(value, fmt)


def _stamp(version: str, at: object) -> str:
    local = timezone.localtime(at).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]
    return _("数据版本 %(v)s · 生成于 %(t)s") % {"v": version, "t": local}


def _points(line: core.IndicatorScore) -> str:
    if line.status is core.LineStatus.EXEMPT:
        return _n(line.points) + _("（免考）")
    return _n(line.points)


def _annual_chart(
    pdf: ReportPDF, doc: AnnualDocument, x: float, y: float, w: float, h: float
) -> None:
    s = doc.scheme.scheme()
    bar_chart(
        pdf,
        x,
        y,
        w,
        h,
        _("各县区综合得分"),
        [a.area.name for a in doc.assessments],
        [Series(_("综合得分"), [a.result.score for a in doc.assessments], BLUE)],
        _("分"),
        guides=[
            (s.exceeded_min, _("超额完成 %(v)g") % {"v": s.exceeded_min}, PURPLE),
            (s.completed_min, _("完成 %(v)g") % {"v": s.completed_min}, BLUE),
            (s.basic_min, _("基本完成 %(v)g") % {"v": s.basic_min}, ORANGE),
        ],
    )


def _decline_chart(
    pdf: ReportPDF, doc: AnnualDocument, x: float, y: float, w: float, h: float
) -> None:
    inputs = [a.input.intensity for a in doc.assessments]
    bar_chart(
        pdf,
        x,
        y,
        w,
        h,
        _("能耗强度累计下降与当年应降"),
        [a.area.name for a in doc.assessments],
        [
            Series(_("实际"), [d.actual_decline_pct if d else None for d in inputs], BLUE),
            Series(_("基本目标"), [d.basic_decline_pct if d else None for d in inputs], ORANGE),
            Series(_("激励目标"), [d.incentive_decline_pct if d else None for d in inputs], PURPLE),
        ],
        "%",
    )


def annual_rows(doc: AnnualDocument) -> list[list[str]]:
    rows = []
    for a in doc.assessments:
        r, dual, total = a.result, a.input.intensity, a.input.total
        rows.append(
            [
                a.area.name,
                _n(dual.actual_decline_pct if dual else None),
                _n(dual.basic_decline_pct if dual else None),
                _n(dual.incentive_decline_pct if dual else None),
                _points(r.line(core.IndicatorCode.INTENSITY)),
                _n(total.assessed_tce if total else None, ",.0f"),
                _n(total.budget_tce if total else None, ",.0f"),
                _points(r.line(core.IndicatorCode.TOTAL)),
                _points(r.line(core.IndicatorCode.POLLUTANTS)),
                _points(r.line(core.IndicatorCode.TASKS)),
                _n(r.bonus, "g"),
                _n(r.deduction, "g"),
                _n(r.score),
                r.grade.label_zh,
            ]
        )
    s = doc.summary
    rows.append(
        [
            _("合计／平均"),
            "",
            "",
            "",
            "",
            _n(s.assessed_tce, ",.0f"),
            _n(s.budget_tce, ",.0f"),
            "",
            "",
            "",
            "",
            "",
            _n(s.mean_score),
            "",
        ]
    )
    return rows


def annual_pdf(doc: AnnualDocument, progress: Progress | None = None) -> bytes:
    step = progress or (lambda _p, _s: None)
    pdf = ReportPDF(doc.title, _stamp(doc.data_version, doc.generated_at))
    pdf.add_page()
    pdf.heading(doc.title)
    pdf.set_font(FONT, size=9)
    pdf.cell(
        0,
        5,
        _("考核方案 v%(v)s · %(stamp)s")
        % {"v": doc.scheme.number, "stamp": _stamp(doc.data_version, doc.generated_at)},
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    step(75, _("绘制图表"))
    y = pdf.get_y() + 2
    _annual_chart(pdf, doc, 12, y, 132, 62)
    _decline_chart(pdf, doc, 152, y, 133, 62)
    pdf.set_y(y + 64)
    step(85, _("排版表格"))
    weights = {i.code: i.weight for i in doc.indicators}
    pdf.data_table(
        [
            _("县区"),
            _("累计下降 %"),
            _("应降·基本 %"),
            _("应降·激励 %"),
            _("得分"),
            _("考核能耗 吨标准煤"),
            _("总量目标 吨标准煤"),
            _("得分"),
            _("污染物减排得分"),
            _("重点任务得分"),
            _("加分"),
            _("扣分"),
            _("综合得分"),
            _("等级"),
        ],
        annual_rows(doc),
        [18, 17, 19, 19, 18, 26, 26, 20, 20, 20, 12, 12, 18, 18],
        group_header=[
            ("", 1),
            (
                _("能耗强度降低（%(w)g 分）") % {"w": weights.get(core.IndicatorCode.INTENSITY, 0)},
                4,
            ),
            (_("能源消费总量（%(w)g 分）") % {"w": weights.get(core.IndicatorCode.TOTAL, 0)}, 3),
            (_("%(w)g 分") % {"w": weights.get(core.IndicatorCode.POLLUTANTS, 0)}, 1),
            (_("%(w)g 分") % {"w": weights.get(core.IndicatorCode.TASKS, 0)}, 1),
            ("", 4),
        ],
    )
    pdf.section(_("评定理由"))
    pdf.set_font(FONT, size=8)
    for a in doc.assessments:
        text = f"{a.area.name}（{a.result.grade.label_zh}）：" + "；".join(a.result.reasons_zh)
        pdf.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
        if a.result.exemptions_zh:
            pdf.multi_cell(
                0,
                4,
                _("　免考与扣除：") + "；".join(a.result.exemptions_zh),
                new_x="LMARGIN",
                new_y="NEXT",
            )
        pdf.ln(1)
    pdf.notes(doc.footnotes())
    return bytes(pdf.output())


def _levels_chart(
    pdf: ReportPDF, doc: MidtermDocument, x: float, y: float, w: float, h: float
) -> None:
    levels = doc.levels()
    bar_chart(
        pdf,
        x,
        y,
        w,
        h,
        _("各地区目标预警"),
        [area.name for area, _c in levels],
        [
            Series(
                str(WARNING_LABELS[level]), [float(c[level]) for _a, c in levels], level_rgb(level)
            )
            for level in ("green", "yellow", "red")
        ],
        _("项"),
    )


def _target_value(row: MidtermRow) -> str:
    if row.target_value is None:
        return "—"
    return f"{row.target_value:,.4g} {row.target.unit}".strip()


def _latest(row: MidtermRow, unit: bool = False) -> str:
    """The latest value (``,.4g``), its unit when asked, and its year."""
    if row.latest_value is None:
        return "—"
    text = _n(row.latest_value, ",.4g")
    if unit and row.target.observation_unit:
        text += f" {row.target.observation_unit}"
    return text + (_("（%(year)s）") % {"year": row.latest_year} if row.latest_year else "")


def midterm_pdf(doc: MidtermDocument, progress: Progress | None = None) -> bytes:
    step = progress or (lambda _p, _s: None)
    pdf = ReportPDF(doc.title, _stamp(doc.data_version, doc.generated_at))
    pdf.add_page()
    pdf.heading(doc.title)
    pdf.set_font(FONT, size=9)
    pdf.cell(
        0,
        5,
        _stamp(doc.data_version, doc.generated_at),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    step(75, _("绘制图表"))
    y = pdf.get_y() + 2
    _levels_chart(pdf, doc, 12, y, 150, 60)
    pdf.set_y(y + 8)
    pdf.data_table(
        [_("地区"), _("目标"), _("已达标"), _("正常"), _("滞后")],
        [
            [area.name, str(c["total"]), str(c["met"]), str(c["on_track"]), str(c["behind"])]
            for area, c in doc.counts()
        ],
        [24, 18, 18, 18, 18],
        left=170,
    )
    pdf.set_y(max(pdf.get_y(), y + 62))
    pdf.section(_("进度滞后清单及责任部门"))
    behind: list[list[Cell]] = [
        [
            area.name,
            r.target.name,
            _n(r.completion_pct, ".0f"),
            _n(r.time_progress_pct, ".0f"),
            level_badge(r),
            r.departments,
        ]
        for area, r in doc.behind
    ]
    pdf.data_table(
        [_("地区"), _("目标"), _("完成进度 %"), _("时序进度 %"), _("预警"), _("责任部门")],
        behind or [[_("无"), "", "", "", "", ""]],
        [20, 70, 20, 20, 32, 111],
    )
    step(85, _("排版各地区评估表"))
    for m in doc.areas:
        pdf.section(_("%(area)s：各项目标评估") % {"area": m.area.name})
        pdf.data_table(
            [
                _("目标"),
                _("单位"),
                _("%(y)s 年基期值") % {"y": doc.plan.base_year},
                _("最新值"),
                _("目标值"),
                _("完成进度 %"),
                _("时序进度 %"),
                _("状态"),
                _("预警"),
                _("评估"),
            ],
            [
                [
                    r.target.name,
                    r.target.indicator_unit or r.target.unit,
                    _n(r.base_value, ",.4g"),
                    _latest(r),
                    _target_value(r),
                    _n(r.completion_pct, ".0f"),
                    _n(r.time_progress_pct, ".0f"),
                    status_badge(r),
                    level_badge(r),
                    r.sentence,
                ]
                for r in m.rows
            ],
            [52, 18, 18, 24, 24, 15, 15, 18, 24, 65],
            font_size=7,
        )
    pdf.notes(doc.footnotes())
    return bytes(pdf.output())


BRIEFING_ATTENTION_LINES = 7
# The level of an assessment grade that needs attention, for its bullet's colour.
GRADE_LEVELS = {core.Grade.FAILED: "red", core.Grade.BASIC: "yellow"}


def briefing_pdf(annual: AnnualDocument, progress: Progress | None = None) -> bytes:
    """The one-page city briefing (一张图) for leaders: the city's target counts, the
    computed targets (dual control, CO2, reductions, benchmark share) with their status,
    the districts' assessment and what needs attention."""
    step = progress or (lambda _p, _s: None)
    title = _("北海市节能减排一张图（%(year)s 年）") % {"year": annual.year}
    pdf = ReportPDF(title, _stamp(annual.data_version, annual.generated_at))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    pdf.heading(title, size=18)
    city = annual.city
    statuses = core_progress.ProgressStatus
    grades = annual.summary.grade_counts
    tiles = [
        (_("规划目标"), str(len(city.rows)), _("项"), BLUE),
        *(
            (str(STATUS_LABELS[s.value]), str(city.count(s)), _("项"), level_rgb(status_level(s)))
            for s in (statuses.MET, statuses.ON_TRACK, statuses.BEHIND)
        ),
        (
            _("县区考核完成及以上"),
            str(grades[core.Grade.EXCEEDED] + grades[core.Grade.COMPLETED]),
            _("个"),
            level_rgb("green"),
        ),
        (_("县区考核未完成"), str(grades[core.Grade.FAILED]), _("个"), level_rgb("red")),
    ]
    y = pdf.get_y()
    tile_w = (pdf.w - 24 - 5 * 4) / 6
    # In a local graphics state: the table below would take the last tile's fill colour.
    with pdf.local_context():
        for k, (label, value, unit, color) in enumerate(tiles):
            tx = 12 + k * (tile_w + 4)
            pdf.set_fill_color(*color)
            pdf.rect(tx, y, tile_w, 22, style="F")
            pdf.set_text_color(255, 255, 255)
            pdf.set_font(FONT, size=9)
            pdf.text(tx + 3, y + 6, label)
            pdf.set_font(FONT, size=20)
            pdf.text(tx + 3, y + 17, value)
            pdf.set_font(FONT, size=9)
            pdf.text(tx + 5 + pdf.get_string_width(value) * 20 / 9 * 0.5 + 8, y + 17, unit)
    step(70, _("排版主要目标"))
    pdf.set_y(y + 25)
    pdf.data_table(
        [
            _("主要目标（全市）"),
            _("口径"),
            _("目标值"),
            _("最新值"),
            _("完成进度 %"),
            _("时序进度 %"),
            _("状态"),
            _("预警"),
        ],
        [
            [
                r.target.name,
                r.indicator.basis,
                _target_value(r),
                _latest(r, unit=True),
                _n(r.completion_pct, ".0f"),
                _n(r.time_progress_pct, ".0f"),
                status_badge(r),
                level_badge(r),
            ]
            for r in city.rows
            if r.indicator.is_computed
        ],
        [70, 24, 34, 40, 20, 20, 20, 30],
        font_size=7,
    )
    step(80, _("绘制图表"))
    y = pdf.get_y() + 2
    _annual_chart(pdf, annual, 12, y, 132, 56)
    _decline_chart(pdf, annual, 152, y, 133, 56)
    y += 58
    pdf.set_xy(12, y)
    pdf.set_font(FONT, size=11)
    pdf.cell(0, 6, _("需要关注"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, size=8)
    lines = [
        (
            f"{a.area.name}：{a.result.grade.label_zh}（{_n(a.result.score)} 分）"
            + ("，" + "、".join(a.result.vetoes) if a.result.vetoes else ""),
            GRADE_LEVELS[a.result.grade],
        )
        for a in annual.assessments
        if a.result.grade in GRADE_LEVELS
    ]
    lines += [
        (f"{city.area.name}·{r.target.name}：{r.sentence}", r.level.value) for r in city.behind
    ]
    shown = lines[:BRIEFING_ATTENTION_LINES]
    for line, level in shown:
        pdf.set_fill_color(*level_rgb(level))
        pdf.rect(13, pdf.get_y() + 1.2, 2, 2, style="F")
        pdf.set_x(17)
        pdf.cell(0, 4.4, line, new_x="LMARGIN", new_y="NEXT")
    if len(lines) > len(shown):
        pdf.set_x(17)
        pdf.cell(0, 4.4, _("另有 %(n)s 项，见中期评估报告") % {"n": len(lines) - len(shown)})
    pdf.set_xy(12, pdf.h - 18)
    pdf.set_font(FONT, size=7)
    pdf.multi_cell(0, 3.5, annual.footnotes()[-1] if annual.uses_demo_data else "")
    return bytes(pdf.output())
