"""The book's memory kept in the database: stored by imports, read when current, caught up with
the decisions made since, rebuilt from all of them when missing, of an older version or
inconsistent."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from bot.categorize.cascade import STATE_VERSION
from bot.domain.clock import FixedClock
from bot.services.connect import Services
from bot.services.filing import load_filing
from bot.services.review import Review
from storage.models import BankTransaction, BookModel
from storage.repositories.lines import BankLines
from storage.uow import Database
from tests.support.connecting import ALICE, connect_all


@pytest.fixture
async def connected(services: Services) -> int:
    connection_id = await connect_all(services, ALICE, date(2026, 8, 31))
    await services.import_connection(ALICE, connection_id)
    return connection_id


@pytest.fixture
def review(db: Database, clock: FixedClock) -> Review:
    return Review(db, clock)


async def stored(db: Database) -> BookModel | None:
    async with db.reading() as uow:
        return await uow.session.scalar(select(BookModel))


async def accept_some(review: Review, count: int) -> list[int]:
    view = await review.digest(ALICE, review.new_anchor())
    ids = [line.id for line in view.lines if line.account is not None][:count]
    for line_id in ids:
        await review.accept(ALICE, line_id)
    return ids


async def loaded(db: Database) -> tuple[bool, int, str]:
    """Whether load_filing read the stored memory, the decisions it counts, and what it says."""
    async with db.reading() as uow:
        user = await uow.users.by_telegram_id(ALICE)
        assert user is not None
        book = await uow.books.first_for(user.id)
        filing = await load_filing(uow, book, None)
        lines = await uow.session.scalars(
            select(BankTransaction).where(BankTransaction.book_id == book.id)
        )
        said = "|".join(
            f"{s.account_code}:{s.confidence}"
            for s in (filing.suggestion_for(line) for line in lines.all())
        )
    assert filing.learning is not None
    return filing.learning.stored, filing.learning.decisions_seen, said


async def test_an_import_stores_the_memory_and_a_press_leaves_it_for_the_next_read(
    connected: int,
    review: Review,
    db: Database,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = await stored(db)
    assert first is not None and first.version == STATE_VERSION and first.decisions_seen == 0
    assert "codes" in json.loads(first.state)  # JSON, never pickle
    clock.advance(timedelta(minutes=5))  # the presses come after the import stored its state
    await accept_some(review, 3)
    after = await stored(db)
    assert after is not None and (after.decisions_seen, after.state) == (0, first.state)
    with monkeypatch.context() as patched:  # caught up: no replay of every decision
        patched.setattr(BankLines, "decided", _no_replay)
        is_stored, seen, caught_up = await loaded(db)
    assert (is_stored, seen) == (False, 3)  # taught the three decisions made since
    row = await stored(db)
    assert row is not None
    async with db.writing() as uow:
        await uow.book_models.forget(row.book_id)
        await uow.commit()
    _, rebuilt_seen, rebuilt = await loaded(db)
    assert (rebuilt_seen, rebuilt) == (3, caught_up)  # the same as a replay of every decision


async def _no_replay(*_args: object) -> None:
    raise AssertionError("every decision replayed")


async def test_decisions_the_stored_state_cannot_tell_from_its_own_are_replayed(
    connected: int, review: Review, db: Database
) -> None:
    """Decided at the instant the state was stored: not "after" it, so the count does not add
    up and every decision is replayed."""
    await accept_some(review, 2)
    is_stored, seen, _ = await loaded(db)
    assert (is_stored, seen) == (False, 2)


async def test_a_missing_state_is_rebuilt_from_the_decisions_and_says_the_same(
    connected: int, review: Review, db: Database
) -> None:
    await accept_some(review, 4)
    _, _, before = await loaded(db)
    row = await stored(db)
    assert row is not None
    async with db.writing() as uow:
        await uow.book_models.forget(row.book_id)
        await uow.commit()
    is_stored, seen, after = await loaded(db)
    assert not is_stored and seen == 4 and after == before


@pytest.mark.parametrize(
    "spoil",
    [
        {"version": STATE_VERSION - 1},
        {"decisions_seen": 99},
        {"state": "{not json"},
        {"state": '{"payees": {}}'},
    ],
)
async def test_a_stale_or_spoilt_state_is_rebuilt(
    connected: int, review: Review, db: Database, spoil: dict[str, object]
) -> None:
    await accept_some(review, 2)
    async with db.writing() as uow:
        await uow.session.execute(update(BookModel).values(**spoil))
        await uow.commit()
    is_stored, seen, _ = await loaded(db)
    assert not is_stored and seen == 2


async def test_a_state_that_is_not_current_is_not_taught_by_a_press(
    connected: int, review: Review, db: Database
) -> None:
    async with db.writing() as uow:
        await uow.session.execute(update(BookModel).values(version=STATE_VERSION - 1))
        await uow.commit()
    await accept_some(review, 1)
    row = await stored(db)
    assert row is not None and row.decisions_seen == 0 and row.version == STATE_VERSION - 1


async def test_reopening_an_accepted_line_forgets_the_state(
    connected: int, review: Review, db: Database
) -> None:
    ids = await accept_some(review, 2)
    await review.reopen(ALICE, ids[0])
    assert await stored(db) is None
    is_stored, seen, _ = await loaded(db)
    assert not is_stored and seen == 1


async def test_the_next_import_stores_a_rebuilt_state(
    connected: int, review: Review, services: Services, db: Database
) -> None:
    await accept_some(review, 2)
    async with db.writing() as uow:
        await uow.session.execute(update(BookModel).values(decisions_seen=7))
        await uow.commit()
    await services.import_connection(ALICE, connected)
    row = await stored(db)
    assert row is not None and row.decisions_seen == 2
