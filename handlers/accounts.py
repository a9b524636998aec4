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
from bot.services.errors import NotFound
from bot.services.health import Health
from handlers import callbacks as cb
from handlers import render
from handlers.context import (
    Ctx,
    acting_user,
    answer,
    chat_id_of,
    edit,
    read_press,
    runtime,
    send,
)

log = logging.getLogger(__name__)

PRIVATE = filters.ChatType.PRIVATE
ERASE_CONFIRM_SECONDS = 600
"""How long the /deletemydata confirmation button stays valid."""
COMMANDS = ("accounts", "refresh", "credentials", "disconnect", "deletemydata")
PICK_QUESTIONS: tuple[tuple[str, str, type[cb.UpdateSignIn] | type[cb.AskDisconnect]], ...] = (
    ("credentials.pick", "credentials.none", cb.UpdateSignIn),
    ("disconnect.pick", "disconnect.none", cb.AskDisconnect),
)
"""The "which bank?" questions (and their answer when no bank is left), by the `action` of
their page buttons."""


def manager(context: Ctx) -> Connections:
    """The process's one Connections (it holds the registry of syncs running now)."""
    return runtime(context).connections


def spawner(context: Ctx, name: str) -> Spawn:
    """Run a sync as an application task: it lands even if nobody waits for it any more,
    and the application waits for it when it stops."""

    def spawn(coroutine: Any) -> Any:
        return context.application.create_task(coroutine, name=name)

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


async def on_keep(update: Update, context: Ctx) -> None:
    """The "cancel" of a question: nothing changes, and the question says so."""
    pressed = await read_press(update, context, cb.KeepAsIs)
    if pressed is None:
        return
    _, lang, _, _ = pressed
    await answer(update)
    await _show(context, chat_id_of(update), _message_id(update), render.plain("manage.kept", lang))


# --- /accounts ---------------------------------------------------------------------------


async def on_accounts(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    view = await manager(context).overview(user.telegram_id)
    now = runtime(context).services.clock.now()
    await send(context, chat_id_of(update), render.accounts_overview(view, now, user.language))


async def on_overview_page(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.OverviewPage)
    if pressed is None:
        return
    press, lang, message_id, telegram_id = pressed
    await answer(update)
    view = await manager(context).overview(telegram_id)
    now = runtime(context).services.clock.now()
    screen = render.accounts_overview(view, now, lang, press.page)
    await _show(context, chat_id_of(update), message_id, screen)


async def on_connections_page(update: Update, context: Ctx) -> None:
    """Another page of the "which bank?" question of /credentials or /disconnect."""
    pressed = await read_press(update, context, cb.ConnectionsPage)
    if pressed is None:
        return
    press, lang, message_id, telegram_id = pressed
    await answer(update)
    plan = await manager(context).targets(telegram_id)
    key, none, kind = PICK_QUESTIONS[press.action]
    screen = (
        render.pick_connection(plan.items, key, kind, lang, press.page)
        if plan.items
        else render.plain(none, lang)
    )
    await _show(context, chat_id_of(update), message_id, screen)


async def on_help_topic(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.ShowHelp)
    if pressed is None:
        return
    _, lang, _, _ = pressed
    await answer(update)
    await send(context, chat_id_of(update), render.troubleshooting(lang))


# --- /refresh ----------------------------------------------------------------------------


async def on_refresh(update: Update, context: Ctx) -> None:
    """Update every connection now (a non-blocking handler: the bot keeps answering)."""
    user = await acting_user(update, context)
    plan = await manager(context).targets(user.telegram_id)
    await _refresh(context, chat_id_of(update), user.telegram_id, user.language, plan)


async def on_refresh_button(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.RefreshConnection)
    if pressed is None:
        return
    press, lang, _, telegram_id = pressed
    try:
        plan = await manager(context).targets(telegram_id, press.connection or None)
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    await _refresh(context, chat_id_of(update), telegram_id, lang, plan)


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
    if not plan.items:
        screen = render.plain("disconnect.none", user.language)
    elif len(plan.items) == 1:
        screen = render.disconnect_confirm(plan.items[0], user.language)
    else:
        key, _, kind = PICK_QUESTIONS[1]
        screen = render.pick_connection(plan.items, key, kind, user.language)
    await send(context, chat_id_of(update), screen)


async def on_ask_disconnect(update: Update, context: Ctx) -> None:
    pressed = await read_press(update, context, cb.AskDisconnect)
    if pressed is None:
        return
    press, lang, _, telegram_id = pressed
    try:
        plan = await manager(context).targets(telegram_id, press.connection)
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    screen = (
        render.disconnect_confirm(plan.items[0], lang)
        if plan.items
        else render.plain("credentials.gone", lang)
    )
    if press.here:
        await _show(context, chat_id_of(update), _message_id(update), screen)
    else:
        await send(context, chat_id_of(update), screen)


async def on_confirm_disconnect(update: Update, context: Ctx) -> None:
    """Disconnect (non-blocking: revoking the consent may take the bank a while)."""
    pressed = await read_press(update, context, cb.ConfirmDisconnect)
    if pressed is None:
        return
    press, lang, _, telegram_id = pressed
    connections = manager(context)
    try:
        plan = await connections.targets(telegram_id, press.connection)
    except NotFound:
        await answer(update, t(lang, "stale_button"))
        return
    await answer(update)
    chat_id, message_id = chat_id_of(update), _message_id(update)
    if plan.items:
        working = render.plain("disconnect.working", lang, bank=plan.items[0].institution_name)
        message_id = await _show(context, chat_id, message_id, working)
    try:
        result = await connections.disconnect(telegram_id, press.connection)
    except NotFound:
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

    def press(callback: Any, *kinds: type[cb.Button], block: bool = True) -> Any:
        return CallbackQueryHandler(callback, pattern=cb.matcher(*kinds), block=block)

    return [
        CommandHandler("accounts", on_accounts, filters=PRIVATE),
        CommandHandler("refresh", on_refresh, filters=PRIVATE, block=False),
        CommandHandler("disconnect", on_disconnect, filters=PRIVATE),
        CommandHandler("deletemydata", on_delete_my_data, filters=PRIVATE),
        CommandHandler(list(COMMANDS), on_private_only, filters=~PRIVATE),
        press(on_refresh_button, cb.RefreshConnection, block=False),
        press(on_ask_disconnect, cb.AskDisconnect),
        press(on_confirm_disconnect, cb.ConfirmDisconnect, block=False),
        press(on_confirm_erase, cb.ConfirmErase, block=False),
        press(on_keep, cb.KeepAsIs),
        press(on_overview_page, cb.OverviewPage),
        press(on_connections_page, cb.ConnectionsPage),
        press(on_help_topic, cb.ShowHelp),
    ]
