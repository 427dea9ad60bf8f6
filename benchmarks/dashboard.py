"""Dashboard and API latency (p50/p95) at 1× and 10× data against the same pages on an
empty database, and the rollups' upkeep against rebuilding them from raw data.

One database is set up (the plan, no demo data) and each page is requested by a logged-in
city administrator through Django's full request stack in this process (the HTTP server and
the network are not measured). Stages, in one run:

* empty — nothing generated: the baseline;
* 1× — ``ecer demo generate --sources S --days D [--minute-sources M]``;
* 10× — the same with 10·S sources (and 10·M minute sources), replacing the 1× data.

Each stage first runs the alarm journal once (``ecer monitoring alarms``, which cron runs
every few minutes; the alarm list reads what it kept) and prints its time, then p50 and p95
per page and their ratio to the empty stage's. After the
last stage, one more day of measurements is inserted for every source twice — with the
rollup triggers, and with them dropped — and the difference (the rollups' upkeep for a
day) is set against ``rollups.rebuild()`` of everything.

Run: ``.venv/bin/python benchmarks/dashboard.py [--sources 200] [--days 14]
[--minute-sources 0] [--requests 20] [--postgres]``; with ``--postgres`` a scratch
database ``ecer_bench_dashboard`` is created on DATABASE_URL's server (default the local
one). Writes ``benchmarks/results/dashboard.json``.

Loading a year for 2,000 sources takes most of an hour, so the issue's target is measured
on a database loaded beforehand: ``--loaded NAME`` compares the pages on the empty scratch
database with the same pages on database NAME of the same server (nothing is written to it
but the benchmark's user and a run of the alarm journal), e.g. after::

    createdb ecer_year
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ecer_year ecer setup
    DATABASE_URL=… ecer demo generate --sources 2000 --years 1 --minute-sources 200
    .venv/bin/python benchmarks/dashboard.py --postgres --loaded ecer_year
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from uploads import scratch_environment  # benchmarks/ is on the path of its scripts

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
ECER = str(Path(sys.executable).parent / "ecer")
SCALE = 10
PAGES = [
    "/",
    "/areas/tieshangang/",
    "/energy/",
    "/energy/tieshangang/",
    "/enterprises/",
    "/enterprises/?key=yes",
    "/enterprises/benchmarks/",
    "/projects/",
    "/reductions/",
    "/rights/",
    "/reports/",
    "/quality/",
    "/quality/overdue/",
    "/observations/",
    "/audit/",
    "/monitoring/",
    "/monitoring/validity/",
    "/monitoring/alarms/",
    "/api/observations",
    "/enterprises/{enterprise}/",
    "/monitoring/points/{point}/",
    "/monitoring/points/{minute_point}/?cn=2051",
]


def configure(postgres: bool) -> None:
    scratch_environment(postgres, "ecer_bench_dashboard")
    subprocess.run([ECER, "setup"], check=True, stdout=subprocess.DEVNULL)
    import django

    django.setup()


def generate(sources: int, days: int, minute_sources: int) -> float:
    """Run the generator; returns its wall time [s]."""
    began = time.perf_counter()
    subprocess.run(
        [
            ECER,
            "demo",
            "generate",
            "--sources",
            str(sources),
            "--days",
            str(days),
            "--minute-sources",
            str(minute_sources),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - began


def client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from ecer.web.accounts.models import Membership, Role

    user, created = get_user_model().objects.get_or_create(username="bench-admin")
    if created:
        Membership.objects.create(user=user, role=Role.CITY_ADMIN)
    browser = Client()
    browser.force_login(user)
    return browser


def latency(browser: Any, url: str, requests: int) -> tuple[float, float]:
    """p50 and p95 of ``requests`` GETs after one warm-up [ms]."""
    response = browser.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    times = []
    for _ in range(requests):
        began = time.perf_counter()
        browser.get(url)
        times.append((time.perf_counter() - began) * 1000)
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return statistics.median(times), cuts[18]


def judge_alarms() -> float:
    """One run of the alarm journal, as cron runs it before the list is read [s]."""
    from django.utils import timezone

    from ecer.web.monitoring import journal

    began = time.perf_counter()
    journal.refresh(timezone.now())
    return time.perf_counter() - began


def measure(browser: Any, requests: int) -> dict[str, tuple[float, float]]:
    from ecer.web.enterprises.models import Enterprise
    from ecer.web.monitoring.models import MeasurementBlock, MonitoringPoint

    points = {
        "enterprise": Enterprise.objects.order_by("-pk")
        .values_list("credit_code", flat=True)
        .first(),
        "point": MonitoringPoint.objects.order_by("-pk").values_list("pk", flat=True).first(),
        # A point with minute data (the generator writes them as blocks), its minute page.
        "minute_point": MeasurementBlock.objects.values_list("point_id", flat=True).first(),
    }
    result = {}
    for page in PAGES:
        if any(f"{{{name}}}" in page and pk is None for name, pk in points.items()):
            continue
        result[page] = latency(browser, page.format(**points), requests)
    return result


def counts() -> dict[str, int]:
    from django.db import connection

    from ecer.web.enterprises.models import Enterprise
    from ecer.web.monitoring import blocks
    from ecer.web.monitoring.models import Measurement, MonitoringPoint, Rollup

    with connection.cursor() as cursor:
        # Values per block: data times × its fields (pollutant and kind pairs).
        cursor.execute(
            f"SELECT count(*), sum(count * json_array_length(CAST(fields AS {_json()}))) "
            f"FROM {blocks.TABLE}"
        )
        block_count, block_values = cursor.fetchone()
    return {
        "points": MonitoringPoint.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "measurements": Measurement.objects.count(),
        "blocks": block_count,
        "block_values": int(block_values or 0),
        "rollups": Rollup.objects.count(),
    }


def _json() -> str:
    from django.db import connection

    return "json" if connection.vendor == "postgresql" else "text"


def switch_to(database: str) -> None:
    """Measure database ``database`` of the same server from now on."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = database


