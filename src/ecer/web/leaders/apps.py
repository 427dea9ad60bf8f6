from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadersConfig(AppConfig):
    name = "ecer.web.leaders"
    label = "leaders"
    verbose_name = _("领导视图")
