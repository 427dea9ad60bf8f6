from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QualityConfig(AppConfig):
    name = "ecer.web.quality"
    label = "quality"
    verbose_name = _("数据质量与报送时限")

    def ready(self) -> None:
        from ecer.web.audit import workflow
        from ecer.web.audit.signals import figures_received
        from ecer.web.quality import services

        figures_received.connect(services.on_figures_received, dispatch_uid="quality-check")
        workflow.register_pre_approval_check(services.pre_approval_check)
