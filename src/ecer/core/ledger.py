"""Rules of the rights ledger: paid use and trading of energy-use and emission rights.

Plan 四(六) 完善市场化机制: 逐步落实排污权、用能权、水权等有偿使用和交易制度，推动能源要素向优质
项目、企业、产业 … 流动和集聚. A holding is one enterprise's rights of one kind for one year
(用能权 in tce, 排污权 in tonnes of a pollutant). It changes only by entries: an allocation
(初始分配/有偿取得), the two sides of a trade at a price, the year-end surrender against actual
consumption or emissions, and reversals that correct an earlier entry. These functions decide
whether an entry is allowed and what it does to a balance; the database layer applies them
inside a transaction holding a lock on every holding it touches.

Numbers are :class:`decimal.Decimal`: rights are counted, not measured, and a ledger must add
up exactly. Quantities carry at most 3 decimals [tce or t], prices and values 2 [yuan].
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "MONEY",
    "QUANTITY",
    "LedgerError",
    "Surrender",
    "check_price",
    "check_quantity",
    "check_trade",
    "credit",
    "debit",
    "replay",
    "reversal_delta",
    "surrender",
    "trade_value",
]

QUANTITY = Decimal("0.001")
"""Smallest unit of a right [tce or t]."""
MONEY = Decimal("0.01")
"""Smallest unit of money [yuan]."""


class LedgerError(ValueError):
    """An entry the rules refuse.

    code: Stable reason code (``insufficient_balance``, ``same_party``, ...).
    values: Figures the message names, for a translated message.
    """

    def __init__(self, code: str, message: str, **values: object) -> None:
        self.code = code
        self.values = values
        super().__init__(message)


def _decimal(value: object, name: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise LedgerError("not_a_number", f"{name} is not a number: {value!r}") from None
    if not number.is_finite():
        raise LedgerError("not_a_number", f"{name} must be finite, got {value!r}")
    return number


def check_quantity(value: object) -> Decimal:
    """A positive quantity with at most 3 decimals [tce or t]."""
    amount = _decimal(value, "quantity")
    if amount <= 0:
        raise LedgerError("not_positive", f"quantity must be > 0, got {amount}", amount=amount)
    if amount != amount.quantize(QUANTITY):
        raise LedgerError(
            "too_precise", f"quantity has more than 3 decimals: {amount}", amount=amount
        )
    return amount.quantize(QUANTITY)


def check_price(value: object) -> Decimal:
    """A price >= 0 with at most 2 decimals [yuan per tce or t]."""
    price = _decimal(value, "price")
    if price < 0:
        raise LedgerError("negative_price", f"price must be >= 0, got {price}", price=price)
    if price != price.quantize(MONEY):
        raise LedgerError("too_precise", f"price has more than 2 decimals: {price}", price=price)
    return price.quantize(MONEY)


def credit(balance: Decimal, amount: Decimal) -> Decimal:
    """Balance after adding ``amount`` (an allocation or a purchase)."""
    return balance + check_quantity(amount)


def debit(balance: Decimal, amount: Decimal) -> Decimal:
    """Balance after taking ``amount`` out; refuses to go below zero (never spent twice)."""
    amount = check_quantity(amount)
    if amount > balance:
        raise LedgerError(
            "insufficient_balance",
            f"balance {balance} is less than {amount}",
            balance=balance,
            amount=amount,
        )
    return balance - amount


def trade_value(amount: Decimal, price: Decimal) -> Decimal:
    """What the buyer pays [yuan]: quantity x unit price, rounded half up to the fen."""
    return (check_quantity(amount) * check_price(price)).quantize(MONEY, rounding=ROUND_HALF_UP)


def check_trade(
    seller: str, buyer: str, seller_balance: Decimal, buyer_balance: Decimal, amount: Decimal
) -> tuple[Decimal, Decimal]:
    """(seller's, buyer's) balance after a trade of ``amount`` between two holdings.

    seller, buyer: Keys of the two holdings (same kind and year; the caller checks that).
    """
    if seller == buyer:
        raise LedgerError("same_party", "seller and buyer are the same holding")
    return debit(seller_balance, amount), credit(buyer_balance, amount)


@dataclass(frozen=True)
class Surrender:
    """A year-end surrender.

    actual: Actual consumption or emissions of the year [tce or t].
    surrendered: Rights given up: the actual figure, or the whole balance when short.
    shortfall: Actual minus balance when the balance does not cover it, else 0.
    remaining: Balance left (surplus rights of the year).
    compliant: The balance covered the actual figure.
    """

    actual: Decimal
    surrendered: Decimal
    shortfall: Decimal
    remaining: Decimal

    @property
    def compliant(self) -> bool:
        return self.shortfall == 0


def surrender(balance: Decimal, actual: object) -> Surrender:
    """Surrender rights against the actual figure; the balance never goes negative.

    A holding short of its actual use surrenders all it has and records the shortfall, which
    the enterprise must cover by buying rights (or answer for) — it is never a negative balance.
    """
    used = _decimal(actual, "actual")
    if used < 0:
        raise LedgerError("negative_actual", f"actual figure must be >= 0, got {used}")
    if used != used.quantize(QUANTITY):
        raise LedgerError("too_precise", f"actual figure has more than 3 decimals: {used}")
    given = min(balance, used)
    return Surrender(
        actual=used,
        surrendered=given,
        shortfall=used - given,
        remaining=balance - given,
    )


def reversal_delta(delta: Decimal, balance: Decimal, already_reversed: bool) -> Decimal:
    """The delta of the entry that reverses an entry of ``delta``; it is ``-delta``.

    Refused when the entry was already reversed, or when taking a credit back would leave
    the holding negative (the rights were sold or surrendered meanwhile).
    """
    if already_reversed:
        raise LedgerError("already_reversed", "this entry was already reversed")
    if delta == 0:
        raise LedgerError("nothing_to_reverse", "a zero entry has nothing to reverse")
    if balance - delta < 0:
        raise LedgerError(
            "insufficient_balance",
            f"reversing {delta} would leave {balance - delta}",
            balance=balance,
            amount=delta,
        )
    return -delta


def replay(deltas: Iterable[Decimal]) -> Decimal:
    """Balance from entries in order; raises if it is ever negative (an audit of a holding)."""
    balance = Decimal(0)
    for index, delta in enumerate(deltas):
        balance += delta
        if balance < 0:
            raise LedgerError(
                "negative_history", f"balance negative ({balance}) after entry {index + 1}"
            )
    return balance
