"""Defaults (issue #19, class 6): safe without any variable; headers on every route."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ecer.web.accounts.models import ApiKey
from tests.web.accounts.conftest import World
from tests.web.accounts.test_permission_matrix import ROUTES

ROOT = Path(__file__).resolve().parents[3]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _settings_in_fresh_process(tmp_path: Path, **env: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ECER_", "SECRET_KEY"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="ecer.web.settings",
        ECER_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT / "src"),
        **env,
    )
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['DEBUG', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SECRET_KEY']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout))


def test_without_any_variable_debug_is_off_and_the_secret_is_private(tmp_path: Path) -> None:
    first = _settings_in_fresh_process(tmp_path)
    assert first["DEBUG"] is False
    assert first["SECURE_HSTS_SECONDS"] == 0  # no TLS declared: no HSTS
    key_file = tmp_path / "secret-key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert first["SECRET_KEY"] == key_file.read_text().strip() and len(first["SECRET_KEY"]) >= 50
    assert _settings_in_fresh_process(tmp_path)["SECRET_KEY"] == first["SECRET_KEY"]
    assert _settings_in_fresh_process(tmp_path, ECER_DEBUG="1")["DEBUG"] is True


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    values = _settings_in_fresh_process(tmp_path, ECER_HTTPS="1")
    assert values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]


def test_make_run_is_the_only_place_that_turns_debug_on() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^\tECER_DEBUG=1 \$\(BIN\)/ecer manage runserver", makefile, re.M)
    assert makefile.count("ECER_DEBUG=1") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["city_admin", "enterprise", "district"])
def test_every_page_has_csp_no_inline_script_and_no_store(
    world: World, client: Any, role: str
) -> None:
    client.force_login(world.users[role])
    failures = []
    for route in ROUTES:
        if route.method != "get":
            continue
        path = route.url(world, role, "own")
        response = client.get(path)
        csp = response.get("Content-Security-Policy", "")
        script_src = re.search(r"script-src ([^;]*)", csp)
        if not script_src or script_src.group(1).strip() != "'self'":
            failures.append(f"{path}: CSP {csp!r}")
        if "no-store" not in response.get("Cache-Control", ""):
            failures.append(f"{path}: Cache-Control {response.get('Cache-Control')!r}")
        if response.get("Content-Type", "").startswith("text/html"):
            html = response.content.decode()
            if INLINE_SCRIPT.search(html) or EVENT_HANDLER.search(html):
                failures.append(f"{path}: inline script or event handler")
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_api_docs_are_behind_sign_in_and_served_locally(world: World, client: Any) -> None:
    assert client.get("/api/docs").status_code == 302
    client.force_login(world.users["enterprise"])
    page = client.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and not INLINE_SCRIPT.search(html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/meters/readings",
        "/api/observations",
        "/api/enterprises/91450521MA5HP0040E/reports/2023/approve",
    ],
)
def test_a_missing_or_revoked_key_is_answered_401_in_json(
    world: World, client: Any, path: str
) -> None:
    key, raw = ApiKey.issue(world.users["enterprise"], "logger")
    key.revoke()
    for headers in (
        {},
        {"HTTP_AUTHORIZATION": f"Bearer {raw}"},
        {"HTTP_AUTHORIZATION": "Bearer x"},
    ):
        response = client.post(path, data="{}", content_type="application/json", **headers)
        assert response.status_code == 401, (path, headers, response.content)
        assert response.json() == {"detail": "Unauthorized"}
