"""Object-level scope: which areas, targets and records a user may see and change.

Every view, export and admin page asks the request's Scope; nothing decides access on its own.
- city administrator (DRC/EEB): everything, reviews submissions;
- department user: every area, only the targets its department leads or co-leads; reports the
  city-level figures of those targets; the areas' aggregate figures read-only; no enterprise's
  reports, readings or rights account (business data of enterprises is the DRC's and the
  enterprise's: docs/security.md "Roles and scopes");
- district user: its own district only (the targets decomposed to districts);
- enterprise user: its own enterprise only (none of the plan's area figures);
- leader: everything, read-only.
Plan tasks: a department sees those it leads or co-leads, a district those of 三 naming the
county governments, and files progress reports on them; the city sees and reviews all.
Online monitoring points: city administrators, leaders and the Ecology and Environment
department see all; a district user those in its district; an enterprise user those with its
unified social credit code; other departments none.
A superuser without a membership acts as city administrator; any other user without one sees
nothing.

Every object a form field, a query parameter or an API parameter may name is narrowed by
``Scope.narrow``, which knows each such model by its label (``NARROWERS``); a model it does not
know cannot be named (``Unscoped``), so a new field cannot forget its scope
(``ecer.web.accounts.scoping``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from ecer.web.accounts.models import Membership, Role

# The department that supervises pollution sources sees every monitoring point.
MONITORING_DEPARTMENT = "ecology_environment"
# The plan catalog's code for 各县区人民政府 (ecer.plan.schema: recorded in ``co`` from 三(一) on).
COUNTY_GOVERNMENTS = "county_governments"


class Unscoped(ImproperlyConfigured):
    """A form field, filter or API parameter names a model that no Scope rule narrows."""


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

    # Plan tasks (issue 20): a department those it leads or co-leads; a district those of
    # 三 that name the county governments (三(一): 以下均需各县区人民政府负责); the city all.
    def tasks(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.role in (Role.CITY_ADMIN, Role.LEADER):
            return queryset
        if self.role == Role.DEPARTMENT:
            return queryset.filter(
                Q(lead_departments=self.department_id) | Q(co_departments=self.department_id)
            ).distinct()
        if self.role == Role.DISTRICT:
            return queryset.filter(
                section__clause__startswith="三(", co_departments__code=COUNTY_GOVERNMENTS
            ).distinct()
        return queryset.none()

    def can_view_task(self, task: Any) -> bool:
        return self.tasks(type(task).objects.filter(pk=task.pk)).exists()

    def reports_on_task(self, task: Any) -> bool:
        """May file progress reports on ``task`` (for its own department or district)?"""
        return self.role in (Role.DEPARTMENT, Role.DISTRICT) and self.can_view_task(task)

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

    # Enterprises and their business data (reports, readings, rights accounts)
    @property
    def sees_all_enterprises(self) -> bool:
        """City administrators and leaders; a department has no business with an enterprise's
        reports, readings or rights holdings (docs/security.md)."""
        return self.role in (Role.CITY_ADMIN, Role.LEADER)

    def enterprises(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """A district sees the enterprises in its district, an enterprise itself."""
        if self.sees_all_enterprises:
            return queryset
        if self.role == Role.DISTRICT:
            return queryset.filter(area_id=self.area_id)
        if self.role == Role.ENTERPRISE and self.enterprise_code:
            return queryset.filter(credit_code=self.enterprise_code)
        return queryset.none()

    def can_view_enterprise(self, enterprise: Any) -> bool:
        if self.sees_all_enterprises:
            return True
        if self.role == Role.DISTRICT:
            return bool(enterprise.area_id == self.area_id)
        return bool(
            self.role == Role.ENTERPRISE
            and self.enterprise_code
            and enterprise.credit_code == self.enterprise_code
        )

    def can_view_account(self, credit_code: str) -> bool:
        """The emission-rights ledger (holdings, trades with prices) by account."""
        if self.sees_all_enterprises:
            return True
        return bool(
            self.role == Role.ENTERPRISE
            and self.enterprise_code
            and credit_code == self.enterprise_code
        )

    # Any object a form, filter or API parameter names
    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The rows of ``queryset`` this user may name; Unscoped for a model no rule knows."""
        label = queryset.model._meta.label_lower
        rule = NARROWERS.get(label)
        if rule is None:
            raise Unscoped(
                f"no scope rule for {label}: add one to NARROWERS in ecer.web.accounts.scope "
                "before a form field, filter or API parameter may name it"
            )
        return rule(self, queryset)

    def can_name(self, obj: Any) -> bool:
        return self.narrow(type(obj)._default_manager.filter(pk=obj.pk)).exists()


def _by_area(scope: Scope, queryset: QuerySet[Any]) -> QuerySet[Any]:
    from ecer.web.catalog.models import Area

    return queryset.filter(area__in=scope.areas(Area.objects.all()))


def _by_enterprise(scope: Scope, queryset: QuerySet[Any]) -> QuerySet[Any]:
    from ecer.web.enterprises.models import Enterprise

    return queryset.filter(enterprise__in=scope.enterprises(Enterprise.objects.all()))


def _observations(scope: Scope, queryset: QuerySet[Any]) -> QuerySet[Any]:
    from ecer.web.catalog.models import Area, Target

    return queryset.filter(
        area__in=scope.areas(Area.objects.all()), target__in=scope.targets(Target.objects.all())
    )


def _departments(scope: Scope, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if scope.role in (Role.CITY_ADMIN, Role.LEADER):
        return queryset
    if scope.role == Role.DEPARTMENT:
        return queryset.filter(pk=scope.department_id)
    return queryset.none()


def _accounts(scope: Scope, queryset: QuerySet[Any]) -> QuerySet[Any]:
    if scope.sees_all_enterprises:
        return queryset
    if scope.role == Role.ENTERPRISE and scope.enterprise_code:
        return queryset.filter(code=scope.enterprise_code)
    return queryset.none()


# Model label -> the rows of it a Scope may name. Every model a form field, query parameter or
# API parameter can name is here (tests/web/accounts/test_scope_leaks.py enumerates them).
NARROWERS: dict[str, Callable[[Scope, QuerySet[Any]], QuerySet[Any]]] = {
    "catalog.area": Scope.areas,
    "catalog.target": Scope.targets,
    "catalog.observation": _observations,
    "catalog.department": _departments,
    "monitoring.monitoringpoint": Scope.monitoring_points,
    "enterprises.enterprise": Scope.enterprises,
    "enterprises.energyreport": _by_enterprise,
    "enterprises.productionunit": _by_enterprise,
    "enterprises.meter": _by_enterprise,
    "reductions.reductionproject": _by_area,
    "projects.project": _by_area,
    "rights.account": _accounts,
}
