"""Suite-wide checks and fixtures: PostgreSQL reachable when named (fail, never skip); the plan."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck, settings

# No test depends on timing (the suite runs on loaded 2-core machines): Hypothesis keeps its
# examples but drops its deadline and its too-slow health check everywhere.
settings.register_profile("ecer", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ecer")


def pytest_sessionstart(session: pytest.Session) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not _on_postgres():
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


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` prove PostgreSQL behaviour (row locks): they are left out of
    the SQLite run (the report header says so) and run in .ci/run's PostgreSQL run, as does
    the ``smoke`` test of the production stack (which needs PostgreSQL whatever DATABASE_URL
    says). The ``crawl`` tests walk the whole demo through the pages (what they prove does not
    depend on the database): they run once, in the SQLite run. Each half so stays within its
    time (``make test`` under 15 minutes on 2 cores, the PostgreSQL run under 20)."""
    markers = ("crawl",) if _on_postgres() else ("postgres", "smoke")

    def left_out(item: pytest.Item) -> bool:
        return any(item.get_closest_marker(marker) is not None for marker in markers)

    dropped = [item for item in items if left_out(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not left_out(item)]

    # The long tests first (a stable sort: the rest keep their order), so that pytest-xdist
    # starts them early on different workers instead of ending the run with one of them;
    # then those that share fixtures, grouped, so that each group loads them once
    # (tests/web/conftest.py, ``_shared``).
    def order(item: pytest.Item) -> tuple[bool, bool, tuple[str, ...]]:
        key = shared_key(item)
        return (not any(item.get_closest_marker(m) for m in LONG_MARKERS), not key, key)

    items.sort(key=order)


LONG_MARKERS = ("crawl", "soak", "smoke", "browser")

# Fixtures loaded once for a run of consecutive tests that ask for the same ones and roll
# back (tests/web/conftest.py).
SHAREABLE = ("full_demo", "world")
_COMMITS = {"transactional_db", "live_server", "django_db_reset_sequences"}


def shared_key(item: pytest.Item) -> tuple[str, ...]:
    """The shareable fixtures a test asks for; () for a test that commits (its own load)."""
    names = getattr(item, "fixturenames", ())
    key = tuple(name for name in SHAREABLE if name in names)
    if not key or _COMMITS & set(names):
        return ()
    marker = item.get_closest_marker("django_db")
    if marker and any(marker.kwargs.get(k) for k in ("transaction", "reset_sequences")):
        return ()
    return key


def pytest_report_header(config: pytest.Config) -> str:
    if _on_postgres():
        return (
            "database: PostgreSQL (tests marked `postgres` and `smoke` included; the `crawl` "
            "tests ran in the SQLite run)"
        )
    return (
        "database: SQLite; tests marked `postgres` and `smoke` are left out and run with "
        "DATABASE_URL=postgres://… (the second half of .ci/run)"
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the Beihai plan once into each test database; tests roll back around it."""
    with django_db_blocker.unblock():
        _load_plan()


def _load_plan() -> Any:
    from ecer.plan.loader import default_plan_path, load_plan_file
    from ecer.web.catalog.loading import load_catalog_into_db
    from ecer.web.catalog.models import Plan

    catalog = load_plan_file(default_plan_path())
    plan = Plan.objects.filter(code=catalog.plan.code).first()
    if plan is None:  # a transactional test flushed the database: load it again
        load_catalog_into_db(catalog)
        plan = Plan.objects.get(code=catalog.plan.code)
    return plan


@pytest.fixture
def loaded_plan(db: Any) -> Any:
    return _load_plan()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Tests create many users; the production hasher (PBKDF2) is checked in test_security."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts and ends in the default language: a request to /en/ activates English
    in the worker's thread, and code run outside a request afterwards would speak it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
