"""Migrated test databases: a template per backend, copied for each test, and reset.

A session migrates one template per backend; each test gets a fresh copy of it (a copied file
on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL, made while the test before runs),
dropped after the test.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import threading
from collections.abc import Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from storage.db import PRIVATE_FILE, make_engine
from storage.migrate import migrate_to_head

DATABASE_FILE = "pointage.db"
T = TypeVar("T")


def run_aside(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a thread of its own, so that session fixtures can do
    async work without touching the event loops pytest-asyncio gives the tests."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def reset_postgres(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))


async def migrated(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate_to_head(engine)
    finally:
        await engine.dispose()


# --- SQLite ------------------------------------------------------------------------------------


def copy_sqlite_template(template: Path, data_dir: Path) -> Path:
    """Put a migrated database where the bot looks for it: `migrate_to_head` then finds it at
    head and does nothing."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / DATABASE_FILE
    shutil.copyfile(template, target)
    os.chmod(target, PRIVATE_FILE)
    return target


# --- PostgreSQL --------------------------------------------------------------------------------


class PostgresDatabases:
    """Databases created next to the one TEST_DATABASE_URL names, one per test.

    Names carry the pytest-xdist worker, so parallel workers never share one.
    """

    def __init__(self, url: str, worker: str) -> None:
        self.url = make_url(url)
        base = self.url.database or "postgres"
        self.prefix = f"{base}_{worker}" if worker else base
        self.template = f"{self.prefix}_tpl"
        self._numbers = itertools.count(1)

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def admin(self) -> AsyncEngine:
        """CREATE and DROP DATABASE run outside a transaction, on the named database."""
        return create_async_engine(
            self.url.render_as_string(hide_password=False),
            isolation_level="AUTOCOMMIT",
            poolclass=NullPool,
        )

    async def create_template(self) -> None:
        admin = self.admin()
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{self.template}"'))
        finally:
            await admin.dispose()
        await migrated(self.url_of(self.template))

    async def create_copy(self) -> str:
        """A fresh database cloned from the template (WAL_LOG, the default strategy, measured
        about twice as fast as FILE_COPY for a database this small)."""
        name = f"{self.prefix}_{next(self._numbers)}"
        admin = self.admin()
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                await conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        finally:
            await admin.dispose()
        return name

    async def drop(self, name: str) -> None:
        admin = self.admin()
        try:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            await admin.dispose()


class OneAhead:
    """Runs the database statements on a thread and event loop of their own, one database
    ahead: the next test's copy is made, and the last one dropped, while a test runs."""

    def __init__(self, databases: PostgresDatabases) -> None:
        self.databases = databases
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._submit(databases.create_template()).result()
        self._next = self._submit(databases.create_copy())
        self._drops: list[Future[None]] = []

    def _submit(self, coroutine: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    async def take(self) -> str:
        ready, self._next = self._next, self._submit(self.databases.create_copy())
        return await asyncio.wrap_future(ready)

    def give_back(self, name: str) -> None:
        self._drops.append(self._submit(self.databases.drop(name)))

    def close(self) -> None:
        try:
            spare = self._next.result()
            for dropped in self._drops:
                dropped.result()
            self._submit(self.databases.drop(spare)).result()
            self._submit(self.databases.drop(self.databases.template)).result()
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()


def xdist_worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "")
