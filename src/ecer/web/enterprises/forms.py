"""Forms of the enterprise pages: the registry entry, a report with its carriers and products,
and the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory

from ecer.web.catalog.rules import industrial_parks, park_error
from ecer.web.energy.forms import ImportForm
from ecer.web.enterprises.models import (
    EnergyReport,
    Enterprise,
    ProductionUnit,
    ProductOutput,
    ReportCarrier,
)

__all__ = ["CarrierFormSet", "EnterpriseForm", "ImportForm", "OutputFormSet", "ReportForm"]


class EnterpriseForm(forms.ModelForm):
    """A registry entry; its park is one of those the loaded plan names (三(二))."""

    class Meta:
        model = Enterprise
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The plan's parks, read when the form is built: a plan loaded again is in effect.
        self.fields["park"].widget = forms.Select(
            choices=[("", "—"), *((p, p) for p in industrial_parks())]
        )

    def clean_park(self) -> str:
        park = str(self.cleaned_data.get("park") or "").strip()
        error = park_error(park)
        if error:
            raise forms.ValidationError(error)
        return park


class ReportForm(forms.ModelForm):
    class Meta:
        model = EnergyReport
        fields = [
            "raw_material_tce",
            "value_added_10k_yuan",
            "savings_tce",
            "saving_projects",
            "note",
        ]
        widgets = {
            "saving_projects": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


CarrierFormSet = inlineformset_factory(
    EnergyReport,
    ReportCarrier,
    fields=["carrier", "quantity", "unit", "kgce_per_base_unit"],
    extra=3,
    can_delete=True,
)


class _OutputFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, enterprise: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        units = ProductionUnit.objects.filter(enterprise=enterprise)
        for form in self.forms:
            form.fields["unit"].queryset = units


OutputFormSet = inlineformset_factory(
    EnergyReport,
    ProductOutput,
    formset=_OutputFormSet,
    fields=["unit", "product", "output", "output_unit", "unit_consumption"],
    extra=2,
    can_delete=True,
)
