"""The production stack as docs/deploy.md starts it, against PostgreSQL, RabbitMQ and NATS on
this machine: gunicorn with DEBUG off, the Celery worker and scheduler, the HJ 212 gateway
(JetStream) and writer. Simulated stations' frames go through the gateway and the writer;
the scheduled alarm job puts their exceedance on the alarm list; the worker generates a PDF
report, survives a kill -9 in the middle of it and finishes it after a restart; every
process stops cleanly on SIGTERM. Runs in the SQLite half of .ci/run (it makes its own
PostgreSQL database) and fails when a service is missing.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.deploy.stack import (
    Process,
    base_env,
    csrf_token,
    free_port,
    get,
    post,
    require_services,
    run,
    signed_in,
    wait_for,
)

pytestmark = pytest.mark.smoke

PREFIX = "SMOKE"


def _dsn(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


@pytest.fixture
def database() -> str:
    require_services()
    name = os.environ.get("ECER_SMOKE_DATABASE", "ecer_smoke")
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_production_stack(database: str, tmp_path: Path) -> None:
    run_id = uuid.uuid4().hex[:10]
    web_port, hj_port, hj_health, writer_health = (free_port() for _ in range(4))
    env = base_env(
        SECRET_KEY=f"smoke-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        ECER_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_dsn(database),
        ECER_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//",
        ECER_QUEUE=f"ecer-smoke-{run_id}",
        ECER_NATS_URL="nats://127.0.0.1:4222",
        ECER_DATA_DIR=str(tmp_path / "data"),
        ECER_BIND=f"127.0.0.1:{web_port}",
        ECER_WEB_WORKERS="2",
        ECER_WORKER_CONCURRENCY="1",
        ECER_HJ212_HOST="127.0.0.1",
        ECER_HJ212_PORT=str(hj_port),
        ECER_HJ212_HEALTH_PORT=str(hj_health),
        ECER_WRITER_HEALTH_PORT=str(writer_health),
        # The alarm list must not judge the journal itself: only the scheduled job does.
        ECER_ALARM_MAX_AGE=str(10**9),
        ECER_SCHEDULE="alarms=2",
    )
    stream = [
        "--",
        "--stream",
        f"SMOKE_{run_id}",
        "--subject",
        f"ecer.smoke.{run_id}",
        "--durable",
        f"smoke_{run_id}",
    ]
    logs = tmp_path / "logs"
    logs.mkdir()
    run(["setup", "--demo"], env)
    stations = ["hj212", "simulate", "--host", "127.0.0.1", "--port", str(hj_port)]
    stations += ["--mn-prefix", PREFIX, "--stations", "2", "--interval", "1", "--json"]

    web = Process("web", ["serve", "web"], env, logs)
    worker = Process("worker", ["serve", "worker"], env, logs)
    scheduler = Process("scheduler", ["serve", "scheduler"], env, logs)
    gateway = Process("gateway", ["serve", "gateway", *stream], env, logs)
    writer = Process("writer", ["serve", "writer", *stream], env, logs)
    everything = [web, worker, scheduler, gateway, writer]
    base = f"http://127.0.0.1:{web_port}"
    try:
        for process in everything:
            process.start()
        running = list(everything)
        wait_for("the web server", lambda: get(f"{base}/healthz")[0] == 200, running)
        wait_for(
            "the gateway", lambda: get(f"http://127.0.0.1:{hj_health}/readyz")[0] == 200, running
        )
        wait_for(
            "the writer", lambda: get(f"http://127.0.0.1:{writer_health}/readyz")[0] == 200, running
        )

        # Production settings: ready (database, migrations, NATS), no debug pages, static
        # files served by the process, the usual headers.
        status, body, _ = get(f"{base}/readyz")
        assert (status, body.strip()) == (200, "ready")
        status, body, headers = get(f"{base}/no-such-page/")
        assert status == 404 and "Traceback" not in body and "URLconf" not in body
        status, body, headers = get(f"{base}/login/")
        assert status == 200
        assert headers.get("X-Frame-Options") == "DENY"
        assert "script-src 'self'" in headers.get("Content-Security-Policy", "")
        status, body, headers = get(f"{base}/static/ecer/site.js")
        assert status == 200 and body

        # Stations send through the gateway (JetStream) and the writer stores their frames.
        run([*stations, "--register", "--seconds", "1"], env)
        # The city sets the stations' COD limit (as in the admin): 1 mg/L, far below their data.
        run(["manage", "shell", "-c", SET_LIMITS], env)
        report = run([*stations, "--seconds", "3"], env)
        assert '"acknowledged": 0' not in report, report
        with psycopg.connect(_dsn(database), autocommit=True) as db:
            wait_for(
                "the writer to store the frames",
                lambda: _count(
                    db,
                    "SELECT count(*) FROM monitoring_raw_frame WHERE mn LIKE %s "
                    "AND status = 'stored'",
                    PREFIX + "%",
                ),
                running,
            )
            # The scheduled job (beat → worker) judges the exceedance into the alarm journal.
            wait_for(
                "the scheduled alarm job to record the exceedance",
                lambda: _count(
                    db,
                    "SELECT count(*) FROM monitoring_alarm a JOIN monitoring_point p "
                    "ON p.id = a.point_id WHERE p.mn LIKE %s AND a.kind = 'exceedance'",
                    PREFIX + "%",
                ),
                running,
            )
            assert _count(
                db, "SELECT count(*) FROM jobs_jobrun WHERE name = 'alarms' AND state = 'succeeded'"
            )
        credentials = dict(
            line.split(":", 1)
            for line in (tmp_path / "data" / "demo-credentials.txt").read_text().splitlines()
        )
        admin = signed_in(base, "admin", credentials["admin"])
        status, page, _ = get(f"{base}/monitoring/alarms/", admin)
        assert status == 200
        assert PREFIX in page and "超标" in page

        _report_survives_kill_9(base, admin, database, worker, running)

        for path in ("/metrics",):
            status, body, _ = get(base + path)
            assert status == 200 and "ecer_http_requests_total" in body
            assert 'view="health:healthz"' in body
        status, body, _ = get(f"http://127.0.0.1:{hj_health}/metrics")
        assert status == 200
        assert _metric(body, "ecer_hj212_gateway_frames_received_total") > 0
        assert _metric(body, "ecer_hj212_gateway_ack_latency_seconds_count") > 0
        assert "ecer_hj212_gateway_queue_depth" in body
        status, body, _ = get(f"http://127.0.0.1:{writer_health}/metrics")
        assert status == 200
        assert _metric(body, "ecer_hj212_writer_frames_stored_total") > 0
        assert "ecer_hj212_writer_jetstream_pending" in body

        for process in everything:
            code = process.terminate()
            assert code == 0, f"{process.name} exited {code} on SIGTERM:\n{process.output()}"
    finally:
        for process in everything:
            process.stop_quietly()
        _remove_queue_and_stream(env, f"SMOKE_{run_id}")


def _remove_queue_and_stream(env: dict[str, str], stream: str) -> None:
    """The run's RabbitMQ queue and JetStream stream are its own: leave nothing behind."""
    import asyncio
    import contextlib

    import nats
    from kombu import Connection

    with contextlib.suppress(Exception), Connection(env["ECER_BROKER_URL"]) as broker:
        broker.default_channel.queue_delete(env["ECER_QUEUE"])

    async def delete_stream() -> None:
        client = await nats.connect(env["ECER_NATS_URL"], connect_timeout=5)
        try:
            with contextlib.suppress(Exception):
                await client.jetstream().delete_stream(stream)
        finally:
            await client.close()

    with contextlib.suppress(Exception):
        asyncio.run(delete_stream())


