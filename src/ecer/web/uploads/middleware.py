"""Request bodies over ``ECER_REQUEST_MAX_BYTES`` are answered 413 before anything reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def too_large(request: HttpRequest, size: int | None, limit: int) -> HttpResponse:
    message = _("请求内容过大（%(size)s 字节），上限 %(limit)s 字节；请上传较小的文件") % {
        "size": f"{size:,}" if size is not None else "?",
        "limit": f"{limit:,}",
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "rule": "request-size"}, status=413)
    return HttpResponse(
        render_to_string("uploads/too_large.html", {"message": message}), status=413
    )


class RequestSizeMiddleware:
    """First in the chain: a declared Content-Length over the limit never reaches a view.

    A body without a Content-Length is read by Django as empty; one whose fields alone pass
    DATA_UPLOAD_MAX_MEMORY_SIZE (the same limit) while the view reads it raises
    RequestDataTooBig, also answered 413 here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.ECER_REQUEST_MAX_BYTES
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # Django reads a malformed length as no body
        if size > limit:
            return too_large(request, size, limit)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            return too_large(request, None, settings.ECER_REQUEST_MAX_BYTES)
        return None
