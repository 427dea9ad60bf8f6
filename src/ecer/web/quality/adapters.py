"""One adapter per kind of record: the record as the plain dict ``ecer.core.quality`` judges,
and the :class:`~ecer.core.quality.Context` with what it is checked against (previous year,
online sums and interval counts from ``enterprises.services``).

Units: district figures in 万吨标准煤 and 亿元 (the statistical yearbook's units), enterprise
figures and online data in 吨标准煤, observations in their target's indicator unit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.utils import timezone

from ecer.core import energy as core_energy
from ecer.core.quality import Context, Quantity
from ecer.web.audit.models import Status
from ecer.web.audit.version import data_version
from ecer.web.catalog.models import ANNUAL, Observation, Plan
from ecer.web.energy import services as energy_services
from ecer.web.energy.models import DistrictEnergyYear
from ecer.web.enterprises import services as enterprise_services
from ecer.web.enterprises.models import EnergyReport, Meter, MeterReading
from ecer.web.indicators import service as indicators
from ecer.web.indicators.feeds import FeedContext
from ecer.web.quality.defaults import BASE_YEAR_KIND, RECONCILIATION_KIND

COUNTED = (Status.SUBMITTED, Status.APPROVED)
TCE = "吨标准煤"
TEN_K_TCE = "万吨标准煤"
HUNDRED_M_YUAN = "亿元"

# Carrier groups of the report's carrier fields (ENT-CARRIERS-SUM).
CARRIER_GROUPS = {
    "energy_coal": (
        "raw_coal",
        "cleaned_coal",
        "other_washed_coal",
        "briquette",
        "coke",
        "other_coking_products",
    ),
    "energy_oil": (
        "crude_oil",
        "fuel_oil",
        "gasoline",
        "kerosene",
        "diesel",
        "lpg",
        "refinery_dry_gas",
        "other_petroleum_products",
    ),
    "energy_gas": (
        "natural_gas",
        "coke_oven_gas",
        "blast_furnace_gas",
        "converter_gas",
        "other_gas",
    ),
    "energy_electricity": ("electricity",),
    "energy_heat": ("heat",),
}


@dataclass(frozen=True)
class Check:
    """One evaluation: the record, its context, and where a finding is filed."""

    record: dict[str, Any]
    context: Context
    subject: Model
    period: str
    label: str
    area_id: int | None = None
    target_id: int | None = None
    enterprise_id: int | None = None


# --- target observations -----------------------------------------------------------------


def _period(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}" if quarter else str(year)


def observation_checks(obs: Observation) -> list[Check]:
    unit = obs.target.observation_unit
    record = {"target": obs.target.code, "value": obs.value, "value_unit": unit}
    record["source"] = obs.source
    previous = (
        Observation.objects.filter(
            target=obs.target,
            area=obs.area,
            year=obs.year - 1,
            quarter=obs.quarter,
            status__in=COUNTED,
        )
        .values_list("value", flat=True)
        .first()
    )
    before = None if previous is None else {"value": previous, "value_unit": unit}
    period = _period(obs.year, obs.quarter)
    label = f"{obs.target.name} · {obs.area.name} · {period}"
    common = {
        "subject": obs,
        "period": "",
        "label": label,
        "area_id": obs.area_id,
        "target_id": obs.target_id,
    }
    return [
        Check(record, Context("target_observation", previous=before), **common),
        Check(record, Context(f"target_observation:{obs.target.code}", previous=before), **common),
    ]


# --- districts' yearly energy and GDP data -------------------------------------------------


def district_record(row: DistrictEnergyYear) -> dict[str, Any]:
    """Total energy from the carriers [10^4 tce], GDP [10^8 yuan], the GDP index and the
    sectors grouped as the default rules expect (secondary = industry + construction;
    tertiary = transport + commercial)."""
    carriers = list(row.carriers.all())
    record: dict[str, Any] = {
        "gdp": row.gdp_current_10k_yuan / 1e4,  # 10^4 yuan → 10^8 yuan
        "gdp_unit": HUNDRED_M_YUAN,
        "gdp_index": row.gdp_index,
    }
    if carriers:
        record["total_energy"] = energy_services.gross_tce(row, carriers) / 1e4  # tce → 10^4 tce
        record["total_energy_unit"] = TEN_K_TCE
    sectors = row.sector_values()
    groups = {
        "energy_primary": ("primary",),
        "energy_secondary": ("industry", "construction"),
        "energy_tertiary": ("transport", "commercial"),
        "energy_residential": ("residential",),
    }
    for name, members in groups.items():
        values = [sectors[m] for m in members if sectors[m] is not None]
        if values:
            record[name] = math.fsum(v for v in values if v is not None) / 1e4
            record[f"{name}_unit"] = TEN_K_TCE
    return record


def energy_plan_base_year() -> int | None:
    plan = Plan.objects.order_by("-target_year", "code").first()
    return plan.base_year if plan is not None else None


def district_energy_checks(row: DistrictEnergyYear) -> list[Check]:
    previous = (
        DistrictEnergyYear.objects.filter(area=row.area, year=row.year - 1)
        .prefetch_related("carriers")
        .first()
    )
    base_year = energy_plan_base_year()
    kind = BASE_YEAR_KIND if row.year == base_year else "district_energy_year"
    context = Context(kind, previous=district_record(previous) if previous is not None else None)
    return [
        Check(
            district_record(row),
            context,
            subject=row,
            period="",
            label=f"{row.area.name} {row.year} 年能耗与生产总值",
            area_id=row.area_id,
        )
    ]


# --- enterprise annual energy reports ------------------------------------------------------


def enterprise_record(report: EnergyReport) -> tuple[dict[str, Any], set[str]]:
    """The report's figures [tce] and the carriers it reports."""
    figures = enterprise_services.report_figures(report)
    by_carrier = figures.tce_by_carrier
    record: dict[str, Any] = {
        "credit_code": report.enterprise.credit_code,
        "total_energy": figures.gross_tce,
        "total_energy_unit": TCE,
    }
    grouped = {c for members in CARRIER_GROUPS.values() for c in members}
    for name, members in CARRIER_GROUPS.items():
        values = [by_carrier[c] for c in members if c in by_carrier]
        if values:
            record[name] = math.fsum(values)
            record[f"{name}_unit"] = TCE
    other = [v for c, v in by_carrier.items() if c not in grouped]
    if other:
        record["energy_other"] = math.fsum(other)
        record["energy_other_unit"] = TCE
    return record, set(by_carrier)


