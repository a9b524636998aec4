"""Shared fixtures: a migrated database on SQLite (and PostgreSQL when TEST_DATABASE_URL is set),
the fixed clock, the demo directory, the services, and the Bot API stand-in.

The templates and their per-test copies are made by tests/support/databases.py.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.banks.connector import ConnectorRegistry
from bot.banks.demo.bank import DemoBank
from bot.banks.directory.search import Directory
from bot.domain.clock import FixedClock
from bot.services.connect import Services
from storage.db import make_engine
from storage.uow import Database
from storage.vault import KeyRing, Vault
from tests.support.botapi import BotApiStandIn
from tests.support.clock import NOON_PARIS
from tests.support.databases import (
    DATABASE_FILE,
    OneAhead,
    PostgresDatabases,
    copy_sqlite_template,
    migrated,
    run_aside,
    xdist_worker,
)

BACKENDS = ["sqlite", "postgresql"]


# --- SQLite ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated to head once per session, its WAL folded back in."""
    path = tmp_path_factory.mktemp("template") / DATABASE_FILE
    run_aside(migrated(f"sqlite:///{path}"))
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    return path


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[OneAhead]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    databases = OneAhead(PostgresDatabases(url, xdist_worker()))
    yield databases
    databases.close()


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[Database]:
    """A migrated database with no rows in it, on the test's backend."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = copy_sqlite_template(template, tmp_path)
        database = Database(make_engine(f"sqlite:///{path}"))
        yield database
        await database.dispose()
        return
    databases: OneAhead = request.getfixturevalue("postgres_databases")
    name = await databases.take()
    database = Database(make_engine(databases.databases.url_of(name)))
    try:
        yield database
    finally:
        await database.dispose()
        databases.give_back(name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOON_PARIS)


@pytest.fixture(scope="module")
def directory() -> Directory:
    return Directory(demo_enabled=True)


@pytest.fixture
def services(db: Database, clock: FixedClock, directory: Directory) -> Services:
    """The services over a real database, with the demo bank."""
    ring = KeyRing.parse("k1:" + "A" * 43 + "=")
    return Services(db, Vault(ring), ConnectorRegistry([DemoBank(clock)]), directory, clock)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    server = BotApiStandIn()
    await server.start()
    yield server
    await server.stop()
