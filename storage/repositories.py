"""Queries over the models; they flush when an id is needed but never commit."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Executable, Select, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import AccountKind
from bot.domain import ConnectionStatus, EntryKind, ReviewState
from bot.ledger import EntryDraft
from storage.models import (
    BankAccount,
    BankRequest,
    BankTransaction,
    Book,
    BookMember,
    Connection,
    DigestRun,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    PtbState,
    Rule,
    SyncRun,
    User,
    utcnow,
)

T = TypeVar("T")
_SYNCING = (ConnectionStatus.ACTIVE, ConnectionStatus.ERROR)


class BookRef(NamedTuple):
    id: int
    chart_template: str


class AccountRow(NamedTuple):
    id: int
    code: str
    name: str
    kind: AccountKind


class LineRow(NamedTuple):
    """A digest line as plain columns, with its suggested account (outer-joined)."""

    id: int
    book_id: int
    booking_date: date
    amount_minor: int
    currency: str
    payee: str
    raw_label: str
    pending: bool
    review_state: ReviewState
    suggestion_source: str | None
    auto_accepted: bool
    account_id: int | None
    account_code: str | None
    account_name: str | None
    account_kind: AccountKind | None


class DecidedLine(NamedTuple):
    """An accepted line's facts and the account it was filed under."""

    raw_label: str
    payee: str
    amount_minor: int
    currency: str
    booking_date: date
    bank_account_id: int
    account_id: int


class LineToDecide(NamedTuple):
    """A pressed line: what accepting it needs, and its book."""

    line: LineRow
    suggested_account_id: int | None
    bank_ledger_id: int
    chart_template: str


_line = BankTransaction
LINE_COLUMNS = (
    _line.id,
    _line.book_id,
    _line.booking_date,
    _line.amount_minor,
    _line.currency,
    _line.payee,
    _line.raw_label,
    _line.pending,
    _line.review_state,
    _line.suggestion_source,
    _line.auto_accepted,
    LedgerAccount.id.label("account_id"),
    LedgerAccount.code.label("account_code"),
    LedgerAccount.name.label("account_name"),
    LedgerAccount.kind.label("account_kind"),
)
"""The columns of a LineRow, in its order; the query outer-joins LedgerAccount."""


CHUNK = 500
"""Ids per IN (...) list: well under SQLite's and asyncpg's parameter limits."""
FLUSH_CHUNK = 200
"""New rows per flush when adding many."""
PARTITION = 250
"""Rows loaded at a time by queries that may return thousands."""


def line_rows(rows: Iterable[Sequence[Any]]) -> list[LineRow]:
    return [LineRow._make(row) for row in rows]


_TO_DECIDE = (
    select(
        *LINE_COLUMNS,
        BankTransaction.suggested_account_id,
        BankAccount.ledger_account_id,
        Book.chart_template,
    )
    .join(BankAccount, BankAccount.id == BankTransaction.bank_account_id)
    .join(Book, Book.id == BankTransaction.book_id)
    .outerjoin(LedgerAccount, LedgerAccount.id == BankTransaction.suggested_account_id)
)


def _to_decide(rows: Iterable[Sequence[Any]]) -> list[LineToDecide]:
    width = len(LINE_COLUMNS)
    return [
        LineToDecide(LineRow._make(row[:width]), row[width], row[width + 1], row[width + 2])
        for row in rows
    ]


class _Repository:
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


class Users(_Repository):
    async def by_telegram_id(self, telegram_id: int) -> User | None:
        return await self._first(select(User).where(User.telegram_id == telegram_id))

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user


