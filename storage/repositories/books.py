"""Books and their chart of accounts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, select

from bot.charts import AccountKind
from storage.models import (
    BankTransaction,
    Book,
    BookMember,
    Connection,
    LedgerAccount,
    User,
)
from storage.repositories.base import Repository
from storage.repositories.rows import (
    AccountRow,
    BookRef,
)

_BOOK_OF_USER = (
    select(Book.id, Book.chart_template)
    .join(BookMember, BookMember.book_id == Book.id)
    .join(User, User.id == BookMember.user_id)
    .where(User.telegram_id == bindparam("telegram_id"))
    .order_by(Book.id)
    .limit(1)
)
"""Every press that redraws a page starts with it: built once."""


class Books(Repository):
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
        found = (await self.session.execute(_BOOK_OF_USER, {"telegram_id": telegram_id})).first()
        return BookRef(found.id, found.chart_template) if found is not None else None

    async def of_telegram_users(self, telegram_ids: Sequence[int]) -> dict[int, int]:
        """Each user's first book, by Telegram id (a user in several books reviews the first)."""
        rows = await self.session.execute(
            select(User.telegram_id, BookMember.book_id)
            .join(BookMember, BookMember.user_id == User.id)
            .where(User.telegram_id.in_(telegram_ids))
            .order_by(BookMember.book_id.desc())
        )
        return {int(telegram_id): int(book_id) for telegram_id, book_id in rows.all()}

    async def is_member(self, user_id: int, book_id: int) -> bool:
        found = await self.session.scalar(
            select(BookMember.user_id).where(
                BookMember.user_id == user_id, BookMember.book_id == book_id
            )
        )
        return found is not None

    async def empty(self, book_ids: Sequence[int]) -> set[int]:
        """Those of the books that have never had a bank connection (a disconnected one stays)
        and hold no bank line."""
        if not book_ids:
            return set()
        rows = await self.session.scalars(
            select(Book.id).where(
                Book.id.in_(list(book_ids)),
                ~select(Connection.id).where(Connection.book_id == Book.id).exists(),
                ~select(BankTransaction.id).where(BankTransaction.book_id == Book.id).exists(),
            )
        )
        return set(rows.all())

    async def lock(self, book_id: int) -> None:
        """Serialise the writers of one book (entry numbers); on SQLite BEGIN IMMEDIATE does."""
        if self.session.get_bind().dialect.name != "sqlite":
            await self.session.execute(select(Book.id).where(Book.id == book_id).with_for_update())


class LedgerAccounts(Repository):
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

    async def of_ids(self, book_id: int, ids: Iterable[int]) -> Sequence[LedgerAccount]:
        """Only the accounts named, and only if they are the book's."""
        rows = await self.session.scalars(
            select(LedgerAccount).where(
                LedgerAccount.book_id == book_id, LedgerAccount.id.in_(list(ids))
            )
        )
        return rows.all()

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
