"""build_application(settings): PTB wiring, the runtime our handlers use, startup and shutdown;
serve(): run it by long polling, or behind our web server as a webhook."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, BotCommandScopeDefault, LinkPreviewOptions, Update
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

import handlers
from bot.banks.connector import AuthMethod, Connector, ConnectorRegistry, set_call_timeout
from bot.banks.demo.bank import DemoBank
from bot.banks.directory.search import Directory
from bot.banks.registry import bridge_banks, close_connectors, configured_providers
from bot.config import Settings
from bot.domain.clock import Clock, SystemClock
from bot.i18n import language_from_telegram, t
from bot.services.connect import Services
from bot.services.connect_flow import FlowStore
from bot.services.connections import Connections
from bot.services.imports import FileImports
from bot.services.institutions import InstitutionLists
from bot.services.review import Review
from bot.services.rules import Rules
from bot.services.scheduler import Scheduler
from bot.services.sign_in import SignIn
from bot.web.consent import ConsentRoute
from bot.web.webhook import WebServer, load_or_create_secret
from handlers import consent, flow, jobs
from handlers.context import Runtime
from handlers.persistence import DatabasePersistence
from handlers.updates import SideBySide
from storage.db import WRITER_WAIT_S, make_engine
from storage.migrate import migrate_to_head
from storage.rotation import KeyFileVault
from storage.uow import Database, WriterTimeout
from storage.vault import KeyRing, Vault

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]

ALLOWED_UPDATES = ["message", "callback_query"]
PERSISTENCE_INTERVAL = 1.0
"""Seconds between PTB's own persistence runs; /connect keeps each screen at once anyway."""
FLOW_SHELF = "connect_flow"


def load_key_ring(settings: Settings) -> KeyRing:
    if settings.vault_keys is not None:
        return KeyRing.parse(settings.vault_keys.get_secret_value())
    return KeyRing.load_or_create(settings.resolved_vault_key_file)


def build_vault(settings: Settings) -> Vault:
    """VAULT_KEYS is fixed for the life of the process; a key file is followed as it changes,
    so `python -m bot rotate-keys` needs no restart."""
    if settings.vault_keys is not None:
        return Vault(load_key_ring(settings))
    return KeyFileVault(settings.resolved_vault_key_file)


def build_connectors(settings: Settings, clock: Clock) -> ConnectorRegistry:
    """The demo bank and every configured provider (ProviderSetupError when one cannot be
    built: a key file open to others, say)."""
    set_call_timeout(settings.bank_call_timeout_s)
    connectors: list[Connector] = []
    if settings.demo_bank:
        password = settings.demo_bank_password.get_secret_value()
        connectors.append(DemoBank(clock, latency=settings.demo_bank_latency, password=password))
    connectors.extend(provider.build() for provider in configured_providers(settings, clock))
    return ConnectorRegistry(connectors)


@dataclass(frozen=True)
class Running:
    """The running bot as a runner beside it (the playground) sees it, without Telegram's
    types: its scheduler, and its jobs run now by name (PTB's own Job.run)."""

    scheduler: Scheduler
    run_jobs: Callable[[str], Awaitable[None]]

    @classmethod
    def of(cls, app: App) -> Running:
        runtime: Runtime = app.bot_data["runtime"]

        async def run_jobs(name: str) -> None:
            assert app.job_queue is not None
            for job in app.job_queue.get_jobs_by_name(name):
                await job.run(app)

        return cls(runtime.scheduler, run_jobs)


def consent_providers(connectors: ConnectorRegistry) -> frozenset[str]:
    """The connectors whose banks send users back to our consent route."""
    return frozenset(
        name
        for name in connectors.names()
        if connectors.get(name).capabilities.auth is AuthMethod.CONSENT_LINK
    )


async def set_commands(app: App) -> None:
    """The same command names in every language; only the descriptions are translated."""
    for language in ("en", "fr"):
        commands = [BotCommand(name, t(language, f"cmd.{name}")) for name in handlers.COMMANDS]
        await app.bot.set_my_commands(
            commands,
            scope=BotCommandScopeDefault(),
            language_code=None if language == "en" else language,
        )


