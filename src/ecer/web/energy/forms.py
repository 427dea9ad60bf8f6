"""Forms for one area's yearly energy data and for the Excel import."""

from __future__ import annotations

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from ecer.web.energy import services
from ecer.web.energy.models import CarrierConsumption, DistrictEnergyYear
from ecer.web.uploads.fields import BoundedFileField


class EnergyYearForm(forms.ModelForm):
    class Meta:
        model = DistrictEnergyYear
        exclude = ["area", "year", "is_demo"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def check_deductions(self, carriers: BaseInlineFormSet) -> bool:
        """The deductions may not exceed the gross consumption of the carriers entered."""
        lines = [
            CarrierConsumption(**{k: f.cleaned_data[k] for k in CarrierFormSet.form_fields})
            for f in carriers.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        message = services.deduction_error(self.instance, services.gross_tce(self.instance, lines))
        if message is not None:
            self.add_error("raw_material_tce", message)
            return False
        return True


class CarrierFormSet(
    inlineformset_factory(  # type: ignore[misc]
        DistrictEnergyYear,
        CarrierConsumption,
        fields=["carrier", "quantity", "unit", "kgce_per_base_unit"],
        extra=3,
        can_delete=True,
    )
):
    form_fields = ("carrier", "quantity", "unit", "kgce_per_base_unit")


class ImportForm(forms.Form):
    file = BoundedFileField(label=_("Excel 文件（.xlsx）"), suffixes=(".xlsx",))
