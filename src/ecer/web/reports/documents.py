"""What a report says, built once and shown by the page, the Excel and the PDF alike: the same
rows, the same totals, the same data version and generation time.

Every figure of a plan target a report shows (value, target applying to the area, status,
warning level) is an ``Indicator`` of ``ecer.web.indicators.service``; the data version is
read once per document and handed to the indicator service, so the version a report prints
is the one its indicators were computed from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.core import assessment as core
from ecer.core import progress as core_progress
from ecer.core import warning as core_warning
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import Area, Plan
from ecer.web.indicators.feeds import FeedContext
from ecer.web.reports import services
from ecer.web.reports.models import SchemeVersion

Progress = Callable[[int, str], None]
LEVELS = tuple(core_warning.WarningLevel)


def _no_progress(_pct: int, _step: str) -> None:
    return None


@dataclass(frozen=True)
class AnnualDocument:
    plan: Plan
    year: int
    scheme: SchemeVersion
    assessments: tuple[services.DistrictAssessment, ...]
    summary: core.Summary
    # The city's plan targets at the end of the year (the indicator service's figures).
    city: services.MidtermArea
    data_version: str
    generated_at: datetime
    uses_demo_data: bool

    @property
    def title(self) -> str:
        return _("北海市 %(year)s 年度县区节能减排目标责任评价考核结果") % {"year": self.year}

    @property
    def indicators(self) -> tuple[core.Indicator, ...]:
        return self.scheme.scheme().indicators

    def footnotes(self) -> list[str]:
        s = self.scheme.scheme()
        notes = [
            _(
                "等级：%(a)g 分及以上为超额完成，%(b)g 分及以上为完成，%(c)g 分及以上为基本完成，"
                "以下为未完成；未完成能耗强度降低基本目标或有否决事项的，评为未完成。"
            )
            % {"a": s.exceeded_min, "b": s.completed_min, "c": s.basic_min},
            _(
                "方案四（一）：能耗强度降低达到激励目标的县区，能源消费总量免于考核（按满分计）；"
                "原料用能、可再生能源和单列重大项目能耗不纳入考核。目标按时序进度折算到考核年度。"
            ),
            _(
                "能耗单位：吨标准煤；强度下降：比 %(base)s 年累计下降（%%），"
                "按可比价地区生产总值计算。"
            )
            % {"base": self.plan.base_year},
            _("考核方案版本 v%(v)s；数据版本 %(d)s；生成时间 %(t)s。")
            % {
                "v": self.scheme.number,
                "d": self.data_version,
                "t": timezone.localtime(self.generated_at).strftime("%Y-%m-%d %H:%M"),
            },
        ]
        if self.uses_demo_data:
            notes.append(_("示例数据：数字为演示而编造，不是北海市的统计数据。"))
        return notes


def _city() -> Area:
    return Area.objects.get(kind=Area.Kind.CITY)


def annual(
    plan: Plan, year: int, progress: Progress = _no_progress, version: str | None = None
) -> AnnualDocument:
    """The year's district assessment and the city's targets, all read at one data version
    (``version``, or the current one)."""
    stamp = version or data_version()
    context = FeedContext(plan, year)
    scheme_version = services.current_scheme_version()
    scheme = scheme_version.scheme()
    areas = services.districts()
    assessments = []
    for k, area in enumerate(areas):
        progress(10 + 60 * k // max(1, len(areas)), _("考核 %(area)s") % {"area": area.name})
        assessments.extend(services.assess_year(year, plan, scheme, [area], context))
    progress(70, _("评估全市目标"))
    city = services.midterm_area(plan, _city(), year, context, stamp)
    summary = core.summarize([a.input for a in assessments], [a.result for a in assessments])
    return AnnualDocument(
        plan=plan,
        year=year,
        scheme=scheme_version,
        assessments=tuple(assessments),
        summary=summary,
        city=city,
        data_version=stamp,
        generated_at=timezone.now(),
        uses_demo_data=any(a.control.uses_demo_data for a in assessments)
        or any(r.indicator.uses_demo_data for r in city.rows),
    )


@dataclass(frozen=True)
class MidtermDocument:
    plan: Plan
    year: int
    areas: tuple[services.MidtermArea, ...]
    data_version: str
    generated_at: datetime

    @property
    def title(self) -> str:
        return _("北海市“十四五”节能减排综合工作方案中期评估（截至 %(year)s 年）") % {
            "year": self.year
        }

    @property
    def behind(self) -> list[tuple[Area, services.MidtermRow]]:
        return [(m.area, row) for m in self.areas for row in m.behind]

    def counts(self) -> list[tuple[Area, dict[str, int]]]:
        statuses = core_progress.ProgressStatus
        return [
            (
                m.area,
                {
                    "total": len(m.rows),
                    "met": m.count(statuses.MET),
                    "on_track": m.count(statuses.ON_TRACK),
                    "behind": m.count(statuses.BEHIND),
                },
            )
            for m in self.areas
        ]

    def levels(self) -> list[tuple[Area, dict[str, int]]]:
        """Each area's count of targets at each warning level (``red``, ``yellow``…)."""
        return [
            (m.area, {level.value: sum(r.level is level for r in m.rows) for level in LEVELS})
            for m in self.areas
        ]

    def footnotes(self) -> list[str]:
        return [
            _(
                "完成进度：已完成的变化量占规划要求变化量的比例；时序进度：规划期已过去的比例"
                "（%(base)s 年为 0，%(target)s 年末为 100%%）。"
            )
            % {"base": self.plan.base_year, "target": self.plan.target_year},
            _("预警：一级（红色）、二级（黄色）、三级（绿色），规则同规划总览。只计已审核数据。"),
            _("数据版本 %(d)s；生成时间 %(t)s。")
            % {
                "d": self.data_version,
                "t": timezone.localtime(self.generated_at).strftime("%Y-%m-%d %H:%M"),
            },
        ]


def midterm(
    plan: Plan,
    year: int,
    areas: list[Area] | None = None,
    progress: Progress = _no_progress,
    version: str | None = None,
) -> MidtermDocument:
    """The mid-term evaluation of the city and each district (or of ``areas``), all read at
    one data version (``version``, or the current one)."""
    chosen = areas if areas is not None else services.energy_services.areas()
    stamp = version or data_version()
    context = FeedContext(plan, year)
    out = []
    for k, area in enumerate(chosen):
        progress(10 + 60 * k // max(1, len(chosen)), _("评估 %(area)s") % {"area": area.name})
        out.append(services.midterm_area(plan, area, year, context, stamp))
    return MidtermDocument(plan, year, tuple(out), stamp, timezone.now())