def enterprise_report_checks(report: EnergyReport) -> list[Check]:
    """The report against its previous year's counted report and the year's online data;
    ``metered_energy`` is the report's consumption of the carriers that have meters."""
    record, _carriers = enterprise_record(report)
    previous_report = (
        EnergyReport.objects.filter(
            enterprise=report.enterprise, year=report.year - 1, status__in=COUNTED
        )
        .prefetch_related("carriers")
        .first()
    )
    previous = enterprise_record(previous_report)[0] if previous_report else None
    online_total = None
    expected = present = None
    data = enterprise_services.online_year(report.enterprise, report.year)
    if any(d.series.intervals for d in data):
        metered = {d.meter.carrier for d in data}
        by_carrier = enterprise_services.report_figures(report).tce_by_carrier
        record["metered_energy"] = math.fsum(by_carrier.get(c, 0.0) for c in metered)
        record["metered_energy_unit"] = TCE
        online_total = Quantity(math.fsum(d.tce for d in data), TCE)
        start, end = enterprise_services.year_bounds(report.year)
        counts = [interval_counts(d.meter, start, end) for d in data]
        expected = sum(c[0] for c in counts)
        present = sum(c[1] for c in counts)
    context = Context(
        "enterprise_energy_report",
        previous=previous,
        online_total=online_total,
        intervals_expected=expected,
        intervals_present=present,
    )
    enterprise = report.enterprise
    return [
        Check(
            record,
            context,
            subject=report,
            period="",
            label=f"{enterprise.name} {report.year} 年能源利用状况报告",
            area_id=enterprise.area_id,
            enterprise_id=enterprise.pk,
        )
    ]


# --- online energy data, one meter and month ---------------------------------------------


