from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "ecer.web.catalog"
    label = "catalog"
    verbose_name = _("规划目标")

    def ready(self) -> None:
        from ecer.web.audit.views import register_visibility

        def observation_visible(scope: object, obj: object) -> bool:
            return bool(
                scope.can_view_area(obj.area) and scope.can_view_target(obj.target)  # type: ignore[attr-defined]
            )

        def target_visible(scope: object, obj: object) -> bool:
            return bool(scope.can_view_target(obj))  # type: ignore[attr-defined]

        register_visibility("catalog.observation", observation_visible)
        register_visibility("catalog.target", target_visible)

        from django.db.models.signals import post_migrate

        from ecer.web.numbers import ensure_postgres_checks

        # Once per migrate (after every app's migrations): the float CHECKs on PostgreSQL.
        post_migrate.connect(ensure_postgres_checks, sender=self, dispatch_uid="ecer-checks")
