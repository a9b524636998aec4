"""Unit of work: one database transaction per use case, repositories inside it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.db import session_factories
from storage.repositories import (
    BankAccounts,
    BankLines,
    BankRequests,
    Books,
    Connections,
    Erasure,
    Journal,
    LedgerAccounts,
    Rules,
    SyncRuns,
    Users,
)


class UnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = Users(session)
        self.books = Books(session)
        self.ledger = LedgerAccounts(session)
        self.connections = Connections(session)
        self.bank_accounts = BankAccounts(session)
        self.lines = BankLines(session)
        self.journal = Journal(session)
        self.requests = BankRequests(session)
        self.rules = Rules(session)
        self.sync_runs = SyncRuns(session)
        self.erasure = Erasure(session)
        self._committed = False

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def flush(self) -> None:
        await self.session.flush()


class Database:
    """Hands out units of work; nothing is written unless the use case commits."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader, self._writer = session_factories(engine)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[UnitOfWork]:
        async with self._writer() as session:
            uow = UnitOfWork(session)
            try:
                yield uow
            finally:
                if not uow._committed:
                    await session.rollback()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        """Closing (not rolling back) keeps what was read usable after the block."""
        async with self._reader() as session:
            yield UnitOfWork(session)

    async def dispose(self) -> None:
        await self.engine.dispose()