def _report_survives_kill_9(
    base: str, admin: object, database: str, worker: Process, running: list[Process]
) -> None:
    """The worker is killed (SIGKILL to it and its children) in the middle of an annual PDF
    report; started again, it runs the job from the start and finishes it.

    To kill it in the middle, the test holds a lock on the table of assessment results,
    which the job writes after gathering its data: the job waits there (seen in pg_locks)
    with its status "running" and its progress shown, and is killed while waiting."""
    token = csrf_token(admin, f"{base}/reports/")
    with psycopg.connect(_dsn(database), autocommit=True) as db:
        locker = psycopg.connect(_dsn(database))
        locker.execute("LOCK TABLE reports_assessmentresult IN ACCESS EXCLUSIVE MODE")
        status, page = post(
            admin,
            f"{base}/reports/generate/",
            {"kind": "annual_pdf", "year": "2024", "csrfmiddlewaretoken": token},
        )
        assert status == 200, page[:2000]
        job_id = _count(db, "SELECT max(id) FROM reports_reportjob")
        blocked = wait_for(
            "the report job to reach the locked table",
            lambda: _count(
                db,
                "SELECT min(l.pid) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE c.relname = 'reports_assessmentresult' AND NOT l.granted",
            ),
            running,
        )
        state = db.execute(
            "SELECT status, progress FROM reports_reportjob WHERE id = %s", (job_id,)
        ).fetchone()
        assert state[0] == "running" and 0 < state[1] < 100, state
        worker.kill9()
        running.remove(worker)
        # The dead worker's database session would wake when the lock goes: end it, as
        # PostgreSQL does once it notices the client is gone.
        db.execute("SELECT pg_terminate_backend(%s)", (blocked,))
        locker.rollback()
        locker.close()
        assert (
            db.execute("SELECT status FROM reports_reportjob WHERE id = %s", (job_id,)).fetchone()[
                0
            ]
            == "running"
        )
        worker.start()
        running.append(worker)
        wait_for(
            "the restarted worker to finish the report",
            lambda: (
                db.execute(
                    "SELECT status FROM reports_reportjob WHERE id = %s", (job_id,)
                ).fetchone()[0]
                in ("done", "failed")
            ),
            running,
        )
        status, content = db.execute(
            "SELECT status, content FROM reports_reportjob WHERE id = %s", (job_id,)
        ).fetchone()
        assert status == "done"
        assert bytes(content).startswith(b"%PDF")


def _count(db: psycopg.Connection, sql: str, *params: object) -> int:
    row = db.execute(sql, params).fetchone()
    return int(row[0] or 0) if row else 0


def _metric(exposition: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", exposition, re.MULTILINE)
    assert found, f"{name} not in\n{exposition}"
    return float(found.group(1))


SET_LIMITS = f"""
from ecer.web.monitoring.models import MonitoringPoint, PointPollutant
for point in MonitoringPoint.objects.filter(mn__startswith="{PREFIX}", medium="water"):
    PointPollutant.objects.update_or_create(
        point=point, pollutant="w01018", defaults={{"upper_limit": 1.0}}
    )
"""
