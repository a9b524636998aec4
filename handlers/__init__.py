"""Telegram surface: every handler is registered here, in order."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import callbacks as cb
from handlers import connect, start

PRIVATE = filters.ChatType.PRIVATE
TEXT = filters.TEXT & ~filters.COMMAND & PRIVATE


def _press(
    callback: Any, *kinds: type[cb.Button], block: bool = True
) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=cb.matcher(*kinds), block=block)


def connect_conversation(timeout: float) -> ConversationHandler[Any]:
    search_buttons = [
        _press(connect.on_country_menu, cb.CountryMenu),
        _press(connect.on_pick_country, cb.PickCountry),
        _press(connect.on_back_to_search, cb.BackToSearch),
        _press(connect.on_cant_find, cb.CantFind),
        _press(connect.on_pick_group, cb.PickGroup),
        _press(connect.on_pick_bank, cb.PickBank),
        _press(connect.on_request_support, cb.RequestSupport),
    ]
    cancel_button = _press(connect.on_cancel_button, cb.CancelFlow)
    return ConversationHandler(
        entry_points=[CommandHandler("connect", connect.on_connect, filters=PRIVATE)],
        states={
            connect.SEARCH: [*search_buttons, MessageHandler(TEXT, connect.on_search_text)],
            connect.BANK: [
                _press(connect.on_start_login, cb.StartLogin),
                *search_buttons,
                MessageHandler(TEXT, connect.on_search_text),
            ],
            connect.USERNAME: [MessageHandler(TEXT, connect.on_username), cancel_button],
            connect.PASSWORD: [
                MessageHandler(TEXT, connect.on_password, block=False),
                cancel_button,
            ],
            connect.CODE: [MessageHandler(TEXT, connect.on_code, block=False), cancel_button],
            connect.ACCOUNTS: [
                _press(connect.on_toggle_account, cb.ToggleAccount),
                _press(connect.on_accounts_chosen, cb.AccountsChosen),
                cancel_button,
            ],
            connect.LEDGER: [
                _press(connect.on_pick_ledger, cb.PickLedger),
                _press(connect.on_add_ledger, cb.AddLedger),
                cancel_button,
            ],
            connect.LEDGER_NAME: [MessageHandler(TEXT, connect.on_ledger_name), cancel_button],
            connect.PERIOD: [_press(connect.on_pick_period, cb.PickPeriod), cancel_button],
            connect.CONFIRM: [_press(connect.on_confirm, cb.ConfirmConnect), cancel_button],
            ConversationHandler.WAITING: [
                CommandHandler("cancel", connect.on_cancel),
                MessageHandler(filters.ALL, connect.on_still_connecting),
                CallbackQueryHandler(connect.on_still_connecting),
            ],
            ConversationHandler.TIMEOUT: [TypeHandler(Update, connect.on_timeout)],
        },
        fallbacks=[
            CommandHandler("cancel", connect.on_cancel),
            CommandHandler("connect", connect.on_connect, filters=PRIVATE),
        ],
        conversation_timeout=timeout,
        allow_reentry=True,
        name="connect",
    )


def register(
    app: Application[Any, Any, Any, Any, Any, Any], *, conversation_timeout: float
) -> None:
    """Every handler of the bot, in the order they are tried."""
    app.add_handler(CommandHandler("start", start.on_start))
    app.add_handler(CommandHandler("help", start.on_help))
    app.add_handler(CommandHandler("privacy", start.on_privacy))
    app.add_handler(connect_conversation(conversation_timeout))
    app.add_handler(CommandHandler("connect", connect.on_private_only, filters=~PRIVATE))
    app.add_handler(CommandHandler("cancel", connect.on_cancel))
    app.add_handler(CallbackQueryHandler(start.on_stale_button))
    app.add_handler(MessageHandler((filters.COMMAND | filters.TEXT) & PRIVATE, start.on_unknown))
