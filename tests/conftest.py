"""Suite-wide checks: when DATABASE_URL names PostgreSQL, it must be reachable (fail, never skip)."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest


def pytest_sessionstart(session: pytest.Session) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    parsed = urlparse(url)
    try:
        psycopg.connect(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password or None,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg.OperationalError as exc:
        raise pytest.UsageError(
            f"DATABASE_URL={url} but PostgreSQL is not reachable: {exc}. "
            "Start it (pg_ctlcluster <version> main start) or unset DATABASE_URL."
        ) from None
