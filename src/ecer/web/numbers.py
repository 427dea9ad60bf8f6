"""Stored numbers: every float a person or a device fills is finite and inside its domain.

One field class, :class:`FiniteFloatField`, carries the rule to every path that writes it:

- forms and ``full_clean`` (its validator, with the field's bounds);
- every ORM write, including ``bulk_create`` and ``update()`` (``get_db_prep_save`` refuses a
  value outside the domain with a ``ValidationError`` naming the table and field);
- the database itself (a CHECK constraint ``column BETWEEN lower AND upper``, which also
  refuses NaN and ±Infinity on PostgreSQL and ±Infinity on SQLite, where NaN becomes NULL).

System check ``ecer.E001`` fails when a model of an ECER app declares a plain ``FloatField``,
so a new field cannot forget the rule.
"""

from __future__ import annotations

import math
from typing import Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecer.hj212.codec import MAX_VALUE_MAGNITUDE

# No quantity of the platform comes near this (the city's GDP is ~1e7 万元, a meter register
# ~1e10); anything larger is a typing or device fault, and products of two such values stay
# far from float overflow.
MAX_MAGNITUDE = MAX_VALUE_MAGNITUDE  # 1e15, the bound the HJ 212 codec applies too

# Shown in a cell whose stored value is not a usable number.
BAD_VALUE_TEXT = _("数据异常")


def is_number(value: Any) -> bool:
    """A real, finite number (booleans are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def domain_error(
    value: Any, lower: float = -MAX_MAGNITUDE, upper: float = MAX_MAGNITUDE, whole: bool = False
) -> str | None:
    """Why ``value`` is not a number in [lower, upper] (a whole one if asked), or None."""
    if not is_number(value):
        return str(_("“%(v)s” 不是有限的数字") % {"v": value})
    if value < lower:
        return str(_("%(v)s 小于下限 %(lower)s") % {"v": value, "lower": _bound(lower)})
    if value > upper:
        return str(_("%(v)s 超过上限 %(upper)s") % {"v": value, "upper": _bound(upper)})
    if whole and not float(value).is_integer():
        return str(_("%(v)s 不是整数") % {"v": value})
    return None


def _bound(value: float) -> str:
    return f"{value:g}"


class DomainValidator:
    """Field validator: finite and within [lower, upper]."""

    def __init__(self, lower: float, upper: float):
        self.lower = lower
        self.upper = upper

    def __call__(self, value: Any) -> None:
        if value is None:
            return
        error = domain_error(value, self.lower, self.upper)
        if error is not None:
            raise ValidationError(error, code="domain")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DomainValidator) and (self.lower, self.upper) == (
            other.lower,
            other.upper,
        )

    def __hash__(self) -> int:
        return hash((self.lower, self.upper))

    def deconstruct(self) -> tuple[str, tuple[float, float], dict[str, Any]]:
        return ("ecer.web.numbers.DomainValidator", (self.lower, self.upper), {})


class FiniteFloatField(models.FloatField):  # type: ignore[type-arg]
    """A float that is finite and within [min_value, max_value] on every write path."""

    def __init__(
        self,
        *args: Any,
        min_value: float = -MAX_MAGNITUDE,
        max_value: float = MAX_MAGNITUDE,
        **kwargs: Any,
    ):
        if not (-MAX_MAGNITUDE <= min_value < max_value <= MAX_MAGNITUDE):
            raise ValueError(f"bad domain [{min_value}, {max_value}]")
        self.min_value = float(min_value)
        self.max_value = float(max_value)
        super().__init__(*args, **kwargs)

    @property
    def validators(self) -> list[Any]:  # type: ignore[override]
        return [*super().validators, DomainValidator(self.min_value, self.max_value)]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.min_value != -MAX_MAGNITUDE:
            kwargs["min_value"] = self.min_value
        if self.max_value != MAX_MAGNITUDE:
            kwargs["max_value"] = self.max_value
        return name, path, args, kwargs

    def formfield(self, **kwargs: Any) -> Any:
        defaults = {"min_value": self.min_value, "max_value": self.max_value}
        return super().formfield(**{**defaults, **kwargs})

    def db_check(self, connection: Any) -> str:
        column = connection.ops.quote_name(self.column)
        return f"{column} BETWEEN {self.min_value!r} AND {self.max_value!r}"

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        # Expressions (F(), Coalesce, …) are resolved by the database; plain values are
        # checked here so that bulk_create and update() cannot bypass the domain.
        if value is not None and not hasattr(value, "resolve_expression"):
            error = domain_error(value, self.min_value, self.max_value)
            if error is not None:
                raise ValidationError(
                    {self.name: [f"{self.model._meta.verbose_name}·{self.verbose_name}：{error}"]},
                    code="domain",
                )
        return super().get_db_prep_save(value, connection)


@checks.register(checks.Tags.models)
def check_float_fields(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every float field of an ECER model is a FiniteFloatField (ecer.E001)."""
    errors: list[checks.CheckMessage] = []
    for model in apps.get_models():
        if not model.__module__.startswith("ecer."):
            continue
        for field in model._meta.local_fields:
            if isinstance(field, models.FloatField) and not isinstance(field, FiniteFloatField):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} is a plain FloatField",
                        hint="Use ecer.web.numbers.FiniteFloatField with the field's domain.",
                        obj=field,
                        id="ecer.E001",
                    )
                )
    return errors


