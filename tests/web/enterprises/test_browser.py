"""The upload example sends a month of readings to a running server; the enterprise page
shows them in headless Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "upload_readings.py"


def test_uploaded_readings_appear_on_the_enterprise_page(
    page: Any, live_server: Any, firm: Any, django_user_model: Any
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--url",
            live_server.url,
            "--key",
            firm.key,
            "--meter",
            "E-01",
            "--month",
            "2024-11",
            "--kwh-per-hour",
            "1000",
            "--batch",
            "300",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # 30 days x 24 h + the reading at 1 December 00:00, each sent twice.
    assert "sent 721 readings twice: 721 stored, 721 duplicates" in done.stdout
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/enterprises/{firm.enterprise.credit_code}/?month=2024-11")
    page.wait_for_selector("#daily-chart[data-rendered=true]")
    row = page.inner_text("#meters tr[data-meter=E-01]")
    # 720 hours x 1,000 kWh (the day/night profile averages out over whole days).
    assert "720,000" in row and "720" in row
    assert page.locator("#daily-chart svg path").count() > 3
    screenshot(page, "enterprise-online-data")
