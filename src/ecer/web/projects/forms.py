"""The project form with its energy lines."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory

from ecer.web.accounts.scoping import ScopedModelForm
from ecer.web.catalog.models import Area
from ecer.web.projects.models import Project, ProjectEnergyLine


class ProjectForm(ScopedModelForm):
    class Meta:
        model = Project
        exclude = ["is_demo"]
        widgets = {
            "energy_review_date": forms.DateInput(attrs={"type": "date"}),
            "eia_date": forms.DateInput(attrs={"type": "date"}),
            "disposal_deadline": forms.DateInput(attrs={"type": "date"}),
            "follow_up_note": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, scope=scope, **kwargs)
        area = self.fields["area"]
        area.queryset = area.queryset.exclude(kind=Area.Kind.CITY)  # type: ignore[attr-defined]


EnergyLineFormSet = inlineformset_factory(
    Project,
    ProjectEnergyLine,
    fields=["carrier", "quantity", "unit", "kgce_per_base_unit"],
    extra=2,
    can_delete=True,
)
