from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "ecer.web.projects"
    label = "projects"
    verbose_name = _("用能预算与两高项目")

    def ready(self) -> None:
        from ecer.web.audit.views import register_visibility

        def area_visible(scope: object, obj: object) -> bool:
            return bool(scope.can_view_area(obj.area))  # type: ignore[attr-defined]

        register_visibility("projects.project", area_visible)
