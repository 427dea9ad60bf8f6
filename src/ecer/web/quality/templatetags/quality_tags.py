"""``{% record_findings record %}``: a record's data-quality findings where its figures are
shown, with the justifications of approvals that overrode them."""

from __future__ import annotations

from typing import Any

from django import template

from ecer.web.quality import services
from ecer.web.quality.models import FindingStatus

register = template.Library()


@register.inclusion_tag("quality/_record_findings.html")
def record_findings(record: Any) -> dict[str, Any]:
    if record is None or record.pk is None:
        return {"findings": [], "overrides": []}
    findings = list(services.findings_for(record).exclude(status=FindingStatus.RESOLVED))
    return {
        "findings": findings,
        "pending": [f for f in findings if f.status == FindingStatus.OPEN],
        "overrides": list(services.overrides_for(record)),
    }
