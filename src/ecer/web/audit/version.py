"""The data version an export is made from: every tracked edit bumps it."""

from __future__ import annotations

from django.db.models import Max

from ecer.web.audit.history import tracked_models


def data_version() -> str:
    """``v<N>@<time>``: N is the total of the latest history ids over all tracked tables, time
    the latest edit (UTC). Two exports with the same version were made from the same data."""
    total = 0
    latest = None
    for model in tracked_models().values():
        history = model.history.model
        row = history.objects.aggregate(last_id=Max("history_id"), last_at=Max("history_date"))
        total += row["last_id"] or 0
        if row["last_at"] and (latest is None or row["last_at"] > latest):
            latest = row["last_at"]
    stamp = latest.strftime("%Y%m%dT%H%M%SZ") if latest else "empty"
    return f"v{total}@{stamp}"
