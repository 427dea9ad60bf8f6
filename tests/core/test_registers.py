"""The count a target reads from its register (ecer.core.registers), worked by hand."""

from __future__ import annotations

from datetime import date

import pytest

from ecer.core.registers import Item, Kind, Measure, figure, series

BOILERS = [
    # registered 2020, verified 2022: eliminated from 2022 on
    Item(date(2020, 5, 1), done_on=date(2022, 3, 1), verified_on=date(2022, 6, 1)),
    # registered 2020, done 2023 but never verified: still remaining
    Item(date(2020, 5, 1), done_on=date(2023, 9, 1)),
    # registered 2020, verified on 31 December 2021: eliminated at the end of 2021
    Item(date(2020, 7, 1), done_on=date(2021, 12, 1), verified_on=date(2021, 12, 31)),
    # discovered in 2022: remaining from 2022 on
    Item(date(2022, 8, 1)),
]


def test_elimination_counts_registered_items_not_verified_by_the_year_end() -> None:
    # 2020: 3 registered, none verified -> 3. 2021: third verified on 31 Dec -> 2.
    # 2022: first verified, fourth registered -> 2 - 1 + 1 = 2. 2023: 2 (done is not verified).
    assert series(Kind.ELIMINATION, BOILERS, 2023, base_year=2020) == [
        (2020, 3.0),
        (2021, 2.0),
        (2022, 2.0),
        (2023, 2.0),
    ]
    # Counting done items as eliminated as well: the second is gone in 2023 -> 1.
    assert figure(Kind.ELIMINATION, BOILERS, 2023, base_year=2020, include_done=True) == 1.0


SITES = [
    Item(date(2019, 3, 1), done_on=date(2020, 5, 1), verified_on=date(2020, 6, 1), size=40.0),
    Item(date(2021, 3, 1), done_on=date(2021, 5, 1), verified_on=date(2021, 6, 1), size=25.0),
    Item(date(2022, 3, 1), done_on=date(2022, 5, 1), verified_on=date(2023, 1, 10), size=15.0),
    Item(date(2023, 3, 1), done_on=date(2023, 5, 1), size=60.0),
]


def test_an_increase_counts_what_was_verified_after_the_base_year() -> None:
    # Piles added since 2020: 2021 -> 25; 2022 -> 25 (the 15 are verified in 2023);
    # 2023 -> 25 + 15 = 40 (the 60 are done, not verified). The 2020 site is before the period.
    kind, size = Kind.CUMULATIVE_INCREASE, Measure.SIZE
    assert series(kind, SITES, 2023, base_year=2020, measure=size) == [
        (2021, 25.0),
        (2022, 25.0),
        (2023, 40.0),
    ]
    assert figure(kind, SITES, 2023, base_year=2020, measure=size, include_done=True) == 100.0
    # Counting sites rather than piles: 2 verified since 2020.
    assert figure(kind, SITES, 2023, base_year=2020) == 2.0


def test_a_count_to_reach_counts_every_verified_item() -> None:
    # A stock: 3 sites verified by the end of 2023, including the one of 2020.
    assert figure(Kind.COUNT_AT_LEAST, SITES, 2023, base_year=2020) == 3.0
    assert figure(Kind.COUNT_AT_LEAST, SITES, 2020, base_year=2020) == 1.0


@pytest.mark.parametrize("year", [2019, 2020])
def test_nothing_is_remaining_before_it_is_registered(year: int) -> None:
    late = [Item(date(2021, 1, 1))]
    assert figure(Kind.ELIMINATION, late, year, base_year=2020) == 0.0
