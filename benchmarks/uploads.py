"""Online energy data: readings/s uploaded through the API against a bare bulk insert.

Both paths write the same number of hourly readings of one meter into the same database in
the same run. The API path posts JSON batches with an enterprise API key through Django's
full request stack in this process (authentication, scope, validation of every reading, the
duplicate check, one transaction per batch); the baseline is ``bulk_create`` of the same
rows in batches of the same size. The network and the HTTP server are not measured.

Run: ``.venv/bin/python benchmarks/uploads.py [--readings 20000] [--batch 500]``; with
``--postgres`` the database is DATABASE_URL's server (a scratch database ``ecer_bench`` is
created there). Prints a table and writes ``benchmarks/results/uploads.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
BEIJING = timezone(timedelta(hours=8))


def scratch_environment(postgres: bool, database: str) -> None:
    """Point ECER at a new data folder and, with ``postgres``, a new database ``database``
    on DATABASE_URL's server (default the local one); else at SQLite in that folder."""
    os.environ["ECER_DATA_DIR"] = tempfile.mkdtemp(prefix="ecer-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ecer.web.settings"
    if postgres:
        import psycopg

        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        server = base.rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {database}")
        os.environ["DATABASE_URL"] = f"{server}/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)


def configure(postgres: bool) -> None:
    scratch_environment(postgres, "ecer_bench")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def rows(meter: str, start: datetime, count: int) -> list[dict[str, object]]:
    return [
        {"meter": meter, "time": (start + timedelta(hours=k)).isoformat(), "value": 1000.0 + k}
        for k in range(count)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres)

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client

    from ecer.web.accounts.models import ApiKey, Membership, Role
    from ecer.web.catalog.models import Area
    from ecer.web.enterprises.models import Enterprise, Meter, MeterReading

    area = Area.objects.create(code="haicheng", name="海城区", kind=Area.Kind.DISTRICT)
    firm = Enterprise.objects.create(
        credit_code="91450502MA5HC00155",
        name="bench",
        area=area,
        industry_code="5951",
        industry_name="低温仓储",
    )
    api_meter, bulk_meter = (
        Meter.objects.create(
            enterprise=firm,
            code=code,
            name=code,
            carrier="electricity",
            unit="kWh",
            kind="cumulative",
        )
        for code in ("API", "BULK")
    )
    user = get_user_model().objects.create_user("bench", password="x" * 12)
    Membership.objects.create(user=user, role=Role.ENTERPRISE, enterprise_code=firm.credit_code)
    _key, raw = ApiKey.issue(user, "bench")
    client = Client()
    start = datetime(2020, 1, 1, tzinfo=BEIJING)
    api_rows = rows(api_meter.code, start, args.readings)
    batches = [api_rows[i : i + args.batch] for i in range(0, len(api_rows), args.batch)]

    began = time.perf_counter()
    for batch in batches:
        response = client.post(
            "/api/meters/readings",
            data=json.dumps({"readings": batch}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        assert response.status_code == 200, response.content
    api_seconds = time.perf_counter() - began

    began = time.perf_counter()
    for batch in batches:
        with transaction.atomic():
            MeterReading.objects.bulk_create(
                MeterReading(
                    meter=bulk_meter,
                    time=datetime.fromisoformat(str(r["time"])),
                    value=float(r["value"]),
                )  # type: ignore[arg-type]
                for r in batch
            )
    bulk_seconds = time.perf_counter() - began
    for meter in (api_meter, bulk_meter):
        assert MeterReading.objects.filter(meter=meter).count() == args.readings

    result = {
        "database": connection.vendor,
        "readings": args.readings,
        "batch": args.batch,
        "api_readings_per_s": args.readings / api_seconds,
        "bulk_readings_per_s": args.readings / bulk_seconds,
        "ratio_api_to_bulk": bulk_seconds / api_seconds,
        "measured_at": datetime.now(BEIJING).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
    }
    print(f"database {result['database']}, {args.readings} readings in batches of {args.batch}")
    print(f"  API upload       {result['api_readings_per_s']:>10,.0f} readings/s")
    print(f"  bare bulk insert {result['bulk_readings_per_s']:>10,.0f} readings/s")
    print(f"  ratio API / bulk {result['ratio_api_to_bulk']:>10.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "uploads-postgres.json" if args.postgres else "uploads.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
