"""Telegram surface: every handler is registered here, in order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers import connect, jobs, start

PRIVATE = filters.ChatType.PRIVATE


def register(
    app: Application[Any, Any, Any, Any, Any, Any], *, conversation_timeout: float
) -> None:
    """Every handler of the bot, in the order they are tried."""
    app.add_handler(CommandHandler("start", start.on_start))
    app.add_handler(CommandHandler("help", start.on_help))
    app.add_handler(CommandHandler("privacy", start.on_privacy))
    app.add_handler(connect.conversation(conversation_timeout))
    app.add_handler(CommandHandler("connect", connect.on_private_only, filters=~PRIVATE))
    app.add_handler(CommandHandler("cancel", connect.on_cancel))
    jobs.register(app)
    app.add_handler(CallbackQueryHandler(start.on_stale_button))
    app.add_handler(MessageHandler((filters.COMMAND | filters.TEXT) & PRIVATE, start.on_unknown))
