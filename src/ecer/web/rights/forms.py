"""Forms of the ledger pages; the rules are checked by ``services`` (``ecer.core.ledger``)."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from ecer.web.rights.models import RightKind

YEARS = [(y, str(y)) for y in range(2021, 2031)]


class HoldingFields(forms.Form):
    kind = forms.ChoiceField(label=_("权益类型"), choices=RightKind.choices)
    year = forms.TypedChoiceField(label=_("年度"), choices=YEARS, coerce=int, initial=2025)


class AllocateForm(HoldingFields):
    enterprise_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    enterprise_name = forms.CharField(
        label=_("企业名称"), max_length=200, required=False, help_text=_("新开户时必填")
    )
    amount = forms.DecimalField(label=_("分配数量"), max_digits=16, decimal_places=3)
    unit_price = forms.DecimalField(
        label=_("有偿使用单价（元）"),
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text=_("无偿分配留空"),
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class TradeForm(HoldingFields):
    reference = forms.CharField(
        label=_("交易编号"), max_length=64, help_text=_("同一编号只成交一次，重复提交不会重复交易")
    )
    seller_code = forms.CharField(label=_("出让方统一社会信用代码"), max_length=30)
    buyer_code = forms.CharField(label=_("受让方统一社会信用代码"), max_length=30)
    buyer_name = forms.CharField(
        label=_("受让方企业名称"), max_length=200, required=False, help_text=_("新开户时必填")
    )
    amount = forms.DecimalField(label=_("交易数量"), max_digits=16, decimal_places=3)
    unit_price = forms.DecimalField(label=_("成交单价（元）"), max_digits=18, decimal_places=2)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reference"].initial = f"T-{uuid.uuid4().hex[:12].upper()}"


class SurrenderForm(HoldingFields):
    enterprise_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    actual = forms.DecimalField(
        label=_("实际消费量或排放量"), max_digits=16, decimal_places=3, min_value=0
    )


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=300)
