"""/accounts, /refresh, /credentials, /disconnect and /deletemydata."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    filters,
)

from bot.i18n import language_from_telegram, t
from bot.services.connection_views import SyncOutcome, Targets
from bot.services.connections import Connections, Spawn
from bot.services.cooperative import detached
from bot.services.errors import NotFound
from bot.services.health import Health
from handlers import callbacks as cb
from handlers import render
from handlers.context import (
    Ctx,
    Press,
    acting_user,
    answer,
    chat_id_of,
    edit,
    on_press,
    runtime,
    send,
)

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
ERASE_CONFIRM_SECONDS = 600
"""How long the /deletemydata confirmation button stays valid."""
COMMANDS = ("accounts", "refresh", "credentials", "disconnect", "deletemydata")


def manager(context: Ctx) -> Connections:
    """The process's one Connections (it holds the registry of syncs running now)."""
    return runtime(context).connections


def spawner(context: Ctx, name: str) -> Spawn:
    """Run a sync as an application task: it lands even if nobody waits for it any more,
    and the application waits for it when it stops."""

    def spawn(coroutine: Any) -> Any:
        return context.application.create_task(detached(coroutine), name=name)

    return spawn


def _message_id(update: Update) -> int:
    query = update.callback_query
    assert query is not None and query.message is not None
    return query.message.message_id


async def _show(context: Ctx, chat_id: int, message_id: int, screen: render.Screen) -> int:
    """Edit a progress message; a chat gone meanwhile (blocked, deleted) stops nothing."""
    try:
        return await edit(context, chat_id, message_id, screen)
    except TelegramError as error:
        log.info("progress not shown: %s", error.message)
        return message_id


async def on_private_only(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.plain("manage.private_only", user.language))


@on_press(cb.KeepAsIs)
async def on_keep(update: Update, context: Ctx, press: Press[cb.KeepAsIs]) -> None:
    """The "cancel" of a question: nothing changes, and the question says so."""
    await answer(update)
    kept = render.plain("manage.kept", press.lang)
    await _show(context, chat_id_of(update), press.message_id, kept)


# --- /accounts ---------------------------------------------------------------------------


