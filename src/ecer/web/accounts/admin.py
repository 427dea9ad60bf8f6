from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.accounts.models import ApiKey, LoginAttempt, Membership
from ecer.web.accounts.names import normalize_username

User = get_user_model()


@admin.register(Membership)
class MembershipAdmin(CityAdminOnly, SimpleHistoryAdmin):
    list_display = ["user", "role", "area", "department", "enterprise_code"]
    list_filter = ["role", "area"]


class NormalizedUsernameMixin:
    """The name is stored in its normal form (ecer.web.accounts.names); two spellings of one
    name are one user, so the form refuses the second instead of failing on save."""

    instance: Any

    def clean_username(self) -> str:
        name = normalize_username(self.cleaned_data["username"])  # type: ignore[attr-defined]
        taken = User._default_manager.filter(username=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("用户名 “%(name)s” 已存在（不区分大小写、全角半角和首尾空格）"),
                params={"name": name},
            )
        return name


class EcerUserCreationForm(NormalizedUsernameMixin, AdminUserCreationForm):  # type: ignore[type-arg]
    pass


class EcerUserChangeForm(NormalizedUsernameMixin, UserChangeForm):  # type: ignore[type-arg]
    scope_exempt = "admin site only: superusers manage accounts"


class EcerUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's user admin (superusers and explicitly granted permissions), normalizing names."""

    add_form = EcerUserCreationForm
    form = EcerUserChangeForm


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, EcerUserAdmin)


class ApiKeyAddForm(forms.ModelForm):  # type: ignore[type-arg]
    """A key is created for a user who can use it; the secret is shown once after saving."""

    scope_exempt = "admin site only: city administrators"

    class Meta:
        model = ApiKey
        fields = ["user", "name"]

    def clean_user(self) -> Any:
        user = self.cleaned_data.get("user")
        problem = ApiKey.owner_problem(user)
        if problem is not None:
            raise forms.ValidationError(problem)
        return user


@admin.register(ApiKey)
class ApiKeyAdmin(CityAdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["user", "name"] if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if not change:
            raw, fields = ApiKey.new_secret()
            obj.prefix, obj.key_hash = fields["prefix"], fields["key_hash"]
            request._ecer_new_api_key = raw  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: ApiKey, *args: Any) -> HttpResponse:
        raw = getattr(request, "_ecer_new_api_key", None)
        if raw is None:
            return super().response_add(request, obj, *args)
        context = {**self.admin_site.each_context(request), "key": obj, "secret": raw}
        return TemplateResponse(request, "accounts/api_key_secret.html", context)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(CityAdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["username", "ip_address", "at", "succeeded"]
