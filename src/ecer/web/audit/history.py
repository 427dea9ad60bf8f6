"""Reading the edit history kept by django-simple-history, for people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext
from simple_history.models import registered_models


@dataclass(frozen=True)
class Change:
    field: str  # the field's name as people read it (its verbose name)
    old: Any
    new: Any


def _readable(model: Any, field_name: str, value: Any) -> Any:
    """A foreign key's id as the object it names (a user by user name), else the value."""
    try:
        field = model._meta.get_field(field_name)
    except Exception:  # a field since removed from the model
        return value
    if value is None or not field.is_relation or field.related_model is None:
        return value
    if field.many_to_many:
        # simple_history gives a many-to-many change as a list of through-row dicts
        # ({"target": 1, "department": 4}); name the objects on the far side.
        ids = [
            row.get(field.m2m_reverse_field_name()) if isinstance(row, dict) else row
            for row in value
        ]
        named = field.related_model.objects.filter(pk__in=[i for i in ids if i is not None])
        return ", ".join(sorted(_name(o) for o in named))
    related = field.related_model.objects.filter(pk=value).first()
    return _name(related) if related is not None else value


def _name(obj: Any) -> str:
    return obj.get_username() if hasattr(obj, "get_username") else str(obj)


def _label(model: Any, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:
        return field_name


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: tuple[Change, ...]
    reason: str
    model_label: str
    object_id: Any
    summary: str


def _user_name(record: Any) -> str:
    user = getattr(record, "history_user", None)
    return user.get_username() if user is not None else gettext("系统")


def entries_for(history_records: list[Any], model_label: str) -> list[HistoryEntry]:
    """Entries newest first, each with the fields it changed against the previous version."""
    ordered = sorted(history_records, key=lambda h: (h.history_date, h.history_id))
    entries = []
    previous = None
    for record in ordered:
        changes: tuple[Change, ...] = ()
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            model = record.instance_type
            changes = tuple(
                Change(
                    _label(model, c.field),
                    _readable(model, c.field, c.old),
                    _readable(model, c.field, c.new),
                )
                for c in delta.changes
            )
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_user_name(record),
                kind=record.history_type,
                changes=changes,
                reason=record.history_change_reason or "",
                model_label=model_label,
                object_id=getattr(record, "id", None),
                summary=str(record.instance) if record.history_type != "-" else "",
            )
        )
        previous = record
    entries.reverse()
    return entries


def tracked_models() -> dict[str, Any]:
    """label ("catalog.observation") → model, for every table whose history is kept."""
    # Many-to-many through tables are registered too; they have no history manager of their own.
    return {m._meta.label_lower: m for m in registered_models.values() if hasattr(m, "history")}
