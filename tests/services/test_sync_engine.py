"""Daily syncs on the demo bank: idempotent, pending lines booked in place, vanished ones gone."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from bot.banks.connector import FetchedTransaction
from bot.domain.clock import FixedClock
from bot.domain.money import Money
from bot.domain.states import ReviewState
from bot.services.connect import Services
from bot.services.review import Review
from bot.services.sync import prepare, reconcile
from storage.models import BankAccount, BankTransaction, SyncRun
from storage.uow import Database
from tests.support.connecting import ALICE, connect_all


async def count_lines(db: Database, **where: object) -> int:
    async with db.reading() as uow:
        query = select(func.count()).select_from(BankTransaction)
        for name, value in where.items():
            query = query.where(getattr(BankTransaction, name) == value)
        return int(await uow.session.scalar(query) or 0)


async def test_next_day_books_pending_lines_in_place_keeping_the_decision(
    services: Services,
    db: Database,
    clock: FixedClock,
) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 10, 1))
    await services.import_connection(ALICE, connection_id)
    async with db.reading() as uow:
        pending = (
            await uow.session.scalars(
                select(BankTransaction).where(BankTransaction.pending.is_(True))
            )
        ).all()
    assert pending
    review = Review(db, clock)
    decided = pending[0]
    assert (await review.accept(ALICE, decided.id)).changed
    async with db.reading() as uow:
        assert (await uow.session.get(BankTransaction, decided.id)).journal_entry_id is None  # type: ignore[union-attr]
    total_before = await count_lines(db)
    clock.advance(timedelta(days=2))
    await services.sync_connection(connection_id)
    async with db.reading() as uow:
        booked = await uow.session.get(BankTransaction, decided.id)
        runs = (await uow.session.scalars(select(SyncRun).order_by(SyncRun.id))).all()
    assert booked is not None and not booked.pending and not booked.external_id.startswith("P-")
    assert booked.review_state == ReviewState.ACCEPTED and booked.journal_entry_id is not None
    assert runs[-1].updated_lines >= len(pending) and runs[-1].new_lines > 0
    assert await count_lines(db) == total_before + runs[-1].new_lines


async def test_syncing_twice_adds_nothing(
    services: Services, db: Database, clock: FixedClock
) -> None:
    connection_id = await connect_all(services, ALICE, date(2026, 10, 1))
    await services.import_connection(ALICE, connection_id)
    clock.advance(timedelta(days=1))
    await services.sync_connection(connection_id)
    total = await count_lines(db)
    again = await services.sync_connection(connection_id)
    assert again.imported == 0 and await count_lines(db) == total


def line(ext: str, day: int, minor: int, label: str, pending: bool = False) -> FetchedTransaction:
    return FetchedTransaction(ext, date(2026, 11, day), Money(minor, "EUR"), label, pending)


async def test_reconcile_overlaps_renamed_ids_and_vanished_pending(
    services: Services,
    db: Database,
    clock: FixedClock,
) -> None:
    await connect_all(services, ALICE, date(2026, 11, 1))
    async with db.writing() as uow:
        account = await uow.session.scalar(select(BankAccount).limit(1))
        assert account is not None
        first = [
            line("a", 2, -100, "CB CAFE"),
            line("b", 3, -200, "CB PAIN"),
            line("P-c", 20, -300, "CB VELO", True),
        ]
        await reconcile(
            uow,
            account,
            await prepare(first, account.currency),
            date(2026, 11, 1),
            date(2026, 11, 20),
            clock.now(),
        )
        second = [
            line("b", 3, -200, "CB PAIN"),
            line("a2", 2, -100, "CB CAFE"),
            line("d", 21, -400, "CB LIVRE"),
        ]
        result = await reconcile(
            uow,
            account,
            await prepare(second, account.currency),
            date(2026, 11, 2),
            date(2026, 11, 21),
            clock.now(),
        )
        assert [row.external_id for row in result.added] == ["d"]
        assert [row.external_id for row in result.vanished] == ["P-c"]
        rows = {
            row.external_id: row
            for row in (await uow.session.scalars(select(BankTransaction))).all()
        }
        assert "a2" in rows and "a" not in rows
        assert rows["P-c"].review_state == ReviewState.SUPERSEDED
        await uow.commit()
