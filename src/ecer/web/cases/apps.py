from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "ecer.web.cases"
    label = "cases"
    verbose_name = _("报警与预警闭环处置")

    def ready(self) -> None:
        from ecer.web.cases import services
        from ecer.web.monitoring.journal import alarms_judged

        alarms_judged.connect(services.on_alarms_judged, dispatch_uid="cases-from-alarms")
