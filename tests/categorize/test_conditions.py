"""The condition a rule offer carries, read off the payee's decided lines, and rules holding it."""

from __future__ import annotations

from datetime import date, timedelta

from bot.categorize.cascade import LineFacts, RuleSpec
from bot.categorize.conditions import BLANKET, Days, PastLine, RuleCondition, offer_condition
from bot.domain.money import Money

MONDAY = date(2026, 3, 2)
SATURDAY = date(2026, 3, 7)
WORK, OWNER, SMALL, LARGE = 1, 2, 3, 4


def weeks(first: date, account: int, size: int = 2_500, count: int = 4) -> list[PastLine]:
    return [PastLine(size, first + timedelta(weeks=n), account) for n in range(count)]


def test_weekday_line_among_weekend_owners_lines_offers_weekdays_only() -> None:
    history = weeks(SATURDAY, OWNER) + weeks(MONDAY, WORK, count=2)
    line = PastLine(2_400, MONDAY + timedelta(weeks=5), WORK)
    assert offer_condition(history, line) == RuleCondition(days=Days.WEEKDAYS)


def test_weekend_line_offers_the_weekend() -> None:
    history = weeks(MONDAY, WORK)
    line = PastLine(2_400, SATURDAY + timedelta(weeks=5), OWNER)
    assert offer_condition(history, line) == RuleCondition(days=Days.WEEKEND)


def test_small_amounts_apart_from_large_ones_offer_a_round_bound() -> None:
    history = weeks(MONDAY, SMALL, size=1_250) + weeks(MONDAY, LARGE, size=45_000)
    small = PastLine(4_290, MONDAY + timedelta(days=1), SMALL)
    large = PastLine(32_000, MONDAY + timedelta(days=1), LARGE)
    assert offer_condition(history, small) == RuleCondition(max_minor=10_000)
    assert offer_condition(history, large) == RuleCondition(min_minor=10_000)


def test_a_payee_always_filed_one_way_gets_the_blanket_rule() -> None:
    line = PastLine(2_500, MONDAY + timedelta(weeks=5), WORK)
    assert offer_condition(weeks(MONDAY, WORK) + weeks(SATURDAY, WORK), line) is BLANKET


def test_one_line_filed_elsewhere_is_not_a_split() -> None:
    history = [*weeks(MONDAY, WORK), PastLine(2_500, SATURDAY, OWNER)]
    assert offer_condition(history, PastLine(2_500, MONDAY, WORK)) is BLANKET


def test_a_habit_that_changed_gets_the_blanket_rule() -> None:
    """Older lines went elsewhere on every day and at every amount: nothing tells them apart."""
    old = [PastLine(2_000 + 500 * (n % 3), MONDAY + timedelta(days=n), OWNER) for n in range(8)]
    line = PastLine(2_500, MONDAY + timedelta(days=9), WORK)
    assert offer_condition(old, line) is BLANKET


def test_a_rule_on_weekdays_reads_the_purchase_day_of_a_deferred_card() -> None:
    rule = RuleSpec(1, "6251", payee="UBER", days=Days.WEEKDAYS)
    end_of_month = date(2026, 3, 31)

    def facts(label: str) -> LineFacts:
        return LineFacts(label, "UBER", Money(-2_400, "EUR"), end_of_month)

    assert not rule.matches(facts("CB UBER 07/03"))
    assert rule.matches(facts("CB UBER 05/03"))
    assert rule.matches(facts("CB UBER"))


def test_amount_bounds_include_themselves() -> None:
    assert RuleCondition(max_minor=10_000).holds(10_000, MONDAY)
    assert not RuleCondition(min_minor=10_000).holds(9_999, MONDAY)
    assert not RuleCondition(days=Days.WEEKEND).holds(10, MONDAY)
