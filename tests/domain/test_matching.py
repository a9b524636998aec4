"""A file's lines against the stored ones: same id or fingerprint, else amount and date with
the label as tie-breaker, and never a guess between two equally good candidates."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.matching import Incoming, Known, match

DAY = date(2026, 3, 10)


def known(n: int, label: str, amount: int = -1250, day: date = DAY) -> Known:
    return Known(n, f"feed-{n}", f"fp-feed-{n}", day, amount, label)


def incoming(label: str, amount: int = -1250, day: date = DAY, key: str = "f1") -> Incoming:
    return Incoming(key, f"fp-{key}", day, amount, label)


def test_the_same_id_or_fingerprint_is_known() -> None:
    stored = [known(1, "CB CARREFOUR")]
    again = [Incoming("feed-1", "x", DAY, -1250, "other"), Incoming("z", "fp-feed-1", DAY, 1, "")]
    assert match(again[:1], stored).known == [0]
    assert match(again[1:], stored).known == [0]


def test_a_feed_line_is_found_under_another_label_a_day_apart() -> None:
    stored = [known(1, "PAIEMENT PAR CARTE CARREFOUR MARKET 09/03")]
    found = match([incoming("CARTE X1234 CARREFOUR MARKET", day=DAY + timedelta(days=1))], stored)
    assert (found.known, found.new, found.ambiguous) == ([0], [], {})


def test_another_amount_or_three_days_apart_is_new() -> None:
    stored = [known(1, "CARREFOUR")]
    assert match([incoming("CARREFOUR", amount=-1251)], stored).new == [0]
    assert match([incoming("CARREFOUR", day=DAY + timedelta(days=3))], stored).new == [0]


def test_the_closer_date_wins_then_the_closer_label() -> None:
    stored = [known(1, "EDF", day=DAY - timedelta(days=2)), known(2, "ORANGE", day=DAY)]
    assert match([incoming("EDF")], stored).known == [0]  # same day beats a better label
    stored = [known(1, "PRLV EDF ELECTRICITE"), known(2, "CB BOULANGERIE")]
    assert match([incoming("EDF ELECTRICITE")], stored).known == [0]


def test_two_equally_good_candidates_are_asked_about_not_guessed() -> None:
    stored = [known(1, "CB BOULANGERIE"), known(2, "CB BOULANGERIE")]
    found = match([incoming("BOULANGERIE PAUL")], stored)
    assert found.ambiguous == {0: (1, 2)} and found.known == found.new == []


def test_each_stored_line_matches_one_file_line_only() -> None:
    stored = [known(1, "CAFE")]
    two = [incoming("CAFE", key="a"), incoming("CAFE", key="b")]
    found = match(two, stored)
    assert len(found.known) == 1 and len(found.new) == 1
