"""Reading spreadsheet cells as people type them: text, whole numbers, finite numbers.

Shared by every Excel import; each returns None (or "") for a cell it cannot read, and the
importer turns that into an error naming the sheet, row and column.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any


def cell_text(value: Any) -> str:
    """The cell as trimmed text; a whole float (Excel's 2024.0) without its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_integer(value: Any) -> int | None:
    """A whole number, or None (booleans are not numbers)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def cell_number(value: Any) -> float | None:
    """A finite number ("1,234.5" accepted), or None."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value.strip().replace(",", "")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def cell_date(value: Any) -> date | None:
    """A date cell, or text 2024-05-01 / 2024/5/1; None when it is no date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    try:
        year, month, day = (int(p) for p in text.split("-"))
        return date(year, month, day)
    except (TypeError, ValueError):
        return None
