"""Users of the bot."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import (
    User,
)
from storage.repositories.base import Repository


class Users(Repository):
    async def by_telegram_id(self, telegram_id: int) -> User | None:
        return await self._first(select(User).where(User.telegram_id == telegram_id))

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def add(self, user: User) -> User:
        self.session.add(user)
        await self.session.flush()
        return user
