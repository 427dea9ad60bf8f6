"""Forms of the registers: a new item (its district narrowed to the user's scope; a finite,
non-negative size within the register's threshold) and a step (date, note, evidence)."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ecer.web.accounts.scoping import ScopedModelForm
from ecer.web.registers import services
from ecer.web.registers.models import Item, Register, Status
from ecer.web.uploads.fields import BoundedFileField


class ItemForm(ScopedModelForm):
    class Meta:
        model = Item
        fields = [
            "identifier",
            "name",
            "area",
            "location",
            "owner",
            "credit_code",
            "size",
            "registered_on",
            "note",
        ]
        widgets = {
            "registered_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, scope: Any, register: Register | None = None, **kwargs: Any):
        super().__init__(*args, scope=scope, **kwargs)
        self.register = register
        # Narrowed further: the districts the user may add items in (never widened).
        self.fields["area"].queryset = self.fields["area"].queryset & services.editable_areas(scope)
        if register is not None:
            self.fields["size"].label = f"{register.size_label}（{register.size_unit}）"
            self.fields["size"].required = register.measure == "size"

    def clean_size(self) -> float | None:
        size = self.cleaned_data.get("size")
        if size is None:
            return None
        if not math.isfinite(size):
            raise forms.ValidationError(_("不是有限的数值"))
        if size < 0:
            raise forms.ValidationError(_("不能为负数"))
        limit = self.register.max_size() if self.register else None
        if limit is not None and self.register is not None and size > limit:
            raise forms.ValidationError(
                _("超过本台账的界定值 %(max)s %(unit)s")
                % {"max": f"{limit:g}", "unit": self.register.size_unit}
            )
        return size

    def clean_identifier(self) -> str:
        identifier = self.cleaned_data["identifier"].strip()
        if self.register is not None and self.register.items.filter(identifier=identifier).exists():
            raise forms.ValidationError(_("台账内已有该编号"))
        return identifier

    def clean_credit_code(self) -> str:
        code = self.cleaned_data.get("credit_code", "").strip()
        if not code:
            return ""
        from ecer.core.creditcode import CreditCodeError, validate_credit_code

        try:
            return validate_credit_code(code).code
        except CreditCodeError as exc:
            raise forms.ValidationError(str(exc)) from None


class StepForm(forms.Form):
    status = forms.ChoiceField(label=_("推进到"), choices=Status.choices)
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = BoundedFileField(
        label=_("佐证材料（PDF、图片、Word 或 Excel）"),
        required=False,
        suffixes=(".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx"),
    )


class ImportForm(forms.Form):
    file = BoundedFileField(label=_("台账 Excel 文件"), suffixes=(".xlsx",))
