"""What the JSON API's approval endpoints share: the body, the replies, and one function that
approves through the audit workflow (so the data-quality check runs exactly as on the pages)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Schema
from ninja import Status as Reply

from ecer.web.audit import workflow
from ecer.web.quality import services


class ApprovalIn(Schema):
    justification: str = ""


class FindingOut(Schema):
    rule_code: str
    severity: str
    message: str
    status: str


class ApprovalOut(Schema):
    status: str
    findings: list[FindingOut]


class ApprovalRefused(Schema):
    detail: str
    findings: list[FindingOut] = []


def _findings(record: Any) -> list[dict[str, str]]:
    return [
        {"rule_code": f.rule_code, "severity": f.severity, "message": f.message, "status": f.status}
        for f in services.findings_for(record).exclude(status="resolved")
    ]


def approve(request: HttpRequest, record: Any, body: ApprovalIn) -> Reply:
    """200 approved; 409 blocked by findings that need a justification; 403 not a reviewer;
    400 not in a state to approve."""
    try:
        workflow.approve(record, request.user, request.scope, body.justification)  # type: ignore[attr-defined]
    except PermissionDenied:
        return Reply(403, {"detail": "only city administrators approve"})
    except services.ApprovalBlocked as exc:
        findings = [
            {
                "rule_code": f.rule_code,
                "severity": f.severity,
                "message": f.message,
                "status": f.status,
            }
            for f in exc.findings
        ]
        return Reply(409, {"detail": " ".join(exc.messages), "findings": findings})
    except ValidationError as exc:
        return Reply(400, {"detail": " ".join(exc.messages)})
    return Reply(200, {"status": record.status, "findings": _findings(record)})
