"""Fixtures for the web tests: a loaded plan with demo data, users, and headless Chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_HASHERS, _load_plan, shared_key

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
def full_demo(_shared: dict[str, Any], loaded_plan: Any, settings: Any) -> Any:
    """The whole demo: plan observations, energy accounts, monitoring points, reduction
    projects, the project register and the assessment scheme (shared, see ``_shared``)."""
    settings.ECER_REPORTS_INLINE = True
    settings.MEDIA_ROOT = _shared["media"]
    if "full_demo" not in _shared:  # a test that commits loads its own
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


# Fixtures that tests share while they follow each other (SHAREABLE in tests/conftest.py):
# loaded once inside an outer transaction that stays open while the next test asks for the
# same ones; each test's own transaction (pytest-django's) is a savepoint in it and rolls
# back to them as loaded. The outer one is rolled back before a test that asks for others,
# before a test that commits (it loads its own) and when the hour changes (the monitoring
# demo's data end an hour before the load). Name -> loader, given the plan (settings as in
# a test).
SHARED_LOADERS: dict[str, Callable[[Any], Any]] = {"full_demo": _load_full_demo}
_open: dict[str, Any] = {}  # "atomic", "key", "hour", "media", and each loader's value


def _hour() -> str:
    from django.utils import timezone

    return timezone.now().strftime("%Y-%m-%d %H")


def _close_shared(django_db_blocker: Any) -> None:
    atomic = _open.pop("atomic", None)
    _open.clear()
    if atomic is not None:
        from django.db import transaction

        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def _shared(
    request: pytest.FixtureRequest, django_db_blocker: Any, tmp_path_factory: Any
) -> dict[str, Any]:
    """The media folder ("media") and the values of the shared fixtures this test asks for,
    loaded now if need be; only the media folder for a test that commits. Set up before
    pytest-django's transaction (see ``_django_db_marker``)."""
    key = shared_key(request.node)
    if (key, _hour()) != (_open.get("key"), _open.get("hour")):
        _close_shared(django_db_blocker)
    if not key:
        return {"media": tmp_path_factory.mktemp("media")}
    if not _open:
        from django.db import transaction
        from django.test import override_settings

        request.getfixturevalue("django_db_setup")
        media = tmp_path_factory.mktemp("shared-media")
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            _open.update(atomic=atomic, key=key, hour=_hour(), media=media)
            try:
                with override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS):
                    plan = _load_plan()  # again if a test that commits flushed the database
                    for name in key:
                        _open[name] = SHARED_LOADERS[name](plan)
            except BaseException:
                _close_shared(django_db_blocker)
                raise
    return _open


@pytest.fixture(autouse=True)
def _django_db_marker(_shared_first: None, _django_db_marker: None) -> None:
    """pytest-django's, after the shared fixtures' outer transaction has been opened."""


@pytest.fixture
def _shared_first(request: pytest.FixtureRequest) -> None:
    if shared_key(request.node):
        request.getfixturevalue("_shared")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    yield
    if _open and (nextitem is None or shared_key(nextitem) != _open["key"]):
        from pytest_django.plugin import blocking_manager_key

        _close_shared(item.config.stash[blocking_manager_key])


@pytest.fixture(autouse=True)
def _live_requests_done(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test on the live server ends once the server has answered every request it took:
    a page still refreshing (the big screen) must not read the database while the test's
    data are flushed ("database table is locked" on SQLite)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so flushed after this ends
    from django.core.signals import request_finished, request_started

    busy = [0]
    idle = threading.Condition()

    def started(**_: Any) -> None:
        with idle:
            busy[0] += 1

    def finished(**_: Any) -> None:
        with idle:
            busy[0] -= 1
            idle.notify_all()

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    try:
        yield
    finally:
        with idle:
            idle.wait_for(lambda: busy[0] <= 0, timeout=300)
        request_started.disconnect(started)
        request_finished.disconnect(finished)


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
