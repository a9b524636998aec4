"""The digest's queries, built once: every button press redraws a page with them.

Each walks an index range (lines to review in date order, lines decided since the digest's
anchor), never a book's whole history, so a page costs the same with 20 or 2,000 lines
waiting. Lines imported after the anchor stay off its pages, which therefore don't shift
while the user works through them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Integer,
    ScalarSelect,
    Select,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.states import ReviewState
from storage.models import BankTransaction, LedgerAccount
from storage.repositories.base import PARTITION
from storage.repositories.rows import LINE_COLUMNS, LineRow, line_rows

_line = BankTransaction
_at: BindParameter[Any] = bindparam("at")
_until: BindParameter[Any] = bindparam("until")
_DECIDED = and_(
    _line.reviewed_at >= _at,
    _line.auto_accepted.is_(False),
    or_(
        _line.review_state == ReviewState.ACCEPTED,
        _line.review_state == ReviewState.EXCLUDED,
    ),
)
_AUTOMATIC = and_(_line.auto_accepted.is_(True), _line.review_state == ReviewState.ACCEPTED)


def _newest_first(columns: Any) -> tuple[ColumnElement[Any], ...]:
    """The digest's order: by date, then import time, then id, newest first."""
    return (columns.booking_date.desc(), columns.imported_at.desc(), columns.id.desc())


_ORDER = _newest_first(_line)


class _Statements(NamedTuple):
    counts: CompoundSelect[Any]
    """(kind, book, currency, a, b, c): kind WAITING gives (lines, late) in a and b; kind
    RECENT gives one currency's (decided, automatic, automatic_minor)."""
    shown: CompoundSelect[Any]


WAITING, RECENT = 0, 1


def _statements(in_books: ColumnElement[bool], *, one_book: bool) -> _Statements:
    """The same queries for one book (book_id = :book) or many (IN an expanding list): one
    book is every press, and a plain parameter spares re-rendering the SQL each time."""
    waiting = _waiting_one(in_books) if one_book else _waiting_many(in_books)
    recent = (
        select(
            literal(RECENT, Integer),
            _line.book_id,
            _line.currency,
            func.sum(case((_DECIDED, 1), else_=0)),
            func.sum(case((_AUTOMATIC, 1), else_=0)),
            func.sum(case((_AUTOMATIC, _line.amount_minor), else_=0)),
        )
        .where(
            in_books,
            _line.reviewed_at >= bindparam("since"),
            _line.reviewed_at < _until,
            _line.imported_at < _until,
        )
        .group_by(_line.book_id, _line.currency)
    )
    columns = (_line.id, _line.book_id, _line.booking_date, _line.imported_at)
    shown = union_all(
        select(*columns).where(
            in_books, _line.review_state == ReviewState.TO_REVIEW, _line.imported_at < _until
        ),
        select(*columns).where(in_books, _DECIDED, _line.imported_at < _until),
    )
    return _Statements(union_all(waiting, recent), shown)


_NO_CURRENCY = null().cast(String)
_NO_SUM = null().cast(BigInteger)


def _waiting_one(in_book: ColumnElement[bool]) -> Select[Any]:
    """(book, lines waiting, of those imported after the anchor) as two plain counts:
    SQLite counts an index range fastest when the count is all a query asks for."""

    def count(*imported: ColumnElement[bool]) -> ScalarSelect[Any]:
        return (
            select(func.count())
            .where(in_book, _line.review_state == ReviewState.TO_REVIEW, *imported)
            .scalar_subquery()
        )

    return select(
        literal(WAITING, Integer),
        bindparam("book", type_=Integer),
        _NO_CURRENCY,
        count(),
        count(_line.imported_at >= _until),
        _NO_SUM,
    )


