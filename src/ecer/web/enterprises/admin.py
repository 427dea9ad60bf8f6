"""Registering enterprises, their production units and online meters (city administrators).
Reports are entered and reviewed on the enterprise pages; readings arrive through the API."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.enterprises import models
from ecer.web.enterprises.forms import EnterpriseForm


class UnitInline(admin.TabularInline):
    model = models.ProductionUnit
    extra = 0


class MeterInline(admin.TabularInline):
    model = models.Meter
    extra = 0


@admin.register(models.Enterprise)
class EnterpriseAdmin(CityAdminOnly, SimpleHistoryAdmin):
    form = EnterpriseForm
    list_display = ["name", "credit_code", "area", "industry_code", "industry_name", "park"]
    list_filter = ["area", "park", "is_demo"]
    search_fields = ["name", "credit_code", "industry_code"]
    inlines = [UnitInline, MeterInline]


class ReadOnly(CityAdminOnly):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.EnergyReport)
class EnergyReportAdmin(ReadOnly, SimpleHistoryAdmin):
    list_display = ["enterprise", "year", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "year"]


@admin.register(models.MeterReading)
class MeterReadingAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["meter", "time", "value", "received_at"]
    list_filter = ["meter__enterprise"]
    date_hierarchy = "time"
