"""`ecer` sub-commands that need the Django shell: setup, progress, energy, reductions,
observations, quality, monitoring."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from typing import Any


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecer.web.settings")
    import django

    django.setup()


def run_django_command(argv: list[str]) -> int:
    """`ecer manage ARGS`: Django's own management command line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecer.web.settings")
    from django.core.management import execute_from_command_line

    from ecer.web.settings import DATA_DIR

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(["ecer manage", *argv])
    return 0


def register(subparsers: Any) -> None:
    setup = subparsers.add_parser(
        "setup",
        help="migrate the database, load the plan and (with --demo) the demo data; idempotent",
    )
    setup.add_argument("--demo", action="store_true", help="also load the illustrative demo data")
    setup.set_defaults(func=_setup)

    demo = subparsers.add_parser("demo", help="generated test data")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    generate = demo_sub.add_parser(
        "generate",
        help="create monitoring, energy and enterprise data at scale (生成数据); replaces the "
        "data generated before, never touches real or demo data",
    )
    generate.add_argument(
        "--sources", type=_count, required=True, metavar="N", help="monitoring points (0: remove)"
    )
    span = generate.add_mutually_exclusive_group(required=True)
    span.add_argument("--years", type=_positive, metavar="Y", help="years of data up to --end")
    span.add_argument("--days", type=_positive, metavar="D", help="days of data up to --end")
    generate.add_argument(
        "--minute-sources",
        type=_count,
        default=0,
        metavar="M",
        help="the first M sources also get minute data (default: 0)",
    )
    generate.add_argument("--seed", type=_count, default=0, metavar="S", help="default: 0")
    generate.add_argument(
        "--jobs",
        type=_count,
        default=0,
        metavar="J",
        help="PostgreSQL: connections writing at once (default: one per CPU, at most 4)",
    )
    generate.add_argument(
        "--end", type=_day, metavar="YYYY-MM-DD", help="last day of the data (default: today)"
    )
    generate.set_defaults(func=_demo_generate)

    progress = subparsers.add_parser("progress", help="print the progress of every target")
    progress.add_argument("--year", type=int, help="evaluate at the end of this year")
    progress.add_argument("--area", default=None, help="area code (default: the city)")
    progress.set_defaults(func=_progress)

    energy = subparsers.add_parser("energy", help="energy dual control of the city and districts")
    energy_sub = energy.add_subparsers(dest="energy_command", required=True)
    report = energy_sub.add_parser("report", help="print the dual-control figures of a year")
    report.add_argument("--year", type=int, help="the year (default: the latest with data)")
    report.add_argument("--area", default=None, help="one area code (default: all)")
    report.set_defaults(func=_energy_report)

    reductions = subparsers.add_parser(
        "reductions", help="key-project pollutant reductions against the plan's targets"
    )
    reductions_sub = reductions.add_subparsers(dest="reductions_command", required=True)
    reductions_report = reductions_sub.add_parser(
        "report",
        help="print each pollutant's reduction in effect, target, completion, status and "
        "warning (the indicator service's, as `ecer progress`)",
    )
    reductions_report.add_argument(
        "--year", type=int, help="evaluate at the end of this year (default: as the pages)"
    )
    reductions_report.add_argument(
        "--area", default=None, help="area code (default: the city; a district: its projects)"
    )
    reductions_report.set_defaults(func=_reductions_report)

    observations = subparsers.add_parser("observations", help="target observations")
    obs_sub = observations.add_subparsers(dest="observations_command", required=True)
    load = obs_sub.add_parser("load", help="import observations from a .csv or .xlsx file")
    load.add_argument("file")
    load.set_defaults(func=_observations_load)

    quality = subparsers.add_parser("quality", help="data-quality rules and due-date reminders")
    quality_sub = quality.add_subparsers(dest="quality_command", required=True)
    run = quality_sub.add_parser(
        "run", help="check submitted records, districts' yearly data and online streams (nightly)"
    )
    run.set_defaults(func=_quality_run)
    remind = quality_sub.add_parser(
        "remind", help="send today's due-date reminders (each level of each item once)"
    )
    remind.add_argument("--date", help="act as if today were this date (YYYY-MM-DD)")
    remind.set_defaults(func=_quality_remind)

    monitoring = subparsers.add_parser("monitoring", help="online monitoring data maintenance")
    monitoring_sub = monitoring.add_subparsers(dest="monitoring_command", required=True)
    partitions = monitoring_sub.add_parser(
        "partitions",
        help="PostgreSQL: create the monthly measurement partitions up to N months ahead "
        "(run monthly)",
    )
    partitions.add_argument("--ahead", type=int, default=12, metavar="N", help="default: 12")
    partitions.set_defaults(func=_monitoring_partitions)
    rollups = monitoring_sub.add_parser(
        "rollups", help="recompute the hour/day/month rollups from the measurements"
    )
    rollups.add_argument("--mn", action="append", help="only this point (repeatable)")
    rollups.set_defaults(func=_monitoring_rollups)
    compact = monitoring_sub.add_parser(
        "compact",
        help="move real-time and minute data older than N days into hourly blocks (run daily)",
    )
    compact.add_argument("--keep-days", type=_count, default=7, metavar="N", help="default: 7")
    compact.set_defaults(func=_monitoring_compact)
    alarms = monitoring_sub.add_parser(
        "alarms",
        help="judge the points' alarms into the alarm journal the alarm list reads "
        "(run every few minutes)",
    )
    alarms_span = alarms.add_mutually_exclusive_group()
    alarms_span.add_argument(
        "--days", type=_positive, default=7, metavar="N", help="the last N days (default: 7)"
    )
    alarms_span.add_argument(
        "--since", type=_day, metavar="YYYY-MM-DD", help="judge again from this day (history)"
    )
    alarms.set_defaults(func=_monitoring_alarms)


