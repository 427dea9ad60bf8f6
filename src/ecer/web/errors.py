"""A value refused by the model layer is the sender's mistake (400), never a server error.

Every path checks its numbers up front and names the row or field; this is the net under
them: a ``ValidationError`` that escapes a view (for instance from
``FiniteFloatField.get_db_prep_save`` on a path that forgot to check) becomes a 400 page
that says what was refused (the refused write itself never reached the database). A
``BadStoredValue`` (a stored row outside its domain, read by a page whose service shows no
per-record problem for it) becomes a 409 page naming the record and field. A
``PermissionDenied`` is a refusal, not a crash: it is logged at info level with its reason (no
traceback) and answered by the branded 403 page (templates/403.html, with the navigation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.defaults import permission_denied

from ecer.web.numbers import BAD_VALUE_TEXT, BadStoredValue

logger = logging.getLogger(__name__)


def refusal_text(exc: ValidationError) -> str:
    """The refusal as one line: "field: message; …"."""
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


class RefusedValueMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, PermissionDenied):
            user = getattr(request, "user", None)
            logger.info(
                "refused %s %s for %s: %s",
                request.method,
                request.path,
                user.get_username() if user is not None else "anonymous",
                exc or "permission denied",
            )
            return permission_denied(request, exc)
        if isinstance(exc, BadStoredValue):
            # A record stored past the domain rules, on a page whose service has no cell to
            # show it in: name the record and field (409: the stored state is the problem).
            logger.warning("bad stored value on %s %s: %s", request.method, request.path, exc)
            body = f"<h1>{escape(BAD_VALUE_TEXT)}</h1><p>{escape(str(exc))}</p>"
            return HttpResponse(body, status=409)
        if not isinstance(exc, ValidationError):
            return None
        text = refusal_text(exc)
        logger.warning("refused value on %s %s: %s", request.method, request.path, text)
        body = f"<h1>{escape(_('数据未保存'))}</h1><p>{escape(text)}</p>"
        return HttpResponseBadRequest(body)
