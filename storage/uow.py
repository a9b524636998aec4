"""Unit of work: one database transaction per use case, repositories inside it."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import SQLITE_BUSY_TIMEOUT, checkpoint_wal, is_sqlite
from storage.digest import DigestQueries
from storage.picker import PickerQueries
from storage.prepared import SqliteStatements, Statements
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
    def __init__(self, run: Statements) -> None:
        self.run = run
        self.users = Users(run)
        self.books = Books(run)
        self.ledger = LedgerAccounts(run)
        self.connections = Connections(run)
        self.bank_accounts = BankAccounts(run)
        self.lines = BankLines(run)
        self.journal = Journal(run)
        self.requests = BankRequests(run)
        self.rules = Rules(run)
        self.sync_runs = SyncRuns(run)
        self.erasure = Erasure(run)
        self.digest = DigestQueries(run)
        self.picker = PickerQueries(run)
        self._committed = False

    @property
    def session(self) -> AsyncSession:
        return self.run.session

    async def commit(self) -> None:
        await self.run.commit()
        self._committed = True

    async def flush(self) -> None:
        await self.run.flush()


WRITER_WAIT_S = 15.0
"""How long a writer waits for its turn (another writer of this process, or another
process's write transaction) before giving up, as SQLite's busy timeout used to."""
IDLE_READERS = 4
"""SQLite connections kept open for reading units of work, beyond the writer's one."""


class _Lease(NamedTuple):
    connection: AsyncConnection
    driver: sqlite3.Connection


class Database:
    """Hands out units of work; nothing is written unless the use case commits.

    On SQLite, statements run in the event loop (storage.sqlite_inloop), so a writer must
    never wait inside SQLite: writers of this process take turns on an asyncio lock, and a
    BEGIN IMMEDIATE refused because another process writes is retried with asyncio.sleep.
    Each unit of work runs on a connection this Database keeps checked out (one for the
    writers, a few for readers), begun directly on sqlite3 (storage.prepared.SqliteStatements).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._turns: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._holder: asyncio.Task[object] | None = None
        self._idle: list[_Lease] = []
        self._writer_lease: _Lease | None = None

    def _turn(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._turns is None or self._turns[0] is not loop:
            self._turns = (loop, asyncio.Lock())
        return self._turns[1]

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[UnitOfWork]:
        if not is_sqlite(self.engine):
            async with self._sessions() as session, self._unit(session) as uow:
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
            if self._writer_lease is None:
                self._writer_lease = await self._open_lease(writer=True)
            lease = self._writer_lease
            await _begin_immediate(lease.driver)
            run = SqliteStatements(lease.connection, lease.driver, _begin_immediate)
            try:
                yield UnitOfWork(run)
            finally:
                await run.end()
        finally:
            self._holder = None
            turn.release()

    @staticmethod
    @asynccontextmanager
    async def _unit(session: AsyncSession) -> AsyncIterator[UnitOfWork]:
        uow = UnitOfWork(Statements(session))
        try:
            yield uow
        finally:
            if not uow._committed:
                await session.rollback()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[UnitOfWork]:
        """Closing (not rolling back) keeps what was read usable after the block."""
        if not is_sqlite(self.engine):
            async with self._sessions() as session:
                yield UnitOfWork(Statements(session))
            return
        lease = self._idle.pop() if self._idle else await self._open_lease(writer=False)
        run = SqliteStatements(lease.connection, lease.driver, _begin)
        try:
            await _begin(lease.driver)
            yield UnitOfWork(run)
        finally:
            try:
                await run.end()
            finally:
                if len(self._idle) < IDLE_READERS:
                    self._idle.append(lease)
                else:
                    await lease.connection.close()

    async def _open_lease(self, *, writer: bool) -> _Lease:
        connection = await self.engine.connect()
        if writer:
            await connection.execution_options(sqlite_begin="IMMEDIATE")
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return _Lease(connection, driver)

    async def checkpoint(self) -> bool | None:
        """See storage.db.checkpoint_wal: the WAL goes back into the file, off the loop."""
        return await checkpoint_wal(self.engine)

    async def dispose(self) -> None:
        leases, self._idle = self._idle, []
        if self._writer_lease is not None:
            leases.append(self._writer_lease)
            self._writer_lease = None
        for lease in leases:
            await lease.connection.close()
        await self.engine.dispose()


async def _begin(driver: sqlite3.Connection) -> None:
    driver.execute("BEGIN")


async def _begin_immediate(driver: sqlite3.Connection) -> None:
    """Start the write transaction now, waiting out another process's writer without
    blocking the loop: SQLite refuses at once (busy_timeout=0) and this retries."""
    deadline = time.monotonic() + WRITER_WAIT_S
    pause = 0.005
    while True:
        driver.execute("PRAGMA busy_timeout=0")
        try:
            driver.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        finally:
            driver.execute(SQLITE_BUSY_TIMEOUT)
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.2)
