"""What every handler needs: the services, the live flows, the user's language, showing a screen."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import CallbackContext, CallbackQueryHandler, ExtBot

from bot.domain.views import UserView
from bot.i18n import t
from bot.services.connect import Services
from bot.services.connect_flow import FlowStore
from bot.services.connections import Connections
from bot.services.errors import NotFound
from bot.services.imports import FileImports
from bot.services.review import Review
from bot.services.rules import Rules
from bot.services.scheduler import Scheduler
from bot.services.sign_in import SignIn
from handlers import callbacks as cb
from handlers.render import Screen

log = logging.getLogger(__name__)

Ctx = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]


@dataclass(frozen=True, slots=True)
class Runtime:
    """The services the handlers call, every one built by bot/app.py."""

    services: Services
    flows: FlowStore
    review: Review
    rules: Rules
    scheduler: Scheduler
    connections: Connections
    sign_in: SignIn
    imports: FileImports
    flow_timeout: float
    """Seconds a sign-in flow waits for its user before it ends."""


def runtime(context: Ctx) -> Runtime:
    found = context.bot_data["runtime"]
    assert isinstance(found, Runtime)
    return found


async def acting_user(update: Update, context: Ctx) -> UserView:
    tg_user = update.effective_user
    chat = update.effective_chat
    assert tg_user is not None and chat is not None
    return await runtime(context).services.meet(
        tg_user.id, chat.id if chat.type == "private" else tg_user.id, tg_user.language_code
    )


def chat_id_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def send(context: Ctx, chat_id: int, screen: Screen) -> int:
    message = await context.bot.send_message(
        chat_id, screen.text, parse_mode=ParseMode.HTML, reply_markup=screen.keyboard
    )
    return message.message_id


async def edit(context: Ctx, chat_id: int, message_id: int, screen: Screen) -> int:
    """Edit in place; a message that cannot be edited any more is replaced by a new one."""
    try:
        await context.bot.edit_message_text(
            screen.text,
            chat_id=chat_id,
            message_id=message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=screen.keyboard,
        )
        return message_id
    except BadRequest as error:
        if "not modified" in error.message:
            return message_id
        if "not found" in error.message or "can't be edited" in error.message:
            return await send(context, chat_id, screen)
        raise


async def delete_quietly(context: Ctx, chat_id: int, message_id: int) -> None:
    try:
        await context.bot.delete_message(chat_id, message_id)
    except (BadRequest, Forbidden) as error:
        log.warning("could not delete a message carrying a secret: %s", error.message)


async def answer(update: Update, text: str | None = None) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text)
    except BadRequest as error:
        log.info("callback answer refused: %s", error.message)


class Press(NamedTuple, Generic[cb.B]):
    button: cb.B
    lang: str
    message_id: int
    telegram_id: int


async def read_press(update: Update, context: Ctx, *kinds: type[cb.B]) -> Press[cb.B] | None:
    """The pressed button, the presser's language and ids; forged or stale data gets the
    polite answer and None."""
    user = await acting_user(update, context)
    query = update.callback_query
    assert query is not None and query.message is not None
    try:
        button = cb.parse_as(query.data, *kinds)
    except cb.BadButton:
        await answer(update, t(user.language, "stale_button"))
        return None
    return Press(button, user.language, query.message.message_id, user.telegram_id)


PressCallback = Callable[[Update, Ctx, Press[cb.B]], Awaitable[None]]


def on_press(
    *kinds: type[cb.B], block: bool = True
) -> Callable[[PressCallback[cb.B]], CallbackQueryHandler[Any, Any]]:
    """A button's handler, given the press read. Forged or stale data, and a press naming
    what is gone or not the presser's (NotFound), get the polite answer and change nothing."""

    def wrap(handler: PressCallback[cb.B]) -> CallbackQueryHandler[Any, Any]:
        @functools.wraps(handler)
        async def run(update: Update, context: Ctx) -> None:
            press = await read_press(update, context, *kinds)
            if press is None:
                return
            try:
                await handler(update, context, press)
            except NotFound:
                await answer(update, t(press.lang, "stale_button"))

        return CallbackQueryHandler(run, pattern=cb.matcher(*kinds), block=block)

    return wrap
