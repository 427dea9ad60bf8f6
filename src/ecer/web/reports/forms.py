"""The assessment scheme on forms: the grade lines and options, one row per indicator and one
per bonus, deduction or veto item. The forms only read numbers and names; every rule of a
scheme (weights summing to 100, grade lines in order …) is ``ecer.core.assessment``'s, and its
error is put beside the field it names (:class:`SchemeEditor`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext_lazy as _

from ecer.core import assessment as core

INDICATOR_CHOICES = [(c.value, c.label_zh) for c in core.IndicatorCode]
ITEM_KIND_CHOICES = [("", _("请选择")), *((k.value, k.label_zh) for k in core.ItemKind)]


class SchemeForm(forms.Form):
    """The scheme's options, the preview year and the note of the new version."""

    basic_min = forms.FloatField(
        label=_("基本完成最低分"),
        help_text=_("综合得分不低于此分数评为基本完成，低于此分数评为未完成。"),
    )
    completed_min = forms.FloatField(label=_("完成最低分"), help_text=_("须高于基本完成最低分。"))
    exceeded_min = forms.FloatField(label=_("超额完成最低分"), help_text=_("须高于完成最低分。"))
    intensity_veto = forms.BooleanField(
        label=_("未完成能耗强度降低基本目标的，不论得分一律评为未完成"), required=False
    )
    intensity_zero_share = forms.FloatField(
        label=_("能耗强度不得分的完成比例"),
        help_text=_(
            "强度降低完成基本目标的比例低于此值时该项不得分，其上按比例计分；"
            "填 0 到 1 之间的小数，如 0.5 表示 50%。"
        ),
    )
    total_zero_over_pct = forms.FloatField(
        label=_("能源消费总量不得分的超出幅度（%）"),
        help_text=_("消费总量超出预算达到此幅度时该项不得分，其间按比例扣分；须大于 0。"),
    )
    incentive_bonus = forms.FloatField(
        label=_("达到激励目标加分（分）"),
        help_text=_("能耗强度降低达到激励目标时加的分数；不能为负数。"),
    )
    year = forms.TypedChoiceField(label=_("预览年度"), coerce=int, choices=())
    note = forms.CharField(label=_("修改说明"), max_length=300, required=False)
    base = forms.IntegerField(widget=forms.HiddenInput)

    OPTIONS = (
        "basic_min",
        "completed_min",
        "exceeded_min",
        "intensity_veto",
        "intensity_zero_share",
        "total_zero_over_pct",
        "incentive_bonus",
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, label_suffix="", **kwargs)
        self.fields["year"].choices = [(y, _("%(y)s 年") % {"y": y}) for y in years]  # type: ignore[attr-defined]


class _RowForm(forms.Form):
    """A row of a table: its inputs are labelled for screen readers (the header is the label)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "label_suffix": ""})
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", str(field.label or name))


class IndicatorForm(_RowForm):
    code = forms.ChoiceField(choices=INDICATOR_CHOICES, widget=forms.HiddenInput)
    name_zh = forms.CharField(label=_("指标名称"), max_length=60)
    weight = forms.FloatField(label=_("权重（分）"))

    @property
    def measure(self) -> str:
        """What the row's indicator measures, in Chinese (its code never shows)."""
        raw = self["code"].value()
        codes = {c.value: c for c in core.IndicatorCode}
        return codes[raw].label_zh if raw in codes else ""


