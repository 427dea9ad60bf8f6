"""The illustrative dual-control data set (示例数据): invented figures, NOT Beihai's statistics.

2020–2024 for the four districts; the city's rows are the sums of the districts (its GDP
index is the districts' indices weighted by the previous year's GDP). The districts are
built so that every warning level appears in 2024: 海城区 beats its incentive target, 银海区
keeps to its basic path, 合浦县 grows faster than planned and falls a little behind its path
(yellow for intensity and for total consumption), and 铁山港区 — petrochemicals and steel, with a
separately listed major project from 2022 — is off track with a rising intensity. The rows go
through the same validation as an uploaded workbook (``ecer.web.energy.io.import_rows``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ecer.core import energy as core_energy
from ecer.web.catalog.models import Area, Plan
from ecer.web.energy.io import import_rows
from ecer.web.energy.models import (
    PRODUCTION_SECTORS,
    SECTORS,
    DistrictEnergyYear,
    DistrictTarget,
    sector_field,
    value_added_field,
)

DEMO_SOURCE = "示例数据（虚构，仅供演示）"
DEMO_YEARS = range(2020, 2025)
CITY = "beihai"
PRICE_INFLATION = 1.025  # invented deflator growth that turns real into nominal GDP


@dataclass(frozen=True)
class DemoDistrict:
    """Invented inputs of one district.

    gdp_2020: GDP 2020 [10^4 yuan]. indices: GDP index 2021..2024 (previous year = 100).
    assessed_intensity_2020: [tce/10^4 yuan]. intensity_change: yearly factor of the assessed
    intensity 2021..2024. deduction shares are of gross consumption; separately listed [tce].
    """

    code: str
    gdp_2020: float
    indices: tuple[float, ...]
    assessed_intensity_2020: float
    intensity_change: tuple[float, ...]
    raw_material_share: float
    renewable_share: float
    separately_listed_tce: tuple[float, ...]
    carrier_mix: dict[str, float]
    sector_mix: dict[str, float]
    value_added_mix: dict[str, float]
    industry_shift: float  # yearly change of the industry value-added share [share points]
    basic_pct: float
    incentive_pct: float
    planned_growth_pct: float


DISTRICTS = (
    DemoDistrict(
        code="haicheng",
        gdp_2020=3_200_000,
        indices=(107.2, 104.1, 106.3, 105.9),
        assessed_intensity_2020=0.26,
        intensity_change=(0.955, 0.962, 0.958, 0.960),
        raw_material_share=0.0,
        renewable_share=0.06,
        separately_listed_tce=(0, 0, 0, 0, 0),
        carrier_mix={
            "electricity": 0.46,
            "gasoline": 0.16,
            "diesel": 0.12,
            "natural_gas": 0.14,
            "lpg": 0.12,
        },
        sector_mix={
            "primary": 0.02,
            "industry": 0.18,
            "construction": 0.04,
            "transport": 0.22,
            "commercial": 0.28,
            "residential": 0.26,
        },
        value_added_mix={
            "primary": 0.04,
            "industry": 0.16,
            "construction": 0.07,
            "transport": 0.09,
            "commercial": 0.64,
        },
        industry_shift=-0.004,
        basic_pct=14.0,
        incentive_pct=16.0,
        planned_growth_pct=6.5,
    ),
    DemoDistrict(
        code="yinhai",
        gdp_2020=2_500_000,
        indices=(107.8, 104.6, 106.1, 106.4),
        assessed_intensity_2020=0.33,
        intensity_change=(0.972, 0.969, 0.970, 0.968),
        raw_material_share=0.0,
        renewable_share=0.05,
        separately_listed_tce=(0, 0, 0, 0, 0),
        carrier_mix={
            "electricity": 0.48,
            "gasoline": 0.14,
            "diesel": 0.14,
            "natural_gas": 0.12,
            "raw_coal": 0.12,
        },
        sector_mix={
            "primary": 0.03,
            "industry": 0.34,
            "construction": 0.04,
            "transport": 0.16,
            "commercial": 0.20,
            "residential": 0.23,
        },
        value_added_mix={
            "primary": 0.08,
            "industry": 0.34,
            "construction": 0.08,
            "transport": 0.06,
            "commercial": 0.44,
        },
        industry_shift=0.002,
        basic_pct=13.5,
        incentive_pct=15.0,
        planned_growth_pct=7.0,
    ),
    DemoDistrict(
        code="tieshangang",
        gdp_2020=2_900_000,
        indices=(112.5, 108.0, 110.2, 109.1),
        assessed_intensity_2020=1.20,
        intensity_change=(1.012, 1.028, 1.015, 1.021),
        raw_material_share=0.12,
        renewable_share=0.02,
        separately_listed_tce=(0, 0, 260_000, 410_000, 450_000),
        carrier_mix={
            "raw_coal": 0.34,
            "coke": 0.12,
            "natural_gas": 0.10,
            "fuel_oil": 0.08,
            "diesel": 0.04,
            "electricity": 0.30,
            "heat": 0.02,
        },
        sector_mix={
            "primary": 0.01,
            "industry": 0.86,
            "construction": 0.01,
            "transport": 0.06,
            "commercial": 0.02,
            "residential": 0.04,
        },
        value_added_mix={
            "primary": 0.05,
            "industry": 0.66,
            "construction": 0.08,
            "transport": 0.07,
            "commercial": 0.14,
        },
        industry_shift=0.008,
        basic_pct=10.0,
        incentive_pct=12.0,
        planned_growth_pct=9.0,
    ),
    DemoDistrict(
        code="hepu",
        gdp_2020=4_200_000,
        indices=(107.2, 106.8, 107.0, 106.9),
        assessed_intensity_2020=0.46,
        intensity_change=(0.978, 0.976, 0.974, 0.975),
        raw_material_share=0.03,
        renewable_share=0.07,
        separately_listed_tce=(0, 0, 0, 0, 0),
        carrier_mix={
            "raw_coal": 0.22,
            "electricity": 0.40,
            "diesel": 0.14,
            "gasoline": 0.12,
            "natural_gas": 0.06,
            "lpg": 0.06,
        },
        sector_mix={
            "primary": 0.08,
            "industry": 0.42,
            "construction": 0.04,
            "transport": 0.14,
            "commercial": 0.12,
            "residential": 0.20,
        },
        value_added_mix={
            "primary": 0.26,
            "industry": 0.24,
            "construction": 0.08,
            "transport": 0.05,
            "commercial": 0.37,
        },
        industry_shift=0.003,
        basic_pct=13.5,
        incentive_pct=15.0,
        planned_growth_pct=6.5,
    ),
)
# The city's basic target is the plan's (plan 二, the target fed by energy.intensity); its
# incentive target and planned growth are invented, the incentive this far above the basic.
CITY_INCENTIVE_ABOVE_BASIC_PCT = 1.5
CITY_PLANNED_GROWTH_PCT = 7.0


def _tce_per_display_unit(carrier_code: str) -> float:
    carrier = core_energy.CARRIERS[carrier_code]
    return core_energy.to_tce(carrier_code, 1.0, carrier.display_unit)


def _district_rows(d: DemoDistrict) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    real_gdp = d.gdp_2020  # at 2020 prices
    nominal_gdp = d.gdp_2020
    intensity = d.assessed_intensity_2020
    industry_share = d.value_added_mix["industry"]
    for k, year in enumerate(DEMO_YEARS):
        if k > 0:
            real_gdp *= d.indices[k - 1] / 100
            nominal_gdp *= d.indices[k - 1] / 100 * PRICE_INFLATION
            intensity *= d.intensity_change[k - 1]
            industry_share += d.industry_shift
        assessed = intensity * real_gdp
        separately = d.separately_listed_tce[k]
        # gross = assessed + raw material + renewables + separately listed, shares of gross.
        gross = (assessed + separately) / (1 - d.raw_material_share - d.renewable_share)
        carriers = []
        for code, share in d.carrier_mix.items():
            carriers.append(
                {
                    "area": d.code,
                    "year": year,
                    "carrier": code,
                    "quantity": round(gross * share / _tce_per_display_unit(code), 2),
                    "unit": core_energy.CARRIERS[code].display_unit,
                }
            )
        gross_exact = core_energy.total_tce(
            core_energy.Consumption(c["carrier"], c["quantity"], c["unit"]) for c in carriers
        )
        added = dict(d.value_added_mix)
        added["commercial"] -= industry_share - added["industry"]
        added["industry"] = industry_share
        row: dict[str, Any] = {
            "area": d.code,
            "year": year,
            "gdp_current_10k_yuan": round(nominal_gdp, 1),
            "gdp_index": d.indices[k - 1] if k > 0 else None,
            "raw_material_tce": round(gross_exact * d.raw_material_share, 1),
            "renewable_tce": round(gross_exact * d.renewable_share, 1),
            "separately_listed_tce": float(separately),
            "source": DEMO_SOURCE,
            "note": "",
        }
        for s in SECTORS:
            row[sector_field(s)] = round(gross_exact * d.sector_mix[s], 1)
        for s in PRODUCTION_SECTORS:
            row[value_added_field(s)] = round(nominal_gdp * added[s], 1)
        yield row, carriers


def demo_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(year rows, carrier rows) in the import format for the districts and the city."""
    year_rows: list[dict[str, Any]] = []
    carrier_rows: list[dict[str, Any]] = []
    for d in DISTRICTS:
        for row, carriers in _district_rows(d):
            year_rows.append(row)
            carrier_rows.extend(carriers)
    year_rows.extend(_city_rows(year_rows))
    carrier_rows.extend(_city_carriers(carrier_rows))
    return year_rows, carrier_rows


