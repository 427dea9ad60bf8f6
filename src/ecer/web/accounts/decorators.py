from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def scoped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required, and the user must have a role; the view then checks objects itself."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.scope.has_access:  # type: ignore[attr-defined]
            raise PermissionDenied("no role assigned")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def city_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.scope.is_city_admin:  # type: ignore[attr-defined]
            raise PermissionDenied("city administrators only")
        return view(request, *args, **kwargs)

    return scoped(wrapper)
