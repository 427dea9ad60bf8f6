"""`ecer serve PROCESS`: the production profile (docs/deploy.md), one process each.

web        gunicorn serving the Django application (static files by WhiteNoise)
worker     Celery worker: report generation and the scheduled jobs
scheduler  Celery beat: sends the scheduled jobs (ecer.web.jobs.schedule) on time
gateway    the HJ 212 gateway handing frames to NATS JetStream
writer     stores the frames from JetStream in the database

Every setting comes from the environment; a missing or unsafe one stops the process with
a message naming it, before anything starts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

PROCESSES = ("web", "worker", "scheduler", "gateway", "writer")

# What each process needs from the environment, and why.
NEEDS: dict[str, tuple[str, ...]] = {
    "web": ("SECRET_KEY", "ECER_ALLOWED_HOSTS", "DATABASE_URL", "ECER_BROKER_URL"),
    "worker": ("SECRET_KEY", "DATABASE_URL", "ECER_BROKER_URL"),
    "scheduler": ("SECRET_KEY", "DATABASE_URL", "ECER_BROKER_URL"),
    "gateway": ("DATABASE_URL", "ECER_NATS_URL"),
    "writer": ("DATABASE_URL", "ECER_NATS_URL"),
}
MEANING = {
    "SECRET_KEY": "the key signing sessions and tokens (or SECRET_KEY_FILE: a file holding it)",
    "ECER_ALLOWED_HOSTS": "the host names people use, comma-separated (e.g. ecer.beihai.gov.cn)",
    "DATABASE_URL": "the PostgreSQL database, e.g. postgres://ecer:PASSWORD@127.0.0.1:5432/ecer",
    "ECER_BROKER_URL": "the task queue's RabbitMQ, e.g. amqp://ecer:PASSWORD@127.0.0.1:5672//",
    "ECER_NATS_URL": "NATS with JetStream, e.g. nats://127.0.0.1:4222",
}


def problems(process: str, environ: dict[str, str] | None = None) -> list[str]:
    """What is missing or unsafe in the environment for ``process``; empty when it may start."""
    env = dict(os.environ) if environ is None else environ
    found = []
    for name in NEEDS[process]:
        if not env.get(name, "").strip() and not env.get(f"{name}_FILE", "").strip():
            found.append(f"{name} is not set: {MEANING[name]}")
    if env.get("ECER_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}:
        found.append("ECER_DEBUG is on: tracebacks would be shown to anybody; unset it")
    url = env.get("DATABASE_URL", "")
    if url and not url.startswith(("postgres://", "postgresql://")):
        found.append(f"DATABASE_URL={url.split(':', 1)[0]}:…: production runs on PostgreSQL")
    return found


def register(subparsers: Any) -> None:
    serve = subparsers.add_parser(
        "serve",
        help="run one process of the production profile (docs/deploy.md)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("process", choices=PROCESSES)
    serve.add_argument(
        "extra", nargs=argparse.REMAINDER, help="passed on to the program (after --)"
    )
    serve.set_defaults(func=run_serve)

    jobs = subparsers.add_parser("jobs", help="the scheduled background jobs")
    jobs_sub = jobs.add_subparsers(dest="jobs_command", required=True)
    listing = jobs_sub.add_parser("list", help="each job, its interval and its latest run")
    listing.set_defaults(func=_jobs_list)
    run = jobs_sub.add_parser("run", help="run one job now, in this process (cron, make run)")
    run.add_argument("name")
    run.set_defaults(func=_jobs_run)


def run_serve(args: argparse.Namespace) -> int:
    found = problems(args.process)
    if found:
        print(f"ecer serve {args.process}: cannot start:", file=sys.stderr)
        for line in found:
            print(f"  - {line}", file=sys.stderr)
        print("  (docs/deploy.md lists every variable)", file=sys.stderr)
        return 2
    extra = [a for a in args.extra if a != "--"]
    return int(STARTERS[args.process](extra) or 0)


def _django() -> Any:
    from ecer.web.cli import setup_django
    from ecer.web.env import ConfigError

    try:
        setup_django()
    except ConfigError as exc:
        print(f"ecer serve: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    from django.conf import settings

    return settings


def _web(extra: list[str]) -> int:
    os.environ.setdefault("ECER_SERVE_STATIC", "1")
    settings = _django()
    run_dir = Path(settings.DATA_DIR) / "run"
    from django.core.management import call_command

    # Into STATIC_ROOT, whoever serves it (WhiteNoise here, or the reverse proxy).
    call_command("collectstatic", "--noinput", verbosity=0)
    # Metrics of every gunicorn worker in files here (prometheus_client multiprocess mode);
    # the files of a previous run would add old counts.
    metrics_dir = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(run_dir / "metrics")))
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True, exist_ok=True)
    from django.db import connections

    connections.close_all()
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:ecer.web.gunicorn_conf",
        *extra,
        "ecer.web.wsgi:application",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, argv)  # gunicorn takes this process: signals reach it directly


def _worker(extra: list[str]) -> int:
    settings = _django()
    from ecer.web.jobs.queue import app

    concurrency = os.environ.get("ECER_WORKER_CONCURRENCY", "2")
    app.worker_main(
        [
            "worker",
            "--loglevel=INFO",
            f"--queues={settings.ECER_QUEUE}",
            f"--concurrency={concurrency}",
            f"--hostname=ecer-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            *extra,
        ]
    )
    return 0


def _scheduler(extra: list[str]) -> int:
    settings = _django()
    from ecer.web.jobs.queue import app, beat_schedule
    from ecer.web.jobs.schedule import ScheduleError

    try:
        app.conf.beat_schedule = beat_schedule()
    except ScheduleError as exc:
        print(f"ecer serve scheduler: {exc}", file=sys.stderr)
        return 2
    run_dir = Path(settings.DATA_DIR) / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    beat = app.Beat(schedule=str(run_dir / "schedule"), loglevel="INFO")
    beat.run()
    return 0


def _gateway(extra: list[str]) -> int:
    from ecer.hj212.cli import run_serve as hj212_serve

    return _hj212(
        hj212_serve,
        "serve",
        [
            "--host",
            os.environ.get("ECER_HJ212_HOST", "0.0.0.0"),
            "--port",
            os.environ.get("ECER_HJ212_PORT", "9212"),
            "--health-port",
            os.environ.get("ECER_HJ212_HEALTH_PORT", "9213"),
            "--jetstream",
            os.environ["ECER_NATS_URL"],
            *extra,
        ],
    )


def _writer(extra: list[str]) -> int:
    from ecer.hj212.cli import run_writer

    return _hj212(
        run_writer,
        "writer",
        [
            "--nats",
            os.environ["ECER_NATS_URL"],
            "--health-port",
            os.environ.get("ECER_WRITER_HEALTH_PORT", "9214"),
            *extra,
        ],
    )


def _hj212(function: Any, command: str, argv: list[str]) -> int:
    from ecer.cli import build_parser

    args = build_parser().parse_args(["hj212", command, *argv])
    return int(function(args) or 0)


STARTERS = {
    "web": _web,
    "worker": _worker,
    "scheduler": _scheduler,
    "gateway": _gateway,
    "writer": _writer,
}


def _jobs_list(args: argparse.Namespace) -> int:
    from ecer.web.cli import setup_django

    setup_django()
    from django.utils import timezone

    from ecer.web.jobs.models import JobRun
    from ecer.web.jobs.schedule import ScheduleError, entries

    try:
        table = entries()
    except ScheduleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not _jobs_table_ready():
        return 1
    for entry in table:
        last = JobRun.objects.filter(name=entry.name).first()
        when = (
            f"{last.state} {timezone.localtime(last.started_at):%Y-%m-%d %H:%M:%S}"
            + (f" — {last.error.splitlines()[0]}" if last.error else "")
            if last
            else "never run"
        )
        print(f"{entry.name:<12} every {entry.interval:>6} s  {when}")
    return 0


def _jobs_run(args: argparse.Namespace) -> int:
    from ecer.web.cli import setup_django

    setup_django()
    from ecer.web.jobs.runs import run_entry
    from ecer.web.jobs.schedule import find

    try:
        find(args.name)
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not _jobs_table_ready():
        return 1
    print(run_entry(args.name))
    return 0


def _jobs_table_ready() -> bool:
    from django.db import connection

    from ecer.web.jobs.models import JobRun

    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if JobRun._meta.db_table not in tables:
        print("error: the database lacks the jobs table: run `ecer setup` first", file=sys.stderr)
        return False
    return True