class Books(_Repository):
    async def add(self, book: Book, owner: User) -> Book:
        self.session.add(book)
        await self.session.flush()
        self.session.add(BookMember(book_id=book.id, user_id=owner.id))
        await self.session.flush()
        return book

    async def first_for(self, user_id: int) -> Book:
        book = await self.session.scalar(
            select(Book)
            .join(BookMember, BookMember.book_id == Book.id)
            .where(BookMember.user_id == user_id)
            .order_by(Book.id)
            .limit(1)
        )
        if book is None:
            raise LookupError(f"user {user_id} has no book")
        return book

    async def of_telegram_user(self, telegram_id: int) -> BookRef | None:
        found = (
            await self.session.execute(
                select(Book.id, Book.chart_template)
                .join(BookMember, BookMember.book_id == Book.id)
                .join(User, User.id == BookMember.user_id)
                .where(User.telegram_id == telegram_id)
                .order_by(Book.id)
                .limit(1)
            )
        ).first()
        return BookRef(found.id, found.chart_template) if found is not None else None

    async def is_member(self, user_id: int, book_id: int) -> bool:
        found = await self.session.scalar(
            select(BookMember.user_id).where(
                BookMember.user_id == user_id, BookMember.book_id == book_id
            )
        )
        return found is not None

    async def lock(self, book_id: int) -> None:
        """Serialise the writers of one book (entry numbers); on SQLite BEGIN IMMEDIATE does."""
        if self.session.get_bind().dialect.name != "sqlite":
            await self.session.execute(
                select(Book.id).where(Book.id == book_id).with_for_update()
            )


class LedgerAccounts(_Repository):
    async def add(self, account: LedgerAccount) -> LedgerAccount:
        self.session.add(account)
        await self.session.flush()
        return account

    async def add_all(self, accounts: Iterable[LedgerAccount]) -> None:
        self.session.add_all(list(accounts))
        await self.session.flush()

    async def of_kinds(self, book_id: int, kinds: Iterable[AccountKind]) -> Sequence[LedgerAccount]:
        rows = await self.session.scalars(
            select(LedgerAccount)
            .where(LedgerAccount.book_id == book_id, LedgerAccount.kind.in_(list(kinds)))
            .order_by(LedgerAccount.code)
        )
        return rows.all()

    async def in_book(self, book_id: int, account_id: int) -> LedgerAccount | None:
        return await self._first(
            select(LedgerAccount).where(
                LedgerAccount.book_id == book_id, LedgerAccount.id == account_id
            )
        )

    async def view(self, book_id: int, account_id: int) -> AccountRow | None:
        """One account of the book, as plain values."""
        found = (
            await self.session.execute(
                select(
                    LedgerAccount.id, LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind
                ).where(LedgerAccount.book_id == book_id, LedgerAccount.id == account_id)
            )
        ).first()
        return AccountRow._make(found) if found is not None else None

    async def by_code(self, book_id: int, code: str) -> LedgerAccount | None:
        return await self._first(
            select(LedgerAccount).where(
                LedgerAccount.book_id == book_id, LedgerAccount.code == code
            )
        )

    async def all_of(self, book_id: int) -> Sequence[LedgerAccount]:
        rows = await self.session.scalars(
            select(LedgerAccount)
            .where(LedgerAccount.book_id == book_id)
            .order_by(LedgerAccount.code)
        )
        return rows.all()

    async def codes(self, book_id: int) -> set[str]:
        rows = await self.session.scalars(
            select(LedgerAccount.code).where(LedgerAccount.book_id == book_id)
        )
        return set(rows.all())


