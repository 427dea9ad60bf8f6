from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from ecer.web.accounts.scope import Scope


class ScopeMiddleware:
    """Attach ``request.scope`` (computed on first use) to every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = SimpleLazyObject(lambda: Scope.for_user(request.user))  # type: ignore[attr-defined]
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response, and ``Cache-Control: no-store`` on every
    response to a signed-in user or API key (pages and exports carry personal and business
    data that no browser or proxy cache should keep)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.ECER_CSP)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response
