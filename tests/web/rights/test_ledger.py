"""The rights ledger through its services and pages."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from ecer.web.rights import services
from ecer.web.rights.models import Holding, ImmutableError, LedgerEntry, Trade
from tests.web.energy.test_pages import login

pytestmark = pytest.mark.django_db

A, B = "91450500MA5KD0013Y", "91450500MA5KD0021R"


def two_holdings() -> tuple[Holding, Holding]:
    a = services.holding(services.open_account(A, "甲企业"), "energy", 2025)
    b = services.holding(services.open_account(B, "乙企业"), "energy", 2025)
    services.allocate(a, "100")
    return a, b


def test_trade_moves_rights_at_a_price_and_keeps_the_books(loaded_plan: Any) -> None:
    a, b = two_holdings()
    trade = services.trade("T-1", a, b, "30.5", "250.00")
    assert trade.value == D("7625.00")  # 30.5 x 250
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (D("69.500"), D("30.500"))
    assert services.audit(a) == D("69.5") and services.audit(b) == D("30.5")


def test_a_reference_is_never_traded_twice(loaded_plan: Any) -> None:
    a, b = two_holdings()
    first = services.trade("T-1", a, b, "40", "1")
    again = services.trade("T-1", a, b, "40", "1")
    assert again.pk == first.pk
    a.refresh_from_db()
    assert a.balance == D("60") and Trade.objects.count() == 1


def test_overdraft_is_refused_and_changes_nothing(loaded_plan: Any) -> None:
    a, b = two_holdings()
    with pytest.raises(services.LedgerError) as err:
        services.trade("T-1", a, b, "100.001", "1")
    assert err.value.code == "insufficient_balance"
    assert not Trade.objects.exists() and LedgerEntry.objects.count() == 1


def test_surrender_records_actual_and_shortfall_once(loaded_plan: Any) -> None:
    a, _b = two_holdings()
    entry = services.surrender(a, "130")
    assert (entry.delta, entry.actual, entry.shortfall) == (D("-100"), D("130"), D("30"))
    with pytest.raises(services.LedgerError) as err:
        services.surrender(a, "1")
    assert err.value.code == "already_surrendered"


def test_entries_are_immutable_and_corrected_by_reversal(loaded_plan: Any) -> None:
    a, b = two_holdings()
    allocation = LedgerEntry.objects.get(holding=a)
    allocation.note = "changed"
    with pytest.raises(ImmutableError):
        allocation.save()
    with pytest.raises(ImmutableError):
        allocation.delete()
    with pytest.raises(ImmutableError):
        LedgerEntry.objects.filter(pk=allocation.pk).update(note="x")
    with pytest.raises(ImmutableError):
        LedgerEntry.objects.all().delete()
    trade = services.trade("T-1", a, b, "60", "1")
    # The allocation cannot be taken back once 60 of its 100 were sold.
    with pytest.raises(services.LedgerError) as err:
        services.reverse(allocation, "分配有误")
    assert err.value.code == "insufficient_balance"
    # Reversing the trade reverses both legs; a second reversal is refused.
    legs = services.reverse(trade.entries.first(), "交易撤销")
    assert sorted(e.delta for e in legs) == [D("-60"), D("60")]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.balance, b.balance) == (D("100"), D("0"))
    with pytest.raises(services.LedgerError) as err:
        services.reverse(trade.entries.first(), "再次撤销")
    assert err.value.code == "already_reversed"


def test_a_bad_credit_code_opens_no_account(loaded_plan: Any) -> None:
    with pytest.raises(services.LedgerError) as err:
        services.open_account("91450500MA5KD0013Z", "错码企业")
    assert err.value.code == "bad_credit_code"


def test_trade_page_refuses_an_overdraft_in_chinese(
    client: Any, django_user_model: Any, loaded_plan: Any
) -> None:
    two_holdings()
    login(client, django_user_model, "city_admin")
    data = {
        "kind": "energy",
        "year": "2025",
        "reference": "T-9",
        "seller_code": A,
        "buyer_code": B,
        "amount": "150",
        "unit_price": "10",
    }
    html = client.post("/rights/trade/", data).content.decode()
    assert "余额 100.000 不足 150.000" in html
    data["amount"] = "50"
    assert client.post("/rights/trade/", data).status_code == 302
    assert Holding.objects.get(account__code=B).balance == D("50")


def test_enterprise_user_sees_its_own_account_only(
    client: Any, django_user_model: Any, loaded_plan: Any
) -> None:
    from ecer.web.accounts.models import Membership

    two_holdings()
    user = django_user_model.objects.create_user("firm", password="pw-for-tests-only")
    Membership.objects.create(user=user, role="enterprise", enterprise_code=A)
    client.force_login(user)
    assert client.get("/rights/")["Location"].endswith(f"/rights/accounts/{A}/")
    html = client.get(f"/rights/accounts/{A}/").content.decode()
    assert "甲企业" in html and ">100<" in html and "冲正原因" not in html
    assert client.get(f"/rights/accounts/{B}/").status_code == 404