# --- Reading: a value stored past these rules (before the CHECKs existed, by hand, or NaN
# --- that SQLite keeps as NULL) is found when a service reads the row, and becomes a problem
# --- on that record ("数据异常：…" naming the table and field), never an error page.


class BadStoredValue(ValueError):
    """A stored row holds a number outside its field's domain; the message is for people."""


def stored_value_problems(*instances: Any) -> tuple[str, ...]:
    """ "数据异常：<table>·<field>：<rule>" for every FiniteFloatField of ``instances`` whose
    stored value is outside the field's domain (None is left to the caller)."""
    problems = []
    for instance in instances:
        if instance is None:
            continue
        meta = instance._meta
        for field in meta.concrete_fields:
            if not isinstance(field, FiniteFloatField):
                continue
            value = getattr(instance, field.attname)
            if value is None:
                continue
            error = domain_error(value, field.min_value, field.max_value)
            if error is not None:
                problems.append(
                    f"{BAD_VALUE_TEXT}：{meta.verbose_name}（#{instance.pk}）·"
                    f"{field.verbose_name}：{error}"
                )
    return tuple(problems)


def require_stored_values(*instances: Any) -> None:
    """Raise :class:`BadStoredValue` naming every out-of-domain stored value of ``instances``."""
    problems = stored_value_problems(*instances)
    if problems:
        raise BadStoredValue("；".join(problems))


def bad_data_text(exc: Exception) -> str:
    """The problem shown for a record the core refused: "数据异常：<why>"."""
    detail = str(exc)
    if detail.startswith(str(BAD_VALUE_TEXT)):
        return detail
    return f"{BAD_VALUE_TEXT}：{detail}"


# --- Migrating: a database that already holds values the new CHECKs refuse (a probe stored
# --- Infinity through the API) is repaired just before the CHECK is added (docs/security.md,
# --- "Numbers"): NULL where the column allows it, else the nearest bound of the domain; every
# --- repaired value is printed (table, id, column, old → new) for the operator to correct.


def repair_before_checks(app_label: str, operations: list[Any]) -> Any:
    """A RunPython that repairs the out-of-domain values of every FiniteFloatField the
    ``AlterField`` operations of the same migration are about to put a CHECK on."""
    from django.db import migrations

    targets = [
        (op.model_name, op.name, op.field)
        for op in operations
        if isinstance(op, migrations.AlterField) and isinstance(op.field, FiniteFloatField)
    ]

    def repair(app_registry: Any, schema_editor: Any) -> None:
        for model_name, field_name, field in targets:
            model = app_registry.get_model(app_label, model_name)
            column = model._meta.get_field(field_name).column
            for pk, value in model.objects.values_list("pk", field_name).iterator():
                if value is None or domain_error(value, field.min_value, field.max_value) is None:
                    continue
                if field.null:
                    new = None
                elif value != value or value < field.min_value:
                    new = field.min_value
                else:
                    new = field.max_value
                model.objects.filter(pk=pk).update(**{field_name: new})
                print(f"  repaired {model._meta.db_table}.{column} id={pk}: {value!r} -> {new!r}")

    return migrations.RunPython(repair, migrations.RunPython.noop, elidable=False)


# --- PostgreSQL: Django adds a column CHECK on AlterField only from the backend's table of
# --- built-in types (BaseDatabaseSchemaEditor._field_db_check), never from a custom field's
# --- db_check, so the CHECKs of existing columns are added here after every migrate.

# Monitoring's tables take no database CHECK by decision (its migration changes the model
# state only: partitioned and trigger-maintained tables; the gateway's codec bounds values).
NO_DB_CHECK_APPS = frozenset({"monitoring"})


def ensure_postgres_checks(using: str = "default", **kwargs: Any) -> list[str]:
    """Add the missing ``column BETWEEN lower AND upper`` CHECK of every FiniteFloatField on
    PostgreSQL, NOT VALID (rows stored before are left to ``repair_before_checks`` and the
    reading rules; every new write is checked). Idempotent; the constraints it added."""
    from django.apps import apps
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    added = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'c'")
        existing = {name for (name,) in cursor.fetchall()}
        for model in apps.get_models():
            meta = model._meta
            if not model.__module__.startswith("ecer.") or meta.app_label in NO_DB_CHECK_APPS:
                continue
            if not meta.managed or meta.proxy:
                continue
            for field in meta.local_fields:
                if not isinstance(field, FiniteFloatField):
                    continue
                name = f"{meta.db_table[:40]}_{field.column[:15]}_finite"
                if name in existing:
                    continue
                cursor.execute(
                    f"ALTER TABLE {connection.ops.quote_name(meta.db_table)} ADD CONSTRAINT "
                    f"{connection.ops.quote_name(name)} CHECK ({field.db_check(connection)}) "
                    "NOT VALID"
                )
                added.append(name)
    return added
