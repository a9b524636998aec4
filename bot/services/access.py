"""Who acts, and where a connection's secret is sealed: shared by the use cases."""

from __future__ import annotations

from bot.services.errors import NotFound
from storage.models import Connection, User
from storage.uow import UnitOfWork
from storage.vault import SecretSlot


async def acting_user(uow: UnitOfWork, telegram_id: int) -> User:
    """The user behind a Telegram id; NotFound for one the bot has never met."""
    user = await uow.users.by_telegram_id(telegram_id)
    if user is None:
        raise NotFound("unknown user")
    return user


def secret_slot(connection: Connection) -> SecretSlot:
    """What a connection's sealed secret is bound to: opened anywhere else, it fails."""
    return SecretSlot("connections", "secret_blob", connection.id, connection.book_id)
