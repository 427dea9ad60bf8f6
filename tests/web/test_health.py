"""/healthz, /readyz and /metrics of the web application."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from ecer.web.health.views import nats_problem


@pytest.mark.django_db
def test_healthz_and_readyz_answer_without_a_session(client: Client) -> None:
    assert client.get("/healthz").content == b"ok\n"
    response = client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")


@pytest.mark.django_db
def test_readyz_says_when_migrations_are_not_applied(client: Client, monkeypatch: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    class Pending:
        app_label, name = "monitoring", "0099_future"

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, t: [(Pending, False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert b"1 migrations not applied (monitoring.0099_future)" in response.content


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.django_db
def test_readyz_checks_nats_when_configured(client: Client) -> None:
    port = _closed_port()
    with override_settings(ECER_NATS_URL=f"nats://127.0.0.1:{port}"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert f"NATS at 127.0.0.1:{port}".encode() in response.content


def test_a_server_that_is_not_nats_is_told_apart() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)

        def greet() -> None:
            conn, _ = server.accept()
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            conn.close()

        thread = threading.Thread(target=greet)
        thread.start()
        problem = nats_problem(f"nats://127.0.0.1:{server.getsockname()[1]}")
        thread.join()
    assert problem is not None and "not a NATS server" in problem


@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_status(client: Client) -> None:
    def count(body: str, view: str, status: str) -> float:
        prefix = f'ecer_http_requests_total{{method="GET",status="{status}",view="{view}"}} '
        lines = [line for line in body.splitlines() if line.startswith(prefix)]
        return float(lines[0].removeprefix(prefix)) if lines else 0.0

    before = client.get("/metrics").content.decode()
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page/")
    after = client.get("/metrics").content.decode()
    assert count(after, "health:healthz", "200") - count(before, "health:healthz", "200") == 2
    assert count(after, "unmatched", "404") - count(before, "unmatched", "404") >= 1
    assert "ecer_http_request_duration_seconds_bucket" in after