def interval_counts(meter: Meter, start: datetime, end: datetime) -> tuple[int, int]:
    """(expected, present) readings of [start, min(end, now)) at the meter's interval."""
    end = min(end, timezone.now())
    step = enterprise_services.policy(meter).expected_interval
    expected = max(0, (end - start) // step)
    present = (
        MeterReading.objects.filter(meter=meter, time__gte=start, time__lt=end)
        .values("time")
        .distinct()
        .count()
    )
    return expected, min(present, expected)


def register_difference(meter: Meter, start: datetime, end: datetime) -> float | None:
    """Monthly total from the register: last reading at or before ``end`` minus the last at or
    before ``start`` [meter unit]; None for interval meters, too few readings or a wrap."""
    if meter.kind != Meter.Kind.CUMULATIVE:
        return None

    def last_before(moment: datetime) -> float | None:
        return (
            MeterReading.objects.filter(meter=meter, time__lte=moment)
            .order_by("-time")
            .values_list("value", flat=True)
            .first()
        )

    first, last = last_before(start), last_before(end)
    if first is None or last is None or last < first:
        return None
    return last - first


def online_month_checks(meter: Meter, year: int, month: int) -> list[Check]:
    """Σ daily totals (from the checked intervals) against the month's register difference,
    and the month's completeness, in tce."""
    tz = timezone.get_default_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = start.replace(year=year + month // 12, month=month % 12 + 1)
    data = enterprise_services.meter_data(meter, start, end)
    expected, present = interval_counts(meter, start, end)
    daily_sum = monthly = None
    register = register_difference(meter, start, min(end, timezone.now()))
    if data.daily and register is not None:
        daily = math.fsum(data.daily.values())
        daily_sum = Quantity(core_energy.to_tce(meter.carrier, daily, meter.unit), TCE)
        monthly = Quantity(core_energy.to_tce(meter.carrier, register, meter.unit), TCE)
    context = Context(
        "online_energy_series",
        online_daily_sum=daily_sum,
        online_monthly_total=monthly,
        intervals_expected=expected or None,
        intervals_present=present if expected else None,
    )
    enterprise = meter.enterprise
    period = f"{year}-{month:02d}"
    return [
        Check(
            {"meter": meter.code},
            context,
            subject=meter,
            period=period,
            label=f"{enterprise.name} · {meter.code} {meter.name} · {period}",
            area_id=enterprise.area_id,
            enterprise_id=enterprise.pk,
        )
    ]


# --- reported figures of computed targets ------------------------------------------------


def reconciliation_checks(plan: Plan) -> list[Check]:
    """One check per approved annual figure reported for a computed target (a target whose
    ``feed`` is not ``reported``): the figure against the computed one, as the indicator
    service reconciles them for the target page, so a finding's numbers are the page's.

    Every such figure gets a check, also when it agrees or nothing is computed for its year:
    a finding no longer found is then resolved.
    """
    computed = list(plan.targets.exclude(feed=indicators.REPORTED))
    reported = (
        Observation.objects.filter(
            target__in=computed, quarter=ANNUAL, status=Status.APPROVED, year__lte=plan.target_year
        )
        .select_related("target", "area")
        .order_by("year", "area__sort_order", "target__sort_order")
    )
    by_year_area: dict[tuple[int, int], list[Observation]] = defaultdict(list)
    for obs in reported:
        by_year_area[(obs.year, obs.area_id)].append(obs)
    contexts: dict[int, FeedContext] = {}
    version = data_version()
    checks = []
    for (year, _area_id), observations in by_year_area.items():
        area = observations[0].area
        context = contexts.setdefault(year, FeedContext(plan, year))
        found = {
            item.target.pk: item.reconciliation
            for item in indicators.evaluate(
                plan,
                area,
                year,
                targets=[o.target for o in observations],
                context=context,
                version=version,
            )
        }
        for obs in observations:
            reconciliation = found.get(obs.target_id)
            if reconciliation is not None and reconciliation.year != year:
                reconciliation = None  # nothing computed for this year: the figure stands alone
            record = {
                "target": obs.target.name,
                "area": area.name,
                "year": year,
                "value": obs.value,
                "value_unit": obs.target.observation_unit,
            }
            checks.append(
                Check(
                    record,
                    Context(RECONCILIATION_KIND, reconciliation=reconciliation),
                    subject=obs,
                    period="",
                    label=f"{obs.target.name} · {area.name} · {year}",
                    area_id=obs.area_id,
                    target_id=obs.target_id,
                )
            )
    return checks


def checks_for(record: Model) -> list[Check]:
    if isinstance(record, Observation):
        return observation_checks(record)
    if isinstance(record, DistrictEnergyYear):
        return district_energy_checks(record)
    if isinstance(record, EnergyReport):
        return enterprise_report_checks(record)
    raise TypeError(f"no data-quality adapter for {type(record).__name__}")
