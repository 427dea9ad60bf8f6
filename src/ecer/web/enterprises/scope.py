"""Which enterprises a user may see: city administrators and leaders every enterprise, a
district user those of its district, an enterprise user its own (by credit code); a department
none (their reports are business data: docs/security.md). The rules are the Scope's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ecer.web.accounts.models import Role


def visible_enterprises(scope: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    return scope.enterprises(queryset)  # type: ignore[no-any-return]


def can_view_enterprise(scope: Any, enterprise: Any) -> bool:
    return bool(scope.can_view_enterprise(enterprise))


def can_report_for(scope: Any, enterprise: Any) -> bool:
    """City administrators and the enterprise itself enter its reports and readings."""
    if scope.is_city_admin:
        return True
    return bool(scope.role == Role.ENTERPRISE and enterprise.credit_code == scope.enterprise_code)
