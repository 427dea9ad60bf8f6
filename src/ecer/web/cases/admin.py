from django.contrib import admin

from ecer.web.cases.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Cases move on only through their pages (each move is recorded): read-only here."""

    list_display = ["title", "source", "assignee", "state", "opened_at", "step_due_at"]
    list_filter = ["state", "source", "assignee"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
