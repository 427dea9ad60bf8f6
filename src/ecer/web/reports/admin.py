from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.reports.models import AssessmentResult, ItemRecord, SchemeVersion


@admin.register(ItemRecord)
class ItemRecordAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["area", "year", "code", "note", "created_at"]
    list_filter = ["year", "area", "code"]


@admin.register(SchemeVersion)
class SchemeVersionAdmin(CityAdminOnly, admin.ModelAdmin):
    list_display = ["number", "note", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # a version is never changed: the reports page saves a new one


@admin.register(AssessmentResult)
class AssessmentResultAdmin(CityAdminOnly, admin.ModelAdmin):
    list_display = ["area", "year", "score", "grade", "scheme", "data_version", "computed_at"]
    list_filter = ["year", "grade"]