class Connections(_Repository):
    async def add(self, connection: Connection) -> Connection:
        self.session.add(connection)
        await self.session.flush()
        return connection

    async def get(self, connection_id: int) -> Connection | None:
        return await self.session.get(Connection, connection_id)

    async def of_member(self, user_id: int) -> Sequence[Connection]:
        """Connections of every book the user is a member of, oldest first."""
        rows = await self.session.scalars(
            select(Connection)
            .join(BookMember, BookMember.book_id == Connection.book_id)
            .where(BookMember.user_id == user_id)
            .order_by(Connection.id)
        )
        return rows.all()

    async def awaiting_attention(
        self, failing_before: datetime
    ) -> Sequence[tuple[Connection, User]]:
        """Connections the user was not told about yet: sign-in refused, or failing for long."""
        rows = await self.session.execute(
            select(Connection, User)
            .join(User, User.id == Connection.user_id)
            .where(
                Connection.attention_sent_at.is_(None),
                or_(
                    Connection.status == ConnectionStatus.NEEDS_REAUTH,
                    and_(
                        Connection.status.in_(_SYNCING),
                        Connection.failing_since.is_not(None),
                        Connection.failing_since <= failing_before,
                    ),
                ),
            )
            .order_by(Connection.id)
        )
        return [(connection, user) for connection, user in rows.tuples().all()]

    async def consent_expiring(self, first: date, last: date) -> Sequence[tuple[Connection, User]]:
        """Syncing connections whose consent ends between `first` and `last`, not reminded yet."""
        rows = await self.session.execute(
            select(Connection, User)
            .join(User, User.id == Connection.user_id)
            .where(
                Connection.expiry_reminded_at.is_(None),
                Connection.status.in_(_SYNCING),
                Connection.consent_expires.is_not(None),
                Connection.consent_expires >= first,
                Connection.consent_expires <= last,
            )
            .order_by(Connection.id)
        )
        return [(connection, user) for connection, user in rows.tuples().all()]

    async def claim_attention(self, connection_id: int, at: datetime) -> bool:
        """True for one caller only: the "needs your attention" message is sent once."""
        result = await self.session.execute(
            update(Connection)
            .where(Connection.id == connection_id, Connection.attention_sent_at.is_(None))
            .values(attention_sent_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def claim_expiry_reminder(self, connection_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            update(Connection)
            .where(Connection.id == connection_id, Connection.expiry_reminded_at.is_(None))
            .values(expiry_reminded_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def release_claims(self, connection_id: int, at: datetime) -> None:
        """Undo the claims made at `at` (the message could not be sent; try again later)."""
        for column in (Connection.attention_sent_at, Connection.expiry_reminded_at):
            await self.session.execute(
                update(Connection)
                .where(Connection.id == connection_id, column == at)
                .values({column.key: None})
                .execution_options(synchronize_session=False)
            )


class BankAccounts(_Repository):
    async def add(self, account: BankAccount) -> BankAccount:
        self.session.add(account)
        await self.session.flush()
        return account

    async def find(self, book_id: int, institution_id: str, external_id: str) -> BankAccount | None:
        return await self._first(
            select(BankAccount).where(
                BankAccount.book_id == book_id,
                BankAccount.institution_id == institution_id,
                BankAccount.external_id == external_id,
            )
        )

    async def of_connection(self, connection_id: int) -> Sequence[BankAccount]:
        rows = await self.session.scalars(
            select(BankAccount)
            .where(BankAccount.connection_id == connection_id)
            .order_by(BankAccount.id)
        )
        return rows.all()

    async def of_books(self, book_ids: Sequence[int]) -> Sequence[BankAccount]:
        rows = await self.session.scalars(
            select(BankAccount)
            .where(BankAccount.book_id.in_(list(book_ids)))
            .order_by(BankAccount.id)
        )
        return rows.all()

    async def ledger_ids(self, book_id: int) -> dict[int, int]:
        """The ledger account each bank account of the book feeds."""
        rows = await self.session.execute(
            select(BankAccount.id, BankAccount.ledger_account_id).where(
                BankAccount.book_id == book_id
            )
        )
        return {bank: ledger for bank, ledger in rows.tuples()}

    async def set_connected(self, connection_id: int, connected: bool) -> None:
        await self.session.execute(
            update(BankAccount)
            .where(BankAccount.connection_id == connection_id)
            .values(connected=connected)
            .execution_options(synchronize_session=False)
        )


class BankLines(_Repository):
    async def known_external_ids(
        self, bank_account_id: int, external_ids: Iterable[str]
    ) -> set[str]:
        wanted = list(external_ids)
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            rows = await self.session.scalars(
                select(BankTransaction.external_id).where(
                    BankTransaction.bank_account_id == bank_account_id,
                    BankTransaction.external_id.in_(wanted[start : start + 500]),
                )
            )
            known.update(rows.all())
        return known

    async def add_all(self, lines: Sequence[BankTransaction]) -> None:
        """Flushed a chunk at a time: a flush's Python side runs in the event loop."""
        for start in range(0, len(lines), FLUSH_CHUNK):
            if start:
                await asyncio.sleep(0)
            self.session.add_all(lines[start : start + FLUSH_CHUNK])
            await self.session.flush()

    async def decided(self, book_id: int) -> list[DecidedLine]:
        """Accepted lines with the account they were filed under, oldest first (for memory)."""
        result = await self.session.stream(
            select(
                BankTransaction.raw_label,
                BankTransaction.payee,
                BankTransaction.amount_minor,
                BankTransaction.currency,
                BankTransaction.booking_date,
                BankTransaction.bank_account_id,
                BankTransaction.suggested_account_id,
            )
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.ACCEPTED,
                BankTransaction.suggested_account_id.is_not(None),
            )
            .order_by(BankTransaction.booking_date, BankTransaction.id)
            .execution_options(yield_per=PARTITION)
        )
        found: list[DecidedLine] = []
        async for partition in result.partitions():
            found.extend(DecidedLine._make(row) for row in partition)
        return found

    async def unpaired_to_review(
        self, book_id: int, since: date, until: date
    ) -> Sequence[BankTransaction]:
        return await self._many(
            select(BankTransaction).where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.TO_REVIEW,
                BankTransaction.transfer_peer_id.is_(None),
                BankTransaction.booking_date >= since,
                BankTransaction.booking_date <= until,
            )
        )

    async def mark_all_accepted(
        self, line_ids: Sequence[int], account_id: int, at: datetime, *, auto: bool = False
    ) -> set[int]:
        """The ids of those lines that were still to review, now accepted under the account:
        the update is conditional, so each line is accepted by one caller only."""
        changed: set[int] = set()
        for start in range(0, len(line_ids), CHUNK):
            found = await self.session.scalars(
                update(BankTransaction)
                .where(
                    BankTransaction.id.in_(line_ids[start : start + CHUNK]),
                    BankTransaction.review_state == ReviewState.TO_REVIEW,
                )
                .values(
                    review_state=ReviewState.ACCEPTED,
                    suggested_account_id=account_id,
                    reviewed_at=at,
                    auto_accepted=auto,
                )
                .returning(BankTransaction.id)
            )
            changed.update(found.all())
        return changed

    async def to_decide(self, telegram_id: int, line_id: int) -> LineToDecide | None:
        """The line with what accepting it needs; None unless it is in one of this user's
        books (a forged button finds nothing)."""
        found = await self.session.execute(
            _TO_DECIDE.join(BookMember, BookMember.book_id == BankTransaction.book_id)
            .join(User, User.id == BookMember.user_id)
            .where(User.telegram_id == telegram_id, BankTransaction.id == line_id)
        )
        rows = _to_decide(found)
        return rows[0] if rows else None

    async def to_decide_many(self, book_id: int, line_ids: Sequence[int]) -> list[LineToDecide]:
        """Those of the lines that are in the book, in the order asked."""
        found = await self.session.execute(
            _TO_DECIDE.where(
                BankTransaction.book_id == book_id, BankTransaction.id.in_(list(line_ids))
            )
        )
        by_id = {row.line.id: row for row in _to_decide(found)}
        return [by_id[line_id] for line_id in line_ids if line_id in by_id]

    async def mark_excluded(self, line_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            update(BankTransaction)
            .where(
                BankTransaction.id == line_id,
                BankTransaction.review_state == ReviewState.TO_REVIEW,
            )
            .values(review_state=ReviewState.EXCLUDED, reviewed_at=at, auto_accepted=False)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def reopen(self, line_id: int, from_state: ReviewState) -> bool:
        result = await self.session.execute(
            update(BankTransaction)
            .where(BankTransaction.id == line_id, BankTransaction.review_state == from_state)
            .values(
                review_state=ReviewState.TO_REVIEW,
                journal_entry_id=None,
                reviewed_at=None,
                auto_accepted=False,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def set_entries(self, entries: Mapping[int, int]) -> None:
        """Each line's journal entry, by line id, in one statement (executemany)."""
        if entries:
            await self.session.execute(
                update(BankTransaction),
                [{"id": line, "journal_entry_id": entry} for line, entry in entries.items()],
            )

    async def get_in_book(self, book_id: int, line_id: int) -> BankTransaction | None:
        return await self._first(
            select(BankTransaction).where(
                BankTransaction.book_id == book_id, BankTransaction.id == line_id
            )
        )

    async def in_window(
        self, bank_account_id: int, since: date, until: date
    ) -> Sequence[BankTransaction]:
        return await self._many(
            select(BankTransaction).where(
                BankTransaction.bank_account_id == bank_account_id,
                BankTransaction.booking_date >= since,
                BankTransaction.booking_date <= until,
            )
        )

    async def by_fingerprints(
        self, bank_account_id: int, fingerprints: Iterable[str]
    ) -> dict[str, BankTransaction]:
        wanted = list(fingerprints)
        found: dict[str, BankTransaction] = {}
        for start in range(0, len(wanted), 500):
            rows = await self.session.scalars(
                select(BankTransaction).where(
                    BankTransaction.bank_account_id == bank_account_id,
                    BankTransaction.fingerprint.in_(wanted[start : start + 500]),
                )
            )
            found.update((row.fingerprint, row) for row in rows.all())
        return found

    async def booked_total_since(self, bank_account_id: int, since: date) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(BankTransaction.amount_minor), 0)).where(
                BankTransaction.bank_account_id == bank_account_id,
                BankTransaction.pending.is_(False),
                BankTransaction.review_state != ReviewState.SUPERSEDED,
                BankTransaction.booking_date >= since,
            )
        )
        return int(total or 0)

    async def count(self, bank_account_id: int, *, pending: bool | None = None) -> int:
        query = select(func.count()).where(BankTransaction.bank_account_id == bank_account_id)
        if pending is not None:
            query = query.where(BankTransaction.pending.is_(pending))
        return int(await self.session.scalar(query) or 0)

    async def date_range(self, bank_account_id: int) -> tuple[date | None, date | None]:
        row = (
            await self.session.execute(
                select(
                    func.min(BankTransaction.booking_date), func.max(BankTransaction.booking_date)
                ).where(BankTransaction.bank_account_id == bank_account_id)
            )
        ).one()
        return row[0], row[1]

    async def count_to_review(self, bank_account_ids: Sequence[int]) -> int:
        total = await self.session.scalar(
            select(func.count()).where(
                BankTransaction.bank_account_id.in_(list(bank_account_ids)),
                BankTransaction.review_state == ReviewState.TO_REVIEW,
            )
        )
        return int(total or 0)


class Journal(_Repository):
    async def post(self, book_id: int, draft: EntryDraft) -> int:
        """Insert a balanced entry with the next number of its book; returns its id."""
        return (await self.post_all(book_id, [draft]))[0]

    async def post_all(self, book_id: int, drafts: Sequence[EntryDraft]) -> list[int]:
        """Insert balanced entries numbered in sequence in their book; their ids, in order."""
        await Books(self.session).lock(book_id)
        created = utcnow()
        rows = [
            {
                "book_id": book_id,
                "entry_date": draft.entry_date,
                "kind": draft.kind,
                "memo": draft.memo,
                "bank_account_id": draft.bank_account_id,
                "reverses_id": draft.reverses_id,
                "created_at": created,
            }
            for draft in drafts
        ]
        last_number = (
            select(func.coalesce(func.max(JournalEntry.number), 0))
            .where(JournalEntry.book_id == book_id)
            .scalar_subquery()
        )
        if len(rows) == 1:  # a button press: one statement fewer
            entry_id = await self.session.scalar(
                insert(JournalEntry)
                .values(number=last_number + 1, **rows[0])
                .returning(JournalEntry.id)
            )
            assert entry_id is not None
            entry_ids = [entry_id]
        else:
            last = int(await self.session.scalar(select(last_number)) or 0)
            found = await self.session.scalars(
                insert(JournalEntry).returning(JournalEntry.id, sort_by_parameter_order=True),
                [{**row, "number": last + n} for n, row in enumerate(rows, start=1)],
            )
            entry_ids = list(found.all())
        await self.session.execute(
            insert(JournalLine),
            [
                {
                    "entry_id": entry_id,
                    "ledger_account_id": line.account_id,
                    "amount_minor": line.amount.minor,
                    "currency": line.amount.currency,
                }
                for entry_id, draft in zip(entry_ids, drafts, strict=True)
                for line in draft.lines
            ],
        )
        return entry_ids

    async def live_opening(self, bank_account_id: int) -> JournalEntry | None:
        return await self._first(
            select(JournalEntry).where(
                JournalEntry.bank_account_id == bank_account_id,
                JournalEntry.kind == EntryKind.OPENING,
                JournalEntry.reversed_by_id.is_(None),
            )
        )

    async def lines_of(self, entry_id: int) -> Sequence[JournalLine]:
        rows = await self.session.scalars(
            select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.id)
        )
        return rows.all()

    async def mark_reversed(self, entry_id: int, reversal_id: int) -> bool:
        result = await self.session.execute(
            update(JournalEntry)
            .where(JournalEntry.id == entry_id, JournalEntry.reversed_by_id.is_(None))
            .values(reversed_by_id=reversal_id)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def balance(self, ledger_account_id: int) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(JournalLine.amount_minor), 0)).where(
                JournalLine.ledger_account_id == ledger_account_id
            )
        )
        return int(total or 0)


