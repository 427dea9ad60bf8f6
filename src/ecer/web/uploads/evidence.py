"""Evidence files (register steps, programme progress, alarm cases): size-limited, the type
known by its name and its first bytes, kept with its SHA-256."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

# Suffix -> the bytes a file of that type begins with.
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".xlsx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
}
EVIDENCE_SUFFIXES = tuple(EVIDENCE_TYPES)


class EvidenceRefused(ValueError):
    pass


def check_evidence(upload: Any) -> tuple[bytes, str]:
    """The evidence's content and SHA-256, or EvidenceRefused (size, type by name and bytes)."""
    limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    if upload.size > limit:
        raise EvidenceRefused(
            _("文件过大（%(size)s 字节），上限 %(limit)s 字节")
            % {"size": upload.size, "limit": limit}
        )
    name = upload.name.lower()
    suffix = next((s for s in EVIDENCE_TYPES if name.endswith(s)), None)
    content = upload.read()
    if suffix is None or not content.startswith(EVIDENCE_TYPES[suffix]):
        raise EvidenceRefused(_("不接受的文件类型（PDF、PNG、JPEG、Word 或 Excel）"))
    return content, hashlib.sha256(content).hexdigest()
