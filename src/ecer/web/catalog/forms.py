"""Forms for entering, importing and correcting target observations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecer.web.accounts.scoping import ScopedModelForm
from ecer.web.catalog.models import Observation
from ecer.web.uploads.fields import BoundedFileField


class ObservationForm(ScopedModelForm):
    unit = forms.CharField(label=_("单位"), max_length=40, required=False)

    class Meta:
        model = Observation
        fields = ["target", "area", "year", "quarter", "value", "unit", "source", "note"]

    def __init__(self, *args: Any, scope: Any, **kwargs: Any):
        super().__init__(*args, scope=scope, **kwargs)
        target = self.fields["target"]
        target.queryset = target.queryset.order_by("sort_order")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["unit"].initial = self.instance.target.observation_unit

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        target, area = data.get("target"), data.get("area")
        if target is not None:
            expected = target.observation_unit
            if (data.get("unit") or "").strip() != expected:
                self.add_error(
                    "unit",
                    _("单位必须是该目标的指标单位 “%(expected)s”") % {"expected": expected},
                )
            year = data.get("year")
            if year is not None and not target.plan.base_year <= year <= target.plan.target_year:
                self.add_error(
                    "year",
                    _("年份 %(year)s 不在规划期 %(start)s–%(end)s 内")
                    % {
                        "year": year,
                        "start": target.plan.base_year,
                        "end": target.plan.target_year,
                    },
                )
        if target is not None and area is not None:
            if not area.is_city and not target.applies_to_districts:
                self.add_error("area", _("该目标未分解到县区，只能填报全市数值"))
            elif not self.scope.can_submit(target, area):
                self.add_error("area", _("您无权填报该地区的这一目标"))
        return data


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionForm(forms.Form):
    value = forms.FloatField(label=_("更正后的数值"))
    reason = forms.CharField(label=_("更正理由"), widget=forms.Textarea(attrs={"rows": 3}))


class GridImportForm(forms.Form):
    file = BoundedFileField(label=_("填报表（.xlsx，先导出再填写）"), suffixes=(".xlsx",))


class ImportForm(forms.Form):
    file = BoundedFileField(label=_("文件（.csv 或 .xlsx）"), suffixes=(".csv", ".xlsx"))