async def on_accounts(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    view = await manager(context).overview(user.telegram_id)
    now = runtime(context).services.clock.now()
    await send(context, chat_id_of(update), render.accounts_overview(view, now, user.language))


@on_press(cb.OverviewPage)
async def on_overview_page(update: Update, context: Ctx, press: Press[cb.OverviewPage]) -> None:
    await answer(update)
    view = await manager(context).overview(press.telegram_id)
    now = runtime(context).services.clock.now()
    screen = render.accounts_overview(view, now, press.lang, press.button.page)
    await _show(context, chat_id_of(update), press.message_id, screen)


@on_press(cb.ConnectionsPage)
async def on_connections_page(
    update: Update, context: Ctx, press: Press[cb.ConnectionsPage]
) -> None:
    """Another page of the "which bank?" question of /credentials or /disconnect."""
    await answer(update)
    plan = await manager(context).targets(press.telegram_id)
    question, page = press.button.question, press.button.page
    screen = render.pick_connection(plan.items, question, press.lang, page)
    await _show(context, chat_id_of(update), press.message_id, screen)


@on_press(cb.ShowHelp)
async def on_help_topic(update: Update, context: Ctx, press: Press[cb.ShowHelp]) -> None:
    await answer(update)
    await send(context, chat_id_of(update), render.troubleshooting(press.lang))


# --- /refresh ----------------------------------------------------------------------------


async def on_refresh(update: Update, context: Ctx) -> None:
    """Update every connection now (a non-blocking handler: the bot keeps answering)."""
    user = await acting_user(update, context)
    plan = await manager(context).targets(user.telegram_id)
    await _refresh(context, chat_id_of(update), user.telegram_id, user.language, plan)


@on_press(cb.RefreshConnection, block=False)
async def on_refresh_button(
    update: Update, context: Ctx, press: Press[cb.RefreshConnection]
) -> None:
    plan = await manager(context).targets(press.telegram_id, press.button.connection)
    await answer(update)
    await _refresh(context, chat_id_of(update), press.telegram_id, press.lang, plan)


@on_press(cb.RefreshAll, block=False)
async def on_refresh_all(update: Update, context: Ctx, press: Press[cb.RefreshAll]) -> None:
    plan = await manager(context).targets(press.telegram_id)
    await answer(update)
    await _refresh(context, chat_id_of(update), press.telegram_id, press.lang, plan)


async def _refresh(context: Ctx, chat_id: int, telegram_id: int, lang: str, plan: Targets) -> None:
    """One progress message, edited as each bank is updated in turn, then the result."""
    if not plan.items and plan.disconnected:
        banks = ", ".join(plan.disconnected)
        gone = render.plain("refresh.disconnected", lang, count=len(plan.disconnected), banks=banks)
        await send(context, chat_id, gone)
        return
    if not plan.items:
        await send(context, chat_id, render.plain("refresh.none", lang))
        return
    connections = manager(context)
    clock = runtime(context).services.clock
    lines = [render.RefreshLine(target) for target in plan.items]

    def screen(finished: bool = False) -> render.Screen:
        return render.refresh_progress(lines, plan.timezone, clock.now(), lang, finished=finished)

    message_id = await send(context, chat_id, screen())
    for index, target in enumerate(plan.items):
        phase = "joined" if connections.is_running(target.connection_id) else "running"
        lines[index] = replace(lines[index], phase=phase)
        message_id = await _show(context, chat_id, message_id, screen())
        try:
            outcome = await connections.refresh(
                telegram_id,
                target.connection_id,
                spawner(context, f"sync-{target.connection_id}"),
            )
        except NotFound:
            outcome = SyncOutcome(target.connection_id, target.institution_name, Health.GONE)
        lines[index] = replace(lines[index], outcome=outcome)
    await _show(context, chat_id, message_id, screen(finished=True))


# --- /disconnect -------------------------------------------------------------------------


async def on_disconnect(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    plan = await manager(context).targets(user.telegram_id)
    if len(plan.items) == 1:
        screen = render.disconnect_confirm(plan.items[0], user.language)
    else:
        screen = render.pick_connection(plan.items, cb.Question.DISCONNECT, user.language)
    await send(context, chat_id_of(update), screen)


@on_press(cb.AskDisconnect)
async def on_ask_disconnect(update: Update, context: Ctx, press: Press[cb.AskDisconnect]) -> None:
    plan = await manager(context).targets(press.telegram_id, press.button.connection)
    await answer(update)
    screen = (
        render.disconnect_confirm(plan.items[0], press.lang)
        if plan.items
        else render.plain("credentials.gone", press.lang)
    )
    if press.button.here:
        await _show(context, chat_id_of(update), press.message_id, screen)
    else:
        await send(context, chat_id_of(update), screen)


@on_press(cb.ConfirmDisconnect, block=False)
async def on_confirm_disconnect(
    update: Update, context: Ctx, press: Press[cb.ConfirmDisconnect]
) -> None:
    """Disconnect (non-blocking: revoking the consent may take the bank a while)."""
    connections = manager(context)
    telegram_id, lang, connection_id = press.telegram_id, press.lang, press.button.connection
    plan = await connections.targets(telegram_id, connection_id)
    await answer(update)
    chat_id, message_id = chat_id_of(update), press.message_id
    if plan.items:
        working = render.plain("disconnect.working", lang, bank=plan.items[0].institution_name)
        message_id = await _show(context, chat_id, message_id, working)
    try:
        result = await connections.disconnect(telegram_id, connection_id)
    except NotFound:  # disconnected meanwhile, by another press: that one says so
        return
    await _show(context, chat_id, message_id, render.disconnected(result, lang))


# --- /deletemydata ---------------------------------------------------------------------------


async def on_delete_my_data(update: Update, context: Ctx) -> None:
    """Ask for an explicit confirmation; nobody is created just to be asked."""
    tg_user = update.effective_user
    assert tg_user is not None
    known = await manager(context).language_of(tg_user.id)
    lang = known or language_from_telegram(tg_user.language_code)
    if known is None:
        await send(context, chat_id_of(update), render.plain("delete.nothing", lang))
        return
    now = runtime(context).services.clock.now()
    await send(context, chat_id_of(update), render.erase_confirm(int(now.timestamp()), lang))


async def on_confirm_erase(update: Update, context: Ctx) -> None:
    """Erase everything about the pressing user (never anyone else: the button names nobody)."""
    tg_user = update.effective_user
    query = update.callback_query
    assert tg_user is not None and query is not None
    connections = manager(context)
    lang = await connections.language_of(tg_user.id) or language_from_telegram(
        tg_user.language_code
    )
    try:
        press = cb.parse_as(query.data, cb.ConfirmErase)
    except cb.BadButton:
        await answer(update, t(lang, "stale_button"))
        return
    age = time_since(context, press.asked)
    if not 0 <= age <= ERASE_CONFIRM_SECONDS:
        await answer(update, t(lang, "delete.expired"))
        return
    await answer(update)
    chat_id, message_id = chat_id_of(update), _message_id(update)
    message_id = await _show(context, chat_id, message_id, render.plain("delete.working", lang))
    rt = runtime(context)
    await rt.flows.end(tg_user.id)
    result = await connections.erase(tg_user.id)
    context.application.drop_user_data(tg_user.id)
    context.application.drop_chat_data(chat_id)
    key = "delete.done" if result.existed else "delete.nothing"
    await _show(context, chat_id, message_id, render.plain(key, lang))


def time_since(context: Ctx, stamp: int) -> float:
    """Seconds from `stamp` (a button's) to now, on the bot's clock (tests move it)."""
    return runtime(context).services.clock.now().timestamp() - stamp


def handlers() -> list[Any]:
    """The connection-management surface (/credentials is a sign-in: handlers.signin)."""

    return [
        CommandHandler("accounts", on_accounts, filters=PRIVATE),
        CommandHandler("refresh", on_refresh, filters=PRIVATE, block=False),
        CommandHandler("disconnect", on_disconnect, filters=PRIVATE),
        CommandHandler("deletemydata", on_delete_my_data, filters=PRIVATE),
        CommandHandler(list(COMMANDS), on_private_only, filters=~PRIVATE),
        on_refresh_button,
        on_refresh_all,
        on_ask_disconnect,
        on_confirm_disconnect,
        CallbackQueryHandler(on_confirm_erase, pattern=cb.matcher(cb.ConfirmErase), block=False),
        on_keep,
        on_overview_page,
        on_connections_page,
        on_help_topic,
    ]