class Rules(_Repository):
    async def enabled(self, book_id: int) -> Sequence[Rule]:
        rows = await self.session.scalars(
            select(Rule)
            .where(Rule.book_id == book_id, Rule.enabled.is_(True))
            .order_by(Rule.position, Rule.id)
        )
        return rows.all()

    async def all_of(self, book_id: int) -> Sequence[Rule]:
        rows = await self.session.scalars(
            select(Rule).where(Rule.book_id == book_id).order_by(Rule.position, Rule.id)
        )
        return rows.all()

    async def get_in_book(self, book_id: int, rule_id: int) -> Rule | None:
        return await self._first(select(Rule).where(Rule.book_id == book_id, Rule.id == rule_id))

    async def add(self, rule: Rule) -> Rule:
        if not rule.position:
            last = await self.session.scalar(
                select(func.max(Rule.position)).where(Rule.book_id == rule.book_id)
            )
            rule.position = (last or 0) + 1
        self.session.add(rule)
        await self.session.flush()
        return rule

    async def delete(self, rule: Rule) -> None:
        await self.session.delete(rule)
        await self.session.flush()

    async def hits(self, book_id: int) -> dict[int, int]:
        rows = await self.session.execute(
            select(BankTransaction.suggestion_rule_id, func.count())
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.suggestion_rule_id.is_not(None),
            )
            .group_by(BankTransaction.suggestion_rule_id)
        )
        return {int(rule_id): int(count) for rule_id, count in rows.all()}


