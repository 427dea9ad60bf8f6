"""Forms of the reduction pages: a project with its accounting lines, evidence, closures."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from ecer.core import reductions as core
from ecer.web.accounts.scoping import ScopedModelForm
from ecer.web.catalog.models import Area
from ecer.web.reductions.models import ReductionLine, ReductionProject
from ecer.web.uploads.fields import BoundedFileField

# Set by the reviewer's decision, never on the form.
DECIDED = {core.ProjectStatus.VERIFIED.value, core.ProjectStatus.REJECTED.value}
EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", ".zip")


class ProjectForm(ScopedModelForm):
    """A project in one of the user's districts, acting on a monitoring point the user sees and
    that lies in the project's district (a point elsewhere would claim another district's
    reductions and put a double-claim finding on its projects)."""

    class Meta:
        model = ReductionProject
        fields = [
            "name",
            "type",
            "area",
            "sector",
            "source_name",
            "credit_code",
            "permit_number",
            "point",
            "status",
            "started_on",
            "completed_on",
            "note",
        ]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "completed_on": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, scope: Any, **kwargs: Any):
        super().__init__(*args, scope=scope, **kwargs)
        area = self.fields["area"]
        area.queryset = area.queryset.exclude(kind=Area.Kind.CITY)  # type: ignore[attr-defined]
        current = self.instance.status if self.instance.pk else None
        self.fields["status"].choices = [
            (value, label)
            for value, label in self.fields["status"].choices
            if value not in DECIDED or value == current
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        area, point = data.get("area"), data.get("point")
        if area is not None and point is not None and point.area_id != area.pk:
            self.add_error(
                "point",
                _("在线监测点 %(point)s 位于%(where)s，不在项目所在的%(area)s")
                % {
                    "point": point.name,
                    "where": point.area.name if point.area_id else _("未指定县区"),
                    "area": area.name,
                },
            )
        return data


LineFormSet = inlineformset_factory(
    ReductionProject,
    ReductionLine,
    exclude=["project"],
    extra=2,
    can_delete=True,
)


class EvidenceForm(forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=200)
    file = BoundedFileField(
        label=_("文件（PDF、图片、Word、Excel 或 ZIP）"), suffixes=EVIDENCE_TYPES
    )


class CloseForm(forms.Form):
    finding_key = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("关闭理由"), widget=forms.Textarea(attrs={"rows": 2}))
