"""Prebuilt Core statements, run straight on SQLite's own connection.

SQLAlchemy's execution path costs about 30–50 µs a statement, while SQLite answers most of
a button press's statements in 2–60 µs, and a press makes about ten. A `Prepared` statement
is compiled once per dialect. On SQLite it then runs on the unit of work's own sqlite3
connection, inside the same transaction, and its parameters and results go through the very
type processors SQLAlchemy would apply (`_cached_bind_processor`, `_cached_result_processor`,
as `DefaultExecutionContext` does): that is SqliteStatements. Other databases run it
through the session unchanged (Statements).
"""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeAlias

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any]
NamedRow: TypeAlias = Any
"""A result row, by position and by column name: a named tuple from SqliteStatements, a
SQLAlchemy Row from Statements."""
_ASKED = object()
"""A parameter the caller gives (as opposed to a value written in the statement)."""


class _Param(NamedTuple):
    name: str
    value: Any
    """_ASKED, or the value written in the statement: processed when planned, or for a
    list, as written. A value given under the same name replaces it, as in SQLAlchemy."""
    process: Processor | None
    expanding: bool


class _Plan(NamedTuple):
    sql: str
    params: tuple[_Param, ...]
    expanding: bool
    make_row: Callable[[Iterable[Any]], tuple[Any, ...]]
    """A named tuple's _make, with the result's column names."""
    convert: tuple[Processor | None, ...] | None
    """One result processor per column, or None when no column needs one."""


class Prepared:
    """A Core statement to run many times (see the module's docstring)."""

    __slots__ = ("_plans", "statement")

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[Dialect, _Plan] = {}

    def plan(self, dialect: Dialect) -> _Plan:
        found = self._plans.get(dialect)
        if found is None:
            found = self._plans[dialect] = _plan(self.statement, dialect)
        return found


def _plan(statement: Executable, dialect: Dialect) -> _Plan:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("a Prepared statement gives every column: no Python-side default")
    params = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        assert bind.callable is None, "a Prepared statement takes no callable parameter"
        process = bind.type._cached_bind_processor(dialect)
        if bind.required:
            params.append(_Param(name, _ASKED, process, bool(bind.expanding)))
        elif bind.expanding:
            params.append(_Param(name, list(bind.value or ()), process, True))
        else:
            value = process(bind.value) if process is not None else bind.value
            params.append(_Param(name, value, process, False))
    converters = tuple(
        column.type._cached_result_processor(dialect, None) for column in compiled._result_columns
    )
    keys = [column.keyname for column in compiled._result_columns]
    return _Plan(
        sql=compiled.string,
        params=tuple(params),
        expanding=any(p.expanding for p in params),
        make_row=namedtuple("Row", keys, rename=True)._make,  # type: ignore[attr-defined]
        convert=converters if any(converters) else None,
    )


