"""Fixtures for the web tests: a loaded plan with demo data, users, and headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _load_plan

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("ECER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def demo_data(loaded_plan: Any) -> Any:
    return _load_demo_observations(loaded_plan)


def _load_demo_observations(plan: Any) -> Any:
    from ecer.web.audit.models import Status
    from ecer.web.catalog.demo import demo_rows
    from ecer.web.catalog.observations_io import import_observations

    import_observations("demo", demo_rows(plan), plan=plan, status=Status.APPROVED, is_demo=True)
    return plan


@pytest.fixture
def full_demo(
    _shared_demo: Path | None, loaded_plan: Any, settings: Any, tmp_path_factory: Any
) -> Any:
    """The whole demo: plan observations, energy accounts, monitoring points, reduction
    projects, the project register and the assessment scheme.

    Loaded once for a run of consecutive tests that roll back (see ``_shared_demo``), else
    (a test that commits: live server, transactional) for the test itself."""
    settings.ECER_REPORTS_INLINE = True
    if _shared_demo is not None:
        settings.MEDIA_ROOT = _shared_demo
    else:
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
        _load_full_demo(loaded_plan)
    return loaded_plan


def _load_full_demo(plan: Any) -> None:
    from django.utils import timezone

    from ecer.web.energy.demo import load_demo as load_energy
    from ecer.web.enterprises.demo import load_demo as load_enterprises
    from ecer.web.monitoring.demo import ensure_demo_points
    from ecer.web.programmes.demo import load_demo as load_programmes
    from ecer.web.projects.demo import load_demo as load_projects
    from ecer.web.reductions.demo import load_demo as load_reductions
    from ecer.web.registers.demo import load_demo as load_registers
    from ecer.web.reports.services import ensure_default_scheme

    _load_demo_observations(plan)
    list(load_energy(plan))
    list(load_enterprises())
    ensure_demo_points(timezone.now())
    list(load_reductions())
    list(load_registers(plan))
    list(load_projects())
    list(load_programmes(plan))
    ensure_default_scheme()


# One load of the whole demo serves a run of consecutive tests: it is made inside an outer
# transaction that stays open while the next test also asks for ``full_demo``; each test's
# own transaction (pytest-django's) is a savepoint in it and rolls back to the demo as
# loaded. It is rolled back before a test that does not ask for the demo, before a test
# that commits (those load their own) and when the hour changes (the monitoring demo's
# data end an hour before the load).
_shared: dict[str, Any] = {}


def _shares_demo(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "full_demo" not in names:
        return False
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names):
        return False
    marker = item.get_closest_marker("django_db")
    return marker is None or not any(
        marker.kwargs.get(name) for name in ("transaction", "reset_sequences", "databases")
    )


def _hour() -> str:
    from django.utils import timezone

    return timezone.now().strftime("%Y-%m-%d %H")


def _close_shared(django_db_blocker: Any) -> None:
    atomic = _shared.pop("atomic", None)
    _shared.clear()
    if atomic is not None:
        from django.db import transaction

        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def _shared_demo(
    request: pytest.FixtureRequest, django_db_blocker: Any, tmp_path_factory: Any
) -> Path | None:
    """The media folder of the shared demo load, opened now if need be; None when this test
    loads its own. Set up before pytest-django's transaction (see ``_django_db_marker``)."""
    if not _shares_demo(request.node):
        _close_shared(django_db_blocker)
        return None
    if _shared.get("hour") != _hour():
        _close_shared(django_db_blocker)
    if not _shared:
        from django.db import transaction
        from django.test import override_settings

        request.getfixturevalue("django_db_setup")
        media = tmp_path_factory.mktemp("shared-media")
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            _shared.update(atomic=atomic, media=media, hour=_hour())
            with override_settings(MEDIA_ROOT=media):
                _load_full_demo(_load_plan())
    return _shared["media"]  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def _django_db_marker(_shared_demo: Path | None, _django_db_marker: None) -> None:
    """pytest-django's, after the shared demo's outer transaction has been opened."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    yield
    if _shared and (nextitem is None or not _shares_demo(nextitem)):
        from pytest_django.plugin import blocking_manager_key

        _close_shared(item.config.stash[blocking_manager_key])


@pytest.fixture
def admin_client(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_superuser("boss", "", "pw-for-tests-only")
    client.force_login(user)
    return client


# Module scope: Playwright's sync API keeps an asyncio loop running while it is open, which
# would break later tests in the same process that start their own loop (the HJ 212 gateway).
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `make browser` (Debian package chromium)"
        )
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Any, name: str) -> Path:
    """Keep a full-page screenshot under test-artifacts/screenshots/ and return its path."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path
