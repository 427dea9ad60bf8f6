"""Pages of the rights ledger (用能权、排污权有偿使用和交易, plan 四(六)).

City administrators record allocations, trades, surrenders and reversals; leaders and
departments read every account; an enterprise user reads its own account only (its
Membership.enterprise_code); district users have no ledger.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from ecer.web.accounts.decorators import city_admin_required, scoped
from ecer.web.catalog.templatetags.ecer_tags import num
from ecer.web.listing import Column, Listing
from ecer.web.rights import services
from ecer.web.rights.forms import AllocateForm, ReverseForm, SurrenderForm, TradeForm
from ecer.web.rights.models import Account, Holding, LedgerEntry, RightKind, Trade

# Chinese messages for the reason codes of ecer.core.ledger.
MESSAGES = {
    "insufficient_balance": gettext_lazy(
        "余额 %(balance)s 不足 %(amount)s，不能透支，也不能重复使用"
    ),
    "same_party": gettext_lazy("出让方和受让方不能是同一账户"),
    "not_positive": gettext_lazy("数量必须大于 0"),
    "too_precise": gettext_lazy("数量最多 3 位小数，金额最多 2 位小数"),
    "not_a_number": gettext_lazy("不是有效数字"),
    "negative_price": gettext_lazy("单价不能为负数"),
    "negative_actual": gettext_lazy("实际用量不能为负数"),
    "already_reversed": gettext_lazy("该分录已冲正过，不能重复冲正"),
    "reverse_reversal": gettext_lazy("冲正分录不能再冲正，请另记一笔"),
    "already_surrendered": gettext_lazy("该年度已清缴"),
    "nothing_to_surrender": gettext_lazy("余额为 0，无可清缴；缺口 %(shortfall)s"),
    "bad_credit_code": gettext_lazy(
        "统一社会信用代码 %(credit_code)s 不符合 GB 32100-2015：%(reason)s"
    ),
    "unknown_account": gettext_lazy("账户 %(credit_code)s 不存在；新开户须填写企业名称"),
    "kind_mismatch": gettext_lazy("出让方和受让方的权益类型或年度不同"),
    "no_reference": gettext_lazy("交易须有编号"),
    "no_reason": gettext_lazy("冲正须说明原因"),
}


def ledger_message(exc: services.LedgerError) -> str:
    template = MESSAGES.get(exc.code)
    if template is None:
        return str(exc)
    return str(template) % {k: str(v) for k, v in exc.values.items()}


def _can_see_account(request: HttpRequest, code: str) -> bool:
    return bool(request.scope.can_view_account(code))  # type: ignore[attr-defined]


HOLDINGS = Listing(
    name="rights-holdings",
    title=_lazy("持有情况"),
    columns=(
        Column("account", _lazy("企业"), lambda h: h.account.name, ("account__name",)),
        Column("kind", _lazy("权益类型"), lambda h: str(h.get_kind_display()), ("kind",)),
        Column("year", _lazy("年度"), lambda h: h.year, ("year",), numeric=True),
        Column("balance", _lazy("余额"), lambda h: h.balance, ("balance",), numeric=True),
        Column("entries", _lazy("分录数"), lambda h: h.entry_count, ("entry_count",), numeric=True),
    ),
    search_fields=("account__name", "account__code"),
)


def _entry_note(e: LedgerEntry) -> str | None:
    """The entry's note with its price, actual use and shortfall, and the entry it reverses,
    as the account page shows them."""
    parts = [e.note] if e.note else []
    if e.unit_price is not None:
        parts.append(f"{_('单价')} {num(e.unit_price, 2)}")
    if e.actual is not None:
        actual = f"{_('实际')} {num(e.actual, 3)}"
        if e.shortfall:
            actual += f" · {_('缺口')} {num(e.shortfall, 3)}"
        parts.append(actual)
    if e.reverses_id is not None:
        parts.append(f"{_('冲正分录')} #{e.reverses_id}")
    return " ".join(parts) or None


# An account's entries, by right and year (newest year first) in the order they were booked.
ENTRIES = Listing(
    name="rights-entries",
    title=_lazy("台账分录"),
    columns=(
        Column(
            "kind",
            _lazy("权益类型"),
            lambda e: str(e.holding.get_kind_display()),
            ("holding__kind",),
        ),
        Column("year", _lazy("年度"), lambda e: e.holding.year, ("holding__year",), numeric=True),
        Column("type", _lazy("类型"), lambda e: str(e.get_entry_type_display()), ("entry_type",)),
        Column("delta", _lazy("变动量"), lambda e: e.delta, ("delta",), numeric=True),
        Column(
            "balance",
            _lazy("变动后余额"),
            lambda e: e.balance_after,
            ("balance_after",),
            numeric=True,
        ),
        Column("note", _lazy("说明"), _entry_note, sortable=False),
        Column("time", _lazy("记账时间"), lambda e: e.created_at, ("created_at",)),
        Column(
            "reversed",
            _lazy("冲正"),
            lambda e: str(_lazy("已冲正")) if e.is_reversed else None,
            sortable=False,
        ),
    ),
    search_fields=("note", "trade__reference"),
)


@scoped
def ledger(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if scope.role == "enterprise":
        return redirect("rights:account", code=scope.enterprise_code)
    if not scope.sees_all_enterprises:
        raise PermissionDenied("the ledger is shown to the city, leaders and enterprises")
    holdings = (
        Holding.objects.select_related("account")
        .annotate(entry_count=Count("entries"))
        .order_by("kind", "-year", "account__name")
    )
    listing = HOLDINGS.run(request, holdings)
    if listing.wants_export:
        return listing.xlsx()
    labels = dict(RightKind.choices)
    totals = [
        {**row, "label": labels.get(row["kind"], row["kind"])}
        for row in Holding.objects.values("kind", "year")
        .annotate(total=Sum("balance"))
        .order_by("kind", "-year")
    ]
    return render(
        request,
        "rights/ledger.html",
        {
            "holdings": listing.rows,
            "listing": listing,
            "page": listing.page,
            "totals": totals,
            "trades": Trade.objects.select_related("seller__account", "buyer__account")[:50],
            "uses_demo_data": Account.objects.filter(is_demo=True).exists(),
        },
    )


@scoped
def account(request: HttpRequest, code: str) -> HttpResponse:
    if not _can_see_account(request, code):
        raise Http404("account outside the user's scope")
    found = get_object_or_404(Account, code=code)
    holdings = found.holdings.order_by("kind", "-year")
    entries = (
        LedgerEntry.objects.filter(holding__account=found)
        .select_related("holding", "trade", "reverses", "reversed_by")
        .order_by("holding__kind", "-holding__year", "id")
    )
    listing = ENTRIES.run(request, entries)
    if listing.wants_export:
        return listing.xlsx()
    return render(
        request,
        "rights/account.html",
        {
            "acct": found,
            "holdings": holdings,
            "entries": listing.rows,
            "listing": listing,
            "page": listing.page,
            "reverse_form": ReverseForm(),
            "uses_demo_data": found.is_demo,
        },
    )


def _form_page(
    request: HttpRequest, form: Any, title: str, form_id: str, error: str = ""
) -> HttpResponse:
    return render(
        request,
        "rights/form.html",
        {"form": form, "title": title, "form_id": form_id, "error": error},
    )


@city_admin_required
def allocate(request: HttpRequest) -> HttpResponse:
    form = AllocateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            acct = services.open_account(d["enterprise_code"], d["enterprise_name"])
            target = services.holding(acct, d["kind"], d["year"])
            services.allocate(
                target, d["amount"], unit_price=d["unit_price"], note=d["note"], user=request.user
            )
        except services.LedgerError as exc:
            return _form_page(request, form, _("分配权益"), "allocate-form", ledger_message(exc))
        messages.success(
            request, _("已分配 %(amount)s 给 %(name)s") % {"amount": d["amount"], "name": acct.name}
        )
        return redirect("rights:account", code=acct.code)
    return _form_page(request, form, _("分配权益"), "allocate-form")


@city_admin_required
def trade(request: HttpRequest) -> HttpResponse:
    form = TradeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            seller_acct = services.open_account(d["seller_code"])
            buyer_acct = services.open_account(d["buyer_code"], d["buyer_name"])
            record = services.trade(
                d["reference"],
                services.holding(seller_acct, d["kind"], d["year"]),
                services.holding(buyer_acct, d["kind"], d["year"]),
                d["amount"],
                d["unit_price"],
                user=request.user,
            )
        except services.LedgerError as exc:
            return _form_page(request, form, _("登记交易"), "trade-form", ledger_message(exc))
        messages.success(
            request,
            _("交易 %(ref)s 已成交，金额 %(value)s 元")
            % {"ref": record.reference, "value": record.value},
        )
        return redirect("rights:ledger")
    return _form_page(request, form, _("登记交易"), "trade-form")


@city_admin_required
def surrender(request: HttpRequest) -> HttpResponse:
    form = SurrenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            acct = services.open_account(d["enterprise_code"])
            entry = services.surrender(
                services.holding(acct, d["kind"], d["year"]), d["actual"], user=request.user
            )
        except services.LedgerError as exc:
            return _form_page(request, form, _("年度清缴"), "surrender-form", ledger_message(exc))
        if entry.shortfall:
            messages.warning(
                request,
                _("已清缴 %(given)s，缺口 %(short)s，须购买补足")
                % {"given": -entry.delta, "short": entry.shortfall},
            )
        else:
            messages.success(request, _("已清缴 %(given)s") % {"given": -entry.delta})
        return redirect("rights:account", code=acct.code)
    return _form_page(request, form, _("年度清缴"), "surrender-form")


@city_admin_required
@require_POST
def reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(LedgerEntry.objects.select_related("holding__account"), pk=pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("冲正须说明原因"))
    else:
        try:
            services.reverse(entry, form.cleaned_data["reason"], user=request.user)
        except services.LedgerError as exc:
            messages.error(request, ledger_message(exc))
        else:
            messages.success(request, _("已冲正"))
    return redirect("rights:account", code=entry.holding.account.code)
