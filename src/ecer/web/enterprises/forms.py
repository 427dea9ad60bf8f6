"""Forms of the enterprise pages: the registry entry, a report with its carriers and products,
and the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory

from ecer.web.accounts.scoping import ScopedModelForm
from ecer.web.catalog.rules import industrial_parks, park_error
from ecer.web.energy.forms import ImportForm
from ecer.web.enterprises.models import (
    EnergyReport,
    Enterprise,
    ProductOutput,
    ReportCarrier,
)

__all__ = ["CarrierFormSet", "EnterpriseForm", "ImportForm", "OutputFormSet", "ReportForm"]


class EnterpriseForm(forms.ModelForm):
    """A registry entry; its park is one of those the loaded plan names (三(二))."""

    # Built by the admin site only, which is the city administrators' (they see every area).
    scope_exempt = "admin site only: city administrators"

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
    """Outputs of the report's own production units (within the user's scope, as every
    object field: ``ScopedModelForm``)."""

    def __init__(self, *args: Any, enterprise: Any = None, scope: Any, **kwargs: Any):
        self.enterprise = enterprise
        super().__init__(*args, form_kwargs={"scope": scope}, **kwargs)

    def _construct_form(self, i: int, **kwargs: Any) -> Any:
        form = super()._construct_form(i, **kwargs)
        unit = form.fields["unit"]
        unit.queryset = unit.queryset.filter(enterprise=self.enterprise)
        return form

    @property
    def empty_form(self) -> Any:
        form = super().empty_form
        unit = form.fields["unit"]
        unit.queryset = unit.queryset.filter(enterprise=self.enterprise)
        return form


OutputFormSet = inlineformset_factory(
    EnergyReport,
    ProductOutput,
    form=ScopedModelForm,
    formset=_OutputFormSet,
    fields=["unit", "product", "output", "output_unit", "unit_consumption"],
    extra=2,
    can_delete=True,
)
