from django.http import HttpRequest

from ecer.web.catalog.models import Area


def navigation(request: HttpRequest) -> dict[str, object]:
    """The districts listed in the top navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    scope = request.scope  # type: ignore[attr-defined]
    return {"nav_areas": scope.areas(Area.objects.exclude(kind=Area.Kind.CITY))}
