from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RightsConfig(AppConfig):
    name = "ecer.web.rights"
    label = "rights"
    verbose_name = _("用能权与排污权")
