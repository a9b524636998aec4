"""storage.prepared: Prepared statements return what SQLAlchemy returns, in the same transaction.

On SQLite, Statements runs the compiled SQL straight on the unit's sqlite3 connection with
SQLAlchemy's own type processors; elsewhere it goes through the session. So each test compares
with `session.execute` of the same statement, value by value and type by type.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import FixedClock
from bot.domain import EntryKind, ReviewState
from bot.review import Review
from bot.services import Services
from storage import digest, picker, repositories
from storage.db import make_engine
from storage.models import BankTransaction, Book, JournalEntry, UtcDateTime
from storage.prepared import Prepared
from storage.uow import Database
from tests.unit.conftest import directory, services  # noqa: F401 (fixtures)
from tests.unit.test_services_connect import ALICE, connect_all


def typed(rows: Sequence[Any]) -> list[tuple[tuple[str, ...], list[tuple[type, str]]]]:
    """Column names, and each value's type and repr: a date is not a datetime, a naive
    datetime not an aware one, an enum member not its string, True not 1."""
    return [(tuple(row._fields), [(type(v), repr(v)) for v in row]) for row in rows]


def module_statements() -> dict[str, Prepared]:
    """Every Prepared of the modules, also those inside a NamedTuple (digest's _ONE/_MANY)."""
    found: dict[str, Prepared] = {}
    for module in (repositories, digest, picker):
        short = module.__name__.rsplit(".", 1)[1]
        for name, value in vars(module).items():
            if isinstance(value, Prepared):
                found[f"{short}.{name}"] = value
            elif isinstance(value, tuple) and hasattr(value, "_asdict"):
                for field, item in value._asdict().items():
                    if isinstance(item, Prepared):
                        found[f"{short}.{name}.{field}"] = item
    return found


@pytest.fixture
async def demo(services: Services, db: Database, clock: FixedClock) -> dict[str, Any]:  # noqa: F811
    """The demo bank's lines: one accepted (with its entry), one excluded, one accepted
    automatically, one without a suggestion (its account columns are NULL)."""
    await services.import_connection(ALICE, await connect_all(services, ALICE, date(2026, 8, 31)))
    line, now = BankTransaction, clock.now()
    async with db.reading() as uow:
        to_review = select(line.id).where(line.review_state == ReviewState.TO_REVIEW)
        suggested = (await uow.session.scalars(to_review.order_by(line.id))).all()
    accepted, excluded, automatic, bare, waiting = suggested[:5]
    review = Review(db, clock)
    assert (await review.accept(ALICE, accepted)).changed
    assert (await review.exclude(ALICE, excluded)).changed
    changes: dict[int, dict[str, Any]] = {
        automatic: dict(review_state=ReviewState.ACCEPTED, auto_accepted=True, reviewed_at=now),
        bare: dict(suggested_account_id=None),
    }
    async with db.writing() as uow:
        for line_id, values in changes.items():
            await uow.session.execute(update(line).where(line.id == line_id).values(values))
        await uow.commit()
    async with db.reading() as uow:
        got = await uow.session.get_one(line, accepted)
        entry = await uow.session.scalar(select(func.max(JournalEntry.id)))
        accounts = (await uow.session.scalars(select(line.suggested_account_id).distinct())).all()
    return dict(book=got.book_id, accepted=accepted, waiting=waiting, bare=bare, entry=entry,
                payee=got.payee, account=got.suggested_account_id,
                accounts=sorted(a for a in accounts if a))  # fmt: skip


def demo_params(
    d: dict[str, Any], now: datetime
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """(reads, writes): the params each module statement is run with."""
    book, account, entry = d["book"], d["account"], d["entry"]
    window = {"at": now - timedelta(hours=1), "until": now + timedelta(hours=1)}
    recent = {**window, "since": now - timedelta(days=30)}
    reads = {
        "repositories._BOOK_OF_USER": [{"telegram_id": ALICE}, {"telegram_id": 0}],
        "repositories._LINE_TO_DECIDE": [
            {"telegram_id": ALICE, "line_id": d[n]} for n in ("accepted", "waiting", "bare")
        ],
        "repositories._ACCOUNT_VIEW": [{"book_id": book, "account_id": account}],
        "repositories._LOCK_BOOK": [{"book_id": book}],
        "digest._ONE.waiting": [{"book": book, "until": window["until"]}],
        "digest._ONE.recent": [{"book": book, **recent}],
        "digest._MANY.waiting": [{"books": b, "until": now} for b in ([book, 0], [])],
        "digest._MANY.recent": [{"books": b, **recent} for b in ([book, 0], [])],
        "digest._ONE_PAGE": [{"book": book, **window, "offset": n, "size": 7} for n in (0, 7)],
        "digest._FIRST_PAGES": [{"books": b, **window, "size": 7} for b in ([book], [])],
        "picker._SAME_PAYEE": [{"book_id": book, "payee": d["payee"], "size": 5}],
        "picker._MOST_USED": [{"book_id": book, "size": 5}],
        "picker._ACCOUNTS": [
            {"book_id": book, "ids": i, "code": "512"} for i in [d["accounts"], []]
        ],
    }
    posted = dict(book_id=book, entry_date=date(2026, 11, 2), kind=EntryKind.REVERSAL, memo="m",
                  bank_account_id=None, reverses_id=entry, created_at=now)  # fmt: skip
    writes = {
        "repositories._MARK_ACCEPTED": [
            {"line_id": d[n], "account_id": account, "at": now, "auto": True}
            for n in ("waiting", "accepted")  # the second changes nothing
        ],
        "repositories._SET_ENTRY": [{"line_id": d["waiting"], "entry_id": entry}],
        "repositories._INSERT_ENTRY": [posted],
        "repositories._INSERT_ENTRY_LINE": [
            dict(entry_id=entry, ledger_account_id=account, amount_minor=-5, currency="EUR")
        ],
    }
    return reads, writes


async def written(db: Database, prepared: Prepared, params: dict[str, Any], ours: bool) -> Any:
    """A write's result and its table afterwards (ids left out: PostgreSQL's sequences don't
    roll back), in a unit that is never committed."""
    statement: Any = prepared.statement
    table, returning = statement.table, len(statement.exported_columns) > 0
    result: Any
    async with db.writing() as uow:
        if ours:
            result = await (uow.run.all if returning else uow.run.write)(prepared, params)
        else:
            executed = await uow.session.execute(statement, params)
            result = executed.all() if returning else executed.rowcount  # type: ignore[attr-defined]
        if returning:
            result = [(row._fields, [type(v) for v in row]) for row in result]
        kept = [c for c in table.c if c.name != "id"]
        return result, (await uow.session.execute(select(*kept).order_by(*kept))).all()


async def test_module_statements_return_what_sqlalchemy_returns(
    db: Database, demo: dict[str, Any], clock: FixedClock
) -> None:
    found = module_statements()
    reads, writes = demo_params(demo, clock.now())
    assert sorted(found) == sorted(reads | writes), "a Prepared statement needs params here"
    async with db.reading() as uow:
        for name, cases in reads.items():
            rows = 0
            for params in cases:
                ours = await uow.run.all(found[name], params)
                theirs = (await uow.session.execute(found[name].statement, params)).all()
                assert typed(ours) == typed(theirs), (name, params)
                rows += len(ours)
            assert rows, f"{name} found nothing: the comparison would prove little"
    for name, cases in writes.items():
        for params in cases:
            mine = await written(db, found[name], params, ours=True)
            assert mine == await written(db, found[name], params, ours=False), (name, params)


class Colour(enum.Enum):
    RED = "r"
    BLUE = "b"


METADATA = sa.MetaData()
THINGS = sa.Table(
    "prepared_things",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(20), nullable=False, unique=True),
    sa.Column("colour", sa.Enum(Colour, native_enum=False, length=8), nullable=False),
    sa.Column("day", sa.Date),
    sa.Column("at", UtcDateTime),
    sa.Column("stamp", sa.DateTime(timezone=True)),
    sa.Column("flag", sa.Boolean, nullable=False),
    sa.Column("note", sa.String(20)),
)
T = THINGS.c
NOON = datetime(2026, 3, 4, 12, 30, 15, 250, tzinfo=UTC)
INSERT = Prepared(insert(THINGS).values({c.name: bindparam(c.name) for c in T if c.name != "id"}))
COUNT = Prepared(select(func.count()).select_from(THINGS))
NAMES = Prepared(select(T.name).order_by(T.name))


def thing(
    name: str, colour: Colour = Colour.RED, flag: bool | None = True, **more: Any
) -> dict[str, Any]:
    return {"name": name, "colour": colour, "day": None, "at": None, "stamp": None,
            "flag": flag, "note": None, **more}  # fmt: skip


@pytest.fixture
async def things(db: Database) -> Database:
    async with db.engine.begin() as conn:
        await conn.run_sync(METADATA.create_all)
        await conn.execute(insert(THINGS), [
            thing("a", day=date(2026, 1, 2), at=NOON, stamp=NOON, note="first"),
            thing("b", Colour.BLUE, flag=False, day=date(2026, 2, 3), at=NOON + timedelta(days=40)),
            thing("c", Colour.BLUE, note="third"),
        ])  # fmt: skip
    return db


async def committed(db: Database) -> list[tuple[str, bool]]:
    """Read through another engine: a write left in an open transaction would still show
    on the unit's own connection."""
    other = make_engine(db.engine.url.render_as_string(hide_password=False))
    try:
        async with other.connect() as conn:
            rows = (await conn.execute(select(T.name, T.flag).order_by(T.name))).all()
            return [(row.name, row.flag) for row in rows]
    finally:
        await other.dispose()


async def test_results_are_typed_like_sqlalchemy(things: Database) -> None:
    every = Prepared(select(THINGS, T.name.label("again")).order_by(T.id))
    async with things.reading() as uow:
        ours = await uow.run.all(every, {})
        assert typed(ours) == typed((await uow.session.execute(every.statement)).all())
        assert await uow.run.scalar(NAMES, {}) == "a"
        assert await uow.run.first(Prepared(select(T.id).where(T.name == "z")), {}) is None
    a, b, _ = ours
    assert type(a.day) is date and a.at == NOON and a.at.tzinfo is not None
    assert (a.colour, b.colour, a.flag, b.flag, b.note, a.again) == (
        Colour.RED, Colour.BLUE, True, False, None, "a")  # fmt: skip


CS: Any = bindparam("cs", expanding=True)
DS: Any = bindparam("ds", expanding=True)
NS: Any = bindparam("ns", expanding=True)


@pytest.mark.parametrize(
    ("where", "params", "expected"),
    [
        (T.colour == Colour.BLUE, {}, ["b", "c"]),
        (T.day >= date(2026, 2, 1), {}, ["b"]),
        (T.at < NOON + timedelta(days=1), {}, ["a"]),
        (T.flag == bindparam("flag", False), {}, ["b"]),
        (T.flag == bindparam("flag", False), {"flag": True}, ["a", "c"]),
        (T.colour == Colour.RED, {"colour_1": Colour.BLUE}, ["b", "c"]),
        (T.colour.in_(CS), {"cs": [Colour.RED, Colour.BLUE]}, ["a", "b", "c"]),
        (T.colour.in_(CS), {"cs": [Colour.BLUE]}, ["b", "c"]),
        (T.colour.in_(CS), {"cs": []}, []),
        (T.colour.not_in(CS), {"cs": []}, ["a", "b", "c"]),
        (T.day.in_(DS) | T.name.in_(NS), {"ds": [date(2026, 1, 2)], "ns": ["c", "z"]}, ["a", "c"]),
    ],
)
async def test_literals_parameters_and_lists_bind_as_in_sqlalchemy(
    things: Database, where: Any, params: dict[str, Any], expected: list[str]
) -> None:
    """Literals go through the column's processor; a parameter under a literal's name
    replaces it; an expanding list becomes one placeholder per item, or none."""
    query = Prepared(select(T.name).where(where).order_by(T.name))
    async with things.reading() as uow:
        assert await uow.run.scalars(query, params) == expected
        assert list((await uow.session.scalars(query.statement, params)).all()) == expected


async def test_a_list_written_in_the_statement_binds_like_sqlalchemy(things: Database) -> None:
    query = Prepared(select(T.name).where(T.colour.in_([Colour.BLUE])).order_by(T.name))
    async with things.reading() as uow:
        assert await uow.run.scalars(query, {}) == ["b", "c"]


FLIP = Prepared(update(THINGS).where(T.name == bindparam("n"), T.flag.is_(True)).values(flag=False))
NOTE_BLUE = Prepared(update(THINGS).where(T.colour == Colour.BLUE).values(note=bindparam("note")))


async def test_writes_count_rows_and_stay_in_the_unit(things: Database) -> None:
    before = await committed(things)
    async with things.writing() as uow:
        assert await uow.run.write(FLIP, {"n": "a"}) == 1
        assert await uow.run.write(FLIP, {"n": "a"}) == 0, "a second, conditional update"
        assert await uow.run.write(NOTE_BLUE, {"note": "x"}) == 2
        await uow.run.write_many(INSERT, [thing("d"), thing("e", flag=False)])
        await uow.run.write_many(INSERT, [])
        assert await uow.run.scalars(NAMES, {}) == list("abcde")
    assert await committed(things) == before, "a unit not committed leaves nothing behind"
    async with things.writing() as uow:
        await uow.run.write(FLIP, {"n": "a"})
        await uow.run.write_many(INSERT, [thing("d")])
        await uow.commit()
    assert await committed(things) == [("a", False), ("b", False), ("c", True), ("d", True)]


async def test_unflushed_orm_changes_are_seen(db: Database) -> None:
    """On every backend: SQLAlchemy itself autoflushes only before ORM statements."""
    query = Prepared(select(repositories.BOOKS.c.id).where(repositories.BOOKS.c.name == "new"))
    async with db.writing() as uow:
        book = Book(name="new", currency="EUR", chart_template="fr_pcg")
        uow.session.add(book)
        found = await uow.run.scalar(query, {})
        assert found is not None and found == book.id


async def test_after_a_commit_statements_run_in_the_new_transaction(things: Database) -> None:
    """Not outside any: SQLite's connection autocommits between the unit's BEGINs."""
    async with things.writing() as uow:
        await uow.run.write(INSERT, thing("d"))
        await uow.commit()
        assert await uow.run.scalar(COUNT, {}) == 4
        await uow.run.write(INSERT, thing("e"))
        await uow.commit()
        await uow.run.write(INSERT, thing("f"))  # never committed
    assert [name for name, _ in await committed(things)] == list("abcde")


@pytest.mark.parametrize("bad", [thing("a"), thing("z", flag=None)], ids=["unique", "not-null"])
async def test_a_violated_constraint_raises_sqlalchemy_integrity_error(
    things: Database, bad: dict[str, Any]
) -> None:
    before = await committed(things)
    with pytest.raises(IntegrityError):
        async with things.writing() as uow:
            assert await uow.run.write(INSERT, thing("d")) == 1
            await uow.run.write(INSERT, bad)
    with pytest.raises(IntegrityError):
        async with things.writing() as uow:
            await uow.run.write_many(INSERT, [thing("e"), bad])
            await uow.commit()
    assert await committed(things) == before


async def test_a_python_side_default_is_refused_on_sqlite(db: Database, backend: str) -> None:
    """Statements skips SQLAlchemy's execution context, which is what fills such defaults."""
    if backend != "sqlite":
        pytest.skip("only SQLite plans its statements")
    partial = Prepared(insert(repositories.ENTRIES).values(book_id=bindparam("b")))
    with pytest.raises(ValueError, match="default"):
        partial.plan(db.engine.dialect)
    async with db.writing() as uow:
        with pytest.raises(ValueError, match="default"):
            await uow.run.write(partial, {"b": 1})
    assert repositories._INSERT_ENTRY.plan(db.engine.dialect).sql.startswith("INSERT")
