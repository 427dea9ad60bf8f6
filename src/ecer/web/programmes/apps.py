from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "ecer.web.programmes"
    label = "programmes"
    verbose_name = _("重点工程项目库")

    def ready(self) -> None:
        from ecer.web.audit.views import register_visibility
        from ecer.web.programmes import services

        def project_visible(scope: object, project: object) -> bool:
            return services.can_view_project(scope, project)

        def entry_visible(scope: object, entry: object) -> bool:
            return project_visible(scope, entry.project)  # type: ignore[attr-defined]

        register_visibility("programmes.project", project_visible)
        register_visibility("programmes.progressentry", entry_visible)
