"""Who acts, on which book and line, and where a connection's secret is sealed: shared by the
use cases."""

from __future__ import annotations

from bot.services.errors import NotFound
from storage.models import BankTransaction, Connection, User
from storage.repositories import BookRef
from storage.uow import UnitOfWork
from storage.vault import SecretSlot


async def acting_user(uow: UnitOfWork, telegram_id: int) -> User:
    """The user behind a Telegram id; NotFound for one the bot has never met."""
    user = await uow.users.by_telegram_id(telegram_id)
    if user is None:
        raise NotFound("unknown user")
    return user


def secret_slot(connection: Connection) -> SecretSlot:
    return SecretSlot.of_connection(connection.id, connection.book_id)


async def book_of(uow: UnitOfWork, telegram_id: int) -> BookRef:
    """The acting user's book; NotFound for a user without one."""
    book = await uow.books.of_telegram_user(telegram_id)
    if book is None:
        raise NotFound("user")
    return book


async def line_of(uow: UnitOfWork, book: BookRef, line_id: int) -> BankTransaction:
    """A line of the book; NotFound for a line that is gone or another book's."""
    line = await uow.lines.get_in_book(book.id, line_id)
    if line is None:
        raise NotFound("line")
    return line
