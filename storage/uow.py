"""Unit of work: one database transaction per use case, repositories inside it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import checkpoint_wal, is_sqlite, session_factories
from storage.digest import DigestQueries
from storage.picker import PickerQueries
from storage.prepared import Statements
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
        self.run = run = Statements(session)
        self.users = Users(session, run)
        self.books = Books(session, run)
        self.ledger = LedgerAccounts(session, run)
        self.connections = Connections(session, run)
        self.bank_accounts = BankAccounts(session, run)
        self.lines = BankLines(session, run)
        self.journal = Journal(session, run)
        self.requests = BankRequests(session, run)
        self.rules = Rules(session, run)
        self.sync_runs = SyncRuns(session, run)
        self.erasure = Erasure(session, run)
        self.digest = DigestQueries(run)
        self.picker = PickerQueries(run)
        self._committed = False

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def flush(self) -> None:
        await self.session.flush()


WRITER_WAIT_S = 15.0
"""How long a writer waits for its turn (another writer of this process, or another
process's write transaction) before giving up, as SQLite's busy timeout used to."""


class Database:
    """Hands out units of work; nothing is written unless the use case commits.

    On SQLite, statements run in the event loop (storage.sqlite_inloop), so a writer must
    never wait inside SQLite: writers of this process take turns on an asyncio lock, and a
    BEGIN IMMEDIATE refused because another process writes is retried with asyncio.sleep.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader, self._writer = session_factories(engine)
        self._turns: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._holder: asyncio.Task[object] | None = None

    def _turn(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._turns is None or self._turns[0] is not loop:
            self._turns = (loop, asyncio.Lock())
        return self._turns[1]

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[UnitOfWork]:
        if not is_sqlite(self.engine):
            async with self._writer() as session, self._unit(session) as uow:
                yield uow
            return
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a unit of work cannot open another one for writing")
        turn = self._turn()
        try:
            async with asyncio.timeout(WRITER_WAIT_S):
                await turn.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError(
                "database is locked: another unit of work of this process kept writing"
            ) from None
        self._holder = task
        try:
            async with self._sqlite_session(self._writer) as session:
                await _begin_immediate(session)
                async with self._unit(session) as uow:
                    yield uow
        finally:
            self._holder = None
            turn.release()

    @staticmethod
    @asynccontextmanager
    async def _unit(session: AsyncSession) -> AsyncIterator[UnitOfWork]:
        uow = UnitOfWork(session)
        try:
            yield uow
        finally:
            if not uow._committed:
                await session.rollback()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        """Closing (not rolling back) keeps what was read usable after the block."""
        if not is_sqlite(self.engine):
            async with self._reader() as session:
                yield UnitOfWork(session)
            return
        async with self._sqlite_session(self._reader) as session:
            yield UnitOfWork(session)

    @staticmethod
    @asynccontextmanager
    async def _sqlite_session(
        factory: async_sessionmaker[AsyncSession],
    ) -> AsyncIterator[AsyncSession]:
        """A session closed in place. `async with session` closes it in a shielded task,
        which costs three turns of the event loop per unit of work; the shield guards a
        close that awaits the network, and on SQLite nothing awaits (storage.sqlite_inloop),
        so nothing can interrupt the close."""
        session = factory()
        try:
            yield session
        finally:
            await session.close()

    async def checkpoint(self) -> bool | None:
        """See storage.db.checkpoint_wal: the WAL goes back into the file, off the loop."""
        return await checkpoint_wal(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _begin_immediate(session: AsyncSession) -> None:
    """Start the write transaction now, waiting out another process's writer without
    blocking the loop."""
    deadline = time.monotonic() + WRITER_WAIT_S
    pause = 0.005
    while True:
        try:
            await session.connection()
            return
        except (OperationalError, sqlite3.OperationalError) as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        await session.rollback()
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.2)
