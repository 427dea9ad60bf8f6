"""50 conflicting trades at once on PostgreSQL: no negative balance, nothing spent twice.

Threads, each with its own database connection, hammer the same holdings: everyone sells
from seller S (who can cover only some of the trades) and trades between X and Y in both
directions (which would deadlock without ordered locks). Two requests also reuse the same
reference. Afterwards every balance equals the replay of its entries, none is negative, the
total is conserved, and S sold exactly what it had.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection, connections

from ecer.web.rights import services
from ecer.web.rights.models import Holding, LedgerEntry, Trade

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CODES = {
    "S": "91450500MA5KD0013Y",
    "X": "91450500MA5KD0021R",
    "Y": "91450500MA5KD003XH",
    "B1": "91450500MA5KD0048H",
    "B2": "91450500MA5KD0056C",
}


def test_fifty_concurrent_conflicting_trades_keep_every_balance_right(loaded_plan: Any) -> None:
    assert connection.vendor == "postgresql"
    holdings = {
        key: services.holding(services.open_account(code, key), "energy", 2025)
        for key, code in CODES.items()
    }
    services.allocate(holdings["S"], "100")  # covers 14 of the 30 sales of 7
    services.allocate(holdings["X"], "20")
    services.allocate(holdings["Y"], "20")
    jobs: list[tuple[str, str, str, str]] = []
    for i in range(30):
        jobs.append((f"S-{i}", "S", "B1" if i % 2 else "B2", "7"))
    for i in range(18):
        seller, buyer = ("X", "Y") if i % 2 else ("Y", "X")
        jobs.append((f"XY-{i}", seller, buyer, "3"))
    jobs += [("DUP", "S", "B1", "1"), ("DUP", "S", "B1", "1")]
    assert len(jobs) == 50
    start = threading.Barrier(len(jobs))

    def run(job: tuple[str, str, str, str]) -> str:
        reference, seller, buyer, amount = job
        try:
            start.wait()
            services.trade(reference, holdings[seller], holdings[buyer], amount, "100")
            return "ok"
        except services.LedgerError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        outcomes = list(pool.map(run, jobs))

    assert set(outcomes) <= {"ok", "insufficient_balance"}, outcomes
    for h in Holding.objects.all():
        assert h.balance >= 0
        assert services.audit(h) == h.balance  # entries replay to the balance, never below 0
    assert sum(h.balance for h in Holding.objects.all()) == D("140")  # conserved
    s = Holding.objects.get(pk=holdings["S"].pk)
    sold = -sum(e.delta for e in LedgerEntry.objects.filter(holding=s, entry_type="sale"))
    assert sold + s.balance == D("100") and s.balance < 7
    assert Trade.objects.filter(reference="DUP").count() == 1
    # Every successful trade has exactly its two legs.
    for trade in Trade.objects.all():
        assert sorted(e.delta for e in trade.entries.all()) == [-trade.quantity, trade.quantity]
    assert Trade.objects.count() == outcomes.count("ok") - 1  # the duplicate returned the first
