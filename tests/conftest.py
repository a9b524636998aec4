"""Shared fixtures: a migrated database on SQLite (and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import FixedClock
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.uow import Database

BACKENDS = ["sqlite", "postgresql"]
NOON_PARIS = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


def database_url(backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'pointage.db'}"
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    return url


async def reset_postgres(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    url = database_url(backend, tmp_path)
    engine = make_engine(url)
    if backend == "postgresql":
        await reset_postgres(engine)
    await migrate_to_head(engine)
    database = Database(engine)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOON_PARIS)
