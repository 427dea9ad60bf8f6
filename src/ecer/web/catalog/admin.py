from django.contrib import admin

from ecer.web.catalog import models


@admin.register(models.Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "sort_order"]


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(models.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "base_year", "target_year", "loaded_at"]


@admin.register(models.Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["clause", "title", "plan"]


@admin.register(models.Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "section", "kind", "target_value", "unit", "target_year"]
    list_filter = ["kind", "section", "applies_to_districts"]
    search_fields = ["code", "name", "quote"]
    filter_horizontal = ["lead_departments", "co_departments"]


@admin.register(models.Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "section", "due_year", "status"]
    list_filter = ["status", "section"]
    search_fields = ["code", "name", "quote"]
    filter_horizontal = ["lead_departments", "co_departments"]


@admin.register(models.Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "section"]
    search_fields = ["code", "name", "quote"]


@admin.register(models.Observation)
class ObservationAdmin(admin.ModelAdmin):
    list_display = ["target", "area", "year", "quarter", "value", "source", "is_demo", "updated_at"]
    list_filter = ["area", "year", "is_demo", "target__section"]
    search_fields = ["target__code", "target__name", "source"]
    autocomplete_fields = []
