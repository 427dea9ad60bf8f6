"""The data-quality rules on forms: one row per rule of the version in force, with its name,
its severity and the thresholds of its check. What a rule checks (the record fields, units,
message) is not on the form: it is kept from the version the form was opened on, and changed
only in the advanced text editor. Every rule is judged by ``ecer.core.quality`` (the loader
the text editor uses); its error is put beside the field it names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms import BaseFormSet, formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecer.core import quality as core_quality
from ecer.web.catalog.models import Target
from ecer.web.quality.defaults import BASE_YEAR_KIND
from ecer.web.quality.models import RECORD_KIND_CHOICES

SEVERITY_CHOICES = [(s.value, s.label_zh) for s in core_quality.Severity]

# The thresholds a DRC official sets, by condition kind (the keys of ``ecer.core.quality``).
THRESHOLDS = {
    "range": ("minimum", "maximum"),
    "yoy_change": ("max_change_pct",),
    "index_band": ("lower", "upper"),
    "components_sum": ("tolerance_pct",),
    "ratio": ("factor", "tolerance_pct"),
    "reported_vs_online": ("tolerance_pct",),
    "reduction_vs_monitored": ("tolerance_pct",),
    "daily_vs_monthly": ("tolerance_pct",),
    "completeness": ("min_share_pct",),
}
CHECK_LABELS = {
    "required": gettext_lazy("必填检查"),
    "range": gettext_lazy("取值范围检查"),
    "allowed": gettext_lazy("取值限定检查"),
    "yoy_change": gettext_lazy("同比变化幅度检查"),
    "index_band": gettext_lazy("指数区间检查"),
    "components_sum": gettext_lazy("分项之和与合计核对"),
    "ratio": gettext_lazy("比值复核"),
    "reported_vs_online": gettext_lazy("填报值与在线监测数据核对"),
    "reduction_vs_monitored": gettext_lazy("减排量与监测数据核对"),
    "daily_vs_monthly": gettext_lazy("日累计与月总量核对"),
    "completeness": gettext_lazy("在线数据完整率检查"),
    "reported_vs_computed": gettext_lazy("填报值与核算值核对（容差为系统设置）"),
}
THRESHOLD_HELP = {
    "minimum": gettext_lazy("低于下限即提示；留空表示不设下限。"),
    "maximum": gettext_lazy("高于上限即提示；留空表示不设上限。"),
    "max_change_pct": gettext_lazy("与上年相比增减超过此幅度即提示。"),
    "lower": gettext_lazy("上年为 100 的指数低于此值即提示。"),
    "upper": gettext_lazy("上年为 100 的指数高于此值即提示。"),
    "tolerance_pct": gettext_lazy("两者相差超过此比例即提示。"),
    "factor": gettext_lazy("分子除以分母后乘以此系数得到比值。"),
    "min_share_pct": gettext_lazy("应收数据中实收比例低于此值即提示。"),
}
EXTRA_KINDS = {
    BASE_YEAR_KIND: gettext_lazy("县区基期年能耗数据"),
    "reduction_project": gettext_lazy("减排项目"),
}


def applies_to_label(applies_to: str) -> str:
    """The record kind a rule applies to, in Chinese; a target by its name in the plan."""
    kind, _sep, target = applies_to.partition(":")
    label = str(dict(RECORD_KIND_CHOICES).get(kind) or EXTRA_KINDS.get(kind) or kind)
    if target:
        found = Target.objects.filter(code=target).order_by("-plan_id").first()
        label += _("（%(target)s）") % {"target": found.name if found else target}
    return label


@dataclass(frozen=True)
class RuleRow:
    """A rule as people read it: name, what it applies to, its check, severity, thresholds."""

    name: str
    applies_to: str
    check: str
    severity: str
    thresholds: tuple[tuple[str, Any], ...]


def describe(rule: dict[str, Any]) -> RuleRow:
    condition = rule.get("condition") or {}
    kind = condition.get("kind", "")
    unit = condition.get("unit")
    thresholds = tuple(
        (threshold_label(key, unit), condition[key])
        for key in THRESHOLDS.get(kind, ())
        if condition.get(key) is not None
    )
    severities = {s.value: s.label_zh for s in core_quality.Severity}
    return RuleRow(
        name=str(rule.get("name", "")),
        applies_to=applies_to_label(str(rule.get("applies_to", ""))),
        check=str(CHECK_LABELS.get(kind, kind)),
        severity=severities.get(str(rule.get("severity")), str(rule.get("severity"))),
        thresholds=thresholds,
    )


def threshold_label(key: str, unit: str | None) -> str:
    label = core_quality.KEY_LABELS_ZH[key]
    if unit and key in ("minimum", "maximum"):
        label += _("（%(unit)s）") % {"unit": unit}
    return label


class RuleForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=core_quality.KEY_LABELS_ZH["name"], max_length=100)
    severity = forms.ChoiceField(
        label=core_quality.KEY_LABELS_ZH["severity"], choices=SEVERITY_CHOICES
    )

    def __init__(self, *args: Any, rule: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **{**kwargs, "label_suffix": ""})
        self.rule = rule
        self.row = describe(rule)
        condition = rule.get("condition") or {}
        self.threshold_keys = THRESHOLDS.get(condition.get("kind", ""), ())
        for key in self.threshold_keys:
            # Blank is passed on as "not given": the rules' loader says whether it may be.
            self.fields[key] = forms.FloatField(
                label=threshold_label(key, condition.get("unit")),
                help_text=THRESHOLD_HELP[key],
                required=False,
            )
            self.initial.setdefault(key, condition.get(key))

    @property
    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[key] for key in self.threshold_keys]

    def edited(self) -> dict[str, Any]:
        """The rule as stored, with this form's name, severity and thresholds."""
        condition = {
            k: v
            for k, v in (self.rule.get("condition") or {}).items()
            if k not in self.threshold_keys
        }
        for key in self.threshold_keys:
            value = self.cleaned_data.get(key)
            if value is not None:
                condition[key] = int(value) if float(value).is_integer() else value
        return {
            **self.rule,
            "name": self.cleaned_data["name"],
            "severity": self.cleaned_data["severity"],
            "condition": condition,
        }


