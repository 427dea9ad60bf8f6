from django.http import HttpRequest

from ecer.web.quality.models import Notification


def notifications(request: HttpRequest) -> dict[str, object]:
    """The unread count shown by the notifications link in the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at=None).count()}
