from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.energy import models


@admin.register(models.DistrictTarget)
class DistrictTargetAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = [
        "area",
        "basic_decline_pct",
        "incentive_decline_pct",
        "planned_gdp_growth_pct",
        "source",
        "is_demo",
    ]
    list_filter = ["plan", "is_demo"]


class CarrierInline(admin.TabularInline):
    model = models.CarrierConsumption
    extra = 0


@admin.register(models.DistrictEnergyYear)
class DistrictEnergyYearAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["area", "year", "gdp_current_10k_yuan", "gdp_index", "source", "is_demo"]
    list_filter = ["area", "year", "is_demo"]
    inlines = [CarrierInline]
