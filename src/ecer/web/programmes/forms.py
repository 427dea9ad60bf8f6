"""Forms of the project library: a project (every object it names narrowed to the user's
scope; a schedule that holds together; links in the project's own district), a month's
progress with its evidence, and the Excel import."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecer.web.accounts.scoping import ScopedModelForm
from ecer.web.programmes import services
from ecer.web.programmes.models import Project
from ecer.web.uploads.evidence import EVIDENCE_SUFFIXES
from ecer.web.uploads.fields import BoundedFileField

LINKS = ("enterprise", "reduction", "two_high")


class ProjectForm(ScopedModelForm):
    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "area",
            "owner_name",
            "owner_department",
            "enterprise",
            "reduction",
            "two_high",
            "investment_planned",
            "start_on",
            "planned_completion_on",
            "completed_on",
            "saving_tce",
            "cod_t",
            "nh3n_t",
            "nox_t",
            "vocs_t",
            "note",
        ]
        widgets = {
            "start_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_completion_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "completed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, scope: Any, **kwargs: Any):
        super().__init__(*args, scope=scope, **kwargs)
        # Narrowed further: the areas the user may put a project in (never widened).
        self.fields["area"].queryset = self.fields["area"].queryset & services.editable_areas(scope)
        # A link the user cannot see (a department and an enterprise) is kept as it is,
        # not offered for change: the field is left out rather than failing on submit.
        for name in (*LINKS, "owner_department"):
            current = getattr(self.instance, f"{name}_id", None)
            field = self.fields[name]
            if current is not None and not field.queryset.filter(pk=current).exists():  # type: ignore[attr-defined]
                del self.fields[name]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", code):
            raise forms.ValidationError(_("只能由字母、数字、点、连字符和下划线组成"))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, planned = data.get("start_on"), data.get("planned_completion_on")
        done = data.get("completed_on")
        if start and planned and planned < start:
            self.add_error("planned_completion_on", _("早于开工日期"))
        if start and done and done < start:
            self.add_error("completed_on", _("早于开工日期"))
        if done and done > timezone.localdate():
            self.add_error("completed_on", _("日期不能晚于今天"))
        area = data.get("area")
        if area is not None and not area.is_city:
            for name in LINKS:
                linked = data.get(name)
                if linked is not None and linked.area_id != area.pk:
                    self.add_error(name, _("不在本项目所在县区（%(a)s）") % {"a": area.name})
        return data


MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$")


class MonthField(forms.CharField):
    """A month as 2024-05 (what <input type=month> sends); its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2024-05"})

    def clean(self, value: Any) -> date:  # type: ignore[override]
        text = super().clean(value)
        match = MONTH.match(text.strip())
        try:
            if match is None:
                raise ValueError(text)
            return date(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise forms.ValidationError(_("不是月份（如 2024-05）")) from None


class ProgressForm(forms.Form):
    month = MonthField(label=_("月份"))
    percent = forms.FloatField(label=_("完成进度（%）"), min_value=0, max_value=100)
    investment_to_date = forms.FloatField(
        label=_("累计完成投资（万元）"), min_value=0, max_value=1e15, required=False
    )
    note = forms.CharField(
        label=_("进展说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = BoundedFileField(
        label=_("佐证材料（PDF、图片、Word 或 Excel）"),
        required=False,
        suffixes=EVIDENCE_SUFFIXES,
    )


class ImportForm(forms.Form):
    file = BoundedFileField(label=_("项目库 Excel 文件"), suffixes=(".xlsx",))