class SyncRuns(_Repository):
    async def add(self, run: SyncRun) -> SyncRun:
        self.session.add(run)
        await self.session.flush()
        return run


class BankRequests(_Repository):
    async def add(self, request: BankRequest) -> None:
        self.session.add(request)
        await self.session.flush()


class Erasure(_Repository):
    """/deletemydata: the books a user holds alone with everything in them, then the user."""

    async def books_held_alone(self, user_id: int) -> list[int]:
        mine = select(BookMember.book_id).where(BookMember.user_id == user_id)
        rows = await self.session.execute(
            select(BookMember.book_id)
            .where(BookMember.book_id.in_(mine))
            .group_by(BookMember.book_id)
            .having(func.count() == 1)
        )
        return sorted(int(book_id) for (book_id,) in rows.all())

    async def erase_books(self, book_ids: Sequence[int]) -> None:
        """Every row of these books, children first (not every foreign key cascades)."""
        books = list(book_ids)
        if not books:
            return
        entries = select(JournalEntry.id).where(JournalEntry.book_id.in_(books))
        connections = select(Connection.id).where(Connection.book_id.in_(books))
        for statement in (
            delete(BankTransaction).where(BankTransaction.book_id.in_(books)),
            delete(JournalLine).where(JournalLine.entry_id.in_(entries)),
            update(JournalEntry)
            .where(JournalEntry.book_id.in_(books))
            .values(reverses_id=None, reversed_by_id=None),
            delete(JournalEntry).where(JournalEntry.book_id.in_(books)),
            delete(Rule).where(Rule.book_id.in_(books)),
            delete(SyncRun).where(SyncRun.connection_id.in_(connections)),
            delete(BankAccount).where(BankAccount.book_id.in_(books)),
            delete(Connection).where(Connection.book_id.in_(books)),
            delete(LedgerAccount).where(LedgerAccount.book_id.in_(books)),
            delete(BookMember).where(BookMember.book_id.in_(books)),
            delete(Book).where(Book.id.in_(books)),
        ):
            await self.session.execute(statement.execution_options(synchronize_session=False))

    async def erase_user(self, user_id: int) -> None:
        """The user's own rows; their connections in books shared with others go too, the
        bank accounts they fed stay in those books, unlinked."""
        theirs = select(Connection.id).where(Connection.user_id == user_id)
        for statement in (
            update(BankAccount)
            .where(BankAccount.connection_id.in_(theirs))
            .values(connection_id=None, connected=False),
            delete(SyncRun).where(SyncRun.connection_id.in_(theirs)),
            delete(Connection).where(Connection.user_id == user_id),
            delete(BankRequest).where(BankRequest.user_id == user_id),
            delete(DigestRun).where(DigestRun.user_id == user_id),
            delete(BookMember).where(BookMember.user_id == user_id),
            delete(User).where(User.id == user_id),
        ):
            await self.session.execute(statement.execution_options(synchronize_session=False))

    async def erase_bot_state(self, telegram_id: int, chat_id: int) -> int:
        """The user's rows in ptb_state: their conversations, user and chat data, flow records."""
        ids = {str(telegram_id), str(chat_id)}
        rows = await self.session.execute(
            select(PtbState.kind, PtbState.key).where(
                or_(PtbState.key.in_(ids), PtbState.key.contains(str(telegram_id)))
            )
        )
        doomed = [(kind, key) for kind, key in rows.tuples().all() if _names(key, ids)]
        for kind, key in doomed:
            await self.session.execute(
                delete(PtbState).where(PtbState.kind == kind, PtbState.key == key)
            )
        return len(doomed)


def _names(key: str, ids: set[str]) -> bool:
    """Whether a ptb_state key is one of these ids, or a conversation key holding one."""
    if key in ids:
        return True
    if not key.startswith("["):
        return False
    parts = key.strip("[]").split(",")
    return any(part.strip() in ids for part in parts[1:])
