"""Lists people read: sort by a column, search, filters kept in the URL, pages with the
total, and an Excel export of exactly the rows the list holds (all pages of the filtered,
sorted result, in the order shown).

A list page declares a ``Listing`` (its columns, the fields searched) and calls ``run`` with
the rows it may show, already narrowed to the user's scope; ``run`` only narrows and orders
them further. Sort and search come from the query string but never reach the ORM unchecked:
``?sort=`` must name a declared column (otherwise the default order is used) and the search
text is only ever a value in ``icontains`` lookups on the declared fields.

Columns sort in the database when they name ``order_by`` fields and the rows are a
QuerySet; otherwise (figures computed per row) every matching row is prepared and sorted in
Python. The page's other filters are plain GET parameters: the sort links, the pager and the
export link keep them (``{% querystring %}``), and the search form repeats them as hidden
fields.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ecer.web import sheets
from ecer.web.sheets import XLSX

# An export holds every row of the filtered list up to this many (a spreadsheet's practical
# size); the button says when a list is longer.
EXPORT_MAX_ROWS = 50_000
SEARCH_MAX_LENGTH = 100
SORT_PARAMETER = "sort"
SEARCH_PARAMETER = "q"
EXPORT_PARAMETER = "export"
# Parameters that belong to the list machinery, not to the page's own filters.
OWN_PARAMETERS = (SORT_PARAMETER, SEARCH_PARAMETER, EXPORT_PARAMETER, "page")

Prepare = Callable[[list[Any]], list[Any]]


@dataclass(frozen=True)
class Column:
    """One column of the table: ``value`` is the cell as exported (and the sort key when the
    rows are sorted in Python); ``order_by`` the model fields that sort it in the database."""

    key: str
    label: str | Promise
    value: Callable[[Any], Any]
    order_by: tuple[str, ...] = ()
    sortable: bool = True
    numeric: bool = False


@dataclass(frozen=True)
class Header:
    column: Column
    direction: str  # "asc", "desc" or "" (not the sorted column)
    query: str  # the sort value its link sets: the other direction when already sorted


@dataclass
class Result:
    """One run of a listing over a request: the page to show, or the export to send."""

    listing: Listing
    page: Page[Any]
    rows: list[Any]  # the page's rows, prepared
    total: int
    sort: str
    query: str
    hidden: list[tuple[str, str]]  # the page's own filters, repeated in the search form
    headers: list[Header]
    all_rows: list[Any] | None = None  # set when an export was asked for

    @property
    def wants_export(self) -> bool:
        return self.all_rows is not None

    @property
    def export_truncated(self) -> bool:
        return self.total > EXPORT_MAX_ROWS

    @property
    def export_limit(self) -> int:
        return EXPORT_MAX_ROWS

    def xlsx(self) -> HttpResponse:
        assert self.all_rows is not None
        response = HttpResponse(self.listing.workbook(self.all_rows), content_type=XLSX)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="ecer-{self.listing.name}-{stamp}.xlsx"'
        )
        return response


def _sort_key(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _cell(value: Any) -> Any:
    """A value a spreadsheet cell can hold: text for lazy strings and other objects, local
    wall-clock time for aware datetimes (openpyxl refuses time zones)."""
    if value is None or isinstance(value, (int, float, Decimal, str, dt.date)):
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        if isinstance(value, bool):
            return _("是") if value else _("否")
        return value
    return str(value)


@dataclass(frozen=True)
class Listing:
    name: str  # the export's file name: ecer-<name>-<time>.xlsx (ASCII)
    title: str | Promise  # the export's sheet title
    columns: tuple[Column, ...]
    default_sort: str = ""  # a column key, "-" first for descending; "" keeps the rows' order
    search_fields: tuple[str, ...] = ()  # model lookups searched (icontains) on a QuerySet
    search_text: Callable[[Any], str] | None = None  # a row's searchable text, for lists
    per_page: int = 50
    columns_by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns_by_key", {c.key: c for c in self.columns})
        if not re.fullmatch(r"[a-z0-9-]+", self.name):
            raise ValueError(f"listing name {self.name!r}: lower-case ASCII, digits and -")

    @property
    def searchable(self) -> bool:
        return bool(self.search_fields or self.search_text)

    # What the request asks for, checked
    def sort_of(self, request: HttpRequest) -> tuple[Column | None, bool, str]:
        """The column to sort by (a declared, sortable one), descending?, and the value."""
        raw = request.GET.get(SORT_PARAMETER, "") or self.default_sort
        descending = raw.startswith("-")
        column = self.columns_by_key.get(raw.lstrip("-"))
        if column is None or not column.sortable:
            raw = self.default_sort
            descending = raw.startswith("-")
            column = self.columns_by_key.get(raw.lstrip("-"))
        return column, descending, raw if column else ""

    def query_of(self, request: HttpRequest) -> str:
        return request.GET.get(SEARCH_PARAMETER, "").strip()[:SEARCH_MAX_LENGTH]

    # Narrowing and ordering
    def _search_queryset(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        condition = Q()
        for lookup in self.search_fields:
            condition |= Q(**{f"{lookup}__icontains": query})
        return queryset.filter(condition)

    def _search_rows(self, rows: list[Any], query: str) -> list[Any]:
        if self.search_text is None:
            return rows
        needle = query.casefold()
        return [r for r in rows if needle in self.search_text(r).casefold()]

    @staticmethod
    def _sort_rows(rows: list[Any], column: Column, descending: bool) -> list[Any]:
        # Rows without a value last in either direction; ties keep their earlier order.
        keyed = [(column.value(r), r) for r in rows]
        present = [(v, r) for v, r in keyed if v is not None and v != ""]
        missing = [r for v, r in keyed if v is None or v == ""]
        present.sort(key=lambda pair: _sort_key(pair[0]), reverse=descending)
        return [r for _v, r in present] + missing

    def run(
        self,
        request: HttpRequest,
        source: QuerySet[Any] | Sequence[Any],
        prepare: Prepare | None = None,
        per_page: int | None = None,
    ) -> Result:
        """Search, sort and page ``source`` (already scoped) as the request asks;
        ``prepare`` turns model rows into the rows shown (figures computed per row)."""
        column, descending, _sort = self.sort_of(request)
        query = self.query_of(request)
        wants_export = self.wants_export(request)
        rows: QuerySet[Any] | list[Any]
        prepared = False
        if isinstance(source, QuerySet):
            rows = source
            if query and self.search_fields:
                rows = self._search_queryset(rows, query)
            if column is not None and column.order_by:
                sign = "-" if descending else ""
                rows = rows.order_by(*(f"{sign}{f}" for f in column.order_by), f"{sign}pk")
            needs_python = (query and not self.search_fields) or (
                column is not None and not column.order_by
            )
            if needs_python:
                rows = list(rows)
        else:
            rows = list(source)
        if isinstance(rows, list):
            if prepare is not None:
                rows = prepare(rows)
                prepared = True
            if query:
                rows = self._search_rows(rows, query)
            if column is not None and (not isinstance(source, QuerySet) or not column.order_by):
                rows = self._sort_rows(rows, column, descending)
        paginator = Paginator(rows, per_page or self.per_page)
        page = paginator.get_page(request.GET.get("page"))
        shown = list(page.object_list)
        if prepare is not None and not prepared:
            shown = prepare(shown)
        all_rows = None
        if wants_export:
            everything = list(rows[:EXPORT_MAX_ROWS])
            if prepare is not None and not prepared:
                everything = prepare(everything)
            all_rows = everything
        return self.result(request, page, shown, paginator.count, all_rows)

    def result(
        self,
        request: HttpRequest,
        page: Page[Any],
        shown: list[Any],
        total: int,
        all_rows: list[Any] | None,
    ) -> Result:
        """The Result of a list that a page searched, sorted and paged itself (when its rows
        come from several tables, say), so that it shows the same tools."""
        column, descending, sort = self.sort_of(request)
        hidden = [
            (key, value)
            for key, values in request.GET.lists()
            if key not in OWN_PARAMETERS
            for value in values
        ]
        headers = [
            Header(
                c,
                ("desc" if descending else "asc") if c is column else "",
                (c.key if descending else f"-{c.key}") if c is column else c.key,
            )
            for c in self.columns
        ]
        return Result(
            listing=self,
            page=page,
            rows=shown,
            total=total,
            sort=sort,
            query=self.query_of(request),
            hidden=hidden,
            headers=headers,
            all_rows=all_rows,
        )

    @staticmethod
    def wants_export(request: HttpRequest) -> bool:
        return request.GET.get(EXPORT_PARAMETER) == "xlsx"

    # Export
    def workbook(self, rows: Sequence[Any]) -> bytes:
        """The rows as one sheet: the columns' labels, then one line per row in order."""
        book = sheets.Workbook()
        sheet = book.active
        assert sheet is not None
        # A sheet's name: at most 31 characters, none of : \ / ? * [ ].
        sheet.title = re.sub(r"[:\\/?*\[\]]", "-", str(self.title))[:31] or "ECER"
        sheet.append([str(c.label) for c in self.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = sheets.HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in rows:
            sheet.append([_cell(c.value(row)) for c in self.columns])
        for index in range(1, len(self.columns) + 1):
            sheet.column_dimensions[get_column_letter(index)].width = 18
        sheet.freeze_panes = "A2"
        return sheets.save(book)
