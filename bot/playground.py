"""The playground: Pointage, unchanged, against the packaged Bot API server, with the chat
page served on the same port, its own books under data/playground/ and a clock the page
moves on to the next sync or summary."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from bot.app import Running, serve
from bot.config import Settings
from bot.domain.clock import MovableClock
from bot.services.scheduler import (
    SYNC_TZ,
    SYNC_WINDOW_MINUTES,
    SYNC_WINDOW_START,
)
from bot.web.botapi import BotApiServer
from bot.web.playground import ClockTarget, PlaygroundPage

log = logging.getLogger(__name__)

PLAYGROUND_TOKEN = "100000001:PLAYGROUND-local-only"  # noqa: S105 - the local server's own
BOT_USERNAME = "PointagePlaygroundBot"
_WINDOW = timedelta(minutes=SYNC_WINDOW_MINUTES)
SYNC_WINDOW_END = (datetime.combine(date(2000, 1, 1), SYNC_WINDOW_START) + _WINDOW).time()
"""Every connection's nightly slot lies before this (bot.services.scheduler.sync_slot)."""
DEFAULT_SUMMARY = time(8, 0)
WILDCARD_HOSTS = ("0.0.0.0", "::", "")  # noqa: S104


def next_sync_time(now: datetime) -> datetime:
    """The next end of the nightly window, when every connection's slot has come: a
    connection synced earlier the same night waits for the following one."""
    local = now.astimezone(SYNC_TZ)
    moment = datetime.combine(local.date(), SYNC_WINDOW_END, SYNC_TZ)
    if moment <= local:
        moment = datetime.combine(local.date() + timedelta(days=1), SYNC_WINDOW_END, SYNC_TZ)
    return moment.astimezone(now.tzinfo)


class PlaygroundClock:
    """The page's clock control: it moves the bot's clock on, then runs the production job
    that would have run by then, rather than wait for its next tick."""

    def __init__(self, clock: MovableClock) -> None:
        self._clock = clock
        self.bot: Running | None = None

    def now(self) -> datetime:
        return self._clock.now()

    async def move(self, to: ClockTarget) -> datetime:
        if self.bot is None:
            raise RuntimeError("the bot is not running yet")
        now = self._clock.now()
        target = next_sync_time(now) if to == "sync" else await self.next_summary_time(now)
        self._clock.move_to(target)
        await self.bot.run_jobs("sync")
        if to == "summary":
            await self.bot.run_jobs("digest")
        return self._clock.now()

    async def next_summary_time(self, now: datetime) -> datetime:
        """The first user's daily summary time after now (08:00 in Paris when none is known)."""
        assert self.bot is not None
        found = await self.bot.scheduler.next_digest_after(now)
        if found is not None:
            return found
        local = now.astimezone(SYNC_TZ)
        moment = datetime.combine(local.date(), DEFAULT_SUMMARY, SYNC_TZ)
        return (moment if moment > now else moment + timedelta(days=1)).astimezone(now.tzinfo)


def page_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in WILDCARD_HOSTS else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def listening_note(host: str) -> str:
    if host in ("127.0.0.1", "localhost", "::1"):
        return f"listening on {host} only"
    return f"listening on {host or 'every address'}: anyone who reaches it acts as any user"


async def run_playground(
    settings: Settings,
    stop: asyncio.Event,
    *,
    address: tuple[str, int] | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the page and the Bot API on `address` (LISTEN, else 127.0.0.1:8080), run the
    bot against them by long polling until `stop` is set; `ready` gets the page's URL."""
    host, port = address or settings.playground_address
    server = BotApiServer(PLAYGROUND_TOKEN, bot_username=BOT_USERNAME)
    clock = MovableClock()
    control = PlaygroundClock(clock)
    page = PlaygroundPage(server, control)
    await server.start(host, port, routes=page.add_to)
    try:
        bound = int(server.url.rsplit(":", 1)[1])
        url = page_url(host, bound)
        bot_settings = settings.for_playground(url, PLAYGROUND_TOKEN)
        bot_settings.data_dir.mkdir(parents=True, exist_ok=True)

        async def started(bot: Running) -> None:
            control.bot = bot
            await server.wait_until_ready()
            if ready is not None:
                ready(url)

        await serve(bot_settings, stop, clock=clock, started=started)
    finally:
        page.close()
        await server.stop()
