from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "ecer.web.tasks"
    label = "tasks"
    verbose_name = _("工作任务与进展报告")
