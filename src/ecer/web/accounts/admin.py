from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.accounts.models import ApiKey, LoginAttempt, Membership


@admin.register(Membership)
class MembershipAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["user", "role", "area", "department", "enterprise_code"]
    list_filter = ["role", "area"]


@admin.register(ApiKey)
class ApiKeyAdmin(CityAdminOnly, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(LoginAttempt)
class LoginAttemptAdmin(CityAdminOnly, admin.ModelAdmin):
    list_display = ["username", "ip_address", "at"]
