"""The rights ledger (plan 四(六) 用能权、排污权有偿使用和交易).

An :class:`Account` is an enterprise (unified social credit code). A :class:`Holding` is its
rights of one kind for one year, with the balance cached for locking and checked by the
database never to go below zero. A holding changes only by :class:`LedgerEntry` rows, which
are immutable: they are never updated or deleted, and a correction is a reversing entry
(``reverses``, at most one per entry). A :class:`Trade` records both legs of a transfer at a
price; its ``reference`` is unique, so a resubmitted trade is never executed twice. The rules
are ``ecer.core.ledger``; ``ecer.web.rights.services`` applies them under lock.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ImmutableError(RuntimeError):
    """Ledger rows are never changed or deleted; corrections are reversing entries."""


class ImmutableQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ImmutableError("ledger rows cannot be updated; record a reversing entry")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise ImmutableError("ledger rows cannot be deleted; record a reversing entry")


class Immutable(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableError(f"{type(self).__name__} {self.pk} is immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise ImmutableError(f"{type(self).__name__} {self.pk} cannot be deleted")


class RightKind(models.TextChoices):
    ENERGY = "energy", _("用能权（吨标准煤）")
    COD = "cod", _("排污权·化学需氧量（吨）")
    AMMONIA_NITROGEN = "ammonia_nitrogen", _("排污权·氨氮（吨）")
    NOX = "nox", _("排污权·氮氧化物（吨）")
    VOCS = "vocs", _("排污权·挥发性有机物（吨）")


QUANTITY_FIELD = {"max_digits": 16, "decimal_places": 3}
MONEY_FIELD = {"max_digits": 18, "decimal_places": 2}


class Account(models.Model):
    """An enterprise that holds rights."""

    code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("权益账户")
        verbose_name_plural = _("权益账户")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Holding(models.Model):
    """An account's rights of one kind for one year; ``balance`` is the sum of its entries."""

    account = models.ForeignKey(
        Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="holdings"
    )
    kind = models.CharField(_("权益类型"), max_length=20, choices=RightKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    balance = models.DecimalField(_("余额"), default=0, **QUANTITY_FIELD)  # type: ignore[call-overload]

    class Meta:
        ordering = ["account__name", "kind", "year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "year"], name="holding_unique"),
            # Last line of defence under every code path: a balance is never negative.
            models.CheckConstraint(condition=Q(balance__gte=0), name="holding_balance_nonneg"),
        ]
        verbose_name = _("权益持有")
        verbose_name_plural = _("权益持有")

    def __str__(self) -> str:
        return f"{self.account.name} {self.get_kind_display()} {self.year}"


class Trade(Immutable):
    """A transfer of rights between two holdings of the same kind and year at a price."""

    reference = models.CharField(_("交易编号"), max_length=64, unique=True)
    seller = models.ForeignKey(
        Holding, verbose_name=_("出让方"), on_delete=models.PROTECT, related_name="sales"
    )
    buyer = models.ForeignKey(
        Holding, verbose_name=_("受让方"), on_delete=models.PROTECT, related_name="purchases"
    )
    quantity = models.DecimalField(_("数量"), **QUANTITY_FIELD)  # type: ignore[call-overload]
    unit_price = models.DecimalField(_("单价（元）"), **MONEY_FIELD)  # type: ignore[call-overload]
    value = models.DecimalField(_("成交金额（元）"), **MONEY_FIELD)  # type: ignore[call-overload]
    created_at = models.DateTimeField(_("成交时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="trade_quantity_pos"),
            models.CheckConstraint(condition=~Q(seller=models.F("buyer")), name="trade_two_sides"),
        ]
        verbose_name = _("交易")
        verbose_name_plural = _("交易")

    def __str__(self) -> str:
        return self.reference


class LedgerEntry(Immutable):
    """One change of a holding. Never updated or deleted."""

    class Type(models.TextChoices):
        ALLOCATION = "allocation", _("分配")
        PURCHASE = "purchase", _("买入")
        SALE = "sale", _("卖出")
        SURRENDER = "surrender", _("年度清缴")
        REVERSAL = "reversal", _("冲正")

    holding = models.ForeignKey(
        Holding, verbose_name=_("权益持有"), on_delete=models.PROTECT, related_name="entries"
    )
    entry_type = models.CharField(_("类型"), max_length=12, choices=Type.choices)
    delta = models.DecimalField(_("变动量"), **QUANTITY_FIELD)  # type: ignore[call-overload]
    balance_after = models.DecimalField(_("变动后余额"), **QUANTITY_FIELD)  # type: ignore[call-overload]
    trade = models.ForeignKey(
        Trade, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的分录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    unit_price = models.DecimalField(
        _("有偿使用单价（元）"),
        null=True,
        blank=True,
        **MONEY_FIELD,  # type: ignore[arg-type]
    )
    actual = models.DecimalField(_("实际用量"), null=True, blank=True, **QUANTITY_FIELD)  # type: ignore[arg-type]
    shortfall = models.DecimalField(_("清缴缺口"), null=True, blank=True, **QUANTITY_FIELD)  # type: ignore[arg-type]
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_demo = models.BooleanField(_("示例数据"), default=False)

    class Meta:
        ordering = ["holding", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="entry_balance_nonneg"),
            models.CheckConstraint(condition=~Q(delta=0), name="entry_delta_nonzero"),
        ]
        verbose_name = _("台账分录")
        verbose_name_plural = _("台账分录")

    def __str__(self) -> str:
        return f"{self.get_entry_type_display()} {self.delta}"

    @property
    def is_reversed(self) -> bool:
        return hasattr(self, "reversed_by")