class ItemForm(_RowForm):
    code = forms.CharField(required=False, widget=forms.HiddenInput)
    name_zh = forms.CharField(label=_("事项名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=ITEM_KIND_CHOICES)
    points = forms.FloatField(
        label=_("分值（分）"), required=False, help_text=_("否决项不填分值。")
    )


IndicatorFormSet: type[BaseFormSet] = formset_factory(IndicatorForm, extra=0)


class _ItemFormSet(BaseFormSet):  # type: ignore[type-arg]
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除")
            form.fields["DELETE"].widget.attrs["aria-label"] = _("删除")


ItemFormSet: type[BaseFormSet] = formset_factory(
    ItemForm, formset=_ItemFormSet, extra=1, can_delete=True
)


def _initial(scheme: core.Scheme) -> tuple[dict[str, Any], list[dict[str, Any]], list[Any]]:
    data = scheme.as_dict()
    options = {key: data[key] for key in SchemeForm.OPTIONS}
    present = {i["code"] for i in data["indicators"]}
    indicators = data["indicators"] + [
        {"code": c.value, "name_zh": c.label_zh.split("（")[0], "weight": 0.0}
        for c in core.IndicatorCode
        if c.value not in present
    ]
    return options, indicators, data["items"]


class SchemeEditor:
    """The three parts of the scheme form, validated together by ``ecer.core.assessment``."""

    def __init__(
        self,
        data: Any | None,
        *,
        scheme: core.Scheme,
        base: int,
        years: list[int],
        year: int | None,
    ) -> None:
        options, indicators, items = _initial(scheme)
        self.form = SchemeForm(data, years=years, initial={**options, "year": year, "base": base})
        self.indicators = IndicatorFormSet(data, initial=indicators, prefix="ind")
        self.items = ItemFormSet(data, initial=items, prefix="item")
        self.scheme: core.Scheme | None = None
        self.data: dict[str, Any] = {}

    def _kept_items(self) -> list[forms.Form]:
        return [
            f
            for f in self.items.forms
            if f.has_changed() or f.initial
            if not (self.items.can_delete and f.cleaned_data.get("DELETE"))
        ]

    def _data(self, items: list[forms.Form]) -> dict[str, Any]:
        options = {key: self.form.cleaned_data[key] for key in SchemeForm.OPTIONS}
        indicators = [
            {k: f.cleaned_data[k] for k in ("code", "name_zh", "weight")}
            for f in self.indicators.forms
        ]
        taken = {f.cleaned_data["code"] for f in items if f.cleaned_data["code"]}
        rows = []
        for f in items:
            code = f.cleaned_data["code"]
            if not code:  # a new item: a code the district records can refer to
                code = next(c for n in range(1, 1000) if (c := f"item_{n}") not in taken)
                taken.add(code)
            points = f.cleaned_data["points"]
            rows.append(
                {
                    "code": code,
                    "name_zh": f.cleaned_data["name_zh"],
                    "kind": f.cleaned_data["kind"],
                    "points": 0.0 if points is None else points,
                }
            )
        return {**options, "indicators": indicators, "items": rows}

    def is_valid(self) -> bool:
        valid = [self.form.is_valid(), self.indicators.is_valid(), self.items.is_valid()]
        if not all(valid):
            return False
        items = self._kept_items()
        self.data = self._data(items)
        try:
            self.scheme = core.scheme_from_dict(self.data)
        except core.SchemeError as exc:
            self.add_error(exc, items)
            return False
        return True

    def add_error(self, exc: core.SchemeError, items: list[forms.Form] | None = None) -> None:
        """Put the scheme's error beside the field it names."""
        message = str(exc)
        if exc.field == "indicators" and exc.index is not None:
            self.indicators.forms[exc.index].add_error(exc.key or None, message)
        elif exc.field == "indicators":
            self.indicators.non_form_errors().append(message)
        elif exc.field == "items" and exc.index is not None:
            rows = self._kept_items() if items is None else items
            key = exc.key if exc.key in ("points", "name_zh", "kind") else None
            rows[exc.index].add_error(key, message)
        elif exc.field in self.form.fields:
            self.form.add_error(exc.field, message)
        else:
            self.form.add_error(None, message)

    @property
    def has_errors(self) -> bool:
        return bool(
            self.form.errors
            or self.indicators.total_error_count()
            or self.items.total_error_count()
        )
