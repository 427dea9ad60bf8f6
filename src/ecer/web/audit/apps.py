from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ecer.web.audit"
    label = "audit"
    verbose_name = _("审核与留痕")
