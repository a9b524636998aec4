"""build_application(settings): PTB wiring, the runtime our handlers use, startup and shutdown."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

import handlers
from bot.banks.connector import Connector, ConnectorRegistry
from bot.banks.demo import DemoBank
from bot.banks.directory import Directory
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.connect_flow import FlowStore
from bot.i18n import language_from_telegram, t
from bot.services import Services
from handlers import COMMANDS
from handlers.context import Runtime
from storage.db import make_engine
from storage.migrate import migrate_to_head
from storage.uow import Database
from storage.vault import KeyRing, Vault

log = logging.getLogger(__name__)



def load_key_ring(settings: Settings) -> KeyRing:
    if settings.vault_keys is not None:
        return KeyRing.parse(settings.vault_keys.get_secret_value())
    return KeyRing.load_or_create(settings.resolved_vault_key_file)


def build_connectors(settings: Settings, clock: Clock) -> ConnectorRegistry:
    connectors: list[Connector] = []
    if settings.demo_bank:
        password = settings.demo_bank_password.get_secret_value()
        connectors.append(DemoBank(clock, latency=settings.demo_bank_latency, password=password))
    return ConnectorRegistry(connectors)


async def set_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The same command names in every language; only the descriptions are translated."""
    for language in ("en", "fr"):
        commands = [BotCommand(name, t(language, f"cmd.{name}")) for name in COMMANDS]
        await app.bot.set_my_commands(
            commands,
            scope=BotCommandScopeDefault(),
            language_code=None if language == "en" else language,
        )


def build_application(
    settings: Settings, *, clock: Clock | None = None
) -> Application[Any, Any, Any, Any, Any, Any]:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    clock = clock or SystemClock()
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(False)
    )
    if settings.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]

    db = Database(make_engine(settings.resolved_database_url))
    directory = Directory(demo_enabled=settings.demo_bank)
    services = Services(
        db=db,
        vault=Vault(load_key_ring(settings)),
        connectors=build_connectors(settings, clock),
        directory=directory,
        clock=clock,
    )

    async def post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await migrate_to_head(db.engine)
        directory.preload(["FR", "GB"])
        await set_commands(app)
        log.info("Pointage is ready")

    async def post_shutdown(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await db.dispose()

    app = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    app.bot_data["runtime"] = Runtime(services=services, flows=FlowStore())
    handlers.register(app, conversation_timeout=settings.conversation_timeout)
    app.add_error_handler(_on_error)
    return app


async def _on_error(update: object, context: Any) -> None:
    """Log the failure (never the update: it may carry a secret) and tell the user plainly."""
    error = context.error
    log.error("update failed: %s", type(error).__name__, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        language = language_from_telegram(
            update.effective_user.language_code if update.effective_user else None
        )
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(t(language, "error.error"))
            else:
                await context.bot.send_message(update.effective_chat.id, t(language, "error.error"))
        except TelegramError as failure:
            log.warning("could not tell the user about a failure: %s", failure.message)
