from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ecer.web.uploads.fields import BoundedFileField

EVIDENCE_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx")


class MoveForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = BoundedFileField(
        label=_("佐证材料（PDF、图片、Word 或 Excel）"), required=False, suffixes=EVIDENCE_SUFFIXES
    )


class FilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False)
    overdue = forms.BooleanField(label=_("仅看超时"), required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from ecer.web.cases.models import State

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["state"].choices = [("", _("全部")), ("open", _("未销号")), *State.choices]
