"""Rule offers that fit the payee's split (weekdays, amounts), and rules that keep to them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.categorize.conditions import BLANKET, Days, RuleCondition
from bot.domain.clock import FixedClock
from bot.domain.states import ReviewState
from bot.services.connect import Services
from bot.services.review import Review
from bot.services.rules import Rules
from storage.models import BankTransaction, Rule
from storage.uow import Database
from tests.support.connecting import ALICE, connect_all

SATURDAY = date(2026, 6, 6)
MONDAY = date(2026, 6, 8)


@pytest.fixture
async def connected(services: Services) -> int:
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.import_connection(ALICE, connection_id)
    return connection_id


@pytest.fixture
def review(db: Database, clock: FixedClock) -> Review:
    return Review(db, clock)


@pytest.fixture
def rules(db: Database, clock: FixedClock) -> Rules:
    return Rules(db, clock)


async def account_id(db: Database, code: str) -> int:
    async with db.reading() as uow:
        book = await uow.books.of_telegram_user(ALICE)
        assert book is not None
        account = await uow.ledger.by_code(book.id, code)
        assert account is not None
        return account.id


async def add_lines(db: Database, days: list[date], minor: int = -2_400) -> list[int]:
    """Lines of a new payee, UBER, waiting for review in Alice's book."""
    async with db.writing() as uow:
        book = await uow.books.of_telegram_user(ALICE)
        assert book is not None
        bank_account_id = await uow.session.scalar(
            select(BankTransaction.bank_account_id).where(BankTransaction.book_id == book.id)
        )
        assert bank_account_id is not None
        lines = [
            BankTransaction(
                book_id=book.id,
                bank_account_id=bank_account_id,
                external_id=f"uber-{day.isoformat()}-{minor}-{n}",
                fingerprint=f"uber-{day.isoformat()}-{minor}-{n}",
                booking_date=day,
                amount_minor=minor,
                currency="EUR",
                raw_label="PAIEMENT UBER TRIP",
                payee="UBER",
                review_state=ReviewState.TO_REVIEW,
            )
            for n, day in enumerate(days)
        ]
        uow.session.add_all(lines)
        await uow.session.flush()
        ids = [line.id for line in lines]
        await uow.commit()
    return ids


async def test_a_weekday_ride_among_weekend_ones_offers_a_weekday_rule_that_leaves_weekends(
    connected: int, review: Review, rules: Rules, db: Database
) -> None:
    owner, travel = await account_id(db, "108"), await account_id(db, "6251")
    weekends = await add_lines(db, [SATURDAY + timedelta(weeks=n) for n in range(4)])
    weekdays = await add_lines(db, [MONDAY + timedelta(weeks=n) for n in range(3)])
    for line_id in weekends[:3]:
        await review.file_under(ALICE, line_id, owner)
    decision = await review.file_under(ALICE, weekdays[0], travel)
    assert decision.rule_offer is not None and decision.rule_offer.id == travel
    assert decision.rule_condition == RuleCondition(days=Days.WEEKDAYS)
    applied = await rules.make(ALICE, weekdays[0], travel, condition=decision.rule_condition)
    assert applied == 2
    async with db.reading() as uow:
        rule = await uow.session.scalar(select(Rule))
        assert rule is not None and rule.days == "weekdays"
        left = await uow.session.get(BankTransaction, weekends[3])
        assert left is not None and left.suggestion_rule_id is None
    listed = await rules.of(ALICE)
    assert listed[0].condition == RuleCondition(days=Days.WEEKDAYS)


async def test_small_and_large_amounts_offer_a_bound_and_one_way_stays_blanket(
    connected: int, review: Review, db: Database
) -> None:
    supplies, equipment = await account_id(db, "6064"), await account_id(db, "6063")
    large = await add_lines(db, [MONDAY + timedelta(days=n) for n in range(3)], minor=-45_000)
    small = await add_lines(db, [MONDAY + timedelta(days=n) for n in range(3)], minor=-1_290)
    first = await review.file_under(ALICE, small[0], supplies)
    assert first.rule_condition is BLANKET
    for line_id in large[:2]:
        await review.file_under(ALICE, line_id, equipment)
    decision = await review.file_under(ALICE, small[1], supplies)
    assert decision.rule_condition == RuleCondition(max_minor=10_000)
