"""Which enterprises a user may see: everyone who sees all areas sees every enterprise, a
district user those of its district, an enterprise user its own (by credit code)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ecer.web.accounts.models import Role


def visible_enterprises(scope: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if scope.sees_all_areas:
        return queryset
    if scope.role == Role.DISTRICT:
        return queryset.filter(area_id=scope.area_id)
    if scope.role == Role.ENTERPRISE and scope.enterprise_code:
        return queryset.filter(credit_code=scope.enterprise_code)
    return queryset.none()


def can_view_enterprise(scope: Any, enterprise: Any) -> bool:
    if scope.sees_all_areas:
        return True
    if scope.role == Role.DISTRICT:
        return bool(enterprise.area_id == scope.area_id)
    return bool(scope.role == Role.ENTERPRISE and enterprise.credit_code == scope.enterprise_code)


def can_report_for(scope: Any, enterprise: Any) -> bool:
    """City administrators and the enterprise itself enter its reports and readings."""
    if scope.is_city_admin:
        return True
    return bool(scope.role == Role.ENTERPRISE and enterprise.credit_code == scope.enterprise_code)
