"""SQLite through aiosqlite: statements run off the loop, writers queue, nothing is half written."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import db as storage_db
from storage import uow as uow_module
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.models import Book
from storage.rotation import truncate_wal
from storage.uow import Database


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


async def _names(db: Database) -> list[str]:
    async with db.reading() as uow:
        return list((await uow.session.scalars(select(Book.name).order_by(Book.name))).all())


def _rename(old: str, new: str | None) -> Any:
    return update(Book).where(Book.name == old).values(name=new)


async def test_every_sqlite_url_runs_on_aiosqlite_off_the_loop_thread(tmp_path: Path) -> None:
    seen: list[int] = []
    for url in ("sqlite:///{}", "sqlite+aiosqlite:///{}", "sqlite+pysqlite:///{}"):
        engine = make_engine(url.format(tmp_path / "any.db"))
        assert engine.dialect.driver == "aiosqlite"
        async with engine.connect() as conn:
            raw = (await conn.get_raw_connection()).driver_connection
            assert isinstance(raw, aiosqlite.Connection)
            await raw.create_function("thread_id", 0, threading.get_ident)
            seen.append(int(await conn.scalar(text("SELECT thread_id()")) or 0))
        await engine.dispose()
    assert len(seen) == 3
    assert threading.get_ident() not in seen


def test_an_unknown_sqlite_driver_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unsupported SQLite driver"):
        make_engine(f"sqlite+pysqlcipher:///{tmp_path / 'x.db'}")


async def test_the_data_folder_and_database_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    engine = make_engine(f"sqlite:///{folder / 'pointage.db'}")
    await migrate_to_head(engine)
    database = Database(engine)
    async with database.writing() as uow:
        uow.session.add(_add_book("private"))
        await uow.commit()
    assert folder.stat().st_mode & 0o777 == 0o700
    for name in ("pointage.db", "pointage.db-wal", "pointage.db-shm"):
        assert (folder / name).stat().st_mode & 0o777 == 0o600, name
    await database.dispose()


async def test_a_writer_holds_the_write_lock_from_its_first_statement(
    sqlite_db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "pointage.db", isolation_level=None, timeout=0)
    async with sqlite_db.writing() as uow:
        await uow.session.execute(select(Book.id))
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # released at the end of the unit
    other.execute("ROLLBACK")
    async with sqlite_db.reading() as uow:
        await uow.session.execute(select(Book.id))
        other.execute("BEGIN IMMEDIATE")  # a reader takes no write lock
        other.execute("ROLLBACK")
    other.close()


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
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_db, "WRITER_WAIT_S", 0.3)
    engine = make_engine(f"sqlite:///{tmp_path / 'pointage.db'}")
    await migrate_to_head(engine)
    database = Database(engine)
    other = sqlite3.connect(tmp_path / "pointage.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"):
        async with database.writing() as uow:
            uow.session.add(_add_book("never"))
            await uow.commit()
    assert time.monotonic() - started < 3
    other.execute("ROLLBACK")
    other.close()
    assert await _books(database) == 0
    await database.dispose()


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
    with pytest.raises(OperationalError, match="locked"):
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


async def test_the_checkpoint_runs_in_a_worker_thread(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(30):
        async with sqlite_db.writing() as uow:
            uow.session.add(_add_book(f"b{n}" * 500))
            await uow.commit()
    database_before = (tmp_path / "pointage.db").stat().st_size
    threads: list[int] = []
    real = storage_db._checkpoint

    def watched(path: str, mode: str) -> bool:
        threads.append(threading.get_ident())
        return real(path, mode)

    monkeypatch.setattr(storage_db, "_checkpoint", watched)
    assert await sqlite_db.checkpoint() is True
    assert threads and threads[0] != threading.get_ident(), "the checkpoint runs off the loop"
    assert (tmp_path / "pointage.db").stat().st_size > database_before
    assert await _books(sqlite_db) == 30


async def test_a_unit_of_work_left_without_commit_leaves_nothing(sqlite_db: Database) -> None:
    async with sqlite_db.writing() as uow:
        uow.session.add(_add_book("orm"))
        await uow.flush()
        assert (await uow.session.execute(_rename("orm", "renamed"))).rowcount == 1  # type: ignore[attr-defined]
        assert await uow.session.scalar(select(Book.name)) == "renamed"
    assert await _names(sqlite_db) == [], "nothing of an uncommitted unit is left"


async def test_a_unit_of_work_goes_on_after_its_commit_and_keeps_only_what_it_committed(
    sqlite_db: Database,
) -> None:
    async with sqlite_db.writing() as uow:
        uow.session.add(_add_book("first"))
        await uow.commit()
        await uow.session.execute(_rename("first", "second"))
        uow.session.add(_add_book("third"))
        await uow.flush()
        names = await uow.session.scalars(select(Book.name).order_by(Book.name))
        assert names.all() == ["second", "third"]
    assert await _names(sqlite_db) == ["first"]
    async with sqlite_db.writing() as uow:
        await uow.session.execute(_rename("first", "again"))
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
            await uow.session.execute(_rename("kept", None))  # name is NOT NULL
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
            return len((await uow.session.scalars(select(Book.name))).all())

    assert await asyncio.gather(*(read_slowly() for _ in range(10))) == [20] * 10
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
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
            await uow.session.execute(_rename("first", "second"))
            await uow.commit()

    await _waits_for_the_other_without_blocking(write_twice(), other)
    assert await _names(sqlite_db) == ["second"]


async def test_a_failed_writer_leaves_its_connection_clean_and_the_lock_free(
    sqlite_db: Database, tmp_path: Path
) -> None:
    """Pooled connections are rolled back only when still in a transaction (storage.db):
    a unit of work that fails mid-write still hands back a clean connection, unlocked."""
    for _ in range(3):
        with pytest.raises(RuntimeError):
            async with sqlite_db.writing() as uow:
                uow.session.add(_add_book("dropped"))
                await uow.flush()
                raise RuntimeError("the use case failed")
    async with sqlite_db.engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert isinstance(raw, aiosqlite.Connection) and not raw.in_transaction
    other = sqlite3.connect(tmp_path / "pointage.db", isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    other.close()
    assert await _books(sqlite_db) == 0
