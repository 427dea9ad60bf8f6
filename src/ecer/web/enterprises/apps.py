from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "ecer.web.enterprises"
    label = "enterprises"
    verbose_name = _("重点用能单位")

    def ready(self) -> None:
        from ecer.web.audit.views import register_visibility
        from ecer.web.enterprises.scope import can_view_enterprise

        register_visibility("enterprises.enterprise", can_view_enterprise)
        register_visibility(
            "enterprises.energyreport",
            lambda scope, obj: can_view_enterprise(scope, obj.enterprise),
        )
