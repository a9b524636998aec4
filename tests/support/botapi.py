"""The Bot API server of the package (bot.web.botapi), with the python-telegram-bot side the
tests add to it: an ``ApplicationBuilder`` or a ``Bot`` pointed at it, and ``running``.

All state lives in the event loop that started the server; use it from that loop only, and
never block it (use ``asyncio.create_subprocess_exec``, not ``subprocess.run``, to drive a bot
in a child process).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from bot.web.botapi import BotApiServer, FakeUser, JSONDict, StoredMessage

__all__ = ["BotApiStandIn", "FakeUser", "JSONDict", "StoredMessage", "running"]

B = TypeVar("B", bound="ApplicationBuilder[Any, Any, Any, Any, Any, Any]")


class BotApiStandIn(BotApiServer):
    """The packaged Bot API server, with the PTB clients a test points at it."""

    def configure(self, builder: B) -> B:
        """Point an ``ApplicationBuilder`` at this server (token and both base URLs)."""
        return (
            builder.token(self.token)
            .base_url(f"{self.url}/bot")
            .base_file_url(f"{self.url}/file/bot")
        )

    def bot(self) -> Bot:
        """A plain ``telegram.Bot`` talking to this server (use ``async with``)."""
        return Bot(self.token, base_url=f"{self.url}/bot", base_file_url=f"{self.url}/file/bot")


@contextlib.asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``app`` with long polling in this event loop for the duration of the block."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
