"""Schema, pragmas and write transactions on the real databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, event, select, text

from bot.domain.lines import NewLine
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


async def test_new_lines_are_stored_in_bulk_and_what_filing_decides_is_written_back(
    services: Services, db: Database
) -> None:
    """Plain new lines: inserted with their ids returned, the columns they do not carry
    given their defaults; a transfer's peer or an entry set after the insert is written."""
    await connect_all(services, ALICE, date(2026, 10, 1))
    async with db.writing() as uow:
        account = (await uow.session.scalars(select(BankAccount))).first()
        assert account is not None
        rows = [
            NewLine(
                book_id=account.book_id,
                bank_account_id=account.id,
                external_id=f"bulk-{n}",
                fingerprint=f"fp-bulk-{n}",
                booking_date=date(2026, 10, 2),
                amount_minor=-1250 * (n + 1),
                currency="EUR",
                raw_label="CB CAFE",
                payee="CAFE",
                pending=False,
                imported_at=datetime(2026, 10, 3, tzinfo=UTC),
            )
            for n in range(3)
        ]
        await uow.lines.add_new(rows)
        ids = [row.id for row in rows]
        assert all(ids) and len(set(ids)) == 3
        rows[0].transfer_peer_id = ids[1]
        await uow.lines.record_filing(rows)
        await uow.commit()
    async with db.reading() as uow:
        stored = {
            line.external_id: line
            for line in (await uow.session.scalars(select(BankTransaction))).all()
        }
    first = stored["bulk-0"]
    assert (first.id, first.transfer_peer_id, first.amount_minor) == (ids[0], ids[1], -1250)
    assert (first.auto_accepted, first.seen_in_digest, first.journal_entry_id) == (
        False,
        False,
        None,
    )
    assert stored["bulk-2"].transfer_peer_id is None and stored["bulk-2"].id == ids[2]
