from typing import Any

from django.http import HttpRequest


class CityAdminOnly:
    """Admin permissions from the user's scope: city administrators manage, nobody else."""

    def _is_city_admin(self, request: HttpRequest) -> bool:
        return bool(request.scope.is_city_admin)  # type: ignore[attr-defined]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_city_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_city_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._is_city_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_city_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_city_admin(request)
