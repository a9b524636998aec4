"""The repositories' common ground: one session, partitioned loads, changed-row counts."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import Executable, Select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.states import ConnectionStatus

T = TypeVar("T")
SYNCING = (ConnectionStatus.ACTIVE, ConnectionStatus.ERROR)
"""Connection states the nightly sync still runs for."""

CHUNK = 500
"""Ids per IN (...) list: well under SQLite's and asyncpg's parameter limits."""
FLUSH_CHUNK = 500
"""Rows per statement when adding or updating many. Each statement is a few trips to the
driver's thread while the writer waits (200 made a 10,000-line import's insert 30% slower);
one chunk's work on the event loop stays near 10 ms."""
PARTITION = 250
"""Rows loaded at a time by queries that may return thousands."""


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _first(self, query: Select[tuple[T]]) -> T | None:
        return (await self.session.scalars(query)).first()

    async def _many(self, query: Select[tuple[T]]) -> list[T]:
        """Every row of a query that may load thousands: fetched and built a partition at a
        time, handing the event loop back in between."""
        result = await self.session.stream_scalars(query.execution_options(yield_per=PARTITION))
        found: list[T] = []
        async for partition in result.partitions():
            found.extend(partition)
        return found

    async def _changed(self, statement: Executable) -> int:
        """Rows an UPDATE or DELETE changed; objects loaded in the session follow it."""
        result = await self.session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]
