from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ecer.web.accounts"
    label = "accounts"
    verbose_name = _("用户与权限")

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib import admin
        from django.core import checks
        from django.db.models.signals import post_delete, post_save, pre_save

        from ecer.web.accounts.scoping import check_forms_scoped

        checks.register(check_forms_scoped, checks.Tags.security)
        from django.http import HttpRequest

        from ecer.web.accounts import signals
        from ecer.web.accounts.models import Membership
        from ecer.web.accounts.scope import Scope

        # The admin is for city administrators, and for every one of them: the role decides,
        # not a staff flag someone may have forgotten to tick (issue #19).
        def has_permission(request: HttpRequest) -> bool:
            user = request.user
            return bool(user.is_active and Scope.for_user(user).is_city_admin)

        admin.site.has_permission = has_permission  # type: ignore[method-assign]

        pre_save.connect(
            signals.normalize_stored_username,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="ecer-normalize-username",
        )
        post_save.connect(
            signals.sync_staff_on_save, sender=Membership, dispatch_uid="ecer-staff-from-role"
        )
        post_delete.connect(
            signals.sync_staff_on_delete, sender=Membership, dispatch_uid="ecer-staff-on-delete"
        )
