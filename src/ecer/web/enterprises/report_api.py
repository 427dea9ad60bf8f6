"""JSON API for enterprises' annual energy reports: review (approval)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja import Status as Reply
from ninja.errors import HttpError

from ecer.web.enterprises.models import EnergyReport
from ecer.web.enterprises.scope import can_view_enterprise
from ecer.web.quality import api as quality_api

router = Router(tags=["enterprise reports"])


@router.post(
    "/{code}/reports/{year}/approve",
    response={
        200: quality_api.ApprovalOut,
        400: quality_api.ApprovalRefused,
        403: quality_api.ApprovalRefused,
        409: quality_api.ApprovalRefused,
    },
)
def approve_report(
    request: HttpRequest, code: str, year: int, body: quality_api.ApprovalIn
) -> Reply:
    """Approve a submitted report. With open error- or warning-level data-quality findings
    the approval is refused (409, with the findings) unless ``justification`` says why."""
    report = (
        EnergyReport.objects.select_related("enterprise")
        .filter(enterprise__credit_code=code, year=year)
        .first()
    )
    if report is None or not can_view_enterprise(request.scope, report.enterprise):  # type: ignore[attr-defined]
        raise HttpError(404, "report not found")
    return quality_api.approve(request, report, body)
