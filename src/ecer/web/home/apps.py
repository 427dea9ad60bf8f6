from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "ecer.web.home"
    label = "home"
    verbose_name = "待办"
