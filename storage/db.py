"""Engines: SQLite through aiosqlite (WAL, BEGIN IMMEDIATE for writers), or PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_DRIVERS = {"sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"}
"""Any of these URLs runs on aiosqlite: statements run in its worker thread, off the loop."""
WRITER_WAIT_S = 15.0
"""How long a writer waits for its turn (another writer of this process, or another
process's write transaction) before failing with "database is locked"."""
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
)
WRITER = {"sqlite_begin": "IMMEDIATE"}
"""Execution options of a writing unit of work: on SQLite it takes the write lock at BEGIN,
so two writers queue instead of failing with "database is locked" at their first write."""
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

StorageError = SQLAlchemyError
"""Any failure of the database (unreachable, locked, damaged): the CLI stops with one line."""


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def sqlite_path(engine: AsyncEngine) -> str | None:
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return None
    return database


async def checkpoint_wal(
    engine: AsyncEngine, mode: Literal["PASSIVE", "TRUNCATE"] = "PASSIVE"
) -> bool | None:
    """SQLite: copy the WAL back into the database file, in a worker thread.

    PASSIVE never waits: what a reader still needs is copied next time. TRUNCATE also
    empties the WAL file (old page images go with it). True when the whole WAL was copied;
    None on PostgreSQL.
    """
    path = sqlite_path(engine)
    if path is None:
        return None
    return await asyncio.to_thread(_checkpoint, path, mode)


def _checkpoint(path: str, mode: str) -> bool:
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        busy, frames, copied = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
    finally:
        connection.close()
    return bool(busy == 0 and frames == copied)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.drivername not in SQLITE_DRIVERS:
            raise ValueError(f"unsupported SQLite driver {parsed.drivername!r}: use sqlite:///")
        if parsed.database and parsed.database != ":memory:":
            _create_private(Path(parsed.database))
        engine = create_async_engine(
            parsed.set(drivername="sqlite+aiosqlite"), pool_reset_on_return=None, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _create_private(database: Path) -> None:
    """The data folder 0700 and the database file 0600 before SQLite opens it: SQLite gives
    its -wal and -shm files the database file's mode."""
    folder = database.parent
    if not folder.exists():
        folder.mkdir(mode=PRIVATE_DIR, parents=True)
        os.chmod(folder, PRIVATE_DIR)
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    os.chmod(database, PRIVATE_FILE)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """SQLAlchemy's documented recipe for SQLite transactions: the driver emits no BEGIN of
    its own, the begin event does, IMMEDIATE for writers (storage.uow).

    Each call into aiosqlite is a round trip to its thread and back to the loop, and a
    statement through SQLAlchemy's cursor takes four. So BEGIN goes straight to the driver
    (one trip), and a connection going back to the pool is rolled back only when it is
    still in a transaction: a unit of work has always ended its own by then, which spares
    every one of them a second ROLLBACK.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.execute(f"PRAGMA busy_timeout={int(WRITER_WAIT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
        try:
            conn.connection.dbapi_connection.run_async(lambda driver: driver.execute(begin))
        except sqlite3.Error as error:  # as SQLAlchemy raises a statement's ("locked", …)
            raise DBAPIError.instance(begin, None, error, sqlite3.Error) from error

    @event.listens_for(engine.sync_engine, "reset")
    def on_reset(dbapi_connection: Any, _record: Any, state: Any) -> None:
        if not state.terminate_only and dbapi_connection.driver_connection.in_transaction:
            dbapi_connection.rollback()
