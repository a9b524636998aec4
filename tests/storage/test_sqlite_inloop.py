"""SQLite in the event loop: statements run inline, and nothing ever waits inside SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import bindparam, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import db as storage_db
from storage import uow as uow_module
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.models import Book
from storage.prepared import Prepared
from storage.repositories import BOOKS
from storage.rotation import truncate_wal
from storage.uow import IDLE_READERS, Database


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    engine = make_engine(f"sqlite:///{tmp_path / 'pointage.db'}")
    await migrate_to_head(engine)
    database = Database(engine)
    yield database
    await database.dispose()


def _add_book(name: str) -> Book:
    return Book(name=name, currency="EUR", chart_template="fr_pcg")


async def _books(db: Database) -> int:
    async with db.reading() as uow:
        return int(await uow.session.scalar(text("SELECT count(*) FROM books")) or 0)


async def test_every_sqlite_url_runs_on_the_loop_thread(tmp_path: Path) -> None:
    seen: list[int] = []
    for url in ("sqlite:///{}", "sqlite:///{}", "sqlite+pysqlite:///{}"):
        engine = make_engine(url.format(tmp_path / "any.db"))
        assert engine.dialect.driver == "inloop"
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.create_function("thread_id", 0, threading.get_ident)
            seen.append(int(await conn.scalar(text("SELECT thread_id()")) or 0))
        await engine.dispose()
    assert seen == [threading.get_ident()] * 3


def test_an_unknown_sqlite_driver_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported SQLite driver"):
        make_engine(f"sqlite+pysqlcipher:///{tmp_path / 'x.db'}")


async def test_a_writer_waits_for_another_process_without_blocking_the_loop(
    sqlite_db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "pointage.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write() -> None:
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book("after the other writer"))
            await uow.commit()

    await _waits_for_the_other_without_blocking(write(), other)
    assert await _books(sqlite_db) == 1


async def _waits_for_the_other_without_blocking(
    write: Coroutine[Any, Any, None], other: sqlite3.Connection
) -> None:
    """`write` is still waiting after 0.4 s while the loop keeps turning; it ends once
    the other process commits."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    writer = asyncio.create_task(write)
    await asyncio.sleep(0.4)
    assert not writer.done(), "the write must wait for the other process's transaction"
    assert ticks >= 10, "the loop kept running while the writer waited"
    other.execute("COMMIT")
    await asyncio.wait_for(writer, 5)
    ticker.cancel()
    other.close()


async def test_a_writer_gives_up_after_the_wait_and_writes_nothing(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uow_module, "WRITER_WAIT_S", 0.3)
    other = sqlite3.connect(tmp_path / "pointage.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises((OperationalError, sqlite3.OperationalError), match="locked"):
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book("never"))
            await uow.commit()
    assert time.monotonic() - started < 3
    other.execute("ROLLBACK")
    other.close()
    assert await _books(sqlite_db) == 0


async def test_writers_of_one_process_take_turns(sqlite_db: Database) -> None:
    inside = 0
    most = 0

    async def write(n: int) -> None:
        nonlocal inside, most
        async with sqlite_db.writing() as uow:
            inside += 1
            most = max(most, inside)
            uow.session.add(_add_book(f"b{n}"))
            await asyncio.sleep(0.005)
            await uow.commit()
            inside -= 1

    await asyncio.gather(*(write(n) for n in range(10)))
    assert most == 1
    assert await _books(sqlite_db) == 10


async def test_a_writer_held_up_by_another_of_this_process_gives_up_too(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uow_module, "WRITER_WAIT_S", 0.2)
    release = asyncio.Event()

    async def slow() -> None:
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book("slow"))
            await release.wait()
            await uow.commit()

    holder = asyncio.create_task(slow())
    await asyncio.sleep(0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book("gave up"))
            await uow.commit()
    release.set()
    await holder
    async with sqlite_db.writing() as uow:  # the turn is free again
        uow.session.add(_add_book("after"))
        await uow.commit()
    assert await _books(sqlite_db) == 2


async def test_a_unit_of_work_cannot_nest_a_writer(sqlite_db: Database) -> None:
    with pytest.raises(RuntimeError, match="cannot open another"):
        async with sqlite_db.writing(), sqlite_db.writing():
            pass
    async with sqlite_db.writing() as uow:  # the turn was handed back
        uow.session.add(_add_book("after"))
        await uow.commit()
    assert await _books(sqlite_db) == 1


