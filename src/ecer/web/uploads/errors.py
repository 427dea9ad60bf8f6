"""The error listing of a refused import: the first errors of each sheet on the page, the
count of all, and the full list (bounded) as a CSV file to download, so the page stays small
whatever the file holds."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecer.web.uploads.limits import Limits
from ecer.web.uploads.models import ErrorList

KEEP_PER_USER = 10
KEEP_FOR = timedelta(days=7)


@dataclass
class ErrorListing:
    shown: list[Any] = field(default_factory=list)
    total: int = 0
    has_sheets: bool = False
    download_url: str = ""

    @property
    def truncated(self) -> bool:
        return len(self.shown) < self.total

    @property
    def heading(self) -> str:
        if self.truncated:
            return _("共 %(total)s 处错误，仅显示前 %(shown)s 处，未写入任何数据") % {
                "total": f"{self.total:,}",
                "shown": f"{len(self.shown):,}",
            }
        return _("%(total)s 处错误，未写入任何数据") % {"total": f"{self.total:,}"}

    def __bool__(self) -> bool:
        return self.total > 0


def _sheet(error: Any) -> str:
    return str(getattr(error, "sheet", "") or "")


def listing(
    request: HttpRequest, importer: str, file_name: str, errors: Sequence[Any]
) -> ErrorListing:
    """The first ECER_IMPORT_ERRORS_SHOWN errors of each sheet; when there are more, the full
    list is kept for the user to download."""
    if not errors:
        return ErrorListing()
    limits = Limits.from_settings()
    shown: list[Any] = []
    per_sheet: dict[str, int] = {}
    for error in errors:
        sheet = _sheet(error)
        if per_sheet.get(sheet, 0) < limits.errors_shown:
            per_sheet[sheet] = per_sheet.get(sheet, 0) + 1
            shown.append(error)
    result = ErrorListing(shown=shown, total=len(errors), has_sheets=any(_sheet(e) for e in errors))
    if result.truncated and request.user.is_authenticated:
        kept = errors[: limits.errors_kept]
        stored = ErrorList.objects.create(
            user=request.user,
            importer=importer[:100],
            file_name=file_name[:255],
            total=len(errors),
            kept=len(kept),
            content=errors_csv(kept, len(errors)),
        )
        _forget_old(request.user)
        result.download_url = reverse("uploads:errors", args=[stored.pk])
    return result


def errors_csv(errors: Sequence[Any], total: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("工作表"), _("行"), _("列"), _("错误")])
    for error in errors:
        writer.writerow([_sheet(error), error.row, error.column, error.message])
    if total > len(errors):
        writer.writerow(
            ["", "", "", _("另有 %(n)s 处错误未列出") % {"n": f"{total - len(errors):,}"}]
        )
    return buffer.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 with a BOM


def _forget_old(user: Any) -> None:
    ErrorList.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    keep = ErrorList.objects.filter(user=user).values_list("pk", flat=True)[:KEEP_PER_USER]
    ErrorList.objects.filter(user=user).exclude(pk__in=list(keep)).delete()
