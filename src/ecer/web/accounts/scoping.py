"""One mechanism that keeps every named object inside the user's scope.

- ``ScopedFormMixin``: every form (and formset form) of the views takes ``scope=``; each of its
  fields that names an object (a ModelChoiceField or ModelMultipleChoiceField) is narrowed by
  ``Scope.narrow`` when the form is built, so the choices offered and the values accepted on
  submit are the same set. A field whose model no scope rule knows refuses to build
  (``Unscoped``), and a form class with such a field that is not scoped fails the system check
  ecer.E191 — a new form cannot forget.
- ``ScopedQueryMiddleware``: a query parameter that names an object (``OBJECT_PARAMETERS``:
  ?area=, ?enterprise=, ?point=, …) must name one inside the user's scope, on every page and
  export; otherwise the answer is 404, before the view runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse

from ecer.web.accounts.scope import Scope

OBJECT_FIELDS = (forms.ModelChoiceField,)  # ModelMultipleChoiceField is a subclass


def object_fields(form: forms.BaseForm | type[forms.BaseForm]) -> dict[str, forms.Field]:
    """The fields of a form (instance or class) that name an object by its key."""
    fields = form.fields if isinstance(form, forms.BaseForm) else form.base_fields
    return {
        name: field
        for name, field in fields.items()
        if isinstance(field, OBJECT_FIELDS)
        # The parent of an inline formset is set by the view, never chosen.
        and not isinstance(field, forms.models.InlineForeignKeyField)
    }


class ScopedFormMixin:
    """Narrow every object-naming field to the user's scope; build nothing unscoped.

    Put it first among the bases: ``class F(ScopedFormMixin, forms.ModelForm)``. A form may
    narrow a field further in its own ``__init__`` (after ``super().__init__``); it can never
    widen it, because the scope's rows are intersected with whatever the field offers.
    """

    scope: Scope

    def __init__(self, *args: Any, scope: Scope, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.scope = scope
        for field in object_fields(self).values():  # type: ignore[arg-type]
            field.queryset = scope.narrow(field.queryset)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ObjectParameter:
    """A query parameter that names an object: which model, by which field."""

    model: str  # app_label.model_name
    field: str
    # Turn the raw text into a lookup value (None: not a valid key, answered 404).
    parse: Callable[[str], Any] = str

    def resolve(self, scope: Scope, raw: str) -> bool:
        """Does ``raw`` name an object inside ``scope``?"""
        value = self.parse(raw)
        if value is None:
            return False
        queryset = apps.get_model(self.model)._default_manager.filter(**{self.field: value})
        return scope.narrow(queryset).exists()


def _int(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else None


# Every query parameter name that names an object on a page or export means the same object
# everywhere. A view that reads another object-naming name fails
# tests/web/accounts/test_scope_leaks.py until it is added here.
OBJECT_PARAMETERS: dict[str, ObjectParameter] = {
    "area": ObjectParameter("catalog.Area", "code"),
    "target": ObjectParameter("catalog.Target", "code"),
    "department": ObjectParameter("catalog.Department", "code"),
    "enterprise": ObjectParameter("enterprises.Enterprise", "credit_code"),
    "point": ObjectParameter("monitoring.MonitoringPoint", "pk", _int),
    "project": ObjectParameter("reductions.ReductionProject", "pk", _int),
    "account": ObjectParameter("rights.Account", "code"),
}


def check_query(request: HttpRequest) -> None:
    """404 when a query parameter names an object outside the request's scope."""
    scope: Scope = request.scope  # type: ignore[attr-defined]
    if not scope.has_access:
        return  # the view sends it to sign in or refuses it
    for name, parameter in OBJECT_PARAMETERS.items():
        for raw in request.GET.getlist(name):
            if raw and not parameter.resolve(scope, raw.strip()):
                raise Http404(f"?{name}={raw!r} names nothing inside the user's scope")


class ScopedQueryMiddleware:
    """Refuse a query parameter naming an out-of-scope object on every page and export.

    The JSON API is left to its operations: its callers authenticate by API key inside
    django-ninja, after this middleware, and its parameters are checked there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith("/api/") or request.resolver_match is None:
            return None
        if request.resolver_match.namespace in ("admin",):
            return None  # the admin is the city administrators', who see everything
        check_query(request)
        return None


class ScopedModelForm(ScopedFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """The base of a model form (or a formset's form) whose fields may name objects."""


def form_classes(modules: Any = None) -> dict[str, type[forms.BaseForm]]:
    """Every form class the web apps define or bind, by dotted name; a formset stands for its
    form. ``modules`` defaults to the ``ecer.web`` modules imported so far."""
    import sys

    from django.forms.formsets import BaseFormSet

    if modules is None:
        modules = [m for name, m in list(sys.modules.items()) if name.startswith("ecer.web.")]
    found: dict[type[forms.BaseForm], str] = {}
    for module in modules:
        for value in list(vars(module).values()):
            if not isinstance(value, type):
                continue
            if issubclass(value, BaseFormSet) and hasattr(value, "form"):
                value = value.form
            if issubclass(value, forms.BaseForm) and value.__module__.startswith(
                ("ecer.web.", "django.forms.")
            ):
                owner = (
                    value.__module__ if value.__module__.startswith("ecer.") else module.__name__
                )
                found.setdefault(value, f"{owner}.{value.__name__}")
    return {name: cls for cls, name in found.items()}


def unscoped_forms(modules: Any = None) -> list[str]:
    """Form classes with an object-naming field that neither are scoped nor say why not."""
    return sorted(
        name
        for name, cls in form_classes(modules).items()
        if object_fields(cls)
        and not issubclass(cls, ScopedFormMixin)
        and not getattr(cls, "scope_exempt", "")
    )


def check_forms_scoped(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """System check ecer.E191: every form of the views that names an object is scoped."""
    from django.conf import settings
    from django.core import checks
    from django.urls import get_resolver

    get_resolver(settings.ROOT_URLCONF).url_patterns  # noqa: B018 - imports every view
    return [
        checks.Error(
            f"{name} has a field naming an object but is not a ScopedFormMixin form",
            hint="Derive it from ecer.web.accounts.scoping.ScopedModelForm (or put "
            "ScopedFormMixin first) and pass scope=request.scope; a form only the admin uses "
            "sets scope_exempt to the reason.",
            id="ecer.E191",
        )
        for name in unscoped_forms()
    ]
