"""Sending a stored upload (evidence) back to a user allowed to see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header


def attachment(stored: Any, name: str | None = None) -> HttpResponse:
    """The stored file (a FieldFile) as an attachment named ``name`` (default its own file
    name); 404 when nothing is stored. Uploads are size-limited, so reading the file whole
    is fine and closes it at once."""
    if not stored:
        raise Http404("no file stored")
    with stored.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=name or Path(stored.name).name
    )
    return response
