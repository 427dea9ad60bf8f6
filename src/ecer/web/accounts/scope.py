"""Object-level scope: which areas, targets and records a user may see and change.

Every view, export and admin page asks the request's Scope; nothing decides access on its own.
- city administrator (DRC/EEB): everything, reviews submissions;
- department user: every area, only the targets its department leads or co-leads; reports the
  city-level figures of those targets;
- district user: its own district only (the targets decomposed to districts);
- enterprise user: its own enterprise only (none of the plan's area figures);
- leader: everything, read-only.
Online monitoring points: city administrators, leaders and the Ecology and Environment
department see all; a district user those in its district; an enterprise user those with its
unified social credit code; other departments none.
A superuser without a membership acts as city administrator; any other user without one sees
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from ecer.web.accounts.models import Membership, Role

# The department that supervises pollution sources sees every monitoring point.
MONITORING_DEPARTMENT = "ecology_environment"


@dataclass(frozen=True)
class Scope:
    role: str | None
    area_id: int | None = None
    department_id: int | None = None
    enterprise_code: str = ""

    @classmethod
    def for_user(cls, user: Any) -> Scope:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls(role=None)
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            return cls(role=Role.CITY_ADMIN if user.is_superuser else None)
        return cls(
            role=membership.role,
            area_id=membership.area_id,
            department_id=membership.department_id,
            enterprise_code=membership.enterprise_code,
        )

    # Who is this?
    @property
    def has_access(self) -> bool:
        return self.role is not None

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN

    @property
    def sees_all_areas(self) -> bool:
        return self.role in (Role.CITY_ADMIN, Role.LEADER, Role.DEPARTMENT)

    @property
    def can_review(self) -> bool:
        return self.is_city_admin

    # Areas
    def areas(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.sees_all_areas:
            return queryset
        if self.role == Role.DISTRICT:
            return queryset.filter(pk=self.area_id)
        return queryset.none()

    def can_view_area(self, area: Any) -> bool:
        return self.sees_all_areas or (self.role == Role.DISTRICT and area.pk == self.area_id)

    # Targets
    def targets(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.role in (Role.CITY_ADMIN, Role.LEADER):
            return queryset
        if self.role == Role.DEPARTMENT:
            return queryset.filter(
                Q(lead_departments=self.department_id) | Q(co_departments=self.department_id)
            ).distinct()
        if self.role == Role.DISTRICT:
            return queryset.filter(applies_to_districts=True)
        return queryset.none()

    def can_view_target(self, target: Any) -> bool:
        return self.targets(type(target).objects.filter(pk=target.pk)).exists()

    # Changes
    def can_submit(self, target: Any, area: Any) -> bool:
        """May this user enter and submit a figure of ``target`` for ``area``?"""
        if self.is_city_admin:
            return True
        if self.role == Role.DISTRICT:
            return area.pk == self.area_id and target.applies_to_districts
        if self.role == Role.DEPARTMENT:
            return area.is_city and self.can_view_target(target)
        return False

    # Online monitoring points (HJ 212)
    @property
    def sees_all_monitoring_points(self) -> bool:
        """City administrators, leaders and the Ecology and Environment department."""
        if self.role in (Role.CITY_ADMIN, Role.LEADER):
            return True
        if self.role == Role.DEPARTMENT:
            from ecer.web.catalog.models import Department

            return Department.objects.filter(
                pk=self.department_id, code=MONITORING_DEPARTMENT
            ).exists()
        return False

    @property
    def can_view_monitoring(self) -> bool:
        """May open the monitoring pages at all (which points it sees is another question)."""
        return (
            self.role == Role.DISTRICT
            or (self.role == Role.ENTERPRISE and bool(self.enterprise_code))
            or self.sees_all_monitoring_points
        )

    def monitoring_points(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """A district's points are those in the district; an enterprise's, those with its
        unified social credit code."""
        if self.sees_all_monitoring_points:
            return queryset
        if self.role == Role.DISTRICT:
            return queryset.filter(area_id=self.area_id)
        if self.role == Role.ENTERPRISE and self.enterprise_code:
            return queryset.filter(enterprise_code=self.enterprise_code)
        return queryset.none()

    @property
    def can_submit_anything(self) -> bool:
        return self.role in (Role.CITY_ADMIN, Role.DISTRICT, Role.DEPARTMENT)

    @property
    def can_upload_by_api(self) -> bool:
        """Sends data through the API: observations (city, departments, districts), meter
        readings and energy reports (an enterprise with its code; city administrators)."""
        return self.can_submit_anything or (
            self.role == Role.ENTERPRISE and bool(self.enterprise_code)
        )

    @property
    def manages_own_api_keys(self) -> bool:
        """Enterprise users issue and revoke their enterprise's keys themselves."""
        return self.role == Role.ENTERPRISE and bool(self.enterprise_code)
