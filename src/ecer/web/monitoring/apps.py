from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "ecer.web.monitoring"
    label = "monitoring"
    verbose_name = _("污染源在线监控")
