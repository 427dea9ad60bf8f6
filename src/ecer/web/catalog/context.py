from django.http import HttpRequest

from ecer.web.catalog.models import Area


def navigation(request: HttpRequest) -> dict[str, object]:
    """The districts listed in the top navigation."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"nav_areas": Area.objects.exclude(kind=Area.Kind.CITY)}
