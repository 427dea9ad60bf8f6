"""Each adapter turns a stored record into the dict and context the core rules judge; real
numbers throughout."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ecer.core.quality import evaluate
from ecer.web.catalog.models import Area
from ecer.web.energy.models import CarrierConsumption, DistrictEnergyYear
from ecer.web.enterprises.models import Enterprise, Meter, MeterReading
from ecer.web.quality import adapters, services
from ecer.web.quality.models import FindingStatus

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def codes(check: adapters.Check) -> set[str]:
    rule_set = services.active_rule_set().rule_set()
    return {f.rule_code for f in evaluate(rule_set, check.record, check.context)}


def test_the_enterprise_report_record_and_its_online_context(cement: Any) -> None:
    (check,) = adapters.enterprise_report_checks(cement)
    r = check.record
    # Raw coal 520 000 × 0.97 t × 0.7143 kgce/kg = 360 293.9 tce; diesel 1 200 × 0.97 t ×
    # 1.4571 = 1 696.1 tce; electricity 21 000 × 0.97 × 10^4 kWh × 0.1229 = 25 034.7 tce.
    assert r["energy_coal"] == pytest.approx(520_000 * 0.97 * 0.7143, rel=1e-4)
    assert r["energy_oil"] == pytest.approx(1_200 * 0.97 * 1.4571, rel=1e-4)
    assert r["energy_electricity"] == pytest.approx(25_034.73, abs=0.01)
    assert r["total_energy"] == pytest.approx(
        r["energy_coal"] + r["energy_oil"] + r["energy_electricity"]
    )
    # Only the metered carrier (electricity) is compared with the meter.
    assert r["metered_energy"] == pytest.approx(r["energy_electricity"])
    assert check.context.online_total is not None
    assert check.context.online_total.value == pytest.approx(25_034.73 * 1.08, rel=1e-6)
    # 2024 is a leap year: 8 784 hourly readings expected, a six-hour gap in December.
    assert (check.context.intervals_expected, check.context.intervals_present) == (8_784, 8_778)
    # The 2023 report (approved, f = 1.0) is the previous year: −3 % is no change to flag.
    assert check.context.previous is not None
    assert check.context.previous["total_energy"] == pytest.approx(r["total_energy"] / 0.97)
    assert codes(check) == {"ENT-ONLINE-RECONCILE"}


def district_row(hepu: Area, sector_industry_tce: float) -> DistrictEnergyYear:
    row = DistrictEnergyYear.objects.create(
        area=hepu,
        year=2023,
        gdp_current_10k_yuan=4_000_000,
        gdp_index=106.2,
        sector_primary_tce=60_000,
        sector_industry_tce=sector_industry_tce,
        sector_construction_tce=20_000,
        sector_transport_tce=80_000,
        sector_commercial_tce=50_000,
        sector_residential_tce=90_000,
    )
    # 100 000 × 10^4 kWh × 0.1229 = 122 900 tce; 300 000 t raw coal × 0.7143 = 214 290 tce:
    # 337 190 tce in all.
    CarrierConsumption.objects.create(
        energy_year=row, carrier="electricity", quantity=100_000, unit="10^4 kWh"
    )
    CarrierConsumption.objects.create(
        energy_year=row, carrier="raw_coal", quantity=300_000, unit="t"
    )
    return row


def test_the_district_record_is_in_ten_thousand_tce_and_hundred_million_yuan(
    loaded_plan: Any,
) -> None:
    row = district_row(Area.objects.get(code="hepu"), sector_industry_tce=37_190)
    (check,) = adapters.district_energy_checks(row)
    r = check.record
    assert r["total_energy"] == pytest.approx(33.719)  # 337 190 tce
    assert r["gdp"] == pytest.approx(400.0)  # 4 000 000 × 10^4 yuan
    assert r["energy_secondary"] == pytest.approx(5.719)  # industry + construction
    assert r["energy_tertiary"] == pytest.approx(13.0)  # transport + commercial
    # Sectors 6 + 5.719 + 13 + 9 = 33.719 = the carriers' total.
    assert codes(check) == set()


def test_sectors_that_do_not_add_up_are_an_error(loaded_plan: Any) -> None:
    # Industry 57 190 instead of 37 190: sectors 35.719 vs 33.719, 5.93 % off (> 0.5 %).
    row = district_row(Area.objects.get(code="hepu"), sector_industry_tce=57_190)
    found = {f.rule_code: f for f in services.check_record(row)}
    assert found["DIST-SECTORS-SUM"].figures["deviation_pct"] == pytest.approx(5.931, abs=1e-3)
    assert found["DIST-SECTORS-SUM"].area.code == "hepu"


def test_the_base_year_is_not_asked_for_a_gdp_index(loaded_plan: Any) -> None:
    row = DistrictEnergyYear.objects.create(
        area=Area.objects.get(code="hepu"), year=2020, gdp_current_10k_yuan=3_500_000
    )
    (check,) = adapters.district_energy_checks(row)
    assert check.context.record_kind == "district_energy_base_year"
    # No carriers yet: the total is missing, which the base-year copy still requires.
    assert codes(check) == {"DIST-REQ-ENERGY-BASE"}


@pytest.fixture
def meter(loaded_plan: Any) -> Meter:
    firm = Enterprise.objects.create(
        credit_code="91450502MA5HC00155",
        name="海城测试冷库",
        area=Area.objects.get(code="haicheng"),
        industry_code="5951",
        industry_name="低温仓储",
    )
    return Meter.objects.create(
        enterprise=firm,
        code="E-01",
        name="总表",
        carrier="electricity",
        unit="kWh",
        kind=Meter.Kind.CUMULATIVE,
        max_rate_per_hour=1_000,
    )


def readings(meter: Meter, hours: int, jump_at: int | None = None) -> None:
    """Hourly register from 1 June 2024 00:00, 500 kWh an hour; at ``jump_at`` an
    impossible 20 000 kWh hour (above the 1 000 kWh/h the connection allows)."""
    start = datetime(2024, 6, 1, tzinfo=BEIJING)
    register, rows = 10_000.0, []
    for h in range(hours + 1):
        rows.append(MeterReading(meter=meter, time=start + timedelta(hours=h), value=register))
        register += 20_000 if h == jump_at else 500
    MeterReading.objects.bulk_create(rows)


def test_a_complete_consistent_month_has_no_findings(meter: Meter) -> None:
    readings(meter, 720)  # June: 30 × 24 hourly intervals
    (check,) = adapters.online_month_checks(meter, 2024, 6)
    assert (check.context.intervals_expected, check.context.intervals_present) == (720, 720)
    assert check.context.online_daily_sum is not None
    # 720 h × 500 kWh × 0.1229 kgce/kWh = 44.244 tce, by days and by register alike.
    assert check.context.online_daily_sum.value == pytest.approx(44.244)
    assert check.context.online_monthly_total is not None
    assert check.context.online_monthly_total.value == pytest.approx(44.244)
    assert codes(check) == set()


def test_an_impossible_hour_makes_days_disagree_with_the_register(meter: Meter) -> None:
    readings(meter, 720, jump_at=100)
    (check,) = adapters.online_month_checks(meter, 2024, 6)
    # The impossible hour is not counted in the days: 719 × 500 = 359 500 kWh = 44.18 tce;
    # the register moved 719 × 500 + 20 000 = 379 500 kWh = 46.64 tce: 5.27 % off (> 5 %).
    assert check.context.online_daily_sum.value == pytest.approx(44.18255)  # type: ignore[union-attr]
    assert check.context.online_monthly_total.value == pytest.approx(46.64055)  # type: ignore[union-attr]
    assert codes(check) == {"ONL-DAILY-MONTHLY"}


def test_a_month_with_ten_days_missing_is_incomplete(meter: Meter) -> None:
    readings(meter, 480)  # 481 readings of the 720 expected: 66.8 %
    (check,) = adapters.online_month_checks(meter, 2024, 6)
    assert (check.context.intervals_expected, check.context.intervals_present) == (720, 481)
    assert "ONL-COMPLETENESS" in codes(check)


def test_the_nightly_run_files_online_findings_per_meter_and_month(meter: Meter) -> None:
    readings(meter, 480)
    summary = services.run_all()
    assert summary.series == 1  # June 2024 only: the last reading is inside June
    found = services.findings_for(meter).get()
    assert (found.period, found.rule_code, found.status) == (
        "2024-06",
        "ONL-COMPLETENESS",
        FindingStatus.OPEN,
    )
    assert found.enterprise == meter.enterprise
