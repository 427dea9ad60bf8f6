"""The mark every view that accepts an uploaded file carries.

A test walks the URLconf: a view that reads ``request.FILES`` without this mark fails it, and
each marked view is fed hostile files of its kind, so a new importer cannot skip the bounds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

Kind = Literal["table", "workbook", "file"]
View = TypeVar("View", bound=Callable[..., object])


@dataclass(frozen=True)
class ImportEndpoint:
    # "table": a .csv or .xlsx read row by row; "workbook": an .xlsx of named sheets;
    # "file": stored as it is (never parsed), only its size is bounded.
    kind: Kind
    field: str = "file"
    # URL name of the empty template a workbook importer offers (its sheets and headers).
    template: str = ""


def import_endpoint(
    kind: Kind, *, field: str = "file", template: str = ""
) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.import_endpoint = ImportEndpoint(kind, field, template)  # type: ignore[attr-defined]
        return view

    return mark
