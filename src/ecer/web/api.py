"""The JSON API (django-ninja; OpenAPI schema at /api/openapi.json, docs at /api/docs).

Callers authenticate with an API key (``Authorization: Bearer ecer_…``) or a signed-in
session; either way the same Scope decides what they may see and change. A request with no
valid key and no signed-in session is answered 401 with a JSON error (never a CSRF error: the
CSRF check belongs to session callers only). The schema and its docs page are for signed-in
users (docs/security.md, "Defaults").
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from ecer.web.accounts.models import ApiKey
from ecer.web.accounts.scope import Scope
from ecer.web.errors import refusal_text


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        key = ApiKey.authenticate(token)
        if key is None or not Scope.for_user(key.user).has_access:
            return None
        request.user = key.user
        request.scope = Scope.for_user(key.user)  # type: ignore[attr-defined]
        return key


class ScopedSessionAuth(SessionAuth):
    def _get_key(self, request: HttpRequest) -> str | None:
        # Only a signed-in session is checked for CSRF; anyone else (a missing, wrong or
        # revoked API key) falls through to ninja's 401.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and not request.scope.has_access:  # type: ignore[attr-defined]
            return None
        return user


api = NinjaAPI(
    title="ECER API",
    version="1",
    urls_namespace="api",
    auth=[ApiKeyAuth(), ScopedSessionAuth()],
    docs_decorator=login_required,
)


@api.exception_handler(ValidationError)
def _refused_value(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A value the model layer refuses is the caller's mistake: 400 with what was refused."""
    return api.create_response(request, {"detail": refusal_text(exc)}, status=400)


def _add_routers() -> None:
    from ecer.web.catalog.api import router as catalog_router
    from ecer.web.enterprises.api import router as meters_router
    from ecer.web.enterprises.report_api import router as reports_router

    api.add_router("/observations", catalog_router)
    api.add_router("/meters", meters_router)
    api.add_router("/enterprises", reports_router)


_add_routers()
