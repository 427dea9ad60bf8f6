from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.projects import models


class EnergyLineInline(admin.TabularInline):
    model = models.ProjectEnergyLine
    extra = 0


@admin.register(models.Project)
class ProjectAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["name", "area", "status", "two_high", "disposal", "is_demo"]
    list_filter = ["area", "status", "two_high", "disposal"]
    search_fields = ["name", "enterprise_name", "enterprise_code"]
    readonly_fields = ["two_high", "two_high_rule"]
    inlines = [EnergyLineInline]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        project = form.instance
        project.reclassify()
        project.save(update_fields=["two_high", "two_high_rule"])
