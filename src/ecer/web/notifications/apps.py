from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "ecer.web.notifications"
    label = "notifications"
    verbose_name = _("通知与推送")

    def ready(self) -> None:
        from ecer.web.notifications import events

        events.connect()
