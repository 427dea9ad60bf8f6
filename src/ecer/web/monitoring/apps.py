import gc

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "ecer.web.monitoring"
    label = "monitoring"
    verbose_name = _("污染源在线监控")

    def ready(self) -> None:
        threshold = settings.ECER_GC_THRESHOLD
        if threshold > 0:
            _, second, third = gc.get_threshold()
            gc.set_threshold(threshold, second, third)
