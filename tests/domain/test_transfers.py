"""Pairing the two sides of a transfer between the user's own accounts."""

from __future__ import annotations

import random
from datetime import date, timedelta

from bot.domain.transfers import TransferCandidate, pair_transfers

DAY = date(2025, 3, 12)


def line(
    line_id: int, account: int, minor: int, days: int = 0, currency: str = "EUR"
) -> TransferCandidate:
    return TransferCandidate(line_id, account, DAY + timedelta(days=days), minor, currency)


def test_same_amount_opposite_signs_on_two_accounts_pair_out_then_in() -> None:
    assert pair_transfers([line(1, 10, -20_000), line(2, 20, 20_000, days=1)]) == [(1, 2)]
    assert pair_transfers([line(2, 20, 20_000), line(1, 10, -20_000)]) == [(1, 2)]


def test_lines_on_the_same_account_never_pair() -> None:
    assert pair_transfers([line(1, 10, -5_000), line(2, 10, 5_000)]) == []


def test_amounts_must_match_exactly_with_opposite_signs() -> None:
    assert pair_transfers([line(1, 10, -5_000), line(2, 20, 5_001)]) == []
    assert pair_transfers([line(1, 10, -5_000), line(2, 20, -5_000)]) == []
    assert pair_transfers([line(1, 10, 5_000), line(2, 20, 5_000)]) == []
    assert pair_transfers([line(1, 10, 0), line(2, 20, 0)]) == []


def test_currencies_must_match() -> None:
    assert pair_transfers([line(1, 10, -5_000), line(2, 20, 5_000, currency="GBP")]) == []


def test_the_window_is_three_days_by_default_both_ways() -> None:
    assert pair_transfers([line(1, 10, -5_000), line(2, 20, 5_000, days=3)]) == [(1, 2)]
    assert pair_transfers([line(1, 10, -5_000, days=3), line(2, 20, 5_000)]) == [(1, 2)]
    assert pair_transfers([line(1, 10, -5_000), line(2, 20, 5_000, days=4)]) == []
    assert pair_transfers([line(1, 10, -5_000), line(2, 20, 5_000, days=4)], window_days=5) == [
        (1, 2)
    ]


def test_each_line_joins_one_pair_at_most_closest_dates_first() -> None:
    lines = [
        line(1, 10, -5_000, days=0),
        line(2, 20, 5_000, days=2),
        line(3, 20, 5_000, days=1),
        line(4, 30, 5_000, days=0),
    ]
    assert pair_transfers(lines) == [(1, 4)]


def test_two_transfers_of_the_same_amount_pair_by_date() -> None:
    lines = [
        line(1, 10, -20_000, days=0),
        line(2, 10, -20_000, days=5),
        line(3, 20, 20_000, days=6),
        line(4, 20, 20_000, days=1),
    ]
    assert pair_transfers(lines) == [(1, 4), (2, 3)]


def test_ties_go_to_the_lowest_line_ids() -> None:
    lines = [line(5, 10, -100), line(3, 20, 100), line(4, 30, 100)]
    assert pair_transfers(lines) == [(5, 3)]


def test_the_answer_does_not_depend_on_the_order_of_lines() -> None:
    rng = random.Random(7)
    lines = [
        line(
            n,
            rng.choice((1, 2, 3)),
            rng.choice((-1, 1)) * rng.choice((100, 200, 300)),
            rng.randint(0, 9),
        )
        for n in range(60)
    ]
    expected = pair_transfers(lines)
    assert expected
    for _ in range(10):
        rng.shuffle(lines)
        assert pair_transfers(lines) == expected
    used = [line_id for pair in expected for line_id in pair]
    assert len(used) == len(set(used))
