from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ecer.web.reports"
    label = "reports"
    verbose_name = _("考核与报告")
