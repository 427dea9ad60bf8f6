"""Generated enterprises (生成数据) and their annual energy utilisation reports, at scale.

Invented enterprises, NOT real ones: names end in “（生成数据NNNN）” and their unified social
credit codes, valid per GB 32100-2015, carry ``GEN`` and the enterprise's number as the
organisation code (positions 9–16: ``GEN00042`` and its GB 11714 check character), which
is how the next run finds and replaces them — together with ``is_demo`` — and nothing else.
Each enterprise is in one of Beihai's four districts, belongs to an industry (GB/T 4754-2017
code) that fixes its outlets, its carrier mix and the range of its energy use, and has one
report per calendar year of the range: reports of earlier years approved, the last year's
submitted for review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model, QuerySet

from ecer.core import creditcode
from ecer.web.audit.models import Correction, Status
from ecer.web.catalog.models import Area
from ecer.web.catalog.rules import industrial_parks
from ecer.web.energy.generate import MIXES, carrier_lines
from ecer.web.enterprises.models import EnergyReport, Enterprise, ReportCarrier
from ecer.web.quality.models import Finding, Override

MARKER = "生成数据"
CODE_BODY_PREFIX = "GEN"
CODE_DIGITS = 5  # GEN + 5 digits = the 8-character body of the organisation code
# Generated codes: 91 (enterprise, company), a Beihai district, GEN + digits, two checks.
CODE_PATTERN = rf"^91[0-9]{{6}}{CODE_BODY_PREFIX}[0-9]{{{CODE_DIGITS}}}"
MAX_ENTERPRISES = 10**CODE_DIGITS
ENTERPRISE_STREAM = 4  # random stream (monitoring.series has 1 and 2, points 3)
ZONE = ZoneInfo("Asia/Shanghai")

# GB/T 2260 division codes of the districts (positions 3–8 of a credit code).
DIVISIONS = {"haicheng": "450502", "yinhai": "450503", "tieshangang": "450512", "hepu": "450521"}
TOWN = {"hepu": "合浦"}  # the name's place word; 北海 elsewhere
TRADE_SYLLABLES = "海港银滩珠冠岭福成侨南康兴达泰华鑫源宏盛恒嘉信瑞丰润宁安"


def district_parks(areas: dict[str, Area], parks: Sequence[str]) -> dict[str, str]:
    """Each district's park among the plan's (三(二)): the first whose name holds the district's
    name without its 区/县 suffix (铁山港区 -> 铁山港（临海）工业区, 合浦县 -> 合浦工业园区)."""
    found = {}
    for code, area in areas.items():
        stem = area.name.rstrip("区县")
        park = next((p for p in parks if stem and stem in p), None)
        if park is not None:
            found[code] = park
    return found


@dataclass(frozen=True)
class Industry:
    """An industry of GB/T 4754-2017 as the generator uses it.

    tce: (low, high) of an enterprise's yearly energy use [tce], drawn log-uniformly.
    raw_material_share: Share of it used as raw material [-]. intensity: energy use per
    value added [tce / 10^4 yuan]. outlets: monitoring profiles of its two outlets
    (``ecer.web.monitoring.generate.PROFILES``). districts: where it may be.
    """

    code: str
    name: str
    word: str
    mix: str
    tce: tuple[float, float]
    raw_material_share: float
    intensity: float
    outlets: tuple[str, str]
    districts: tuple[str, ...]


INDUSTRIES = (
    Industry(
        "4411",
        "火力发电",
        "热电",
        "coal_power",
        (300_000, 1_500_000),
        0.0,
        3.0,
        ("coal_boiler", "industrial_wastewater"),
        ("tieshangang", "hepu"),
    ),
    Industry(
        "3011",
        "水泥制造",
        "水泥",
        "cement",
        (80_000, 400_000),
        0.0,
        2.5,
        ("cement_kiln", "cement_kiln"),
        ("hepu", "tieshangang"),
    ),
    Industry(
        "2511",
        "原油加工及石油制品制造",
        "石化",
        "refinery",
        (300_000, 2_000_000),
        0.25,
        0.8,
        ("petrochemical_wastewater", "gas_boiler"),
        ("tieshangang",),
    ),
    Industry(
        "3216",
        "铝冶炼",
        "铝业",
        "aluminium",
        (150_000, 800_000),
        0.0,
        4.0,
        ("coal_boiler", "industrial_wastewater"),
        ("tieshangang",),
    ),
    Industry(
        "2614",
        "有机化学原料制造",
        "化工",
        "chemical",
        (20_000, 200_000),
        0.15,
        1.0,
        ("industrial_wastewater", "gas_boiler"),
        ("tieshangang", "hepu"),
    ),
    Industry(
        "3041",
        "平板玻璃制造",
        "玻璃",
        "glass",
        (30_000, 120_000),
        0.0,
        1.5,
        ("glass_furnace", "industrial_wastewater"),
        ("tieshangang", "hepu"),
    ),
    Industry(
        "2221",
        "机制纸及纸板制造",
        "纸业",
        "paper",
        (10_000, 120_000),
        0.0,
        0.8,
        ("industrial_wastewater", "coal_boiler"),
        ("tieshangang", "hepu", "yinhai"),
    ),
    Industry(
        "1340",
        "制糖业",
        "糖业",
        "sugar",
        (3_000, 40_000),
        0.0,
        0.6,
        ("industrial_wastewater", "gas_boiler"),
        ("hepu",),
    ),
    Industry(
        "1331",
        "食用植物油加工",
        "粮油",
        "food",
        (2_000, 20_000),
        0.0,
        0.2,
        ("industrial_wastewater", "gas_boiler"),
        ("yinhai", "haicheng", "tieshangang"),
    ),
    Industry(
        "4620",
        "污水处理及其再生利用",
        "水务",
        "sewage",
        (800, 6_000),
        0.0,
        0.3,
        ("municipal_wastewater", "municipal_wastewater"),
        ("haicheng", "yinhai", "hepu"),
    ),
    Industry(
        "3982",
        "电子电路制造",
        "电子",
        "electronics",
        (5_000, 60_000),
        0.0,
        0.1,
        ("industrial_wastewater", "gas_boiler"),
        ("yinhai", "haicheng"),
    ),
)


def credit_code(index: int, area_code: str) -> str:
    """The valid unified social credit code of generated enterprise ``index`` (0-based)."""
    body = f"{CODE_BODY_PREFIX}{index + 1:0{CODE_DIGITS}d}"
    first17 = f"91{DIVISIONS[area_code]}{body}{creditcode.organization_check_character(body)}"
    return first17 + creditcode.make_check_character(first17)


@dataclass(frozen=True)
class GeneratedEnterprise:
    index: int
    pk: int
    credit_code: str
    name: str
    short_name: str
    area: Area
    industry: Industry


def _report_times(year: int, last: datetime) -> tuple[datetime, datetime]:
    """Submitted at the end of March after the year, approved three weeks later (at most
    ``last``, the end of the range)."""
    submitted = min(datetime.combine(date(year + 1, 3, 31), time(10), ZONE), last)
    return submitted, min(submitted + timedelta(days=21), last)


def create(
    count: int, years: Sequence[int], seed: int, areas: dict[str, Area], last: datetime
) -> tuple[list[GeneratedEnterprise], int]:
    """Create ``count`` enterprises and their reports; returns them and the report count.

    years: The report years, ascending; the last one's reports are submitted, not approved.
    last: The end of the generated range (no report is submitted after it).
    """
    if count > MAX_ENTERPRISES:
        raise ValueError(f"at most {MAX_ENTERPRISES} generated enterprises")
    generated, rows = [], []
    plans = []
    parks = district_parks(areas, industrial_parks())
    for index in range(count):
        rng = np.random.default_rng([seed, ENTERPRISE_STREAM, index])
        industry = INDUSTRIES[int(rng.integers(len(INDUSTRIES)))]
        area_code = industry.districts[int(rng.integers(len(industry.districts)))]
        trade = "".join(rng.choice(list(TRADE_SYLLABLES), 2, replace=False))
        short_name = f"{TOWN.get(area_code, '北海')}{trade}{industry.word}"
        code = credit_code(index, area_code)
        rows.append(
            Enterprise(
                credit_code=code,
                name=f"{short_name}有限公司（{MARKER}{index + 1:04d}）",
                area=areas[area_code],
                industry_code=industry.code,
                industry_name=industry.name,
                park=parks.get(area_code, "") if industry.tce[0] >= 10_000 else "",
                is_demo=True,
            )
        )
        plans.append((rng, industry, short_name))
    created = Enterprise.objects.bulk_create(rows, batch_size=1000)
    reports, lines = [], []
    for index, (enterprise, (rng, industry, short_name)) in enumerate(
        zip(created, plans, strict=True)
    ):
        generated.append(
            GeneratedEnterprise(
                index,
                enterprise.pk,
                enterprise.credit_code,
                enterprise.name,
                short_name,
                enterprise.area,
                industry,
            )
        )
        for year, tce, value_added, savings, shares in _yearly(rng, industry, years):
            submitted, reviewed = _report_times(year, last)
            approved = year != years[-1]
            reports.append(
                EnergyReport(
                    enterprise=enterprise,
                    year=year,
                    raw_material_tce=round(tce * industry.raw_material_share, 1),
                    value_added_10k_yuan=round(value_added, 1),
                    savings_tce=round(savings, 1),
                    saving_projects="余热回收、电机变频改造（生成数据）",
                    note=MARKER,
                    is_demo=True,
                    status=Status.APPROVED if approved else Status.SUBMITTED,
                    submitted_at=submitted,
                    reviewed_at=reviewed if approved else None,
                )
            )
            lines.append(carrier_lines(tce, shares))
    stored = EnergyReport.objects.bulk_create(reports, batch_size=1000)
    ReportCarrier.objects.bulk_create(
        (
            ReportCarrier(report=report, carrier=carrier, quantity=quantity, unit=unit)
            for report, report_lines in zip(stored, lines, strict=True)
            for carrier, quantity, unit in report_lines
        ),
        batch_size=1000,
    )
    return generated, len(stored)


def _yearly(
    rng: np.random.Generator, industry: Industry, years: Sequence[int]
) -> list[tuple[int, float, float, float, dict[str, float]]]:
    """(year, energy use [tce], value added [10^4 yuan], savings [tce], carrier shares)."""
    low, high = industry.tce
    base = float(np.exp(rng.uniform(np.log(low), np.log(high))))
    growth = rng.uniform(-0.03, 0.05)
    intensity = industry.intensity * rng.uniform(0.7, 1.3)
    result = []
    for year in years:
        tce = base * (1 + growth) ** (year - years[0]) * rng.normal(1.0, 0.03)
        value_added = tce / (intensity * rng.uniform(0.95, 1.05))
        savings = tce * rng.uniform(0.005, 0.03)
        shares = {
            carrier: share * rng.uniform(0.9, 1.1) for carrier, share in MIXES[industry.mix].items()
        }
        result.append((year, tce, value_added, savings, shares))
    return result


def generated_enterprises() -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(is_demo=True, credit_code__regex=CODE_PATTERN)


def _delete_references(model: type[Model], ids: QuerySet[Any]) -> None:
    """Quality findings, overrides and corrections about these (generated) records."""
    content_type = ContentType.objects.get_for_model(model)
    for referring in (Finding, Override, Correction):
        referring.objects.filter(content_type=content_type, object_id__in=ids).delete()


@dataclass(frozen=True)
class Removed:
    enterprises: int
    reports: int


def delete_generated() -> Removed:
    """Delete the generated enterprises, their reports, what refers to them and their history.

    By subqueries, not lists of ids: there may be more than a query takes parameters.
    """
    enterprises = generated_enterprises()
    reports = EnergyReport.objects.filter(enterprise__in=enterprises)
    with transaction.atomic():
        _delete_references(EnergyReport, reports.values("pk"))
        _delete_references(Enterprise, enterprises.values("pk"))
        report_count = reports.count()
        reports.delete()
        enterprise_count = enterprises.count()
        enterprises.delete()
        # Deleting wrote a history row per record; no history of generated data is kept.
        old_enterprises = Enterprise.history.filter(is_demo=True, credit_code__regex=CODE_PATTERN)
        old_reports = EnergyReport.history.filter(enterprise_id__in=old_enterprises.values("id"))
        ReportCarrier.history.filter(report_id__in=old_reports.values("id")).delete()
        old_reports.delete()
        old_enterprises.delete()
    return Removed(enterprise_count, report_count)
