"""`ecer demo generate` on the database: counts, codes, reproducibility, replacement, what
it never touches, the command line and the monitoring pages.

The range is 2024-03-03 to 2024-03-05 (Beijing days): 72 hours. Expected counts come from
the arguments, the factors each medium must report (issue #10) and the gap rule.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from ecer.cli import main
from ecer.core import creditcode
from ecer.web.enterprises import generate as enterprise_generate
from ecer.web.enterprises.models import GB4754_CODE, EnergyReport, Enterprise, ReportCarrier
from ecer.web.generate import Options, generate
from ecer.web.monitoring import blocks, series
from ecer.web.monitoring.models import (
    Measurement,
    MeasurementBlock,
    MonitoringPoint,
    PointPollutant,
)

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2024, 3, 3), date(2024, 3, 5)
HOURS = 72
NOW = datetime(2024, 3, 6, 0, 20, tzinfo=BEIJING)  # every hour of the range is complete
# The factors of issue #10: COD, NH3-N, pH, flow; NOx, SO2, dust, O2, flow.
FACTORS = {
    "water": {"w01018", "w21003", "w01001", "w00000"},
    "gas": {"a21002", "a21026", "a34013", "a19001", "a00000"},
}
DISTRICTS = {"haicheng", "yinhai", "tieshangang", "hepu"}


def run(sources: int = 6, minute_sources: int = 2, seed: int = 0, **days: date) -> list[str]:
    lines: list[str] = []
    options = Options(
        sources, days.get("first", FIRST), days.get("last", LAST), minute_sources, seed
    )
    generate(options, NOW, lines.append)
    return lines


def generated_points() -> list[MonitoringPoint]:
    return list(MonitoringPoint.objects.filter(mn__startswith="ECERGEN").order_by("mn"))


def present_hours(point_index: int, hours: int = HOURS) -> int:
    """Hours the gap rule leaves to a point: it misses h when (h + 41 i) mod 163 < 3."""
    return sum(
        1
        for hour in range(hours)
        if (hour + series.GAP_STRIDE * point_index) % series.GAP_PERIOD >= series.GAP_HOURS
    )


def snapshot() -> dict[str, Any]:
    """Everything generated, without database ids."""
    return {
        "measurements": sorted(
            Measurement.objects.filter(point__mn__startswith="ECERGEN").values_list(
                "point__mn", "cn", "data_time", "pollutant", "kind", "value", "flag"
            )
        ),
        "blocks": sorted(
            MeasurementBlock.objects.filter(point__mn__startswith="ECERGEN").values_list(
                "point__mn", "cn", "start", "count", "fields", "offsets", "samples", "flags"
            )
        ),
        "points": sorted(
            MonitoringPoint.objects.filter(mn__startswith="ECERGEN").values_list(
                "mn", "name", "enterprise_code", "area__code", "medium", "password"
            )
        ),
        "limits": sorted(
            PointPollutant.objects.filter(point__mn__startswith="ECERGEN").values_list(
                "point__mn", "pollutant", "upper_limit", "lower_limit", "reference_o2"
            )
        ),
        "enterprises": sorted(
            enterprise_generate.generated_enterprises().values_list(
                "credit_code", "name", "area__code", "industry_code"
            )
        ),
        "carriers": sorted(
            ReportCarrier.objects.filter(report__note="生成数据").values_list(
                "report__enterprise__credit_code", "report__year", "carrier", "quantity", "unit"
            )
        ),
    }


def test_it_creates_the_counts_the_arguments_ask_for(loaded_plan: Any) -> None:
    run(sources=6, minute_sources=2)
    points = generated_points()
    assert len(points) == 6
    assert enterprise_generate.generated_enterprises().count() == math.ceil(6 / 2)
    # One report per enterprise and year of the range (2024 only).
    assert EnergyReport.objects.filter(enterprise__credit_code__contains="GEN").count() == 3
    for index, point in enumerate(points):
        assert point.mn == f"ECERGEN{index + 1:017d}"
        codes = set(point.pollutants.values_list("pollutant", flat=True))
        assert codes == FACTORS[point.medium]
        hours = present_hours(index)
        # Avg, Min and Max of every factor, and the Cou of the flow.
        hourly = hours * (3 * len(codes) + 1)
        minute = hours * 60 * 3 * len(codes) if index < 2 else 0
        assert point.measurements.filter(cn="2061").count() == hourly, point.mn
        # Minute data are written as blocks of an hour (issue #10), none as rows.
        assert not point.measurements.filter(cn="2051").exists()
        minute_blocks = blocks.read([point.pk], "2051", blocks.EARLIEST, blocks.LATEST)
        assert len(minute_blocks) == (hours if index < 2 else 0), point.mn
        assert sum(b.values.size for b in minute_blocks) == minute, point.mn
    # The rule left gaps in this run: points 0, 3 and 4 miss hours.
    assert [present_hours(i) for i in range(6)] == [69, 72, 72, 69, 70, 72]


def test_points_enterprises_and_reports_are_consistent_and_valid(loaded_plan: Any) -> None:
    run(sources=6, minute_sources=0)
    enterprises = {e.credit_code: e for e in enterprise_generate.generated_enterprises()}
    for code, enterprise in enterprises.items():
        parsed = creditcode.validate_credit_code(code)
        assert parsed.organization_code_valid
        assert enterprise.is_demo and "生成数据" in enterprise.name
        assert enterprise.area.code in DISTRICTS
        assert GB4754_CODE.match(enterprise.industry_code)
    for point in generated_points():
        owner = enterprises[point.enterprise_code]
        assert point.is_demo and point.enterprise_name == owner.name
        assert point.area == owner.area
        assert (point.data_cn, point.interval_seconds) == ("2061", 3600)
    gas_limits = PointPollutant.objects.filter(
        point__mn__startswith="ECERGEN", pollutant__in=["a21002", "a21026", "a34013"]
    )
    assert all(p.upper_limit and p.reference_o2 for p in gas_limits)


def test_reports_have_realistic_energy_use_with_key_units_among_them(loaded_plan: Any) -> None:
    from ecer.core.energy import total_tce
    from ecer.web.catalog.models import Area
    from ecer.web.catalog.rules import key_unit_threshold

    areas = {a.code: a for a in Area.objects.filter(code__in=DISTRICTS)}
    enterprise_generate.create(20, [2022, 2023, 2024], 0, areas, NOW)
    reports = EnergyReport.objects.filter(note="生成数据").prefetch_related("carriers")
    assert reports.count() == 20 * 3
    totals = [total_tce(c.as_core() for c in r.carriers.all()) for r in reports]
    assert all(100 < tce < 5_000_000 for tce in totals)
    threshold = key_unit_threshold()  # the plan's 三(一): 5000 tce, at least
    assert any(threshold.applies_to(t) for t in totals)
    assert not all(threshold.applies_to(t) for t in totals)
    # Earlier years approved, the last one submitted.
    assert set(reports.filter(year=2024).values_list("status", flat=True)) == {"submitted"}
    assert set(reports.filter(year=2022).values_list("status", flat=True)) == {"approved"}
    assert {e.area.code for e in enterprise_generate.generated_enterprises()} == DISTRICTS


def test_the_same_seed_gives_the_same_rows_another_seed_others(loaded_plan: Any) -> None:
    run(sources=4, minute_sources=1, seed=7)
    first = snapshot()
    run(sources=4, minute_sources=1, seed=7)
    assert snapshot() == first
    run(sources=4, minute_sources=1, seed=8)
    other = snapshot()
    assert other["measurements"] != first["measurements"]
    assert other["blocks"] != first["blocks"]
    assert other["enterprises"] != first["enterprises"]


def test_a_second_run_replaces_the_first(loaded_plan: Any) -> None:
    run(sources=6, minute_sources=2)
    assert MeasurementBlock.objects.exists()
    lines = run(sources=3, minute_sources=0, first=LAST)
    assert not MeasurementBlock.objects.exists()
    assert lines[0].startswith("removed earlier generated data: 3 enterprises, 6 points")
    points = generated_points()
    assert [p.mn for p in points] == [f"ECERGEN{i:017d}" for i in (1, 2, 3)]
    assert enterprise_generate.generated_enterprises().count() == 2
    expected = sum(
        present_hours(i, 24) * (3 * len(FACTORS[p.medium]) + 1) for i, p in enumerate(points)
    )
    assert Measurement.objects.filter(point__mn__startswith="ECERGEN").count() == expected
    # No history is kept of generated data, deleted or not.
    assert not MonitoringPoint.history.filter(mn__startswith="ECERGEN").exists()
    assert not Enterprise.history.filter(credit_code__contains="GEN").exists()


def test_real_and_demo_data_are_never_touched(loaded_plan: Any) -> None:
    from ecer.web.catalog.models import Area
    from ecer.web.enterprises.demo import load_demo
    from ecer.web.monitoring.demo import ensure_demo_points

    with time_machine.travel(NOW, tick=False):
        list(load_demo())
        ensure_demo_points(NOW)
    hepu = Area.objects.get(code="hepu")
    real = MonitoringPoint.objects.create(
        mn="88888880000001", name="真实监测点", medium="water", password="x", area=hepu
    )
    Measurement.objects.create(
        point=real, data_time=NOW, cn="2061", pollutant="w01018", kind="Avg", value=1.0, flag="N"
    )
    first17 = "91450521MA5X00001"  # a real enterprise's code (invented, valid)
    Enterprise.objects.create(
        credit_code=first17 + creditcode.make_check_character(first17),
        name="真实企业",
        area=hepu,
        industry_code="3011",
        industry_name="水泥制造",
    )

    def others() -> tuple[Any, ...]:
        return (
            sorted(
                MonitoringPoint.objects.exclude(mn__startswith="ECERGEN").values_list("mn", "name")
            ),
            Measurement.objects.exclude(point__mn__startswith="ECERGEN").count(),
            PointPollutant.objects.exclude(point__mn__startswith="ECERGEN").count(),
            sorted(
                Enterprise.objects.exclude(credit_code__contains="GEN").values_list(
                    "credit_code", "name"
                )
            ),
            EnergyReport.objects.exclude(note="生成数据").count(),
            ReportCarrier.objects.exclude(report__note="生成数据").count(),
        )

    before = others()
    assert before[1] > 0 and len(before[0]) == 5 and len(before[3]) == 6
    run()
    run(sources=2, minute_sources=0)
    assert others() == before
    # And the demo loaders, run again after the generator, still see their own data.
    assert ensure_demo_points(NOW) == "monitoring demo: already loaded"


def test_the_command_prints_progress_on_stderr(loaded_plan: Any, capsys: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        status = main(
            ["demo", "generate", "--sources", "3", "--minute-sources", "1", "--days", "2"]
        )
    assert status == 0
    captured = capsys.readouterr()
    assert "sources 3/3:" in captured.err and "rows written" in captured.err
    assert "rows/s" in captured.err
    # PostgreSQL: the planner's statistics of the loaded tables are fresh.
    assert ("analyzed the loaded tables" in captured.err) == (connection.vendor == "postgresql")
    assert captured.out.startswith("generated 2 enterprises, 2 reports, 3 points")
    # --days 2 up to today, 6 March, whose first hour is not complete yet: 5 March only.
    for index, point in enumerate(generated_points()):
        hourly = present_hours(index, 24) * (3 * len(FACTORS[point.medium]) + 1)
        assert point.measurements.filter(cn="2061").count() == hourly


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sources", "2", "--days", "1", "--minute-sources", "3"], "minute sources"),
        (["--sources", "2", "--days", "1", "--end", "2099-01-01"], "in the future"),
    ],
)
def test_the_command_refuses_bad_arguments(
    loaded_plan: Any, capsys: Any, args: list[str], message: str
) -> None:
    assert main(["demo", "generate", *args]) == 1
    assert message in capsys.readouterr().err
    assert not generated_points()


def test_the_pages_show_the_generated_data(admin_client: Any, loaded_plan: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        run(sources=6, minute_sources=1)
        response = admin_client.get("/monitoring/")
        assert response.status_code == 200
        statuses = response.context["statuses"]
        assert {s.point.mn for s in statuses} >= {p.mn for p in generated_points()}
        assert "生成数据" in response.content.decode()
        assert admin_client.get("/monitoring/validity/").status_code == 200
        assert admin_client.get("/monitoring/alarms/").status_code == 200
        for point in generated_points()[:2]:
            page = admin_client.get(f"/monitoring/points/{point.pk}/")
            assert page.status_code == 200
            minute = admin_client.get(f"/monitoring/points/{point.pk}/?cn=2051")
            assert minute.status_code == 200
        listing = admin_client.get("/enterprises/")
        assert listing.status_code == 200 and "生成数据0001" in listing.content.decode()
        for enterprise in enterprise_generate.generated_enterprises():
            page = admin_client.get(f"/enterprises/{enterprise.credit_code}/")
            assert page.status_code == 200
            report = admin_client.get(f"/enterprises/{enterprise.credit_code}/reports/2024/")
            assert report.status_code == 200


def test_the_rollups_are_kept_during_the_load_and_the_rows_sit_in_month_partitions(
    loaded_plan: Any,
) -> None:
    from django.db import connection

    from ecer.web.monitoring import partitions, rollups
    from ecer.web.monitoring.models import Rollup

    run(sources=2, minute_sources=1)
    ids = sorted(p.pk for p in generated_points())

    def snapshot() -> list[tuple[Any, ...]]:
        return sorted(
            Rollup.objects.filter(point__in=ids).values_list(
                "point_id", "cn", "pollutant", "kind", "level", "start", "count", "valid_count"
            )
        )

    kept = snapshot()
    assert kept and {row[4] for row in kept} == {"hour", "day", "month"}
    rollups.rebuild(ids)
    assert snapshot() == kept  # the triggers kept them while the rows were copied in
    if partitions.is_partitioned():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT tableoid::regclass::text FROM monitoring_measurement "
                "WHERE point_id = ANY(%s)",
                [ids],
            )
            assert {row[0] for row in cursor.fetchall()} == {"monitoring_measurement_p202403"}
    run(sources=1, minute_sources=0)  # a new run removes the old points' rollups too
    assert (
        not Rollup.objects.filter(point__in=ids)
        .exclude(point__in=[p.pk for p in generated_points()])
        .exists()
    )


def test_ranges_count_back_from_the_last_day() -> None:
    from ecer.web.generate import days_back, hour_axis, years_back

    assert days_back(date(2024, 3, 5), 3) == date(2024, 3, 3)
    assert years_back(date(2024, 3, 5), 1) == date(2023, 3, 6)
    assert years_back(date(2024, 2, 29), 1) == date(2023, 3, 1)  # 2023 has no 29 February
    axis = hour_axis(FIRST, LAST, NOW)
    assert (axis.start, axis.hours) == (datetime(2024, 3, 3, tzinfo=BEIJING), HOURS)
    # Only the complete hours before now: 5 March 10:20 leaves 00:00–09:00 of that day.
    assert hour_axis(FIRST, LAST, datetime(2024, 3, 5, 10, 20, tzinfo=BEIJING)).hours == 58
    assert hour_axis(FIRST, LAST, datetime(2024, 3, 1, tzinfo=BEIJING)).hours == 0
