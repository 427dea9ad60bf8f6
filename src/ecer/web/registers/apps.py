from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    name = "ecer.web.registers"
    label = "registers"
    verbose_name = _("台账")

    def ready(self) -> None:
        from ecer.web.audit.views import register_visibility

        def item_visible(scope: object, item: object) -> bool:
            return bool(scope.can_view_area(item.area))  # type: ignore[attr-defined]

        def step_visible(scope: object, step: object) -> bool:
            return item_visible(scope, step.item)  # type: ignore[attr-defined]

        register_visibility("registers.item", item_visible)
        register_visibility("registers.step", step_visible)