def build_application(settings: Settings, *, clock: Clock | None = None) -> App:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    clock = clock or SystemClock()
    db = Database(make_engine(settings.resolved_database_url))

    async def migrate() -> None:
        await migrate_to_head(db.engine)

    # The schema must exist before PTB reads its persistence (in Application.initialize).
    persistence = DatabasePersistence(db, update_interval=PERSISTENCE_INTERVAL, prepare=migrate)
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.bot_api_base_url)
        .base_file_url(settings.bot_api_file_url)
        .defaults(Defaults(link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .concurrent_updates(SideBySide())  # each user in order, users side by side
        .persistence(persistence)
    )
    if settings.rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    if settings.webhook_mode:
        builder = builder.updater(None)  # our web server receives the updates

    connectors = build_connectors(settings, clock)
    directory = Directory(demo_enabled=settings.demo_bank, featured=bridge_banks(connectors))
    institutions = InstitutionLists(db, connectors, directory, clock)
    services = Services(
        db=db,
        vault=build_vault(settings),
        connectors=connectors,
        directory=directory,
        clock=clock,
    )
    flows = FlowStore(
        persistence.shelf(FLOW_SHELF), institutions=directory.get, vault=services.vault
    )
    connections = Connections(services)

    async def post_init(app: App) -> None:
        await persistence.ready()  # migrated, even when nothing was read at initialize
        await institutions.load()  # the lists kept; fetching them again is a job's
        await asyncio.to_thread(directory.preload, ["FR", "GB"])  # ~0.2 s each: off the loop
        await set_commands(app)
        restored = await flows.restore()
        await flow.resume_after_restart(app, restored)
        consent.resume_polling(app, restored)
        log.info("Pointage is ready")

    async def post_shutdown(app: App) -> None:
        await close_connectors(connectors)
        await db.dispose()

    app = builder.post_init(post_init).post_shutdown(post_shutdown).build()
    app.bot_data["runtime"] = Runtime(
        services=services,
        flows=flows,
        review=Review(db, clock),
        rules=Rules(db, clock),
        scheduler=Scheduler(db, clock),
        connections=connections,
        sign_in=SignIn(
            services,
            connections,
            flows,
            consent_callbacks=settings.webhook_mode,
            restricted=frozenset({"enablebanking"} if settings.enablebanking_restricted else ()),
        ),
        imports=FileImports(db, clock),
        flow_timeout=settings.conversation_timeout,
    )
    handlers.register(app, flows)
    jobs.refresh_institutions(app, institutions)
    app.add_error_handler(_on_error)
    return app


async def _on_error(update: object, context: Any) -> None:
    """Log the failure (never the update: it may carry a secret) and tell the user plainly."""
    error = context.error
    busy = isinstance(error, WriterTimeout)
    if busy:  # another writer (a big import, rotate-keys) kept the database past the wait
        log.warning("update not saved: the writer was busy for %.0f s", WRITER_WAIT_S)
    else:
        log.error("update failed: %s", type(error).__name__, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        language = language_from_telegram(
            update.effective_user.language_code if update.effective_user else None
        )
        said = t(language, "error.busy" if busy else "error.error")
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(said)
            else:
                await context.bot.send_message(update.effective_chat.id, said)
        except TelegramError as failure:
            log.warning("could not tell the user about a failure: %s", failure.message)


# --- running -------------------------------------------------------------------------------


async def serve(
    settings: Settings,
    stop: asyncio.Event,
    *,
    clock: Clock | None = None,
    started: Callable[[Running], Awaitable[None]] | None = None,
) -> None:
    """Run until `stop` is set, then shut down cleanly: no new updates are taken, those
    received are handled, background work and jobs finish, the state is written and the
    database closed. `started` is told the running bot (the playground drives its jobs)."""
    app = build_application(settings, clock=clock)
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        gc.freeze()  # start-up's objects live on: later collections need not walk them (~80 ms)
        await app.start()
        try:
            if settings.webhook_mode:
                await _serve_webhook(app, settings, stop)
            else:
                await _serve_polling(app, stop, started)
        finally:
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def _serve_polling(
    app: App, stop: asyncio.Event, started: Callable[[Running], Awaitable[None]] | None = None
) -> None:
    assert app.updater is not None
    await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    try:
        if started is not None:
            await started(Running.of(app))
        await stop.wait()
    finally:
        await app.updater.stop()


async def _serve_webhook(app: App, settings: Settings, stop: asyncio.Event) -> None:
    """PTB's custom-webhook pattern: our server queues each update; PTB handles the queue."""
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret is not None
        else load_or_create_secret(settings.webhook_secret_file)
    )

    async def deliver(data: dict[str, Any]) -> None:
        update = Update.de_json(data, app.bot)
        await app.update_queue.put(update)

    async def returned(provider: str, reference: str, query: str) -> bool:
        return await consent.consent_returned(app, reference, query)

    host, port = settings.listen_address
    server = WebServer(host, port, secret=secret, deliver=deliver)
    runtime: Runtime = app.bot_data["runtime"]
    ConsentRoute(consent_providers(runtime.services.connectors), returned).add_to(server.app)
    await server.start()
    try:
        # Telegram keeps what it could not deliver while we were down and sends it now.
        await app.bot.set_webhook(
            url=settings.webhook_url,
            secret_token=secret,
            allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        log.info("webhook set: %s", settings.webhook_url)
        await stop.wait()
    finally:
        # The webhook stays set: what arrives while we are down waits at Telegram.
        await server.stop()
