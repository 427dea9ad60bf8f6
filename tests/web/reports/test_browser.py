"""The reports page in headless Chromium: a report generated in the background thread, its
progress polled by the page, and the file downloaded; screenshot in test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import screenshot
from tests.web.test_browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_is_generated_with_progress_and_downloaded(
    page: Any, live_server: Any, reports_demo: Any, django_user_model: Any, settings: Any
) -> None:
    # The real path: the job runs in a background thread after its row is committed.
    settings.ECER_REPORTS_INLINE = False
    login(page, live_server, django_user_model)
    page.goto(f"{live_server.url}/reports/?year=2024")
    assert page.get_attribute("#assessment tr[data-area=haicheng]", "data-grade") == "exceeded"
    assert page.inner_text("#assessment tr[data-area=hepu] .grade") == "未完成"
    page.select_option("#generate-form select[name=kind]", "annual_pdf")
    page.click("#generate-form button[type=submit]")
    # A liveness bound, not a speed check: a loaded 2-core machine took over 60 s.
    page.wait_for_selector("#job[data-status=done]", timeout=600_000)
    assert page.inner_text("#job-status").startswith("已完成 100%")
    with page.expect_download() as info:
        page.click("#job-download")
    download = info.value
    assert download.suggested_filename == "ecer-annual-pdf-2024.pdf"
    with open(download.path(), "rb") as f:
        assert f.read(4) == b"%PDF"
    screenshot(page, "reports-generated")
