from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ecer.web.accounts"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from django.contrib import admin
        from django.core import checks

        from ecer.web.accounts.scoping import check_forms_scoped

        checks.register(check_forms_scoped, checks.Tags.security)
        from django.http import HttpRequest

        from ecer.web.accounts.scope import Scope

        # The admin is for city administrators only, whatever is_staff says.
        def has_permission(request: HttpRequest) -> bool:
            user = request.user
            return bool(user.is_active and user.is_staff and Scope.for_user(user).is_city_admin)

        admin.site.has_permission = has_permission  # type: ignore[method-assign]
