"""/start, /help, /privacy, and the polite answers to anything unexpected."""

from __future__ import annotations

from telegram import Update

from handlers import render
from handlers.context import Ctx, acting_user, answer, send


async def on_start(update: Update, context: Ctx) -> None:
    """Welcome the user; first contact creates their book and chart of accounts."""
    user = await acting_user(update, context)
    name = update.effective_user.first_name if update.effective_user else ""
    await send(context, update.effective_chat.id, render.plain("start.welcome", user.language, name=name))  # type: ignore[union-attr]


async def on_help(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, update.effective_chat.id, render.Screen(render.t(user.language, "help.text")))  # type: ignore[union-attr]


async def on_privacy(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, update.effective_chat.id, render.Screen(render.t(user.language, "privacy.text")))  # type: ignore[union-attr]


async def on_unknown(update: Update, context: Ctx) -> None:
    user = await acting_user(update, context)
    await send(context, update.effective_chat.id, render.plain("unknown", user.language))  # type: ignore[union-attr]


async def on_stale_button(update: Update, context: Ctx) -> None:
    """A button of a finished or older flow, or forged data: say so, change nothing."""
    user = await acting_user(update, context)
    await answer(update, render.t(user.language, "stale_button"))
