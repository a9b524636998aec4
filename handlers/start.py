"""/start, /help, /privacy, and the polite answers to anything unexpected."""

from __future__ import annotations

from telegram import Update

from bot.i18n import t
from handlers import render
from handlers.context import Ctx, acting_user, answer, chat_id_of, send


async def on_start(update: Update, context: Ctx) -> None:
    """Welcome the user; first contact creates their book and chart of accounts."""
    user = await acting_user(update, context)
    name = update.effective_user.first_name if update.effective_user else ""
    await send(context, chat_id_of(update), render.plain("start.welcome", user.language, name=name))


async def on_help(update: Update, context: Ctx) -> None:
    """The commands, and the way to the import troubleshooting page."""
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.help_screen(user.language))


async def on_privacy(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.Screen(t(user.language, "privacy.text")))


async def on_unknown(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, chat_id_of(update), render.plain("unknown", user.language))


async def on_stale_button(update: Update, context: Ctx) -> None:
    """A button of a finished or older flow, or forged data: say so, change nothing."""
    user = await acting_user(update, context)
    await answer(update, t(user.language, "stale_button"))


async def on_private_only(update: Update, context: Ctx) -> None:
    """A private-only command sent in a group: where it works, with a link to that chat."""
    user = await acting_user(update, context)
    message = update.effective_message
    command = (message.text or "").split()[0].split("@")[0] if message is not None else ""
    screen = render.plain(
        "private_command", user.language, command=command, bot=context.bot.username
    )
    await send(context, chat_id_of(update), screen)