def _sqlite_parameters(plan: _Plan, given: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The SQL and positional parameters for sqlite3; expanding lists become `?, ?, …`."""
    values: list[Any] = []
    sql = plan.sql
    for name, written, process, expanding in plan.params:
        if name in given:
            value = given[name]
        elif written is _ASKED:
            raise exc.ArgumentError(f"a value is required for parameter {name!r}")
        elif not expanding:
            values.append(written)  # processed when planned
            continue
        else:
            value = written
        if expanding:
            items = [process(v) for v in value] if process else list(value)
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(items)), 1)
            values.extend(items)
        else:
            values.append(process(value) if process is not None else value)
    return sql, values


class Statements:
    """Runs Prepared statements through a session, in its transaction (PostgreSQL)."""

    __slots__ = ("_dialect", "_session")

    def __init__(self, session: AsyncSession | None, dialect: Dialect | None = None) -> None:
        self._session = session
        if dialect is None:
            assert session is not None and session.bind is not None
            dialect = session.bind.dialect
        self._dialect = dialect

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None
        return self._session

    @property
    def on_sqlite(self) -> bool:
        return self._dialect.name == "sqlite"

    async def commit(self) -> None:
        await self.session.commit()

    async def flush(self) -> None:
        await self.session.flush()

    async def all(self, prepared: Prepared, params: Mapping[str, Any]) -> list[NamedRow]:
        """Every row."""
        await self._flushed()
        return list((await self.session.execute(prepared.statement, params)).all())

    async def first(self, prepared: Prepared, params: Mapping[str, Any]) -> NamedRow | None:
        rows = await self.all(prepared, params)
        return rows[0] if rows else None

    async def scalar(self, prepared: Prepared, params: Mapping[str, Any]) -> Any | None:
        row = await self.first(prepared, params)
        return row[0] if row is not None else None

    async def scalars(self, prepared: Prepared, params: Mapping[str, Any]) -> list[Any]:
        return [row[0] for row in await self.all(prepared, params)]

    async def write(self, prepared: Prepared, params: Mapping[str, Any]) -> int:
        """An UPDATE, INSERT or DELETE; how many rows it changed."""
        await self._flushed()
        result = await self.session.execute(prepared.statement, params)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def write_many(self, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            await self._flushed()
            await self.session.execute(prepared.statement, list(rows))

    async def _flushed(self) -> None:
        """What the session holds unflushed goes to the database first, so a statement
        sees it (SQLAlchemy autoflushes before ORM queries only, these are Core)."""
        session = self._session
        if session is not None:
            sync = session.sync_session
            if sync.autoflush and not sync._is_clean():
                await session.flush()


class SqliteStatements(Statements):
    """Runs Prepared statements straight on a SQLite unit of work's own connection
    (storage.uow), whose transaction is already begun.

    The session opens only when an ORM query needs it, bound to the same connection, and
    joins that transaction (storage.db's begin event leaves it alone). Opening a session
    costs about as much as the handful of statements of a button press, which needs none."""

    __slots__ = ("_begin", "_driver", "_lease")

    def __init__(
        self,
        connection: AsyncConnection,
        driver: sqlite3.Connection,
        begin: Callable[[sqlite3.Connection], Awaitable[None]],
    ) -> None:
        """`begin` starts the next transaction after a commit, as the unit of work did."""
        super().__init__(None, connection.dialect)
        self._lease = connection
        self._driver = driver
        self._begin = begin

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = AsyncSession(bind=self._lease, expire_on_commit=False)
        return self._session

    async def commit(self) -> None:
        if self._session is not None:
            await self._session.commit()
        if self._driver.in_transaction:
            try:
                self._driver.commit()
            except sqlite3.Error as error:
                raise _wrapped("COMMIT", (), error) from error

    async def flush(self) -> None:
        if self._session is not None:
            await self._session.flush()

    async def end(self) -> None:
        """Close the session, and roll back whatever was not committed."""
        try:
            if self._session is not None:
                await self._session.close()
        finally:
            if self._driver.in_transaction:
                self._driver.rollback()

    async def all(self, prepared: Prepared, params: Mapping[str, Any]) -> list[NamedRow]:
        plan = prepared.plan(self._dialect)
        found = (await self._run(plan, params)).fetchall()
        convert, make = plan.convert, plan.make_row
        if convert is None:
            return [make(values) for values in found]
        return [
            make([f(v) if f is not None else v for f, v in zip(convert, values, strict=True)])
            for values in found
        ]

    async def write(self, prepared: Prepared, params: Mapping[str, Any]) -> int:
        return int((await self._run(prepared.plan(self._dialect), params)).rowcount)

    async def write_many(self, prepared: Prepared, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        plan = prepared.plan(self._dialect)
        assert not plan.expanding, "executemany takes no expanding parameter"
        driver = await self._connection()
        values = [_sqlite_parameters(plan, given)[1] for given in rows]
        try:
            driver.executemany(plan.sql, values)
        except sqlite3.Error as error:
            raise _wrapped(plan.sql, values, error) from error

    async def _run(self, plan: _Plan, given: Mapping[str, Any]) -> sqlite3.Cursor:
        driver = await self._connection()
        sql, values = _sqlite_parameters(plan, given)
        try:
            return driver.execute(sql, values)
        except sqlite3.Error as error:
            raise _wrapped(sql, values, error) from error

    async def _connection(self) -> sqlite3.Connection:
        """Flushed first; begun again after a commit."""
        await self._flushed()
        if not self._driver.in_transaction:
            await self._begin(self._driver)
        return self._driver


def _wrapped(sql: str, values: Any, error: sqlite3.Error) -> exc.StatementError:
    """The error SQLAlchemy would have raised, so callers catch the same exceptions."""
    return exc.DBAPIError.instance(sql, values, error, sqlite3.Error)
