from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UploadsConfig(AppConfig):
    name = "ecer.web.uploads"
    label = "uploads"
    verbose_name = _("上传与导入")
    default_auto_field = "django.db.models.BigAutoField"
