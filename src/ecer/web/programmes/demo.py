"""Illustrative projects of the ten key programmes (示例数据): invented names, owners and
figures of the kinds of project each clause of 三 describes — NOT Beihai's project library.
Three projects per programme, with monthly progress up to the month before it is loaded:
some finished, some on pace, some slower than their schedule, so every status shows. The
table's dates are written as seen from December 2025 (``TABLE_MONTH``) and moved by whole
months to the loading month, so a demo loaded later still shows projects under way. Loading
twice writes nothing new (each project is found by its code)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from ecer.web.catalog.models import Area, Department, Plan
from ecer.web.enterprises.demo import DEMO_ENTERPRISE_CODE
from ecer.web.enterprises.models import Enterprise
from ecer.web.programmes.models import Programme, ProgressEntry, Project

DEMO_SOURCE = "示例数据"
TABLE_MONTH = date(2025, 12, 1)  # the month the table's dates are written from

# programme code -> (name, area, owner, owner department, investment 万元, start, planned
# completion, actual completion, pace, expected figures). pace: share of the schedule's
# pace the reports follow (1.0 on time, below 1 slower). An "enterprise" among the figures
# links the demo enterprise of that credit code, when the enterprise demo is loaded.
DEMO: dict[str, list[tuple[Any, ...]]] = {
    "key_industries_green_upgrade": [
        ("不锈钢冶炼余热回收发电", "tieshangang", "示例冶金有限公司", None, 18600.0,
         date(2023, 3, 1), date(2024, 12, 31), date(2024, 11, 20), 1.0, {"saving_tce": 42000.0}),
        ("玻璃窑炉全氧燃烧节能改造", "hepu", "示例玻璃有限公司", None, 6200.0,
         date(2024, 6, 1), date(2026, 6, 30), None, 1.0, {"saving_tce": 8600.0, "nox_t": 95.0}),
        ("食品加工节水及废水回用改造", "haicheng", "示例食品有限公司", None, 1450.0,
         date(2024, 9, 1), date(2025, 12, 31), None, 0.6, {"cod_t": 38.0}),
    ],
    "parks_energy_environment_upgrade": [
        ("铁山港（临海）工业区循环化改造（蒸汽管网）", "tieshangang", "示例园区开发有限公司", None,
         9800.0, date(2023, 10, 1), date(2026, 9, 30), None, 1.0, {"saving_tce": 12500.0}),
        ("合浦工业园区屋顶分布式光伏", "hepu", "示例新能源有限公司", None, 4300.0,
         date(2024, 3, 1), date(2025, 6, 30), date(2025, 6, 18), 1.0, {"saving_tce": 3100.0}),
        ("园区危险废物集中贮存设施（“绿岛”）", "tieshangang", "示例环保科技有限公司", None,
         2600.0, date(2024, 5, 1), date(2025, 10, 31), None, 0.7, {}),
    ],
    "urban_green_retrofit": [
        ("市行政中心办公楼绿色建筑改造", "haicheng", "市住房城乡建设局", "housing_construction",
         3500.0, date(2024, 2, 1), date(2025, 12, 31), None, 0.9, {"saving_tce": 620.0}),
        ("公共供水管网漏损治理（一期）", "yinhai", "示例水务有限公司", None, 5100.0,
         date(2023, 7, 1), date(2025, 6, 30), date(2025, 8, 15), 1.0, {"saving_tce": 410.0}),
        ("冷链物流园高效制冷改造", "haicheng", "示例冷链物流有限公司", None, 2200.0,
         date(2026, 3, 1), date(2027, 6, 30), None, 1.0, {"saving_tce": 980.0}),
    ],
    "transport_logistics": [
        ("城市公交纯电动车辆更新（200辆）", "haicheng", "示例公交集团有限公司", None, 16000.0,
         date(2023, 1, 1), date(2024, 12, 31), date(2024, 12, 10), 1.0,
         {"saving_tce": 5200.0, "nox_t": 86.0}),
        ("港口码头岸电设施改造", "haicheng", "示例港务有限公司", None, 3800.0,
         date(2024, 4, 1), date(2026, 3, 31), None, 0.5, {"nox_t": 41.0}),
        ("高速公路服务区充电站建设", "hepu", "示例交通投资有限公司", None, 1200.0,
         date(2025, 1, 1), date(2025, 12, 31), None, 1.0, {}),
    ],
    "agriculture_rural": [
        ("规模养殖场粪污资源化利用", "hepu", "示例牧业有限公司", None, 2700.0,
         date(2023, 5, 1), date(2025, 4, 30), date(2025, 4, 25), 1.0,
         {"cod_t": 420.0, "nh3n_t": 36.0}),
        ("渔光互补光伏电站", "yinhai", "示例光伏发电有限公司", None, 32000.0,
         date(2024, 1, 1), date(2026, 6, 30), None, 1.0, {"saving_tce": 29000.0}),
        ("农村生活污水处理设施建设（20个行政村）", "hepu", "合浦县人民政府", None, 4600.0,
         date(2024, 3, 1), date(2025, 12, 31), None, 0.6, {"cod_t": 160.0, "nh3n_t": 21.0}),
    ],
    "public_institutions_efficiency": [
        ("市直机关办公区照明及空调节能改造（能源托管）", "haicheng", "市机关后勤服务中心",
         "government_logistics", 860.0, date(2024, 4, 1), date(2025, 3, 31), date(2025, 3, 28),
         1.0, {"saving_tce": 310.0}),
        ("公务用车新能源替换", "beihai", "市机关后勤服务中心", "government_logistics", 1500.0,
         date(2024, 1, 1), date(2026, 12, 31), None, 1.0, {"saving_tce": 120.0}),
        ("医院能源费用托管改造", "yinhai", "示例医院", None, 940.0,
         date(2024, 7, 1), date(2025, 9, 30), None, 0.7, {"saving_tce": 450.0}),
    ],
    "key_area_pollutant_reduction": [
        ("水泥窑脱硝提标改造", "hepu", "合浦示例水泥有限公司", None, 2400.0,
         date(2023, 9, 1), date(2024, 9, 30), date(2024, 10, 8), 1.0,
         {"nox_t": 310.0, "enterprise": DEMO_ENTERPRISE_CODE}),
        ("南流江流域水环境综合整治", "hepu", "合浦县人民政府", None, 21000.0,
         date(2023, 6, 1), date(2026, 12, 31), None, 0.8, {"cod_t": 850.0, "nh3n_t": 96.0}),
        ("建筑工地扬尘在线监测全覆盖", "haicheng", "市住房城乡建设局", "housing_construction",
         380.0, date(2025, 2, 1), date(2025, 11, 30), None, 0.5, {}),
    ],
    "coal_clean_efficient_use": [
        ("燃煤锅炉淘汰改天然气", "yinhai", "示例纸业有限公司", None, 1600.0,
         date(2023, 4, 1), date(2024, 6, 30), date(2024, 6, 12), 1.0,
         {"saving_tce": 2300.0, "nox_t": 48.0}),
        ("铁山港工业区背压式热电联产集中供热", "tieshangang", "示例热电有限公司", None, 46000.0,
         date(2024, 1, 1), date(2026, 12, 31), None, 1.0, {"saving_tce": 38000.0, "nox_t": 120.0}),
        ("燃煤机组节煤降耗与灵活性改造（三改联动）", "tieshangang", "示例发电有限公司", None,
         12800.0, date(2024, 6, 1), date(2025, 12, 31), None, 0.65,
         {"saving_tce": 21000.0, "nox_t": 75.0}),
    ],
    "vocs_remediation": [
        ("石化企业储罐与装卸挥发性有机物深度治理", "tieshangang", "示例石化有限公司", None,
         5400.0, date(2023, 8, 1), date(2025, 3, 31), date(2025, 3, 20), 1.0, {"vocs_t": 280.0}),
        ("加油站油气回收在线监控改造（30座）", "haicheng", "示例石油销售有限公司", None, 900.0,
         date(2024, 10, 1), date(2025, 9, 30), None, 0.6, {"vocs_t": 42.0}),
        ("包装印刷低挥发性原辅料源头替代", "yinhai", "示例印务有限公司", None, 650.0,
         date(2025, 4, 1), date(2026, 3, 31), None, 1.0, {"vocs_t": 18.0}),
    ],
    "environmental_infrastructure": [
        ("城区污水管网错混接改造及破损修复", "haicheng", "市市政管理局",
         "municipal_administration", 14500.0, date(2023, 3, 1), date(2025, 12, 31), None, 0.85,
         {"cod_t": 620.0, "nh3n_t": 75.0}),
        ("县级医疗废物收集转运体系建设", "hepu", "示例环境服务有限公司", None, 760.0,
         date(2024, 2, 1), date(2024, 12, 31), date(2024, 12, 20), 1.0, {}),
        ("生活垃圾焚烧发电（二期）", "yinhai", "示例环保能源有限公司", None, 52000.0,
         date(2024, 5, 1), date(2026, 10, 31), None, 1.0, {"saving_tce": 15000.0}),
    ],
}  # fmt: skip


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last_day = (following - date(year, month + 1, 1)).days
    return date(year, month + 1, min(day.day, last_day))


def _months(start: date, end: date) -> Iterator[date]:
    month = start.replace(day=1)
    while month <= end:
        yield month
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _entries(project: Project, pace: float, last_month: date) -> list[ProgressEntry]:
    """Monthly reports from the start month to completion (or ``last_month``): the share done
    follows the schedule's elapsed share times ``pace``; investment follows it."""
    last = min(project.completed_on or last_month, last_month)
    total = (project.planned_completion_on - project.start_on).days
    out = []
    for month in _months(project.start_on, last):
        month_end = min(date(month.year + (month.month == 12), month.month % 12 + 1, 1), last)
        elapsed = max(0, (month_end - project.start_on).days) / total
        percent = min(100.0, round(100 * elapsed * pace, 1))
        if project.completed_on is not None and month == last.replace(day=1):
            percent = 100.0
        out.append(
            ProgressEntry(
                project=project,
                month=month,
                percent=percent,
                investment_to_date=round(project.investment_planned * percent / 100 * 0.96, 1),
                note=DEMO_SOURCE,
                source=DEMO_SOURCE,
            )
        )
    return out


