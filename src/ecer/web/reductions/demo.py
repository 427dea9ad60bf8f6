"""Illustrative reduction projects (示例数据): invented, NOT Beihai's project list.

Nine projects in the four districts. Verified ones count toward the targets; the others
show what the checks find: a network project claiming the same monitoring point as the
sewage-plant upgrade (double counting), a refinery wastewater project whose claimed effluent
COD the monitored data contradict, a VOC project without evidence, and a planned kiln
denitrification. The monitoring points are the demo points of ``ecer.web.monitoring.demo``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction

from ecer.web.catalog.models import Area
from ecer.web.monitoring.models import MonitoringPoint
from ecer.web.reductions.models import Evidence, ReductionLine, ReductionProject

WWTP, POWER, CHEMICAL, KILN = (f"ECERDEMO{n:016d}" for n in (1, 2, 3, 4))
W, G, F, C = "water_mass_balance", "gas_mass_balance", "emission_factor", "eliminated_capacity"
COD, NH3N, NOX, VOCS = "w01018", "w21003", "a21002", "a24088"

# name, type, area, sector, source, credit code, permit, point, status, completed, evidence,
# lines [(pollutant, method, inputs, baseline emission t/a)]
PROJECTS: list[tuple[Any, ...]] = [
    (
        "海城区污水处理厂提标改造工程",
        "sewage_plant_upgrade",
        "haicheng",
        "城镇污水处理",
        "北海示例污水处理有限公司 总排口",
        "91450502MA5HC00230",
        "91450502MA5HC00230001V",
        WWTP,
        "verified",
        date(2022, 3, 31),
        True,
        # 10,400 m³/d x (60 - 28) mg/L x 365 d = 121.5 t; NH3-N (8 - 1.6) -> 24.3 t.
        [
            (
                COD,
                W,
                {"flow": 10_400, "baseline_concentration": 60, "post_concentration": 28},
                230.0,
            ),
            (
                NH3N,
                W,
                {"flow": 10_400, "baseline_concentration": 8, "post_concentration": 1.6},
                32.0,
            ),
        ],
    ),
    (
        "合浦县城第二污水处理厂新建工程",
        "sewage_plant_new",
        "hepu",
        "城镇污水处理",
        "合浦县城第二污水处理厂",
        "",
        "91450521MA5HP00500001V",
        None,
        "verified",
        date(2023, 6, 30),
        True,
        # 30,000 m³/d x (220 - 40) mg/L x 365 d = 1,971 t; NH3-N (25 - 5) -> 219 t.
        [
            (
                COD,
                W,
                {"flow": 30_000, "baseline_concentration": 220, "post_concentration": 40},
                None,
            ),
            (
                NH3N,
                W,
                {"flow": 30_000, "baseline_concentration": 25, "post_concentration": 5},
                None,
            ),
        ],
    ),
    (
        "铝业自备电厂1#锅炉超低排放改造",
        "ultra_low_emission",
        "tieshangang",
        "电力",
        "北海示例铝业有限公司 1#锅炉",
        "91450512MA5TG0050F",
        "91450512MA5TG0050F001P",
        POWER,
        "verified",
        date(2023, 10, 31),
        True,
        # 540,000 m³/h x (100 - 30) mg/m³ x 7,200 h = 272.2 t.
        [
            (
                NOX,
                G,
                {
                    "flow": 540_000,
                    "baseline_concentration": 100,
                    "post_concentration": 30,
                    "operating_time": 7_200,
                },
                400.0,
            )
        ],
    ),
    (
        "石化企业挥发性有机物末端治理",
        "voc_end_treatment",
        "tieshangang",
        "石化",
        "北海示例石化有限公司 罐区与装卸",
        "91450512MA5TG0034R",
        "91450512MA5TG0034R001P",
        None,
        "completed",
        date(2024, 5, 31),
        False,
        # 1,000 t x 250 kg/t x 0.8 = 200 t.
        [(VOCS, F, {"activity": 1_000, "factor_kg_per_unit": 250, "efficiency_post": 0.8}, 260.0)],
    ),
    (
        "全市加油站油气回收治理",
        "oil_vapour_recovery",
        "haicheng",
        "成品油销售",
        "海城区加油站（32 座）",
        "",
        "排污登记 91450502-示例",
        None,
        "verified",
        date(2022, 12, 31),
        True,
        # 200,000 t gasoline x 0.5 kg/t x 0.9 = 90 t.
        [(VOCS, F, {"activity": 200_000, "factor_kg_per_unit": 0.5, "efficiency_post": 0.9}, None)],
    ),
    (
        "合浦县10蒸吨以下燃煤锅炉淘汰",
        "closure",
        "hepu",
        "工业锅炉",
        "合浦县燃煤锅炉（14 台）",
        "",
        "91450521MA5HP00600001V",
        None,
        "verified",
        date(2021, 12, 31),
        True,
        # 20,000 t coal x 2.94 kg/t = 58.8 t.
        [(NOX, C, {"activity": 20_000, "factor_kg_per_unit": 2.94}, 60.0)],
    ),
    (
        "石化企业废水深度处理工程",
        "industrial_treatment",
        "tieshangang",
        "石化",
        "北海示例石化有限公司 废水总排口",
        "91450512MA5TG0034R",
        "91450512MA5TG0034R001P",
        CHEMICAL,
        "completed",
        date(2023, 12, 31),
        True,
        # Claimed effluent 40 mg/L; the point measures about 62 mg/L.
        [(COD, W, {"flow": 1_600, "baseline_concentration": 150, "post_concentration": 40}, 90.0)],
    ),
    (
        "银海区污水管网完善工程",
        "sewage_network",
        "yinhai",
        "城镇污水处理",
        "北海示例污水处理有限公司 总排口",
        "91450502MA5HC00230",
        "91450502MA5HC00230001V",
        WWTP,
        "completed",
        date(2023, 9, 30),
        True,
        [(COD, W, {"flow": 5_000, "baseline_concentration": 80, "post_concentration": 28}, None)],
    ),
    (
        "水泥窑尾烟气脱硝提效工程",
        "ultra_low_emission",
        "hepu",
        "水泥",
        "合浦示例水泥有限公司 窑尾",
        "91450521MA5HP0040E",
        "91450521MA5HP0040E001P",
        KILN,
        "planned",
        None,
        False,
        [
            (
                NOX,
                G,
                {
                    "flow": 220_000,
                    "baseline_concentration": 320,
                    "post_concentration": 100,
                    "operating_time": 7_000,
                },
                500.0,
            )
        ],
    ),
]


@transaction.atomic
def load_demo() -> Iterator[str]:
    if ReductionProject.objects.filter(is_demo=False).exists():
        yield "重点工程减排：已有真实项目，未载入示例数据"
        return
    if ReductionProject.objects.exists():
        yield "重点工程减排：示例数据已载入"
        return
    areas = {a.code: a for a in Area.objects.all()}
    points = {p.mn: p for p in MonitoringPoint.objects.all()}
    uploader = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    for (name, kind, area, sector, source, code, permit, mn, status, done, evidence,
         lines) in PROJECTS:  # fmt: skip
        project = ReductionProject.objects.create(
            name=name, type=kind, area=areas[area], sector=sector, source_name=source,
            credit_code=code, permit_number=permit, point=points.get(mn) if mn else None,
            status=status, completed_on=done, is_demo=True,
        )  # fmt: skip
        for pollutant, method, inputs, baseline in lines:
            ReductionLine.objects.create(
                project=project, pollutant=pollutant, method=method,
                baseline_emission_t=baseline, **inputs,
            )  # fmt: skip
        if evidence:
            Evidence.objects.create(
                project=project,
                title="竣工环境保护验收报告（示例）",
                file=ContentFile("示例数据：虚构的验收报告".encode(), name="acceptance-demo.txt"),
                uploaded_by=uploader,
            )
    yield f"重点工程减排示例数据：{len(PROJECTS)} 个项目"
