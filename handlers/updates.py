"""Users served side by side: each user's updates in the order sent, different users at once."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.services.connect_flow import ConsentReturned
from bot.services.cooperative import FOREGROUND

MAX_CONCURRENT_UPDATES = 256
"""Updates in hand at once, those waiting behind their own user's included (PTB's bound)."""

SHARED = "shared"
"""The one line for updates that name neither a user nor a chat."""


def sender_of(update: object) -> Hashable:
    """Whose line an update waits in: its user, else its chat, else the shared line."""
    if isinstance(update, ConsentReturned):
        return ("user", update.telegram_id)
    if isinstance(update, Update):
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
    return SHARED


class _Line:
    """One sender's lock, and how many of their updates hold it or wait for it."""

    __slots__ = ("holders", "lock")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holders = 0


class SideBySide(BaseUpdateProcessor):
    """One sender's updates one after another, in arrival order; different senders concurrently.

    The conversations and their persistence need only that one user's updates never overlap.
    asyncio.Lock wakes its waiters first come, first served, and PTB starts the updates' tasks
    in the order it received them, so each line keeps the order the user sent. A line is
    dropped once nothing holds or awaits it.
    """

    __slots__ = ("_lines",)

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._lines: dict[Hashable, _Line] = {}

    @property
    def senders_in_hand(self) -> int:
        """Senders with an update running or waiting."""
        return len(self._lines)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = sender_of(update)
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = _Line()
        line.holders += 1
        try:
            async with line.lock:
                with FOREGROUND.serving():
                    await coroutine
        except asyncio.CancelledError:
            if inspect.iscoroutine(coroutine):  # cancelled while waiting: never started
                coroutine.close()
            raise
        finally:
            line.holders -= 1
            if line.holders == 0:
                del self._lines[key]

    async def initialize(self) -> None:
        """Nothing to allocate: a line is made when its sender's first update arrives."""

    async def shutdown(self) -> None:
        """Nothing to free: each line went with its sender's last update, which PTB awaited."""
