"""History of one record, and the city-wide audit search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from ecer.web.accounts.decorators import scoped
from ecer.web.audit.history import entries_for, tracked_models
from ecer.web.audit.models import Correction
from ecer.web.listing import EXPORT_MAX_ROWS, Column, Listing

SEARCH_PER_PAGE = 50


def _action(row: dict[str, Any]) -> str:
    kind = row["record"].history_type
    return str(_lazy("创建") if kind == "+" else _lazy("删除") if kind == "-" else _lazy("修改"))


# Sorted by time only: the rows come from one history table per kind of record.
SEARCH = Listing(
    name="audit",
    title=_lazy("操作留痕"),
    columns=(
        Column("when", _lazy("时间"), lambda r: r["when"]),
        Column("who", _lazy("操作人"), lambda r: r["who"], sortable=False),
        Column("kind", _lazy("数据类型"), lambda r: str(r["verbose_name"]), sortable=False),
        Column("action", _lazy("操作"), _action, sortable=False),
        Column("record", _lazy("记录"), lambda r: str(r["record"].instance), sortable=False),
    ),
    default_sort="-when",
)

# Who may read the history of a record of each kind; the default is city administrators and
# leaders only. Apps register their own rules with ``register_visibility``.
_VISIBILITY: dict[str, Callable[[Any, Any], bool]] = {}


def register_visibility(label: str, rule: Callable[[Any, Any], bool]) -> None:
    _VISIBILITY[label] = rule


def _can_read(scope: Any, label: str, obj: Any) -> bool:
    if scope.role in ("city_admin", "leader"):
        return True
    rule = _VISIBILITY.get(label)
    return bool(rule and rule(scope, obj))


@scoped
def record_history(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    model = tracked_models().get(label)
    if model is None:
        raise Http404("unknown record kind")
    obj = model.objects.filter(pk=pk).first()
    history = list(model.history.filter(id=pk).select_related("history_user"))
    if obj is None and not history:
        raise Http404("no such record")
    if obj is None:
        if request.scope.role not in ("city_admin", "leader"):  # type: ignore[attr-defined]
            raise Http404("no such record")
    elif not _can_read(request.scope, label, obj):  # type: ignore[attr-defined]
        raise Http404("no such record")
    corrections = Correction.objects.filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        object_id=pk,
    ).select_related("corrected_by")
    return render(
        request,
        "audit/record_history.html",
        {
            "label": label,
            "verbose_name": model._meta.verbose_name,
            "object": obj,
            "pk": pk,
            "entries": entries_for(history, label),
            "corrections": corrections,
        },
    )


def _day_bound(raw: str | None, end: bool) -> datetime | None:
    day = parse_date(raw) if raw else None
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@scoped
def audit_search(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if scope.role not in ("city_admin", "leader"):
        raise PermissionDenied("city administrators and leaders only")
    models = tracked_models()
    label = request.GET.get("model", "")
    user = request.GET.get("user", "").strip()
    since = _day_bound(request.GET.get("since"), end=False)
    until = _day_bound(request.GET.get("until"), end=True)
    chosen = {label: models[label]} if label in models else models
    histories = []
    for model_label, model in chosen.items():
        history = model.history.all()
        if user:
            history = history.filter(history_user__username__icontains=user)
        if since:
            history = history.filter(history_date__gte=since)
        if until:
            history = history.filter(history_date__lte=until)
        histories.append((model_label, history))
    # Every matching change, newest (or oldest) first, a page at a time: a page's rows are
    # among the first (page end) rows of each kind in that order, so only those are read.
    _column, descending, _sort = SEARCH.sort_of(request)
    order = ("-history_date", "-pk") if descending else ("history_date", "pk")
    total = sum(history.count() for _label, history in histories)
    page = Paginator(range(total), SEARCH_PER_PAGE).get_page(request.GET.get("page"))
    export = Listing.wants_export(request)
    end = min(total, EXPORT_MAX_ROWS) if export else page.end_index()
    entries = []
    if total:
        for model_label, history in histories:
            first = history.select_related("history_user").order_by(*order)
            entries.extend((record.history_date, model_label, record) for record in first[:end])
    entries.sort(key=lambda e: e[0], reverse=descending)
    rows = [
        {
            "when": when,
            "label": model_label,
            "verbose_name": models[model_label]._meta.verbose_name,
            "record": record,
            "who": record.history_user.get_username() if record.history_user else gettext("系统"),
        }
        for when, model_label, record in entries[:end]
    ]
    shown = rows[page.start_index() - 1 : page.end_index()] if total else []
    listing = SEARCH.result(request, page, shown, total, rows if export else None)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "audit/search.html",
        {
            "page": page,
            "rows": shown,
            "listing": listing,
            "models": sorted(models),
            "query": request.GET,
        },
    )
