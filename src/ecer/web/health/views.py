"""/healthz: the process answers. /readyz: it can serve (database, migrations, NATS).
/metrics: Prometheus. None needs a session; the reverse proxy keeps them internal
(deploy/nginx/ecer.conf)."""

from __future__ import annotations

import socket
from urllib.parse import urlparse

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ecer.web.health.metrics import exposition


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body + "\n", status=status, content_type="text/plain; charset=utf-8")


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return _text("ok")


def database_problem() -> str | None:
    """Why the database cannot serve, or None: reachable and every migration applied."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return f"database: {exc}".strip()
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        return f"database: {len(pending)} migrations not applied ({names}); run `ecer setup`"
    return None


def nats_problem(url: str, timeout: float = 2.0) -> str | None:
    """Why NATS at ``url`` is not usable, or None: it answered with its INFO line."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 4222
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            greeting = conn.recv(5)
    except OSError as exc:
        return f"NATS at {host}:{port}: {exc}"
    if greeting != b"INFO ":
        return f"NATS at {host}:{port}: not a NATS server (answered {greeting!r})"
    return None


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    problems = [database_problem()]
    if settings.ECER_NATS_URL:
        problems.append(nats_problem(settings.ECER_NATS_URL))
    found = [p for p in problems if p]
    if found:
        return _text("\n".join(found), status=503)
    return _text("ready")


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    body, content_type = exposition()
    return HttpResponse(body, content_type=content_type)