@transaction.atomic
def load_demo(plan: Plan | None = None) -> Iterator[str]:
    plan = plan or Plan.objects.first()
    if plan is None:
        return
    areas = {a.code: a for a in Area.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    created = 0
    this_month = timezone.localdate().replace(day=1)
    shift = (this_month.year - TABLE_MONTH.year) * 12 + this_month.month - TABLE_MONTH.month
    for programme in Programme.objects.filter(plan=plan).select_related("section"):
        clause = programme.section.clause.strip("三()")
        for index, row in enumerate(DEMO.get(programme.code, []), start=1):
            name, area, owner, department, planned, start, due, done, pace, figures = row
            figures = dict(figures)
            credit_code = figures.pop("enterprise", None)
            code = f"示例{programme.sort_order + 1:02d}-{index:02d}"
            if Project.objects.filter(code=code).exists():
                continue
            project = Project.objects.create(
                programme=programme,
                code=code,
                name=f"示例：{name}",
                area=areas[area],
                owner_name=owner,
                owner_department=departments.get(department) if department else None,
                enterprise=Enterprise.objects.filter(credit_code=credit_code).first()
                if credit_code
                else None,
                investment_planned=planned,
                start_on=add_months(start, shift),
                planned_completion_on=add_months(due, shift),
                completed_on=add_months(done, shift) if done else None,
                is_demo=True,
                note=f"{DEMO_SOURCE}（三({clause})）",
                **figures,
            )
            ProgressEntry.objects.bulk_create(_entries(project, pace, add_months(this_month, -1)))
            created += 1
    yield f"重点工程示例项目：新增 {created} 个"
