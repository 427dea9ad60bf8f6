"""Forms of the task pages. None names an object: the task comes from the address and the unit
from the user's role, so there is nothing to narrow (ecer.web.accounts.scoping)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ecer.web.tasks import evidence
from ecer.web.tasks.models import Milestone, ProgressReport
from ecer.web.uploads.fields import BoundedFileField

QUARTERS = [(q, _("第%(q)s季度") % {"q": q}) for q in range(1, 5)]


class ReportForm(forms.ModelForm):  # type: ignore[type-arg]
    quarter = forms.TypedChoiceField(label=_("季度"), choices=QUARTERS, coerce=int)
    file = BoundedFileField(
        label=_("佐证材料（PDF、图片或 Excel）"),
        required=False,
        help_text=_("可选，每次一个文件"),
        suffixes=(".pdf", ".png", ".jpg", ".jpeg", ".xlsx"),
    )

    class Meta:
        model = ProgressReport
        fields = ["year", "quarter", "done_text", "percent", "problems", "next_steps"]
        widgets = {
            "done_text": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, first_year: int, last_year: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.first_year, self.last_year = first_year, last_year
        if self.instance.pk is not None:
            # The period names the report; a correction changes what it says, not when.
            self.fields["year"].disabled = True
            self.fields["quarter"].disabled = True

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if not self.first_year <= year <= self.last_year:
            raise ValidationError(
                _("年份须在规划期 %(a)s–%(b)s 内") % {"a": self.first_year, "b": self.last_year}
            )
        return year

    def clean_file(self) -> evidence.CheckedFile | None:
        upload = self.cleaned_data.get("file")
        return None if upload is None else evidence.check(upload)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("通过")), ("return", _("退回"))])
    reason = forms.CharField(label=_("退回理由"), required=False, max_length=2000)


class MilestoneForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Milestone
        fields = ["name", "due", "percent"]
        widgets = {"due": forms.DateInput(attrs={"type": "date"})}


class PeriodForm(forms.Form):
    """The league table's quarter; a year outside the plan period falls back to the default
    (the view checks it against the plan)."""

    year = forms.IntegerField(required=False)
    quarter = forms.TypedChoiceField(choices=QUARTERS, coerce=int, required=False)
