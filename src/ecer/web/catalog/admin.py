from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.catalog import models


@admin.register(models.Area)
class AreaAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "parent", "sort_order"]


@admin.register(models.Department)
class DepartmentAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(models.Plan)
class PlanAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "area", "base_year", "target_year", "loaded_at"]


@admin.register(models.Section)
class SectionAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["clause", "title", "plan"]


@admin.register(models.Target)
class TargetAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "section", "kind", "target_value", "unit", "target_year"]
    list_filter = ["kind", "section", "applies_to_districts"]
    search_fields = ["code", "name", "quote"]
    filter_horizontal = ["lead_departments", "co_departments"]


@admin.register(models.Task)
class TaskAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "section", "due_year"]
    list_filter = ["section"]
    search_fields = ["code", "name", "quote"]
    filter_horizontal = ["lead_departments", "co_departments"]


@admin.register(models.Rule)
class RuleAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["code", "name", "section"]
    search_fields = ["code", "name", "quote"]


@admin.register(models.Observation)
class ObservationAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["target", "area", "year", "quarter", "value", "source", "is_demo", "updated_at"]
    list_filter = ["area", "year", "is_demo", "target__section"]
    search_fields = ["target__code", "target__name", "source"]
    readonly_fields = [
        "status",
        "submitted_by",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
        "return_reason",
    ]

    # Approved figures change only through a correction (on the observation's page).
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_approved)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_approved)
