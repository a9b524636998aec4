"""Scheduled jobs (PTB JobQueue): nightly syncs with their health messages, consent
reminders and daily summaries, each claimed in the database; the banks' institution lists
fetched again once a week."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from bot.domain.views import DigestView
from bot.services.institutions import InstitutionLists
from bot.services.notices import NoticeKind
from bot.services.scheduler import DigestClaim
from handlers import render
from handlers.accounts import manager, spawner
from handlers.context import Ctx, runtime, send

log = logging.getLogger(__name__)

TICK_SECONDS = 60
PACE_SECONDS = 0.05
"""Between two summaries: PTB does not pace private chats, and Telegram allows about 30/s."""
REMINDER_SECONDS = 3600
CHECKPOINT_SECONDS = 30
ATTENTION = (NoticeKind.REAUTH, NoticeKind.FAILING)
INSTITUTIONS_SECONDS = 6 * 3600
"""How often the lists are looked at: each is fetched again once a week, and a provider that
failed is asked again within hours rather than a week later."""
INSTITUTIONS_FIRST_SECONDS = 1
"""Right after startup, in the background: a first start has no list yet."""
INSTITUTIONS_JOB = "institutions"


async def digest_tick(context: Ctx) -> None:
    """Send the daily summary to every user whose time has come (once per local day), a
    chunk of users at a time: each chunk's summaries are sent, then dropped."""
    rt = runtime(context)
    claims: dict[int, list[DigestClaim]] = {}
    for claim in await rt.scheduler.claim_digests():
        claims.setdefault(claim.telegram_id, []).append(claim)
    async for chunk in rt.review.daily_digests(list(claims), rt.review.new_anchor()):
        for telegram_id, view in chunk:
            for claim in claims.pop(telegram_id):
                await send_digest(context, claim, view)
    for left in claims.values():  # no book: nothing to summarise
        for claim in left:
            await rt.scheduler.mark_sent(claim.run_id, None)


async def send_digest(context: Ctx, claim: DigestClaim, view: DigestView) -> None:
    message_id = None
    if view.lines or view.auto_count:
        try:
            screen = render.digest(view, claim.language, daily=True)
            message_id = await send(context, claim.chat_id, screen)
        except (Forbidden, BadRequest) as error:
            log.info("summary not sent: %s", error.message)
        await asyncio.sleep(PACE_SECONDS)
    await runtime(context).scheduler.mark_sent(claim.run_id, message_id)


async def sync_tick(context: Ctx) -> None:
    """Run the nightly syncs that are due (each leased so it runs once), then tell users, once,
    about connections that need them: sign-in refused, or a bank failing for a day."""
    rt = runtime(context)
    connections = manager(context)
    for connection_id in await rt.scheduler.claim_syncs():
        try:
            # joins a /refresh of the same connection if one is running
            await connections.sync(connection_id, spawner(context, f"sync-{connection_id}"))
        finally:
            await rt.scheduler.release_sync(connection_id)
    await send_notices(context, ATTENTION)


async def reminder_tick(context: Ctx) -> None:
    """Seven days before a bank consent ends, one reminder with a renew button."""
    await send_notices(context, (NoticeKind.EXPIRING,))


async def checkpoint_tick(context: Ctx) -> None:
    """Keep the SQLite WAL short, off the event loop (storage.db.checkpoint_wal)."""
    await runtime(context).services.db.checkpoint()


async def institutions_tick(context: Ctx) -> None:
    """Fetch again the institution lists a week old; a provider that fails keeps its old one."""
    assert context.job is not None
    lists = context.job.data
    assert isinstance(lists, InstitutionLists)
    await lists.refresh()


async def send_notices(context: Ctx, kinds: tuple[NoticeKind, ...]) -> None:
    connections = manager(context)
    now = runtime(context).services.clock.now()
    for notice in await connections.claim_notices(kinds):
        try:
            await send(context, notice.chat_id, render.notice(notice, now))
        except (Forbidden, BadRequest) as error:  # blocked, or the chat is gone: keep it told
            log.info("notice not sent: %s", error.message)
        except TelegramError as error:  # the network: the next tick tries again
            log.info("notice not sent yet: %s", error.message)
            await connections.release(notice)
        await asyncio.sleep(PACE_SECONDS)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the repeating jobs; each reads its work from the database when it runs."""
    if app.job_queue is None:
        return
    app.job_queue.run_repeating(sync_tick, interval=TICK_SECONDS, first=TICK_SECONDS, name="sync")
    app.job_queue.run_repeating(
        digest_tick, interval=TICK_SECONDS, first=TICK_SECONDS, name="digest"
    )
    app.job_queue.run_repeating(
        reminder_tick, interval=REMINDER_SECONDS, first=TICK_SECONDS, name="reminders"
    )
    app.job_queue.run_repeating(
        checkpoint_tick, interval=CHECKPOINT_SECONDS, first=CHECKPOINT_SECONDS, name="checkpoint"
    )


def refresh_institutions(
    app: Application[Any, Any, Any, Any, Any, Any], lists: InstitutionLists
) -> None:
    """The job keeping `lists` fresh, when some provider publishes one."""
    if app.job_queue is None or not lists.sources:
        return
    app.job_queue.run_repeating(
        institutions_tick,
        interval=INSTITUTIONS_SECONDS,
        first=INSTITUTIONS_FIRST_SECONDS,
        name=INSTITUTIONS_JOB,
        data=lists,
    )


def institution_lists(app: Application[Any, Any, Any, Any, Any, Any]) -> InstitutionLists | None:
    """The lists the job keeps (tests await `refresh()` on it rather than wait for the job)."""
    if app.job_queue is None:
        return None
    for job in app.job_queue.get_jobs_by_name(INSTITUTIONS_JOB):
        if isinstance(job.data, InstitutionLists):
            return job.data
    return None
