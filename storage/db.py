"""Engine and sessions: SQLite pragmas and BEGIN IMMEDIATE for writers, or PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage import sqlite_inloop

SQLITE_DRIVERS = {"sqlite", "sqlite+aiosqlite", "sqlite+pysqlite", "sqlite+inloop"}
"""Any SQLite URL runs on the in-loop driver (storage.sqlite_inloop)."""
SQLITE_BUSY_TIMEOUT = "PRAGMA busy_timeout=250"
"""Short: a wait inside SQLite blocks the event loop. Readers in WAL mode almost never wait;
writers are refused at once and wait in storage.uow instead."""
SQLITE_PRAGMAS = (
    "PRAGMA wal_autocheckpoint=0",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    SQLITE_BUSY_TIMEOUT,
    "PRAGMA foreign_keys=ON",
    "PRAGMA secure_delete=ON",
)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


async def checkpoint_wal(engine: AsyncEngine) -> bool | None:
    """SQLite: copy the WAL back into the database file, in a worker thread.

    The bot's own connections never checkpoint (`wal_autocheckpoint=0`): SQLite would do it
    inside whichever commit crossed 1,000 pages, in the event loop, copying and syncing ~4 MB
    (40 ms here). A job calls this instead. PASSIVE never waits for a lock: what a reader
    still needs is copied next time. True when the whole WAL was copied; None on PostgreSQL.
    """
    if not is_sqlite(engine) or not engine.url.database or engine.url.database == ":memory:":
        return None
    return await asyncio.to_thread(_checkpoint, engine.url.database)


def _checkpoint(path: str) -> bool:
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        connection.close()
    return bool(busy == 0 and frames == copied)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.drivername not in SQLITE_DRIVERS:
            raise ValueError(f"unsupported SQLite driver {parsed.drivername!r}: use sqlite:///")
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            parsed.set(drivername=f"sqlite+{sqlite_inloop.DRIVER}"), **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Take BEGIN away from the driver so writers can ask for BEGIN IMMEDIATE."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        """BEGIN goes straight to sqlite3: as a SQLAlchemy statement it would cost more than
        most of the queries of a button press."""
        driver = conn.connection.driver_connection
        if driver.in_transaction:
            return  # a unit of work began it on sqlite3 (storage.uow): the session joins it
        if conn.get_execution_options().get("sqlite_begin") != "IMMEDIATE":
            driver.execute("BEGIN")
            return
        # A writer must not wait inside SQLite (that would stall the loop): it is refused at
        # once while another process writes, and storage.uow retries asynchronously.
        driver.execute("PRAGMA busy_timeout=0")
        try:
            driver.execute("BEGIN IMMEDIATE")
        finally:
            driver.execute(SQLITE_BUSY_TIMEOUT)
