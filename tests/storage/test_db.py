"""Schema, pragmas and write transactions on the real databases."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, event, inspect, select, text

from bot.domain.states import ReviewState
from bot.services.connect import Services
from storage.migrate import migrate_to_head
from storage.models import BankAccount, BankTransaction, Base, Book
from storage.uow import Database
from tests.support.connecting import ALICE, connect_all


async def test_models_match_the_migrations(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


async def test_migrating_twice_is_harmless(db: Database) -> None:
    await migrate_to_head(db.engine)
    async with db.engine.connect() as conn:
        version = await conn.scalar(text("SELECT version_num FROM alembic_version"))
    assert version == "0009"


async def test_sqlite_runs_in_wal_with_foreign_keys_and_secure_delete(
    db: Database, backend: str
) -> None:
    if backend != "sqlite":
        return
    async with db.engine.connect() as conn:
        assert await conn.scalar(text("PRAGMA journal_mode")) == "wal"
        assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
        assert await conn.scalar(text("PRAGMA secure_delete")) == 1
        assert await conn.scalar(text("PRAGMA synchronous")) == 1


async def test_concurrent_writers_wait_instead_of_failing(db: Database) -> None:
    async def add_book(n: int) -> None:
        async with db.writing() as uow:
            uow.session.add(Book(name=f"b{n}", currency="EUR", chart_template="fr_pcg"))
            await uow.flush()
            await asyncio.sleep(0.01)
            await uow.commit()

    await asyncio.gather(*(add_book(n) for n in range(20)))
    async with db.reading() as uow:
        count = await uow.session.scalar(text("SELECT count(*) FROM books"))
    assert count == 20


async def test_a_unit_of_work_left_without_commit_writes_nothing(db: Database) -> None:
    async with db.writing() as uow:
        uow.session.add(Book(name="ghost", currency="EUR", chart_template="fr_pcg"))
        await uow.flush()
    async with db.reading() as uow:
        assert await uow.session.scalar(text("SELECT count(*) FROM books")) == 0


async def test_an_imports_new_lines_are_inserted_in_batches(
    services: Services, db: Database
) -> None:
    """The insert sentinel lets the flush batch its INSERTs on SQLite too (ROWIDs alone make
    it one statement a line), and each line still gets its own id back."""
    connection_id = await connect_all(services, ALICE, date(2025, 12, 1))
    inserts: list[int] = []

    def count(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        if statement.startswith("INSERT INTO bank_transactions"):
            inserts.append(len(parameters) if isinstance(parameters, (list, tuple)) else 1)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        summary = await services.import_connection(ALICE, connection_id)
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)
    imported = sum(account.imported for account in summary.accounts)
    assert imported > 500
    assert len(inserts) <= imported // 50
    async with db.reading() as uow:
        rows = (
            await uow.session.execute(
                select(BankTransaction.id, BankTransaction.external_id).order_by(BankTransaction.id)
            )
        ).all()
    assert len({row.id for row in rows}) == len({row.external_id for row in rows}) == imported


async def test_lines_added_in_bulk_are_loaded_whole_in_the_session(
    services: Services, db: Database
) -> None:
    """Every column is set on the objects: one left unloaded would load itself on access,
    I/O that the async session refuses (MissingGreenlet)."""
    await connect_all(services, ALICE, date(2026, 10, 1))
    async with db.writing() as uow:
        account = (await uow.session.scalars(select(BankAccount))).first()
        assert account is not None
        row = BankTransaction(
            book_id=account.book_id,
            bank_account_id=account.id,
            external_id="bulk-1",
            fingerprint="fp-bulk-1",
            booking_date=date(2026, 10, 2),
            amount_minor=-1250,
            currency="EUR",
            raw_label="CB CAFE",
            review_state=ReviewState.TO_REVIEW,
        )
        await uow.lines.add_all([row])
        assert inspect(row).unloaded <= {"insert_sentinel"}
        assert (row.transfer_peer_id, row.payee, row.pending) == (None, "", False)
        row.transfer_peer_id = row.id
        await uow.commit()
    async with db.reading() as uow:
        stored = await uow.session.get(BankTransaction, row.id)
        assert stored is not None and stored.transfer_peer_id == row.id
