"""Ledger operations: each one transaction that locks every holding it touches.

Locking: PostgreSQL takes row locks with ``SELECT … FOR UPDATE`` on the holdings, always in
primary-key order so two trades in opposite directions cannot deadlock; a second trade on the
same holding waits and then reads the balance the first one left (READ COMMITTED re-reads
after the lock). SQLite ignores ``FOR UPDATE``: there the transaction's first statement is a
no-op UPDATE of the same rows, which takes SQLite's single write lock before any balance is
read, so a concurrent writer waits (busy timeout) instead of acting on a stale balance. The
rules themselves are ``ecer.core.ledger``; the database's CHECK constraints (balance >= 0)
and unique constraints (trade reference, one reversal per entry) back them up.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from ecer.core import creditcode, ledger
from ecer.web.rights.models import Account, Holding, LedgerEntry, Trade

LedgerError = ledger.LedgerError


def open_account(code: str, name: str = "", *, is_demo: bool = False) -> Account:
    """The account of an enterprise, created on first use; the code must pass GB 32100."""
    try:
        normalized = creditcode.validate_credit_code(code).code
    except creditcode.CreditCodeError as exc:
        raise LedgerError(
            "bad_credit_code", str(exc), credit_code=code, reason=exc.reason
        ) from None
    account = Account.objects.filter(code=normalized).first()
    if account is not None:
        return account
    if not name.strip():
        raise LedgerError("unknown_account", f"no account {normalized}", credit_code=normalized)
    account, _created = Account.objects.get_or_create(
        code=normalized, defaults={"name": name.strip(), "is_demo": is_demo}
    )
    return account


def holding(account: Account, kind: str, year: int) -> Holding:
    """The holding of an account for a kind and year, created empty on first use."""
    try:
        found, _created = Holding.objects.get_or_create(account=account, kind=kind, year=year)
    except IntegrityError:  # created meanwhile by a concurrent request
        found = Holding.objects.get(account=account, kind=kind, year=year)
    return found


def _lock(ids: Iterable[int]) -> dict[int, Holding]:
    ordered = sorted(set(ids))
    if connection.vendor == "sqlite":
        # Take SQLite's write lock before reading any balance (see the module docstring).
        Holding.objects.filter(pk__in=ordered).update(balance=F("balance"))
    rows = Holding.objects.select_for_update().filter(pk__in=ordered).order_by("pk")
    return {h.pk: h for h in rows}


def _post(holding_: Holding, entry_type: str, delta: Decimal, **fields: Any) -> LedgerEntry:
    holding_.balance = holding_.balance + delta
    holding_.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        holding=holding_,
        entry_type=entry_type,
        delta=delta,
        balance_after=holding_.balance,
        **fields,
    )


def allocate(
    target: Holding,
    amount: object,
    *,
    unit_price: object = None,
    note: str = "",
    user: Any = None,
    is_demo: bool = False,
) -> LedgerEntry:
    """Allocate rights to a holding (初始分配, or 有偿使用 at ``unit_price`` yuan per unit)."""
    quantity = ledger.check_quantity(amount)
    price = None if unit_price in (None, "") else ledger.check_price(unit_price)
    with transaction.atomic():
        locked = _lock([target.pk])[target.pk]
        ledger.credit(locked.balance, quantity)
        return _post(
            locked,
            LedgerEntry.Type.ALLOCATION,
            quantity,
            unit_price=price,
            note=note,
            created_by=user,
            is_demo=is_demo,
        )


def trade(
    reference: str,
    seller: Holding,
    buyer: Holding,
    amount: object,
    unit_price: object,
    *,
    user: Any = None,
    is_demo: bool = False,
) -> Trade:
    """Move rights from seller to buyer at a price. A reference already used returns the
    trade recorded under it and changes nothing (a resubmitted form is not a second trade)."""
    reference = reference.strip()
    if not reference:
        raise LedgerError("no_reference", "a trade needs a reference")
    quantity = ledger.check_quantity(amount)
    price = ledger.check_price(unit_price)
    if (seller.kind, seller.year) != (buyer.kind, buyer.year):
        raise LedgerError("kind_mismatch", "seller and buyer hold different kinds or years")
    try:
        with transaction.atomic():
            locked = _lock([seller.pk, buyer.pk])
            existing = Trade.objects.filter(reference=reference).first()
            if existing is not None:
                return existing
            selling, buying = locked[seller.pk], locked.get(buyer.pk, locked[seller.pk])
            ledger.check_trade(
                str(seller.pk), str(buyer.pk), selling.balance, buying.balance, quantity
            )
            record = Trade.objects.create(
                reference=reference,
                seller=selling,
                buyer=buying,
                quantity=quantity,
                unit_price=price,
                value=ledger.trade_value(quantity, price),
                created_by=user,
                is_demo=is_demo,
            )
            note = f"{reference}"
            _post(
                selling,
                LedgerEntry.Type.SALE,
                -quantity,
                trade=record,
                note=note,
                created_by=user,
                is_demo=is_demo,
            )
            _post(
                buying,
                LedgerEntry.Type.PURCHASE,
                quantity,
                trade=record,
                note=note,
                created_by=user,
                is_demo=is_demo,
            )
            return record
    except IntegrityError:
        # The same reference committed by a concurrent request after our check.
        existing = Trade.objects.filter(reference=reference).first()
        if existing is None:
            raise
        return existing


def surrender(target: Holding, actual: object, *, user: Any = None) -> LedgerEntry:
    """Year-end surrender against actual consumption or emissions (once per holding).

    The entry records the actual figure and any shortfall; a holding with nothing left is
    refused with the shortfall named (a zero entry would say nothing)."""
    with transaction.atomic():
        locked = _lock([target.pk])[target.pk]
        done = LedgerEntry.objects.filter(
            holding=locked, entry_type=LedgerEntry.Type.SURRENDER, reversed_by__isnull=True
        ).exists()
        if done:
            raise LedgerError("already_surrendered", "this holding was already surrendered")
        result = ledger.surrender(locked.balance, actual)
        if result.surrendered == 0:
            raise LedgerError(
                "nothing_to_surrender",
                f"balance is 0; shortfall {result.shortfall}",
                shortfall=result.shortfall,
            )
        return _post(
            locked,
            LedgerEntry.Type.SURRENDER,
            -result.surrendered,
            actual=result.actual,
            shortfall=result.shortfall,
            created_by=user,
        )


def reverse(entry: LedgerEntry, reason: str, *, user: Any = None) -> list[LedgerEntry]:
    """Reverse an entry by a new entry of the opposite sign; a trade is reversed on both legs."""
    if not reason.strip():
        raise LedgerError("no_reason", "a reversal needs a reason")
    if entry.entry_type == LedgerEntry.Type.REVERSAL:
        raise LedgerError("reverse_reversal", "a reversal is not reversed; record a new entry")
    legs = list(entry.trade.entries.all()) if entry.trade_id else [entry]
    with transaction.atomic():
        locked = _lock([leg.holding_id for leg in legs])
        posted = []
        # Credits are taken back before debits are returned, each against the locked balance.
        for leg in sorted(legs, key=lambda e: -e.delta):
            fresh = LedgerEntry.objects.get(pk=leg.pk)
            holder = locked[leg.holding_id]
            delta = ledger.reversal_delta(fresh.delta, holder.balance, fresh.is_reversed)
            posted.append(
                _post(
                    holder,
                    LedgerEntry.Type.REVERSAL,
                    delta,
                    reverses=fresh,
                    trade=fresh.trade,
                    note=reason.strip(),
                    created_by=user,
                )
            )
        return posted


def audit(target: Holding) -> Decimal:
    """Replay a holding's entries; raises if the history or the cached balance disagree."""
    deltas = list(target.entries.order_by("id").values_list("delta", flat=True))
    replayed = ledger.replay(deltas)
    target.refresh_from_db(fields=["balance"])
    if replayed != target.balance:
        raise LedgerError(
            "balance_mismatch", f"entries sum to {replayed}, balance {target.balance}"
        )
    return replayed
