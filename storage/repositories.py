"""Queries over the models; they flush when an id is needed but never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import NamedTuple, TypeVar, cast

from sqlalchemy import (
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
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
from storage.prepared import NamedRow, Prepared, Statements

T = TypeVar("T")
_SYNCING = (ConnectionStatus.ACTIVE, ConnectionStatus.ERROR)

# Tables for the button-press path. A Core statement on plain table columns, built once,
# costs a fifth of an ORM one (no ORM compile state, no entity loading): a press makes
# about ten of them.
LINES = cast(Table, BankTransaction.__table__)
ACCOUNTS = cast(Table, LedgerAccount.__table__)
BANK_ACCOUNTS = cast(Table, BankAccount.__table__)
ENTRIES = cast(Table, JournalEntry.__table__)
ENTRY_LINES = cast(Table, JournalLine.__table__)
USERS = cast(Table, User.__table__)
MEMBERS = cast(Table, BookMember.__table__)
BOOKS = cast(Table, Book.__table__)


class BookRef(NamedTuple):
    id: int
    chart_template: str


_BOOK_OF_USER = Prepared(
    select(BOOKS.c.id, BOOKS.c.chart_template)
    .join(MEMBERS, MEMBERS.c.book_id == BOOKS.c.id)
    .join(USERS, USERS.c.id == MEMBERS.c.user_id)
    .where(USERS.c.telegram_id == bindparam("telegram_id"))
    .order_by(BOOKS.c.id)
    .limit(1)
)
LINE_VIEW_COLUMNS = (
    LINES.c.id,
    LINES.c.book_id,
    LINES.c.booking_date,
    LINES.c.amount_minor,
    LINES.c.currency,
    LINES.c.payee,
    LINES.c.raw_label,
    LINES.c.pending,
    LINES.c.review_state,
    LINES.c.suggestion_source,
    LINES.c.auto_accepted,
    ACCOUNTS.c.id.label("account_id"),
    ACCOUNTS.c.code.label("account_code"),
    ACCOUNTS.c.name.label("account_name"),
    ACCOUNTS.c.kind.label("account_kind"),
)
"""A digest line as plain columns, with its suggested account (outer-joined)."""
_LINE_TO_DECIDE = Prepared(
    select(
        *LINE_VIEW_COLUMNS,
        LINES.c.suggested_account_id,
        BANK_ACCOUNTS.c.ledger_account_id.label("bank_ledger_id"),
        BOOKS.c.chart_template,
    )
    .join(BANK_ACCOUNTS, BANK_ACCOUNTS.c.id == LINES.c.bank_account_id)
    .join(BOOKS, BOOKS.c.id == LINES.c.book_id)
    .join(MEMBERS, MEMBERS.c.book_id == LINES.c.book_id)
    .join(USERS, USERS.c.id == MEMBERS.c.user_id)
    .outerjoin(ACCOUNTS, ACCOUNTS.c.id == LINES.c.suggested_account_id)
    .where(USERS.c.telegram_id == bindparam("telegram_id"), LINES.c.id == bindparam("line_id"))
)
_MARK_ACCEPTED = Prepared(
    update(LINES)
    .where(
        LINES.c.id == bindparam("line_id"),
        LINES.c.review_state == ReviewState.TO_REVIEW,
    )
    .values(
        review_state=ReviewState.ACCEPTED,
        suggested_account_id=bindparam("account_id"),
        reviewed_at=bindparam("at"),
        auto_accepted=bindparam("auto"),
    )
)
_SET_ENTRY = Prepared(
    update(LINES)
    .where(LINES.c.id == bindparam("line_id"))
    .values(journal_entry_id=bindparam("entry_id"))
)
_NEXT_NUMBER = (
    select(func.coalesce(func.max(ENTRIES.c.number), 0) + 1)
    .where(ENTRIES.c.book_id == bindparam("book_id"))
    .scalar_subquery()
)
_INSERT_ENTRY = Prepared(
    insert(ENTRIES)
    .values(
        book_id=bindparam("book_id"),
        number=_NEXT_NUMBER,
        entry_date=bindparam("entry_date"),
        kind=bindparam("kind"),
        memo=bindparam("memo"),
        bank_account_id=bindparam("bank_account_id"),
        reverses_id=bindparam("reverses_id"),
        created_at=bindparam("created_at"),
    )
    .returning(ENTRIES.c.id)
)
_ACCOUNT_VIEW = Prepared(
    select(ACCOUNTS.c.id, ACCOUNTS.c.code, ACCOUNTS.c.name, ACCOUNTS.c.kind).where(
        ACCOUNTS.c.book_id == bindparam("book_id"), ACCOUNTS.c.id == bindparam("account_id")
    )
)
_INSERT_ENTRY_LINE = Prepared(
    insert(ENTRY_LINES).values(
        entry_id=bindparam("entry_id"),
        ledger_account_id=bindparam("ledger_account_id"),
        amount_minor=bindparam("amount_minor"),
        currency=bindparam("currency"),
    )
)
_LOCK_BOOK = Prepared(
    select(BOOKS.c.id).where(BOOKS.c.id == bindparam("book_id")).with_for_update()
)


class _Repository:
    def __init__(self, run: Statements) -> None:
        self.run = run

    @property
    def session(self) -> AsyncSession:
        """The unit of work's session (on SQLite, opened at the first ORM query)."""
        return self.run.session

    async def _first(self, query: Select[tuple[T]]) -> T | None:
        return (await self.session.scalars(query)).first()


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
        found = await self.run.first(_BOOK_OF_USER, {"telegram_id": telegram_id})
        return BookRef(int(found[0]), str(found[1])) if found is not None else None

    async def is_member(self, user_id: int, book_id: int) -> bool:
        found = await self.session.scalar(
            select(BookMember.user_id).where(
                BookMember.user_id == user_id, BookMember.book_id == book_id
            )
        )
        return found is not None

    async def lock(self, book_id: int) -> None:
        """Serialise the writers of one book (entry numbers); on SQLite BEGIN IMMEDIATE does."""
        if not self.run.on_sqlite:
            await self.run.all(_LOCK_BOOK, {"book_id": book_id})


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

    async def view(self, book_id: int, account_id: int) -> NamedRow | None:
        """(id, code, name, kind) of one account of the book."""
        return await self.run.first(_ACCOUNT_VIEW, {"book_id": book_id, "account_id": account_id})

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
        self.session.add_all(lines)
        await self.session.flush()

    async def decided(self, book_id: int) -> Sequence[tuple[BankTransaction, int]]:
        """Accepted lines with the account they were filed under, oldest first (for memory)."""
        rows = await self.session.execute(
            select(BankTransaction, BankTransaction.suggested_account_id)
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.ACCEPTED,
                BankTransaction.suggested_account_id.is_not(None),
            )
            .order_by(BankTransaction.booking_date, BankTransaction.id)
        )
        return [(line, int(account_id)) for line, account_id in rows.all()]

    async def unpaired_to_review(
        self, book_id: int, since: date, until: date
    ) -> Sequence[BankTransaction]:
        rows = await self.session.scalars(
            select(BankTransaction).where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.TO_REVIEW,
                BankTransaction.transfer_peer_id.is_(None),
                BankTransaction.booking_date >= since,
                BankTransaction.booking_date <= until,
            )
        )
        return rows.all()

    async def mark_accepted(
        self, line_id: int, account_id: int, at: datetime, *, auto: bool = False
    ) -> bool:
        """True for exactly one caller: the update only applies to a line still to review."""
        params = {"line_id": line_id, "account_id": account_id, "at": at, "auto": auto}
        return await self.run.write(_MARK_ACCEPTED, params) == 1

    async def to_decide(self, telegram_id: int, line_id: int) -> NamedRow | None:
        """The line as LINE_VIEW_COLUMNS, with suggested_account_id, its bank's ledger account
        (bank_ledger_id) and its book's chart_template; None unless it is in one of this
        user's books (a forged button finds nothing)."""
        params = {"telegram_id": telegram_id, "line_id": line_id}
        return await self.run.first(_LINE_TO_DECIDE, params)

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

    async def set_entry(self, line_id: int, entry_id: int) -> None:
        await self.run.write(_SET_ENTRY, {"line_id": line_id, "entry_id": entry_id})

    async def get_in_book(self, book_id: int, line_id: int) -> BankTransaction | None:
        return await self._first(
            select(BankTransaction).where(
                BankTransaction.book_id == book_id, BankTransaction.id == line_id
            )
        )

    async def in_window(
        self, bank_account_id: int, since: date, until: date
    ) -> Sequence[BankTransaction]:
        rows = await self.session.scalars(
            select(BankTransaction).where(
                BankTransaction.bank_account_id == bank_account_id,
                BankTransaction.booking_date >= since,
                BankTransaction.booking_date <= until,
            )
        )
        return rows.all()

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
        await Books(self.run).lock(book_id)
        entry_id = await self.run.scalar(
            _INSERT_ENTRY,
            {
                "book_id": book_id,
                "entry_date": draft.entry_date,
                "kind": draft.kind,
                "memo": draft.memo,
                "bank_account_id": draft.bank_account_id,
                "reverses_id": draft.reverses_id,
                "created_at": utcnow(),
            },
        )
        assert entry_id is not None
        await self.run.write_many(
            _INSERT_ENTRY_LINE,
            [
                {
                    "entry_id": entry_id,
                    "ledger_account_id": line.account_id,
                    "amount_minor": line.amount.minor,
                    "currency": line.amount.currency,
                }
                for line in draft.lines
            ],
        )
        return int(entry_id)

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
