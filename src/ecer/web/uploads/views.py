from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from ecer.web.accounts.decorators import scoped
from ecer.web.uploads.models import ErrorList


@scoped
def error_list(request: HttpRequest, pk: int) -> HttpResponse:
    stored = ErrorList.objects.filter(pk=pk, user=request.user).first()
    if stored is None:
        raise Http404("no such error list of this user")
    response = HttpResponse(bytes(stored.content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ecer-import-errors-{pk}.csv"'
    return response