def _waiting_many(in_books: ColumnElement[bool]) -> Select[Any]:
    late = aliased(BankTransaction, name="late")
    imported_after = (
        select(func.count())
        .where(
            late.book_id == _line.book_id,
            late.review_state == ReviewState.TO_REVIEW,
            late.imported_at >= _until,
        )
        .scalar_subquery()
    )
    return (
        select(
            literal(WAITING, Integer),
            _line.book_id,
            _NO_CURRENCY,
            func.count(),
            imported_after,
            _NO_SUM,
        )
        .where(in_books, _line.review_state == ReviewState.TO_REVIEW)
        .group_by(_line.book_id)
    )


def _lines_among(ids: Select[Any]) -> Select[Any]:
    return (
        select(*LINE_COLUMNS)
        .select_from(BankTransaction)
        .outerjoin(LedgerAccount, LedgerAccount.id == _line.suggested_account_id)
        .where(_line.id.in_(ids))
        .order_by(*_ORDER)
    )


_ONE = _statements(_line.book_id == bindparam("book"), one_book=True)
_MANY = _statements(_line.book_id.in_(bindparam("books", expanding=True)), one_book=False)

_ONE_PAGE = _lines_among(
    select(
        _ONE.shown.order_by(*_newest_first(_ONE.shown.selected_columns))
        .limit(bindparam("size"))
        .offset(bindparam("offset"))
        .subquery()
        .c.id
    )
)
_both = _MANY.shown.subquery()
_ranked = select(
    _both.c.id,
    func.row_number()
    .over(
        partition_by=_both.c.book_id,
        order_by=_newest_first(_both.c),
    )
    .label("position"),
).subquery()
_FIRST_PAGES = _lines_among(
    select(_ranked.c.id).where(_ranked.c.position <= bindparam("size"))
).execution_options(yield_per=PARTITION)
"""Streamed: 500 books' first pages are about 3,000 rows, and building them in one piece
would hold the event loop for 100 ms or more."""


def _books(book_ids: Sequence[int]) -> tuple[_Statements, dict[str, Any]]:
    if len(book_ids) == 1:
        return _ONE, {"book": book_ids[0]}
    return _MANY, {"books": list(book_ids)}


class Waiting(NamedTuple):
    lines: int
    late: int
    """Of those, imported after the anchor."""


class Recent(NamedTuple):
    book_id: int
    currency: str
    decided: int
    """Decided by hand since the anchor: still shown on their page, ticked."""
    automatic: int
    automatic_minor: int


class DigestQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def counts(
        self, book_ids: Sequence[int], at: datetime, until: datetime, since: datetime
    ) -> tuple[dict[int, Waiting], list[Recent]]:
        """In one query: per book, the lines waiting as of `until`; per book and currency,
        the lines decided since `at`, and those accepted automatically since `since`."""
        statements, books = _books(book_ids)
        rows = await self.session.execute(
            statements.counts, {**books, "at": at, "until": until, "since": since}
        )
        waiting: dict[int, Waiting] = {}
        recent: list[Recent] = []
        for kind, book, currency, first, second, third in rows:
            if kind == WAITING:
                waiting[int(book)] = Waiting(int(first), int(second or 0))
            else:
                recent.append(
                    Recent(
                        int(book), str(currency), int(first or 0), int(second or 0), int(third or 0)
                    )
                )
        return waiting, recent

    async def page(
        self, book_id: int, at: datetime, until: datetime, offset: int, size: int
    ) -> list[LineRow]:
        """One page of one book, newest first."""
        params = {"book": book_id, "at": at, "until": until, "offset": offset, "size": size}
        return line_rows(await self.session.execute(_ONE_PAGE, params))

    async def first_pages(
        self, book_ids: Sequence[int], at: datetime, until: datetime, size: int
    ) -> AsyncIterator[list[LineRow]]:
        """The first page of many books in one query (the daily digests), newest first,
        handed over PARTITION rows at a time: the event loop runs between partitions."""
        params = {"books": list(book_ids), "at": at, "until": until, "size": size}
        result = await self.session.stream(_FIRST_PAGES, params)
        async for partition in result.partitions():
            yield line_rows(partition)
