"""The statements of a press search through indexes: none scans a table whose size grows with
the users or their lines (a press once scanned every book to find its user's)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from bot.domain.clock import FixedClock
from bot.services.connect import Services
from bot.services.review import Review
from storage.db import sqlite_path
from storage.uow import Database
from tests.support.connecting import ALICE, BOB, connect_all

GROWING = ("users", "books", "book_members", "bank_transactions", "journal_entries")
DML = ("SELECT", "UPDATE", "DELETE", "INSERT")
SCAN = re.compile(r"\bSCAN (\w+)")

Statement = tuple[str, Any]


async def statements_of(db: Database, work: Callable[[], Awaitable[object]]) -> list[Statement]:
    seen: list[Statement] = []

    def record(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, _many: bool) -> None:
        seen.append((statement, params))

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    try:
        await work()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)
    return [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith(DML)]


def scans(path: str, statements: list[Statement]) -> list[str]:
    found = []
    with sqlite3.connect(path) as connection:
        for sql, params in statements:
            args = params[0] if isinstance(params, list) else params
            for row in connection.execute("EXPLAIN QUERY PLAN " + sql, args or ()):
                match = SCAN.search(row[3])
                if match and match.group(1) in GROWING:
                    found.append(f"{row[3]} in {' '.join(sql.split())[:120]}")
    return found


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_no_press_scans_a_growing_table(
    services: Services, db: Database, clock: FixedClock
) -> None:
    for telegram_id in (ALICE, BOB):
        connection_id = await connect_all(services, telegram_id, date(2026, 8, 31))
        await services.import_connection(telegram_id, connection_id)
    review = Review(db, clock)
    view = await review.digest(ALICE, review.new_anchor())
    line = view.lines[0].id
    path = sqlite_path(db.engine)
    assert path is not None

    presses: list[Callable[[], Awaitable[object]]] = [
        lambda: review.digest(ALICE, review.new_anchor(), 1),
        lambda: review.choices(ALICE, line),
        lambda: review.accept(ALICE, line, anchor=review.new_anchor(), page=0),
    ]
    statements = [s for press in presses for s in await statements_of(db, press)]
    assert len(statements) >= 8  # the presses did read and write
    assert scans(path, statements) == []
