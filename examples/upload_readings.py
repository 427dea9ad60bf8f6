"""Send a month of hourly meter readings to ECER, as an enterprise-end system (接入端系统) would.

    python examples/upload_readings.py --url http://127.0.0.1:8000 --key ecer_... \
        --meter E-01 --month 2024-11 [--start 1000] [--kwh-per-hour 25000] [--batch 500]

The key is an enterprise user's API key (admin site → API 密钥, or `ecer manage shell`). The
readings are cumulative register values in the meter's unit, in Beijing time, with a day and
night profile; they are sent in batches, out of order within each batch, and every batch is sent
twice to show that a repeat is stored once. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def readings(meter: str, month: str, start: float, per_hour: float) -> list[dict[str, object]]:
    first = datetime.strptime(month, "%Y-%m").replace(tzinfo=BEIJING)
    after = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
    rows, register, moment = [], start, first
    while moment <= after:
        rows.append({"meter": meter, "time": moment.isoformat(), "value": round(register, 3)})
        register += per_hour * (1 + 0.25 * math.sin(2 * math.pi * moment.hour / 24))
        moment += timedelta(hours=1)
    return rows


def post(url: str, key: str, body: dict[str, object]) -> dict[str, object]:
    request = urllib.request.Request(
        f"{url.rstrip('/')}/api/meters/readings",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]
    except urllib.error.HTTPError as exc:
        sys.exit(f"upload refused ({exc.code}): {exc.read().decode()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--key", required=True, help="an enterprise user's API key")
    parser.add_argument("--meter", required=True, help="the meter code registered in ECER")
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--start", type=float, default=1000.0, help="register at the start")
    parser.add_argument("--kwh-per-hour", type=float, default=25_000.0)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args(argv)
    rows = readings(args.meter, args.month, args.start, args.kwh_per_hour)
    stored = duplicates = 0
    for i in range(0, len(rows), args.batch):
        batch = rows[i : i + args.batch]
        random.Random(i).shuffle(batch)
        for _attempt in range(2):
            result = post(args.url, args.key, {"readings": batch})
            stored += int(result["stored"])  # type: ignore[call-overload]
            duplicates += int(result["duplicates"])  # type: ignore[call-overload]
    print(f"sent {len(rows)} readings twice: {stored} stored, {duplicates} duplicates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