def _city_rows(district_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    summed = [
        "gdp_current_10k_yuan",
        "raw_material_tce",
        "renewable_tce",
        "separately_listed_tce",
        *(sector_field(s) for s in SECTORS),
        *(value_added_field(s) for s in PRODUCTION_SECTORS),
    ]
    rows = []
    for year in DEMO_YEARS:
        this = [r for r in district_rows if r["year"] == year]
        row: dict[str, Any] = {"area": CITY, "year": year, "source": DEMO_SOURCE, "note": ""}
        for name in summed:
            row[name] = round(sum(r[name] for r in this), 1)
        if year == DEMO_YEARS[0]:
            row["gdp_index"] = None
        else:
            previous = {r["area"]: r for r in district_rows if r["year"] == year - 1}
            # City index: districts' indices weighted by their previous-year GDP at current prices.
            weight = sum(previous[r["area"]]["gdp_current_10k_yuan"] for r in this)
            row["gdp_index"] = round(
                sum(previous[r["area"]]["gdp_current_10k_yuan"] * r["gdp_index"] for r in this)
                / weight,
                2,
            )
        rows.append(row)
    return rows


def _city_carriers(district_carriers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[tuple[int, str], float] = {}
    for c in district_carriers:
        key = (c["year"], c["carrier"])
        totals[key] = totals.get(key, 0.0) + c["quantity"]
    return [
        {
            "area": CITY,
            "year": year,
            "carrier": carrier,
            "quantity": round(quantity, 2),
            "unit": core_energy.CARRIERS[carrier].display_unit,
        }
        for (year, carrier), quantity in sorted(totals.items())
    ]


def city_basic_pct(plan: Plan) -> float | None:
    """The plan's energy-intensity decline target (the city's basic target) [%]."""
    target = plan.targets.filter(feed="energy.intensity").first()
    return None if target is None else target.target_value


@transaction.atomic
def load_demo(plan: Plan) -> Iterator[str]:
    """Load the demo targets and years; safe to run again; never overwrites real data."""
    if DistrictEnergyYear.objects.filter(is_demo=False).exists():
        yield "能耗双控：已有真实数据，未载入示例数据"
        return
    if DistrictEnergyYear.objects.exists():
        yield "能耗双控：示例数据已载入"
        return
    targets = {d.code: d for d in DISTRICTS}
    for area in Area.objects.filter(code__in=[CITY, *targets]):
        spec = targets.get(area.code)
        if spec is not None:
            values = {
                "basic_decline_pct": spec.basic_pct,
                "incentive_decline_pct": spec.incentive_pct,
                "planned_gdp_growth_pct": spec.planned_growth_pct,
            }
        else:
            basic = city_basic_pct(plan)
            if basic is None:
                yield "能耗双控：规划方案未给出能耗强度降低目标值，未载入全市示例目标"
                continue
            values = {
                "basic_decline_pct": basic,
                "incentive_decline_pct": basic + CITY_INCENTIVE_ABOVE_BASIC_PCT,
                "planned_gdp_growth_pct": CITY_PLANNED_GROWTH_PCT,
            }
        existing = DistrictTarget.objects.filter(plan=plan, area=area).first()
        if existing is None or existing.is_demo:
            DistrictTarget.objects.update_or_create(
                plan=plan,
                area=area,
                defaults={**values, "source": DEMO_SOURCE, "is_demo": True},
            )
    year_rows, carrier_rows = demo_rows()
    summary = import_rows(year_rows, carrier_rows, plan, is_demo=True)
    yield f"能耗双控示例数据：{summary}"