class BaseRuleFormSet(BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, rules: list[dict[str, Any]], **kwargs: Any) -> None:
        self.rules = rules
        initial = [{"code": r["code"], "name": r["name"], "severity": r["severity"]} for r in rules]
        super().__init__(*args, initial=initial, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None:
            kwargs["rule"] = self.rules[index]
        return kwargs

    def total_form_count(self) -> int:
        return len(self.rules)  # one row per rule of the base version, never more

    def clean(self) -> None:
        for form, rule in zip(self.forms, self.rules, strict=True):
            if form.cleaned_data.get("code") not in (None, rule["code"]):
                raise forms.ValidationError(_("规则与所打开的版本不一致，请重新打开本页。"))


RuleFormSet = formset_factory(RuleForm, formset=BaseRuleFormSet, extra=0, can_delete=True)


class RuleSetEditor:
    """The rule rows and the note, validated together by ``ecer.core.quality``."""

    def __init__(self, data: Any | None, *, rules: list[dict[str, Any]], base: int) -> None:
        self.meta = MetaForm(data, initial={"base": base}, label_suffix="")
        self.rules = RuleFormSet(data, rules=rules, prefix="rule")
        self.edited: list[dict[str, Any]] = []
        self.kept: list[RuleForm] = []

    def is_valid(self, validate: Any) -> bool:
        """Both forms valid and ``validate(rules)`` (the rules' loader) accepts the rules."""
        if not (self.meta.is_valid() and self.rules.is_valid()):
            return False
        self.kept = [f for f in self.rules.forms if not f.cleaned_data.get("DELETE")]
        self.edited = [f.edited() for f in self.kept]
        try:
            validate(self.edited)
        except core_quality.RuleError as exc:
            self.add_error(exc)
            return False
        return True

    def add_error(self, exc: core_quality.RuleError) -> None:
        """Put the loader's error beside the field it names (else above the rules)."""
        key = exc.key.rsplit(".", 1)[-1]
        if exc.index is not None and exc.index < len(self.kept):
            form = self.kept[exc.index]
            if key in form.fields and key != "code":
                form.add_error(key, exc.problem)
            else:
                label = core_quality.KEY_LABELS_ZH.get(key, key)
                form.add_error(None, f"“{label}”：{exc.problem}" if key else exc.problem)
        else:
            self.meta.add_error(None, str(exc))

    @property
    def has_errors(self) -> bool:
        return bool(self.meta.errors or self.rules.total_error_count())


class MetaForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("修改说明"), max_length=200, required=False)
    base = forms.IntegerField(widget=forms.HiddenInput)
