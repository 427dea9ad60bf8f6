from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnergyConfig(AppConfig):
    name = "ecer.web.energy"
    label = "energy"
    verbose_name = _("能耗双控")

    def ready(self) -> None:
        from ecer.web.audit.views import register_visibility

        def area_visible(scope: object, obj: object) -> bool:
            return bool(scope.can_view_area(obj.area))  # type: ignore[attr-defined]

        register_visibility("energy.districtenergyyear", area_visible)
        register_visibility("energy.districttarget", area_visible)
