"""Illustrative key energy-consuming units (示例数据): invented enterprises, NOT real ones.

Five enterprises in Beihai's parks, their production units against the benchmark lines the
platform holds, reports for 2022–2024 (2022 and 2023 approved, 2024 submitted for review),
and one year of online data from the cement works — the demo enterprise user's own — whose
electricity meter adds up to about 8 % more than its 2024 report and shows a gap and a spike
in December. Reports go through the same checks as an uploaded workbook.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ecer.web.audit.models import Status
from ecer.web.catalog.models import Area
from ecer.web.enterprises.io import import_rows
from ecer.web.enterprises.models import (
    EnergyReport,
    Enterprise,
    Meter,
    MeterReading,
    ProductionUnit,
)

# The demo enterprise user's unified social credit code (valid per GB 32100, invented).
DEMO_ENTERPRISE_CODE = "91450521MA5HP0040E"

ENTERPRISES = [
    # code, name, area, industry code, industry, park
    (
        "91450512MA5TG0034R",
        "北海示例石化有限公司",
        "tieshangang",
        "2511",
        "原油加工及石油制品制造",
        "铁山港（临海）工业区",
    ),
    (
        "91450512MA5TG0050F",
        "北海示例铝业有限公司",
        "tieshangang",
        "3216",
        "铝冶炼",
        "北海铁山东港产业园",
    ),
    (DEMO_ENTERPRISE_CODE, "合浦示例水泥有限公司", "hepu", "3011", "水泥制造", "合浦工业园区"),
    ("91450503MA5YH00260", "银海示例食品有限公司", "yinhai", "1453", "罐头食品制造", ""),
    ("91450502MA5HC00155", "海城示例冷链物流有限公司", "haicheng", "5951", "低温仓储", ""),
]
# enterprise code -> (longitude, latitude) [°]: invented sites inside each one's district.
LOCATIONS = {
    "91450512MA5TG0034R": (109.55, 21.52),
    "91450512MA5TG0050F": (109.48, 21.58),
    DEMO_ENTERPRISE_CODE: (109.16, 21.62),
    "91450503MA5YH00260": (109.18, 21.44),
    "91450502MA5HC00155": (109.09, 21.46),
}
# enterprise code -> [(unit name, benchmark line, capacity)]
UNITS = {
    "91450512MA5TG0034R": [("常减压及二次加工装置", "refining", 500.0)],
    "91450512MA5TG0050F": [("电解系列一", "electrolytic_aluminium", 25.0)],
    DEMO_ENTERPRISE_CODE: [
        ("一号熟料线", "cement_clinker", 4000.0),
        ("二号熟料线", "cement_clinker", 2500.0),
    ],
}
# enterprise code -> year -> (carriers [(carrier, quantity, unit)], outputs, raw material tce)
# outputs: [(unit name or "", product, output, output unit, unit consumption)]
REPORTS: dict[str, dict[int, tuple[list[tuple[str, float, str]], list[tuple[Any, ...]], float]]] = {
    "91450512MA5TG0034R": {
        year: (
            [
                ("refinery_dry_gas", 210_000 * f, "t"),
                ("fuel_oil", 60_000 * f, "t"),
                ("electricity", 52_000 * f, "10^4 kWh"),
                ("heat", 2_100_000 * f, "GJ"),
            ],
            [("常减压及二次加工装置", "原油加工量", 480.0 * f, "万吨", uc)],
            120_000.0 * f,
        )
        for year, f, uc in ((2022, 0.96, 9.1), (2023, 1.0, 8.9), (2024, 1.03, 8.7))
    },
    "91450512MA5TG0050F": {
        year: (
            [("electricity", 330_000 * f, "10^4 kWh"), ("natural_gas", 1_800 * f, "10^4 m3")],
            [("电解系列一", "电解铝液", 24.6 * f, "万吨", uc)],
            0.0,
        )
        for year, f, uc in ((2022, 0.98, 13_280.0), (2023, 1.0, 13_150.0), (2024, 1.01, 13_020.0))
    },
    DEMO_ENTERPRISE_CODE: {
        year: (
            [
                ("raw_coal", 520_000 * f, "t"),
                ("electricity", 21_000 * f, "10^4 kWh"),
                ("diesel", 1_200 * f, "t"),
            ],
            [
                ("一号熟料线", "水泥熟料", 1_240_000 * f, "t", 98.5),
                ("二号熟料线", "水泥熟料", 760_000 * f, "t", uc),
            ],
            0.0,
        )
        for year, f, uc in ((2022, 0.95, 119.0), (2023, 1.0, 114.0), (2024, 0.97, 112.0))
    },
    "91450503MA5YH00260": {
        year: ([("electricity", 1_900 * f, "10^4 kWh"), ("lpg", 900 * f, "t")], [], 0.0)
        for year, f in ((2022, 0.97), (2023, 1.0), (2024, 1.04))
    },
    "91450502MA5HC00155": {
        year: ([("electricity", 3_000 * f, "10^4 kWh"), ("diesel", 500 * f, "t")], [], 0.0)
        for year, f in ((2022, 0.98), (2023, 1.0), (2024, 1.05))
    },
}
ONLINE_YEAR = 2024
ONLINE_EXCESS = 1.08  # the electricity meter adds up to 8 % more than the 2024 report


def _rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    reports, carriers, outputs = [], [], []
    for code, years in REPORTS.items():
        for year, (lines, products, raw) in years.items():
            reports.append(
                {
                    "enterprise": code,
                    "year": year,
                    "raw_material_tce": round(raw, 1),
                    "savings_tce": round(0.01 * sum(q for _c, q, _u in lines), 1),
                    "saving_projects": "余热回收、电机变频改造（示例）",
                    "note": "示例数据",
                }
            )
            carriers.extend(
                {"enterprise": code, "year": year, "carrier": c, "quantity": round(q, 2), "unit": u}
                for c, q, u in lines
            )
            outputs.extend(
                {
                    "enterprise": code,
                    "year": year,
                    "unit_name": unit,
                    "product": product,
                    "output": round(output, 2),
                    "output_unit": output_unit,
                    "unit_consumption": consumption,
                }
                for unit, product, output, output_unit, consumption in products
            )
    return reports, carriers, outputs


def _readings(meter: Meter, reported: float) -> list[MeterReading]:
    """Hourly register readings through the year, summing to ONLINE_EXCESS x the report, with
    a weekday/weekend and day/night profile, a six-hour gap and one spike in December."""
    tz = timezone.get_default_timezone()
    start = datetime(ONLINE_YEAR, 1, 1, tzinfo=tz)
    hours = int((datetime(ONLINE_YEAR + 1, 1, 1, tzinfo=tz) - start) / timedelta(hours=1))
    weights = []
    for h in range(hours):
        moment = start + timedelta(hours=h)
        weekday = 1.0 if moment.weekday() < 5 else 0.8
        weights.append(weekday * (1.0 + 0.25 * math.sin(2 * math.pi * moment.hour / 24)))
    spike = hours - 200
    weights[spike] *= 14.0
    scale = reported * ONLINE_EXCESS / math.fsum(weights)
    gap = range(hours - 100, hours - 94)
    register, rows = 1_000.0, []
    for h in range(hours + 1):
        if h not in gap:
            rows.append(MeterReading(meter=meter, time=start + timedelta(hours=h), value=register))
        if h < hours:
            register += weights[h] * scale
    return rows


@transaction.atomic
def load_demo() -> Iterator[str]:
    """Load the demo enterprises once; never touches real enterprises."""
    if Enterprise.objects.filter(is_demo=False).exists():
        yield "重点用能单位：已有真实数据，未载入示例数据"
        return
    # By code: generated enterprises (ecer demo generate) are marked is_demo too.
    if Enterprise.objects.filter(credit_code__in=[e[0] for e in ENTERPRISES]).exists():
        yield "重点用能单位：示例数据已载入"
        return
    areas = {a.code: a for a in Area.objects.all()}
    for code, name, area, industry_code, industry, park in ENTERPRISES:
        enterprise = Enterprise.objects.create(
            credit_code=code,
            name=name,
            area=areas[area],
            industry_code=industry_code,
            industry_name=industry,
            park=park,
            contact_name="示例联系人",
            longitude=LOCATIONS[code][0],
            latitude=LOCATIONS[code][1],
            is_demo=True,
        )
        for unit_name, line, capacity in UNITS.get(code, []):
            ProductionUnit.objects.create(
                enterprise=enterprise, name=unit_name, benchmark_line=line, capacity=capacity
            )
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    summary = import_rows(*_rows(), admin, is_demo=True)
    EnergyReport.objects.filter(is_demo=True, year__lt=ONLINE_YEAR).update(
        status=Status.APPROVED, reviewed_by=admin, reviewed_at=timezone.now()
    )
    cement = Enterprise.objects.get(credit_code=DEMO_ENTERPRISE_CODE)
    meter = Meter.objects.create(
        enterprise=cement,
        code="E-01",
        name="总进线电能表",
        carrier="electricity",
        unit="kWh",
        kind=Meter.Kind.CUMULATIVE,
        interval_minutes=60,
        rollover_at=1e10,
    )
    reported_kwh = REPORTS[DEMO_ENTERPRISE_CODE][ONLINE_YEAR][0][1][1] * 10_000
    readings = _readings(meter, reported_kwh)
    MeterReading.objects.bulk_create(readings, batch_size=2000)
    yield f"重点用能单位示例数据：{len(ENTERPRISES)} 家单位；{summary}；在线读数 {len(readings)} 条"
