"""Unit of work: one database transaction per use case, repositories inside it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import WRITER, WRITER_WAIT_S, checkpoint_wal, is_sqlite
from storage.repositories import (
    BankAccounts,
    BankConnections,
    BankLines,
    BankRequests,
    BookModels,
    Books,
    Erasure,
    InstitutionLists,
    Journal,
    LedgerAccounts,
    Rules,
    SyncRuns,
    Users,
)
from storage.repositories.digest import DigestQueries
from storage.repositories.picker import PickerQueries
from storage.repositories.schedule import Schedule


class UnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = Users(session)
        self.books = Books(session)
        self.ledger = LedgerAccounts(session)
        self.connections = BankConnections(session)
        self.bank_accounts = BankAccounts(session)
        self.lines = BankLines(session)
        self.journal = Journal(session)
        self.requests = BankRequests(session)
        self.rules = Rules(session)
        self.book_models = BookModels(session)
        self.sync_runs = SyncRuns(session)
        self.erasure = Erasure(session)
        self.digest = DigestQueries(session)
        self.picker = PickerQueries(session)
        self.schedule = Schedule(session)
        self.institution_lists = InstitutionLists(session)

    async def commit(self) -> None:
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()


class WriterTimeout(OperationalError):
    """No turn to write within WRITER_WAIT_S: another writer of this process kept it."""

    def __init__(self) -> None:
        super().__init__("BEGIN IMMEDIATE", None, Exception("database is locked"))


_WRITING: ContextVar[bool] = ContextVar("holding_a_writer", default=False)


def holding_a_writer() -> bool:
    """Whether the running task is inside a writing unit of work: long loops there must not
    pause, since every other writer waits for this one to commit."""
    return _WRITING.get()


class Database:
    """Hands out units of work; nothing is written unless the use case commits.

    Statements run in the driver's worker thread (aiosqlite, asyncpg), never in the event
    loop. On SQLite, writers begin with BEGIN IMMEDIATE and take turns on an asyncio lock, so
    they queue in the loop instead of each holding a connection while SQLite's busy handler
    waits; another process's writer (`rotate-keys`) is waited for in the driver's thread, up
    to the busy timeout.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._reader = async_sessionmaker(engine, expire_on_commit=False)
        self._writer = async_sessionmaker(
            engine.execution_options(**WRITER), expire_on_commit=False
        )
        self._turns: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._holder: asyncio.Task[object] | None = None

    def _turn(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._turns is None or self._turns[0] is not loop:
            self._turns = (loop, asyncio.Lock())
        return self._turns[1]

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[UnitOfWork]:
        token = _WRITING.set(True)
        try:
            async with self._writing() as uow:
                yield uow
        finally:
            _WRITING.reset(token)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[UnitOfWork]:
        if not is_sqlite(self.engine):
            async with self._unit(self._writer) as uow:
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
            raise WriterTimeout() from None
        self._holder = task
        try:
            async with self._unit(self._writer) as uow:
                yield uow
        finally:
            self._holder = None
            turn.release()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        """What was read stays usable after the block (expire_on_commit=False)."""
        async with self._unit(self._reader) as uow:
            yield uow

    @staticmethod
    @asynccontextmanager
    async def _unit(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[UnitOfWork]:
        """Whatever was not committed is rolled back when the block ends."""
        async with sessions() as session:
            yield UnitOfWork(session)

    async def checkpoint(self) -> bool | None:
        """See storage.db.checkpoint_wal: the WAL goes back into the file, off the loop."""
        return await checkpoint_wal(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()
