from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ecer.hj212.storage import frame_text
from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.monitoring import models


class PointPollutantInline(admin.TabularInline):
    model = models.PointPollutant
    extra = 1


@admin.register(models.MonitoringPoint)
class MonitoringPointAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = [
        "mn",
        "name",
        "enterprise_name",
        "enterprise_code",
        "area",
        "outlet",
        "medium",
        "tolerance",
        "active",
    ]
    list_filter = ["medium", "area", "tolerance", "active"]
    search_fields = ["mn", "name", "enterprise_name", "enterprise_code"]
    inlines = [PointPollutantInline]


class ReadOnly(CityAdminOnly):
    """Written by the HJ 212 gateway only: people look, nobody edits."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.RawFrame)
class RawFrameAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["received_at", "mn", "qn", "cn", "data_time", "status", "quarantine_reason"]
    list_filter = ["status", "cn"]
    search_fields = ["mn", "qn", "text", "quarantine_reason"]
    date_hierarchy = "received_at"
    exclude = ["data", "text"]
    readonly_fields = ["shown_text"]

    @admin.display(description=_("报文"))
    def shown_text(self, obj: models.RawFrame) -> str:
        # Quarantined rows keep their bytes once, without a text copy (issue #19).
        return obj.text or frame_text(bytes(obj.data))


@admin.register(models.Measurement)
class MeasurementAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["data_time", "point", "cn", "pollutant", "kind", "value", "flag"]
    list_filter = ["cn", "kind"]
    search_fields = ["point__mn", "point__name", "pollutant"]
    date_hierarchy = "data_time"
    raw_id_fields = ["point", "frame"]


@admin.register(models.MeasurementBlock)
class MeasurementBlockAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["start", "point", "cn", "count"]
    list_filter = ["cn"]
    search_fields = ["point__mn", "point__name"]
    date_hierarchy = "start"
    raw_id_fields = ["point"]
    exclude = ["offsets", "samples"]  # bytes; the fields and flags show what a block holds


@admin.register(models.AlarmRecord)
class AlarmRecordAdmin(ReadOnly, admin.ModelAdmin):
    """Written by the alarm journal (``ecer monitoring alarms``)."""

    list_display = ["start", "end", "kind", "point", "pollutant", "ongoing", "count", "judged_at"]
    list_filter = ["kind", "ongoing"]
    search_fields = ["point__mn", "point__name"]
    raw_id_fields = ["point", "pollutant"]


@admin.register(models.AlarmRun)
class AlarmRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["judged_at", "first_day", "points", "records", "seconds"]
