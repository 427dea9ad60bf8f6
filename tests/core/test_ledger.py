from decimal import Decimal as D

import pytest

from ecer.core.ledger import (
    LedgerError,
    check_price,
    check_quantity,
    check_trade,
    replay,
    reversal_delta,
    surrender,
    trade_value,
)


def test_quantities_are_positive_with_three_decimals():
    assert check_quantity("1.5") == D("1.500")
    for bad, code in [
        ("0", "not_positive"),
        ("-1", "not_positive"),
        ("1.0001", "too_precise"),
        ("abc", "not_a_number"),
        ("NaN", "not_a_number"),
    ]:
        with pytest.raises(LedgerError) as err:
            check_quantity(bad)
        assert err.value.code == code


def test_prices_and_trade_value():
    assert check_price("0") == D("0.00")
    with pytest.raises(LedgerError, match="price"):
        check_price("-0.01")
    # 12.345 t x 1234.56 yuan/t = 15240.6432 -> 15240.64 yuan
    assert trade_value(D("12.345"), D("1234.56")) == D("15240.64")
    # 0.001 x 5.00 = 0.005 -> rounds half up to 0.01
    assert trade_value(D("0.001"), D("5.00")) == D("0.01")


def test_a_trade_moves_rights_and_never_overdraws():
    assert check_trade("a", "b", D("10"), D("2"), D("4")) == (D("6"), D("6"))
    assert check_trade("a", "b", D("10"), D("0"), D("10")) == (D("0"), D("10"))
    with pytest.raises(LedgerError) as err:
        check_trade("a", "b", D("10"), D("0"), D("10.001"))
    assert err.value.code == "insufficient_balance"
    with pytest.raises(LedgerError) as err:
        check_trade("a", "a", D("10"), D("10"), D("1"))
    assert err.value.code == "same_party"


def test_surrender_covers_the_actual_figure_or_records_the_shortfall():
    ok = surrender(D("100"), "80.5")
    assert (ok.surrendered, ok.shortfall, ok.remaining, ok.compliant) == (
        D("80.5"),
        D("0"),
        D("19.5"),
        True,
    )
    short = surrender(D("100"), D("130"))
    assert (short.surrendered, short.shortfall, short.remaining, short.compliant) == (
        D("100"),
        D("30"),
        D("0"),
        False,
    )
    with pytest.raises(LedgerError):
        surrender(D("1"), "-1")


def test_reversal_negates_once_and_never_overdraws():
    assert reversal_delta(D("50"), D("80"), already_reversed=False) == D("-50")
    assert reversal_delta(D("-20"), D("0"), already_reversed=False) == D("20")
    with pytest.raises(LedgerError) as err:
        reversal_delta(D("50"), D("30"), already_reversed=False)  # 30 of the 50 were sold
    assert err.value.code == "insufficient_balance"
    with pytest.raises(LedgerError) as err:
        reversal_delta(D("50"), D("80"), already_reversed=True)
    assert err.value.code == "already_reversed"


def test_replay_audits_a_history():
    assert replay([D("10"), D("-4"), D("-6")]) == D("0")
    with pytest.raises(LedgerError, match="after entry 2"):
        replay([D("10"), D("-11"), D("5")])
