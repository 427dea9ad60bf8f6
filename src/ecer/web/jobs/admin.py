from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ecer.web.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """Read-only: the runs are written by the jobs themselves."""

    list_display = ["name", "state", "attempt", "started_at", "finished_at", "task_id"]
    list_filter = ["state", "name"]
    search_fields = ["name", "task_id", "error"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
