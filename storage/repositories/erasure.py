"""Erasing a user and the books they hold alone (/erase)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select, update

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
)
from storage.repositories.base import Repository


class Erasure(Repository):
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
