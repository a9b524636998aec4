"""Telegram surface: every handler is registered here, in order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.services.connect_flow import FlowStore
from handlers import accounts, connect, imports, jobs, review, rules, settings, signin, start
from handlers.context import Runtime

PRIVATE = filters.ChatType.PRIVATE
PRIVATE_ONLY = ("review", "rules", "settings", "import")
"""Commands about the user's books that answer in a group where they work (/connect and the
account commands have their own answer there)."""
COMMANDS = (
    "start",
    "connect",
    "refresh",
    "review",
    "accounts",
    "credentials",
    "disconnect",
    "import",
    "rules",
    "settings",
    "cancel",
    "help",
    "privacy",
    "deletemydata",
)
"""The command menu, in the order Telegram shows it (setMyCommands, in fr and en)."""


def register(app: Application[Any, Any, Any, Any, Any, Any], flows: FlowStore) -> None:
    """Every handler of the bot, in the order they are tried: the sign-in flow's steps come
    before the catch-alls (the review's typed text, the global /cancel)."""
    app.add_handler(CommandHandler("start", start.on_start))
    app.add_handler(CommandHandler("help", start.on_help))
    app.add_handler(CommandHandler("privacy", start.on_privacy))
    for handler in (*signin.handlers(flows), *connect.handlers(flows), *accounts.handlers()):
        app.add_handler(handler)
    app.add_handler(CommandHandler("connect", connect.on_private_only, filters=~PRIVATE))
    app.add_handler(CommandHandler(PRIVATE_ONLY, start.on_private_only, filters=~PRIVATE))
    app.add_handler(CommandHandler("cancel", review.on_cancel))
    found = app.bot_data["runtime"]
    assert isinstance(found, Runtime), "bot/app.py sets the runtime before registering"
    for handler in imports.handlers(found.imports):
        app.add_handler(handler)
    for handler in (*review.handlers(), *rules.handlers(), *settings.handlers()):
        app.add_handler(handler)
    jobs.register(app)
    app.add_handler(CallbackQueryHandler(start.on_stale_button))
    app.add_handler(MessageHandler(filters.COMMAND & PRIVATE, start.on_unknown))