def _insert_next_day(offset_days: int) -> float:
    """Copy the latest day's measurements ``offset_days`` ahead in one statement [s]."""
    from django.db import connection, transaction

    from ecer.web.monitoring.models import Measurement
    from ecer.web.monitoring.rollups import MEASUREMENTS

    latest = Measurement.objects.order_by("-data_time").values_list("data_time", flat=True)[0]
    columns = "point_id, cn, pollutant, kind, value, flag"
    if connection.vendor == "postgresql":
        shifted = f"data_time + interval '{offset_days} days'"
        since = "%s::timestamptz - interval '1 day'"
    else:
        shifted = f"datetime(data_time, '+{offset_days} days')"
        since = "datetime(%s, '-1 day')"
    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MEASUREMENTS} (data_time, {columns}) SELECT {shifted}, {columns} "
            f"FROM {MEASUREMENTS} WHERE data_time > {since}",
            [latest],
        )
    return time.perf_counter() - began


def rollup_upkeep() -> dict[str, float]:
    """A day inserted with and without the triggers, and a rebuild of every rollup [s]."""

    from ecer.web.monitoring import partitions, rollups

    partitions.ensure_ahead()
    with_triggers = _insert_next_day(1)
    rollups.uninstall()
    without = _insert_next_day(2)
    rollups.install()
    began = time.perf_counter()
    rollups.rebuild()
    rebuild = time.perf_counter() - began
    return {"day_with_rollups": with_triggers, "day_without": without, "rebuild_all": rebuild}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=200, help="sources at 1× (default 200)")
    parser.add_argument("--days", type=int, default=14, help="days of data (default 14)")
    parser.add_argument("--minute-sources", type=int, default=0, help="at 1× (default 0)")
    parser.add_argument("--requests", type=int, default=20, help="per page (default 20)")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--loaded",
        metavar="NAME",
        help="measure this loaded database of the server against the empty one (--postgres)",
    )
    args = parser.parse_args()
    if args.loaded and not args.postgres:
        parser.error("--loaded needs --postgres")
    configure(args.postgres)
    browser = client()

    stages: dict[str, Any] = {}
    stages["empty"] = {"counts": counts(), "alarms_s": judge_alarms()}
    baseline = stages["empty"]["pages"] = measure(browser, args.requests)
    if args.loaded:
        switch_to(args.loaded)
        browser = client()
        stages["loaded"] = {"counts": counts(), "alarms_s": judge_alarms()}
        stages["loaded"]["pages"] = measure(browser, args.requests)
        upkeep = None
    else:
        for label, factor in (("1x", 1), (f"{SCALE}x", SCALE)):
            seconds = generate(args.sources * factor, args.days, args.minute_sources * factor)
            stages[label] = {"generate_s": seconds, "counts": counts(), "alarms_s": judge_alarms()}
            stages[label]["pages"] = measure(browser, args.requests)
        upkeep = rollup_upkeep()

    database = "PostgreSQL" if args.postgres else "SQLite"
    span = f"database {args.loaded}" if args.loaded else f"{args.days} days"
    print(f"dashboard latency, {database}, {span}, {args.requests} requests per page")
    for label, stage in stages.items():
        extra = f", generated in {stage['generate_s']:.0f} s" if "generate_s" in stage else ""
        if "alarms_s" in stage:
            extra += f"; a run of the alarm journal {stage['alarms_s']:.1f} s"
        print(f"  {label}: {stage['counts']}{extra}")
    head = f"{'page':44} {'empty p50/p95 ms':>18}"
    for label in list(stages)[1:]:
        head += f" {label + ' p50/p95 ms':>18} {'p95 ratio':>9}"
    print(head)
    for page, (p50, p95) in baseline.items():
        line = f"{page:44} {p50:8.1f}/{p95:<9.1f}"
        for label in list(stages)[1:]:
            q50, q95 = stages[label]["pages"][page]
            line += f" {q50:8.1f}/{q95:<9.1f} {q95 / p95:9.2f}"
        print(line)
    last = list(stages)[-1]
    for page, (q50, q95) in stages[last]["pages"].items():
        if page not in baseline:  # a point's or enterprise's page: none in the empty database
            print(f"{page:44} {'(none)':>18} {'':>28} {q50:8.1f}/{q95:<9.1f}")
    worst = max(q95 for _, q95 in stages[last]["pages"].values())
    print(f"slowest p95 at {last}: {worst:.0f} ms (target 1000 ms)")
    if upkeep is not None:
        upkeep_s = upkeep["day_with_rollups"] - upkeep["day_without"]
        print(
            f"rollups: one day inserted {upkeep['day_with_rollups']:.2f} s with them, "
            f"{upkeep['day_without']:.2f} s without; upkeep {upkeep_s:.2f} s vs rebuild of all "
            f"{upkeep['rebuild_all']:.2f} s: ratio {upkeep_s / upkeep['rebuild_all']:.3f}"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "dashboard.json").write_text(
        json.dumps({"database": database, "args": vars(args), "stages": stages, "upkeep": upkeep}),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