def _setup(args: argparse.Namespace) -> int:
    run_django_command(["migrate", "--noinput", "-v", "0"])
    from ecer.web.catalog.setup import run_setup

    for line in run_setup(with_demo=args.demo):
        print(line)
    return 0


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text}: must not be negative")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return value


def _day(text: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected YYYY-MM-DD") from None


def _demo_generate(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from ecer.web.generate import Options, days_back, generate, years_back

    today = timezone.localdate()
    end = args.end or today
    if end > today:
        print(f"error: --end {end} is in the future", file=sys.stderr)
        return 1
    first = years_back(end, args.years) if args.years else days_back(end, args.days)
    try:
        options = Options(args.sources, first, end, args.minute_sources, args.seed, args.jobs)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        summary = generate(options, timezone.now(), progress)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def _progress(args: argparse.Namespace) -> int:
    setup_django()
    from ecer.web.catalog.reports import progress_table_text

    try:
        print(progress_table_text(year=args.year, area_code=args.area))
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _energy_report(args: argparse.Namespace) -> int:
    setup_django()
    from ecer.web.energy.report import dual_control_text

    try:
        print(dual_control_text(year=args.year, area_code=args.area))
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _reductions_report(args: argparse.Namespace) -> int:
    setup_django()
    from ecer.web.reductions.report import reductions_text

    try:
        print(reductions_text(year=args.year, area_code=args.area))
    except LookupError as exc:
        # An argument the plan does not know: a usage error.
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _quality_run(args: argparse.Namespace) -> int:
    setup_django()
    from ecer.web.quality.services import run_all

    print(run_all())
    return 0


def _quality_remind(args: argparse.Namespace) -> int:
    setup_django()
    from datetime import date

    from ecer.web.quality.reminders import remind

    try:
        today = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"error: --date {args.date!r}: expected YYYY-MM-DD", file=sys.stderr)
        return 1
    print(remind(today))
    return 0


def _monitoring_partitions(args: argparse.Namespace) -> int:
    setup_django()
    from ecer.web.monitoring.partitions import ensure_ahead, is_partitioned

    if not is_partitioned():
        print("the measurement table is not partitioned (SQLite): nothing to do")
        return 0
    created = ensure_ahead(args.ahead)
    print(f"created {len(created)} partitions" + (f": {', '.join(created)}" if created else ""))
    return 0


def _monitoring_rollups(args: argparse.Namespace) -> int:
    setup_django()
    from ecer.web.monitoring.models import MonitoringPoint
    from ecer.web.monitoring.rollups import rebuild

    point_ids = None
    if args.mn:
        found = dict(MonitoringPoint.objects.filter(mn__in=args.mn).values_list("mn", "pk"))
        unknown = sorted(set(args.mn) - set(found))
        if unknown:
            print(f"error: unknown MN {', '.join(unknown)}", file=sys.stderr)
            return 1
        point_ids = list(found.values())
    print(f"rollup rows written: {rebuild(point_ids)}")
    return 0


def _monitoring_alarms(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from ecer.web.monitoring.journal import refresh

    now = timezone.now()
    if args.since and args.since > timezone.localdate(now):
        print(f"error: --since {args.since} is in the future", file=sys.stderr)
        return 1
    print(refresh(now, days=args.days, since=args.since))
    return 0


def _monitoring_compact(args: argparse.Namespace) -> int:
    setup_django()
    from django.utils import timezone

    from ecer.web.monitoring.blocks import compact

    done = compact(timezone.now() - timedelta(days=args.keep_days))
    print(
        f"compacted {done.rows:,} rows of {done.points} points into {done.blocks:,} hourly blocks"
    )
    return 0


def _observations_load(args: argparse.Namespace) -> int:
    setup_django()
    from ecer.web.catalog.observations_io import ObservationImportError, import_observation_file

    try:
        summary = import_observation_file(args.file)
    except ObservationImportError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(summary)
    return 0
