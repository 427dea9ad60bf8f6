"""Fixtures for the web tests: a loaded plan with demo data, users, and headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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
    from ecer.web.audit.models import Status
    from ecer.web.catalog.demo import demo_rows
    from ecer.web.catalog.observations_io import import_observations

    import_observations(
        "demo", demo_rows(loaded_plan), plan=loaded_plan, status=Status.APPROVED, is_demo=True
    )
    return loaded_plan


@pytest.fixture
def full_demo(demo_data: Any, settings: Any, tmp_path: Any) -> Any:
    """The whole demo: plan observations, energy accounts, monitoring points, reduction
    projects, the project register and the assessment scheme."""
    from django.utils import timezone

    from ecer.web.energy.demo import load_demo as load_energy
    from ecer.web.enterprises.demo import load_demo as load_enterprises
    from ecer.web.monitoring.demo import ensure_demo_points
    from ecer.web.programmes.demo import load_demo as load_programmes
    from ecer.web.projects.demo import load_demo as load_projects
    from ecer.web.reductions.demo import load_demo as load_reductions
    from ecer.web.registers.demo import load_demo as load_registers
    from ecer.web.reports.services import ensure_default_scheme

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ECER_REPORTS_INLINE = True
    list(load_energy(demo_data))
    list(load_enterprises())
    ensure_demo_points(timezone.now())
    list(load_reductions())
    list(load_registers(demo_data))
    list(load_projects())
    list(load_programmes(demo_data))
    ensure_default_scheme()
    return demo_data


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
