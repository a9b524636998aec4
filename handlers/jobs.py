"""Scheduled jobs (PTB JobQueue): nightly syncs and daily summaries, claimed in the database."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, Forbidden
from telegram.ext import Application

from bot.banks.connector import ConnectorError, RateLimited
from handlers import render
from handlers.context import Ctx, runtime, send

log = logging.getLogger(__name__)

TICK_SECONDS = 60
PACE_SECONDS = 0.05
"""Between two summaries: PTB does not pace private chats, and Telegram allows about 30/s."""
RETRY_AFTER_FAILURE = timedelta(hours=1)


async def digest_tick(context: Ctx) -> None:
    """Send the daily summary to every user whose time has come (once per local day)."""
    rt = runtime(context)
    claims = await rt.scheduler.claim_digests()
    views = await rt.review.daily_digests([c.telegram_id for c in claims], rt.review.new_anchor())
    for claim in claims:
        view = views[claim.telegram_id]
        message_id = None
        if view.lines or view.auto_accepted:
            try:
                screen = render.digest(view, claim.language, daily=True)
                message_id = await send(context, claim.chat_id, screen)
            except (Forbidden, BadRequest) as error:
                log.info("summary not sent: %s", error.message)
            await asyncio.sleep(PACE_SECONDS)
        await rt.scheduler.mark_sent(claim.run_id, message_id)


async def sync_tick(context: Ctx) -> None:
    """Run the nightly syncs that are due; each connection is leased so it runs once."""
    rt = runtime(context)
    for connection_id in await rt.scheduler.claim_syncs():
        retry = None
        try:
            await rt.services.sync_connection(connection_id)
        except ConnectorError as error:
            await rt.services.record_sync_error(connection_id, error)
            retry = RETRY_AFTER_FAILURE
            if isinstance(error, RateLimited) and error.retry_at is not None:
                retry = max(error.retry_at - rt.services.clock.now(), timedelta(minutes=1))
        await rt.scheduler.finish_sync(connection_id, retry_in=retry)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the repeating jobs; each reads its work from the database when it runs."""
    if app.job_queue is None:
        return
    app.job_queue.run_repeating(sync_tick, interval=TICK_SECONDS, first=TICK_SECONDS, name="sync")
    app.job_queue.run_repeating(
        digest_tick, interval=TICK_SECONDS, first=TICK_SECONDS, name="digest"
    )
