"""SQLite for asyncio that runs each statement in the event loop's own thread.

aiosqlite sends every call (cursor, execute, fetch, close) to a worker thread and back: four
thread hops per statement, about a millisecond on a small VM, when the statement itself takes
tens of microseconds. Here the SQLAlchemy async engine drives a plain sqlite3 connection
directly, so a statement costs what SQLite costs. The price is that a statement blocks the
loop while it runs, so nothing may wait on a lock inside SQLite: `storage.uow.Database`
lets one writer in at a time and retries a busy BEGIN IMMEDIATE asynchronously, and the
connections' busy timeout is short.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine.url import URL
from sqlalchemy.util import await_only

DRIVER = "inloop"


async def _nothing() -> None:
    return None


class InLoopCursor(sqlite3.Cursor):
    """sqlite3's cursor. Each statement passes once through the event loop's greenlet
    without waiting: SQLAlchemy's AsyncConnection checks that its driver awaited."""

    def execute(self, sql: str, parameters: Any = (), /) -> InLoopCursor:
        await_only(_nothing())
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> InLoopCursor:
        await_only(_nothing())
        return super().executemany(sql, parameters)

    async def _async_soft_close(self) -> None:
        return None


class InLoopConnection:
    """The DBAPI connection SQLAlchemy sees: sqlite3's own, called synchronously."""

    __slots__ = ("_connection", "dbapi")

    def __init__(self, dbapi: InLoopDBAPI, connection: sqlite3.Connection) -> None:
        self.dbapi = dbapi
        self._connection = connection

    @property
    def isolation_level(self) -> str | None:
        return self._connection.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._connection.isolation_level = value  # type: ignore[assignment]

    def cursor(self, server_side: bool = False) -> InLoopCursor:
        return self._connection.cursor(InLoopCursor)

    def execute(self, *args: Any, **kwargs: Any) -> sqlite3.Cursor:
        return self._connection.execute(*args, **kwargs)

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._connection.create_function(*args, **kwargs)

    def commit(self) -> None:
        self._connection.commit()

    def rollback(self) -> None:
        self._connection.rollback()

    def close(self) -> None:
        self._connection.close()


class InLoopDBAPI:
    """sqlite3's module attributes, with a connect() that returns the adapted connection."""

    paramstyle = "qmark"

    def __init__(self) -> None:
        for name in (
            "DatabaseError",
            "Error",
            "IntegrityError",
            "InterfaceError",
            "InternalError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "Warning",
            "DataError",
            "sqlite_version",
            "sqlite_version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))
        self.version = "inloop"

    def connect(self, *args: Any, **kwargs: Any) -> InLoopConnection:
        kwargs.pop("async_fallback", None)
        kwargs["check_same_thread"] = False
        return InLoopConnection(self, sqlite3.connect(*args, **kwargs))


class SQLiteDialect_inloop(SQLiteDialect_pysqlite):
    driver = DRIVER
    is_async = True
    has_terminate = False
    supports_statement_cache = True
    supports_server_side_cursors = False

    @classmethod
    def import_dbapi(cls) -> Any:
        return InLoopDBAPI()

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def get_driver_connection(self, connection: Any) -> sqlite3.Connection:
        assert isinstance(connection, InLoopConnection)
        return connection._connection


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_inloop")
