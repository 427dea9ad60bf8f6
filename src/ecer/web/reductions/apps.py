from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReductionsConfig(AppConfig):
    name = "ecer.web.reductions"
    label = "reductions"
    verbose_name = _("重点工程减排")

    def ready(self) -> None:
        from ecer.web.audit.views import register_visibility

        def project_visible(scope: object, project: object) -> bool:
            return bool(scope.can_view_area(project.area))  # type: ignore[attr-defined]

        register_visibility("reductions.reductionproject", project_visible)
