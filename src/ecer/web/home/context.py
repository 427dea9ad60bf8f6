from django.http import HttpRequest

from ecer.web.home import todo


def todo_counts(request: HttpRequest) -> dict[str, object]:
    """The to-do counts shown on the navigation (``ecer.web.home.todo``, the one place they
    are computed): ``todo_total`` and ``todo_counts`` by section key."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    counts = todo.counts_for_request(request)
    if counts is None:
        return {}
    return {"todo_total": counts.get("total", 0), "todo_counts": counts}
