"""Evidence files of task reports: PDF, PNG, JPEG or Excel, recognised by their content (never
by the name a browser sends), size-limited while reading, stored with their SHA-256."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ecer.web import sheets
from ecer.web.tasks.models import Evidence

# Leading bytes of each accepted type (PDF 1.7 §7.5.2; PNG §5.2; JPEG SOI + marker; OOXML is a
# ZIP whose content the workbook reader must open).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", Evidence.Kind.PDF),
    (b"\x89PNG\r\n\x1a\n", Evidence.Kind.PNG),
    (b"\xff\xd8\xff", Evidence.Kind.JPEG),
    (b"PK\x03\x04", Evidence.Kind.XLSX),
)


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    kind: str
    sha256: str


def read_bounded(upload: Any, limit: int) -> bytes:
    """At most ``limit`` bytes of the upload; a larger file is refused without reading it all."""
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("文件超过 %(limit)s 字节的上限") % {"limit": limit}, code="too_large"
        )
    return bytes(content)


def check(upload: Any) -> CheckedFile:
    """The upload's content, type and hash; ValidationError naming the rule it breaks."""
    content = read_bounded(upload, settings.FILE_UPLOAD_MAX_MEMORY_SIZE)
    if not content:
        raise ValidationError(_("文件为空"), code="empty")
    kind = next((k for lead, k in SIGNATURES if content.startswith(lead)), None)
    if kind is None:
        raise ValidationError(
            _("“%(name)s”不是 PDF、PNG、JPEG 或 Excel（.xlsx）文件（按文件内容判断）")
            % {"name": getattr(upload, "name", "")},
            code="type",
        )
    if kind == Evidence.Kind.XLSX:
        try:
            sheets.open_workbook(content).close()
        except sheets.SheetImportError:
            raise ValidationError(
                _("“%(name)s”不是可读取的 Excel（.xlsx）文件") % {"name": upload.name},
                code="type",
            ) from None
    return CheckedFile(content, kind, hashlib.sha256(content).hexdigest())
