from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.quality import models


@admin.register(models.UnitHead)
class UnitHeadAdmin(CityAdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "area", "department"]


class ReadOnly(CityAdminOnly):
    """Stored results and their trail change only through the application."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Finding)
class FindingAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["found_at", "record_kind", "label", "rule_code", "severity", "status"]
    list_filter = ["record_kind", "severity", "status"]


@admin.register(models.Override)
class OverrideAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["approved_at", "approved_by", "content_type", "object_id", "justification"]


@admin.register(models.RuleSetVersion)
class RuleSetVersionAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "version", "created_by", "created_at", "note"]
