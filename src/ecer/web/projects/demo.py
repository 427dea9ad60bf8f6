"""The illustrative project register (示例数据): invented projects, NOT Beihai's.

Built on the dual-control demo (``ecer.web.energy.demo``), where 铁山港区 is red in 2024.
Its work list orders a coking plant to exit and a steel works to rectify by the end of 2024,
which frees enough budget that 2025 would be yellow on both lights; the pending second phase
of a refinery would turn 铁山港区's 2025 intensity light red again. A pending electronics
project in 合浦县 has the highest value added per tce. Every row goes through the model's
validation (credit codes, units, deadlines).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from ecer.web.catalog.models import Area
from ecer.web.projects.models import Project, ProjectEnergyLine

DEMO_NOTE = "示例数据（虚构，仅供演示）"
# Invented enterprises with codes that pass GB 32100-2015 (division 450500 北海市).
REFINERY_CODE = "91450500MA5KD0021R"

# (project fields, [(carrier, quantity, unit)])
PROJECTS: list[tuple[dict[str, Any], list[tuple[str, float, str]]]] = [
    (
        {
            "name": "北海某石化炼化一体化二期项目（示例）",
            "enterprise_name": "北海某石化有限公司（示例）",
            "enterprise_code": REFINERY_CODE,
            "area": "tieshangang",
            "industry_code": "2511",
            "industry_name": "原油加工及石油制品制造",
            "status": Project.Status.PLANNED,
            "design_capacity": "年加工原油 500 万吨",
            "first_full_year": 2025,
            "new_coal_t": 0.0,
            "value_added_10k_yuan": 100_000.0,
        },
        [
            ("natural_gas", 22_000, "10^4 m3"),
            ("electricity", 80_000, "10^4 kWh"),
            ("fuel_oil", 20_000, "t"),
        ],
    ),
    (
        {
            "name": "北海某焦化厂 60 万吨焦炭项目（示例）",
            "enterprise_name": "北海某焦化有限公司（示例）",
            "enterprise_code": "91450500MA5KD003XH",
            "area": "tieshangang",
            "industry_code": "2521",
            "industry_name": "炼焦",
            "status": Project.Status.IN_OPERATION,
            "design_capacity": "年产焦炭 60 万吨",
            "first_full_year": 2016,
            "value_added_10k_yuan": 30_000.0,
            "energy_review_doc": "北发改环资〔2014〕示例号",
            "eia_doc": "北环审〔2014〕示例号",
            "disposal": Project.Disposal.EXIT,
            "disposal_deadline": datetime.date(2024, 12, 31),
            "follow_up": Project.FollowUp.IN_PROGRESS,
            "follow_up_note": "焦炉已停炉，设备拆除中",
        },
        [("raw_coal", 420_000, "t"), ("electricity", 6_000, "10^4 kWh")],
    ),
    (
        {
            "name": "北海某钢铁热轧生产线（示例）",
            "enterprise_name": "北海某钢铁有限公司（示例）",
            "enterprise_code": "91450500MA5KD0048H",
            "area": "tieshangang",
            "industry_code": "3130",
            "industry_name": "钢压延加工",
            "status": Project.Status.IN_OPERATION,
            "design_capacity": "年产热轧板卷 300 万吨",
            "first_full_year": 2019,
            "value_added_10k_yuan": 260_000.0,
            "energy_review_doc": "桂发改环资〔2017〕示例号",
            "eia_doc": "桂环审〔2017〕示例号",
            "disposal": Project.Disposal.RECTIFY,
            "disposal_deadline": datetime.date(2024, 10, 31),
            "rectification_saving_tce": 160_000.0,
            "follow_up": Project.FollowUp.IN_PROGRESS,
            "follow_up_note": "加热炉蓄热式改造、余热发电，对标能效标杆水平",
        },
        [("coke", 400_000, "t"), ("electricity", 150_000, "10^4 kWh")],
    ),
    (
        {
            "name": "国家重大项目·北海某化工新材料项目（示例）",
            "enterprise_name": "北海某化工新材料有限公司（示例）",
            "enterprise_code": "91450500MA5KD0056C",
            "area": "tieshangang",
            "industry_code": "2651",
            "industry_name": "初级形态塑料及合成树脂制造",
            "status": Project.Status.PLANNED,
            "design_capacity": "年产聚烯烃 80 万吨",
            "first_full_year": 2025,
            "value_added_10k_yuan": 90_000.0,
            "eia_doc": "环审〔2023〕示例号",
            "separately_listed": True,
            "separately_listed_doc": "列入国家重大项目能耗单列清单（示例）",
        },
        [("natural_gas", 8_000, "10^4 m3"), ("electricity", 60_000, "10^4 kWh")],
    ),
    (
        {
            "name": "北海某锂电材料项目（示例）",
            "enterprise_name": "北海某新材料有限公司（示例）",
            "enterprise_code": "91450500MA5KD0013Y",
            "area": "tieshangang",
            "industry_code": "3985",
            "industry_name": "电子专用材料制造",
            "status": Project.Status.UNDER_CONSTRUCTION,
            "design_capacity": "年产正极材料 5 万吨",
            "first_full_year": 2025,
            "value_added_10k_yuan": 60_000.0,
            "energy_review_doc": "北发改环资〔2023〕示例号",
            "eia_doc": "北环审〔2023〕示例号",
            "disposal": Project.Disposal.CONTINUE,
        },
        [("electricity", 30_000, "10^4 kWh"), ("natural_gas", 1_500, "10^4 m3")],
    ),
    (
        {
            "name": "合浦某水泥粉磨站（示例）",
            "enterprise_name": "合浦某建材有限公司（示例）",
            "enterprise_code": "91450500MA5KD00647",
            "area": "hepu",
            "industry_code": "3011",
            "industry_name": "水泥制造",
            "status": Project.Status.IN_OPERATION,
            "design_capacity": "年产水泥 120 万吨",
            "first_full_year": 2012,
            "value_added_10k_yuan": 9_000.0,
            "energy_review_doc": "合发改〔2010〕示例号",
            "eia_doc": "合环审〔2010〕示例号",
            "disposal": Project.Disposal.CONTINUE,
            "follow_up": Project.FollowUp.DONE,
        },
        [("electricity", 6_500, "10^4 kWh"), ("raw_coal", 18_000, "t")],
    ),
    (
        {
            "name": "合浦某电子信息产业园项目（示例）",
            "enterprise_name": "合浦某电子科技有限公司（示例）",
            "enterprise_code": "91450500MA5KD00722",
            "area": "hepu",
            "industry_code": "3971",
            "industry_name": "电子元件及电子专用材料制造",
            "status": Project.Status.PLANNED,
            "design_capacity": "年产片式元器件 50 亿只",
            "first_full_year": 2025,
            "value_added_10k_yuan": 80_000.0,
        },
        [("electricity", 5_000, "10^4 kWh")],
    ),
    (
        {
            "name": "银海某数据中心项目（示例）",
            "enterprise_name": "银海某云计算有限公司（示例）",
            "enterprise_code": "91450500MA5KD0080W",
            "area": "yinhai",
            "industry_code": "6450",
            "industry_name": "互联网数据服务",
            "status": Project.Status.PLANNED,
            "design_capacity": "机架 8000 个",
            "first_full_year": 2025,
            "value_added_10k_yuan": 40_000.0,
        },
        [("electricity", 30_000, "10^4 kWh")],
    ),
    (
        {
            "name": "海城某食品加工项目（示例）",
            "enterprise_name": "海城某食品有限公司（示例）",
            "enterprise_code": "91450500MA5KD0099R",
            "area": "haicheng",
            "industry_code": "1491",
            "industry_name": "营养食品制造",
            "status": Project.Status.UNDER_CONSTRUCTION,
            "design_capacity": "年产 5 万吨",
            "first_full_year": 2025,
            "value_added_10k_yuan": 12_000.0,
            "energy_review_doc": "海发改〔2023〕示例号",
        },
        [("electricity", 1_800, "10^4 kWh"), ("natural_gas", 150, "10^4 m3")],
    ),
]


def create_project(fields: dict[str, Any], lines: list[tuple[str, float, str]]) -> Project:
    """Create a validated project with its energy lines and its two-high classification."""
    values = {**fields, "area": Area.objects.get(code=fields["area"])}
    project = Project(**values, note=DEMO_NOTE, is_demo=True)
    project.full_clean()
    project.save()
    for carrier, quantity, unit in lines:
        line = ProjectEnergyLine(project=project, carrier=carrier, quantity=quantity, unit=unit)
        line.full_clean()
        line.save()
    project.reclassify()
    project.save(update_fields=["two_high", "two_high_rule"])
    return project


@transaction.atomic
def load_demo() -> Iterator[str]:
    """Load the demo register; safe to run again; never mixes with real projects."""
    if Project.objects.filter(is_demo=False).exists():
        yield "项目登记：已有真实项目，未载入示例数据"
        return
    if Project.objects.exists():
        yield "项目登记：示例数据已载入"
        return
    for fields, lines in PROJECTS:
        create_project(fields, lines)
    two_high = Project.objects.filter(two_high=True).count()
    yield f"项目登记示例数据：{len(PROJECTS)} 个项目，其中两高 {two_high} 个"
