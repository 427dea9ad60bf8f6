from django.contrib import admin

from ecer.web.notifications.models import Delivery, WebhookEndpoint


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The delivery record, read-only: what was sent to whom, and whether it arrived."""

    list_display = ["created_at", "kind", "channel", "recipients", "title", "state", "attempts"]
    list_filter = ["state", "channel", "kind"]
    search_fields = ["recipients", "title"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "provider", "area", "department", "enabled"]
