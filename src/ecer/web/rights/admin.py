from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ecer.web.accounts.admin_mixins import CityAdminOnly
from ecer.web.rights import models


class ReadOnly(CityAdminOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Ledger rows are changed only through the ledger pages (reversing entries)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Account)
class AccountAdmin(ReadOnly):
    list_display = ["name", "code", "is_demo"]
    search_fields = ["name", "code"]


@admin.register(models.Holding)
class HoldingAdmin(ReadOnly):
    list_display = ["account", "kind", "year", "balance"]
    list_filter = ["kind", "year"]


@admin.register(models.Trade)
class TradeAdmin(ReadOnly):
    list_display = ["reference", "seller", "buyer", "quantity", "unit_price", "value", "created_at"]


@admin.register(models.LedgerEntry)
class LedgerEntryAdmin(ReadOnly):
    list_display = ["holding", "entry_type", "delta", "balance_after", "created_at"]
    list_filter = ["entry_type"]