async def test_the_wal_checkpoint_never_waits_on_a_reader(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite_db.writing() as uow:
        uow.session.add(_add_book("in the WAL"))
        await uow.commit()
    reader = sqlite3.connect(tmp_path / "pointage.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM books").fetchone()
    monkeypatch.setattr("storage.rotation.CHECKPOINT_PAUSE", 0.01)
    started = time.monotonic()
    assert await truncate_wal(sqlite_db.engine) is False
    assert time.monotonic() - started < 2
    reader.execute("COMMIT")
    reader.close()
    assert await truncate_wal(sqlite_db.engine) is True


async def test_commits_never_checkpoint_and_the_job_does_it_in_a_thread(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite_db.engine.connect() as conn:
        assert await conn.scalar(text("PRAGMA wal_autocheckpoint")) == 0
    for n in range(30):
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book(f"b{n}" * 500))
            await uow.commit()
    wal = tmp_path / "pointage.db-wal"
    assert wal.stat().st_size > 0
    database_before = (tmp_path / "pointage.db").stat().st_size

    threads: list[int] = []
    real = storage_db._checkpoint

    def watched(path: str) -> bool:
        threads.append(threading.get_ident())
        return real(path)

    monkeypatch.setattr(storage_db, "_checkpoint", watched)
    assert await sqlite_db.checkpoint() is True
    assert threads and threads[0] != threading.get_ident(), "the checkpoint runs off the loop"
    assert (tmp_path / "pointage.db").stat().st_size > database_before
    assert await _books(sqlite_db) == 30


_RENAME = Prepared(
    update(BOOKS).where(BOOKS.c.name == bindparam("old")).values(name=bindparam("new"))
)
_NAMES = Prepared(select(BOOKS.c.name).order_by(BOOKS.c.name))


async def _names(db: Database) -> list[str]:
    async with db.reading() as uow:
        return [str(name) for name in await uow.run.scalars(_NAMES, {})]


async def test_statements_and_the_session_share_the_unit_of_works_transaction(
    sqlite_db: Database,
) -> None:
    async with sqlite_db.writing() as uow:
        uow.session.add(_add_book("orm"))
        assert await uow.run.write(_RENAME, {"old": "orm", "new": "renamed"}) == 1
        assert await uow.session.scalar(select(Book.name)) == "renamed"
    assert await _names(sqlite_db) == [], "nothing of an uncommitted unit is left"
    async with sqlite_db.writing() as uow:
        uow.session.add(_add_book("orm"))
        await uow.run.write(_RENAME, {"old": "orm", "new": "renamed"})
        await uow.commit()
    assert await _names(sqlite_db) == ["renamed"]


async def test_a_unit_of_work_goes_on_after_its_commit_and_keeps_only_what_it_committed(
    sqlite_db: Database,
) -> None:
    async with sqlite_db.writing() as uow:
        uow.session.add(_add_book("first"))
        await uow.commit()
        await uow.run.write(_RENAME, {"old": "first", "new": "second"})
        uow.session.add(_add_book("third"))
        assert await uow.run.scalars(_NAMES, {}) == ["second", "third"]
    assert await _names(sqlite_db) == ["first"]
    async with sqlite_db.writing() as uow:
        await uow.run.write(_RENAME, {"old": "first", "new": "again"})
        await uow.commit()
        uow.session.add(_add_book("later"))
        await uow.commit()
    assert await _names(sqlite_db) == ["again", "later"]


async def test_a_failed_statement_leaves_nothing_of_its_unit_of_work(sqlite_db: Database) -> None:
    async with sqlite_db.writing() as uow:
        uow.session.add(_add_book("kept"))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book("lost"))
            await uow.run.write(_RENAME, {"old": "kept", "new": None})  # name is NOT NULL
            await uow.commit()
    assert await _names(sqlite_db) == ["kept"]


async def test_units_of_work_reuse_a_few_connections_and_hold_no_snapshot_between_them(
    sqlite_db: Database,
) -> None:
    pool = sqlite_db.engine.sync_engine.pool
    for n in range(20):
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book(f"b{n:02}"))
            await uow.commit()
        assert len(await _names(sqlite_db)) == n + 1

    async def read_slowly() -> int:
        async with sqlite_db.reading() as uow:
            await asyncio.sleep(0.01)
            return len(await uow.run.scalars(_NAMES, {}))

    assert await asyncio.gather(*(read_slowly() for _ in range(10))) == [20] * 10
    assert pool.checkedout() <= IDLE_READERS + 1  # type: ignore[attr-defined]
    assert await truncate_wal(sqlite_db.engine) is True, "an idle connection holds no snapshot"
    await sqlite_db.dispose()
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_after_a_commit_a_writer_waits_for_another_process_again_without_blocking(
    sqlite_db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "pointage.db", isolation_level=None)

    async def write_twice() -> None:
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book("first"))
            await uow.commit()
            other.execute("BEGIN IMMEDIATE")
            await uow.run.write(_RENAME, {"old": "first", "new": "second"})
            await uow.commit()

    await _waits_for_the_other_without_blocking(write_twice(), other)
    assert await _names(sqlite_db) == ["second"]
