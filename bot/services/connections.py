"""Keeping bank connections alive: the overview, refresh, new sign-in details, disconnect,
erasing a user, and the health of each sync recorded (what a failure means: health.py); the
messages told only once come from notices.py, the values handed out from connection_views.py.

One unit of work per use case; the acting user must be a member of the connection's book.
Bank calls happen outside units of work; a sync of one connection runs at most once at a time
in this process (a second caller joins the running one).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from bot.banks.connector import Authorized, BankUnavailable, ConnectorError, RateLimited, guarded
from bot.banks.directory.search import Institution
from bot.domain.renewal import AccountKey, renamed_accounts
from bot.domain.secret import Secret
from bot.domain.states import ConnectionStatus
from bot.domain.views import mask_iban
from bot.services.access import acting_user, secret_slot
from bot.services.connect import Services, cut
from bot.services.connection_views import (
    AccountCard,
    ConnectionCard,
    Disconnected,
    Erased,
    OtherAccounts,
    Overview,
    SignInTarget,
    SyncOutcome,
    Target,
    Targets,
)
from bot.services.errors import NotFound
from bot.services.health import (
    RATE_LIMIT_PAUSE,
    SECRET_UNREADABLE,
    TELL_AFTER,
    Health,
    classify,
    retry_delay,
)
from bot.services.notices import Notices
from bot.services.scheduler import sync_slot
from storage.models import Connection, SyncRun, User
from storage.rotation import truncate_wal
from storage.uow import UnitOfWork
from storage.vault import Sealed, VaultError

log = logging.getLogger(__name__)

SYNC_TIMEOUT = 300.0
REVOKE_TIMEOUT = 30.0
JOIN_TIMEOUT = 60.0
"""How long disconnecting or erasing waits for a sync under way to finish first."""

Spawn = Callable[[Coroutine[Any, Any, "SyncOutcome"]], "asyncio.Future[SyncOutcome]"]


class Connections(Notices):
    def __init__(self, services: Services, *, sync_timeout: float = SYNC_TIMEOUT) -> None:
        self.services = services
        self.db = services.db
        self.clock = services.clock
        self.sync_timeout = sync_timeout
        self._running: dict[int, asyncio.Future[SyncOutcome]] = {}

    # --- access ------------------------------------------------------------------------------

    async def _member_connection(
        self, uow: UnitOfWork, telegram_id: int, connection_id: int
    ) -> tuple[User, Connection]:
        user = await acting_user(uow, telegram_id)
        connection = await uow.connections.get(connection_id)
        if connection is None or not await uow.books.is_member(user.id, connection.book_id):
            raise NotFound("connection")
        return user, connection

    async def language_of(self, telegram_id: int) -> str | None:
        """The user's language, or None for someone Pointage does not know (nothing created)."""
        async with self.db.reading() as uow:
            user = await uow.users.by_telegram_id(telegram_id)
            return user.language if user else None

    # --- /accounts ---------------------------------------------------------------------------

    async def overview(self, telegram_id: int) -> Overview:
        """Every connection and bank account of the user's books, with what needs doing."""
        now = self.clock.now()
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            rows = await uow.connections.of_member(user.id)
            book_ids = sorted({(await uow.books.first_for(user.id)).id, *(c.book_id for c in rows)})
            accounts = await uow.bank_accounts.of_books(book_ids)
            ledgers = {a.id: a for book_id in book_ids for a in await uow.ledger.all_of(book_id)}
        cards: dict[int | None, list[AccountCard]] = {}
        for account in accounts:
            card = AccountCard.of(account, ledgers.get(account.ledger_account_id))
            cards.setdefault(account.connection_id, []).append(card)
        shown = []
        for connection in rows:
            linked = tuple(cards.get(connection.id, ()))
            if connection.status == ConnectionStatus.DISCONNECTED and not linked:
                continue  # reconnected since: its accounts moved to the new connection
            limited = (
                connection.last_error == RateLimited.code
                and connection.next_sync_at is not None
                and connection.next_sync_at > now
            )
            shown.append(
                ConnectionCard(
                    id=connection.id,
                    institution_name=connection.institution_name,
                    status=connection.status,
                    last_sync_at=connection.last_sync_at,
                    consent_expires=connection.consent_expires,
                    last_error=connection.last_error,
                    failing_since=connection.failing_since,
                    next_refresh_at=connection.next_sync_at if limited else None,
                    accounts=linked,
                )
            )
        return Overview(user.timezone, tuple(shown), tuple(cards.get(None, ())))

    async def targets(self, telegram_id: int, connection_id: int | None = None) -> Targets:
        """The connections still connected (all, or the one asked for, access checked)."""
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            if connection_id is None:
                rows = list(await uow.connections.of_member(user.id))
            else:
                rows = [(await self._member_connection(uow, telegram_id, connection_id))[1]]
        items = tuple(
            Target(c.id, c.institution_name, c.status)
            for c in rows
            if c.status != ConnectionStatus.DISCONNECTED
        )
        gone = {c.institution_name for c in rows if c.status == ConnectionStatus.DISCONNECTED}
        return Targets(user.timezone, items, tuple(sorted(gone)))

    # --- /refresh and the nightly sync -------------------------------------------------------

    def is_running(self, connection_id: int) -> bool:
        running = self._running.get(connection_id)
        return running is not None and not running.done()

    async def refresh(
        self, telegram_id: int, connection_id: int, spawn: Spawn | None = None
    ) -> SyncOutcome:
        """Sync now on behalf of a member of the book, or say why not (sign in again, wait)."""
        async with self.db.reading() as uow:
            _, connection = await self._member_connection(uow, telegram_id, connection_id)
        name = connection.institution_name
        if connection.status == ConnectionStatus.DISCONNECTED:
            return SyncOutcome(connection_id, name, Health.GONE)
        if connection.status == ConnectionStatus.NEEDS_REAUTH:
            # never retry refused credentials: banks lock accounts after a few
            return SyncOutcome(
                connection_id, name, Health.NEEDS_REAUTH, error=connection.last_error
            )
        allowed_at = connection.next_sync_at
        if (
            not self.is_running(connection_id)
            and connection.last_error == RateLimited.code
            and allowed_at is not None
            and allowed_at > self.clock.now()
        ):
            return SyncOutcome(
                connection_id,
                name,
                Health.RATE_LIMITED,
                error=RateLimited.code,
                retry_at=allowed_at,
            )
        outcome = await self.sync(connection_id, spawn)
        if outcome.health is Health.NEEDS_REAUTH:
            await self._mark_told(connection_id)  # the user has just read it
        return outcome

    async def sync(self, connection_id: int, spawn: Spawn | None = None) -> SyncOutcome:
        """Sync a connection and record its health; a sync already running is joined.

        The sync runs as its own task (`spawn`, the application's in the bot), so it lands even
        if whoever waits for it goes away.
        """
        running = self._running.get(connection_id)
        if running is None or running.done():
            start: Spawn = spawn or asyncio.ensure_future
            running = start(self._sync_and_settle(connection_id))
            self._running[connection_id] = running
            running.add_done_callback(functools.partial(self._forget, connection_id))
        return await asyncio.shield(running)

    def _forget(self, connection_id: int, done: asyncio.Future[SyncOutcome]) -> None:
        if self._running.get(connection_id) is done:
            del self._running[connection_id]

    async def _settled(self, connection_id: int) -> None:
        """Let a sync under way finish (bounded), so nothing lands after a disconnect."""
        running = self._running.get(connection_id)
        if running is None or running.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(running), JOIN_TIMEOUT)
        except (TimeoutError, asyncio.CancelledError):
            log.info("connection %s: going on without waiting for its sync", connection_id)

    async def _sync_and_settle(self, connection_id: int) -> SyncOutcome:
        started = self.clock.now()
        try:
            summary = await asyncio.wait_for(
                self.services.sync_connection(connection_id), self.sync_timeout
            )
        except ConnectorError as error:
            return await self._settle_failure(connection_id, error.code, error, started)
        except TimeoutError:
            log.info("connection %s: sync timed out", connection_id)
            return await self._settle_failure(connection_id, BankUnavailable.code, None, started)
        except NotFound:
            return await self._gone(connection_id)
        except VaultError:
            log.warning("connection %s: its stored secret cannot be opened", connection_id)
            return await self._settle_failure(connection_id, SECRET_UNREADABLE, None, started)
        except Exception as error:  # one broken sync must not stop the others
            log.warning("connection %s: sync failed: %s", connection_id, type(error).__name__)
            return await self._settle_failure(connection_id, ConnectorError.code, None, started)
        now = self.clock.now()
        async with self.db.writing() as uow:
            connection = await uow.connections.get(connection_id)
            if connection is None:
                return SyncOutcome(connection_id, summary.institution_name, Health.GONE)
            if connection.status in (ConnectionStatus.ACTIVE, ConnectionStatus.ERROR):
                connection.status = ConnectionStatus.ACTIVE
                connection.next_sync_at = sync_slot(connection.id, now)
                connection.failing_since = None
                connection.attention_sent_at = None
            await uow.commit()
        return SyncOutcome(connection_id, summary.institution_name, Health.OK, summary.imported)

    async def _gone(self, connection_id: int) -> SyncOutcome:
        async with self.db.reading() as uow:
            connection = await uow.connections.get(connection_id)
        name = connection.institution_name if connection else ""
        return SyncOutcome(connection_id, name, Health.GONE)

    async def _settle_failure(
        self, connection_id: int, code: str, error: ConnectorError | None, started: datetime
    ) -> SyncOutcome:
        """Record the failure and decide when to try again (one unit of work)."""
        health = classify(code)
        now = self.clock.now()
        retry_at = None
        async with self.db.writing() as uow:
            connection = await uow.connections.get(connection_id)
            if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
                name = connection.institution_name if connection else ""
                return SyncOutcome(connection_id, name, Health.GONE)
            connection.last_error = code
            await uow.sync_runs.add(
                SyncRun(
                    connection_id=connection.id, started_at=started, finished_at=now, error=code
                )
            )
            if health is Health.NEEDS_REAUTH:
                if connection.status != ConnectionStatus.NEEDS_REAUTH:
                    connection.attention_sent_at = None  # a new kind of problem: say it once
                connection.status = ConnectionStatus.NEEDS_REAUTH
                connection.next_sync_at = None
                connection.failing_since = None
            elif health is Health.RATE_LIMITED:
                allowed = error.retry_at if isinstance(error, RateLimited) else None
                retry_at = max(allowed or now + RATE_LIMIT_PAUSE, now + timedelta(minutes=1))
                connection.next_sync_at = retry_at
            else:
                since = connection.failing_since or now
                connection.failing_since = since
                if now - since >= TELL_AFTER:
                    connection.status = ConnectionStatus.ERROR
                retry_at = now + retry_delay(now - since)
                connection.next_sync_at = retry_at
            name = connection.institution_name
            await uow.commit()
        return SyncOutcome(connection_id, name, health, error=code, retry_at=retry_at)

    async def _mark_told(self, connection_id: int) -> None:
        async with self.db.writing() as uow:
            await uow.connections.claim_attention(connection_id, self.clock.now())
            await uow.commit()

    # --- /credentials ------------------------------------------------------------------------

    async def sign_in_target(self, telegram_id: int, connection_id: int) -> SignInTarget:
        """The bank to sign in at again, for a connection the user may change."""
        async with self.db.reading() as uow:
            _, connection = await self._member_connection(uow, telegram_id, connection_id)
        if connection.status == ConnectionStatus.DISCONNECTED:
            raise NotFound("disconnected: /connect makes a new connection")
        connector = self.services.connectors.get(connection.connector)
        known = self.services.directory.get(connection.institution_id)
        if known is not None and known.connector != connection.connector:
            # Another connector serves the bank now: its id there is not this connector's.
            known = dataclasses.replace(known, connector=connection.connector, provider_id=None)
        institution = (
            known
            if known is not None
            else Institution(
                id=connection.institution_id,
                name=connection.institution_name,
                country="",
                bic=None,
                connector=connection.connector,
                max_history_days=connector.capabilities.max_history_days,
                group=None,
            )
        )
        return SignInTarget(connection.id, institution, connector.capabilities.auth)

    async def replace_secret(
        self, telegram_id: int, connection_id: int, authorized: Authorized
    ) -> str:
        """Store the new secret once the login worked, and make the connection active again.

        The new sign-in must open at least one account the connection feeds (not another
        customer's); otherwise nothing changes. Accounts it lists under new ids (a GoCardless
        renewal) keep their rows and lines (bot.domain.renewal). The old ciphertext is scrubbed
        from the files.
        """
        target = await self.sign_in_target(telegram_id, connection_id)
        fetched = await self.services.bank_accounts_at(target.institution, authorized)
        offered = {a.external_id for a in fetched}
        now = self.clock.now()
        async with self.db.writing() as uow:
            _, connection = await self._member_connection(uow, telegram_id, connection_id)
            if connection.status == ConnectionStatus.DISCONNECTED:
                raise NotFound("disconnected meanwhile")
            fed = [a for a in await uow.bank_accounts.of_connection(connection.id) if a.connected]
            renamed = renamed_accounts(
                (AccountKey(a.external_id, a.iban_masked, a.currency) for a in fed),
                (AccountKey(a.external_id, mask_iban(a.iban), a.currency) for a in fetched),
            )
            for account in fed:
                account.external_id = renamed.get(account.external_id, account.external_id)
            linked = {a.external_id for a in fed}
            if linked and not linked & offered:
                raise OtherAccounts(connection.institution_name)
            sealed = self.services.vault.seal(authorized.secret, secret_slot(connection))
            connection.secret_key_id, connection.secret_blob = sealed.key_id, sealed.blob
            connection.status = ConnectionStatus.ACTIVE
            connection.consent_expires = authorized.consent_expires
            connection.last_error = None
            connection.failing_since = None
            connection.attention_sent_at = None
            connection.expiry_reminded_at = None
            connection.next_sync_at = sync_slot(connection.id, now)
            name = connection.institution_name
            await uow.commit()
        await truncate_wal(self.db.engine)
        return name

    # --- /disconnect -------------------------------------------------------------------------

    async def disconnect(self, telegram_id: int, connection_id: int) -> Disconnected:
        """Stop imports, destroy the secret, revoke the consent; keep accounts and lines."""
        async with self.db.reading() as uow:
            _, connection = await self._member_connection(uow, telegram_id, connection_id)
        if connection.status != ConnectionStatus.DISCONNECTED:
            await self._settled(connection_id)
        async with self.db.writing() as uow:
            _, connection = await self._member_connection(uow, telegram_id, connection_id)
            already = connection.status == ConnectionStatus.DISCONNECTED
            secret = None if already else self._open(connection)
            if not already:
                cut(connection)
                await uow.bank_accounts.set_connected(connection.id, False)
            accounts = [a.id for a in await uow.bank_accounts.of_connection(connection.id)]
            to_review = await uow.lines.count_to_review(accounts)
            name, connector = connection.institution_name, connection.connector
            await uow.commit()
        if already:
            return Disconnected(connection_id, name, True, False, to_review)
        await truncate_wal(self.db.engine)
        revoked = await self._revoke(connector, secret)
        return Disconnected(connection_id, name, False, revoked, to_review)

    def _open(self, connection: Connection) -> Secret | None:
        """The stored secret, to revoke the consent with; None if there is none or it is lost."""
        if connection.secret_blob is None or connection.secret_key_id is None:
            return None
        try:
            sealed = Sealed(connection.secret_key_id, connection.secret_blob)
            return self.services.vault.open(sealed, secret_slot(connection))
        except VaultError:
            log.warning("connection %s: secret unreadable, consent not revoked", connection.id)
            return None

    async def _revoke(self, connector_name: str, secret: Secret | None) -> bool:
        """Best effort: a bank that refuses or does not answer is logged, never blocking."""
        if secret is None:
            return False
        try:
            connector = self.services.connectors.get(connector_name)
            await asyncio.wait_for(
                guarded(connector.name, lambda: connector.revoke(secret)), REVOKE_TIMEOUT
            )
        except ConnectorError as error:
            log.info("consent not revoked at %s: %s", connector_name, error.code)
            return False
        except TimeoutError:
            log.info("consent not revoked at %s: timeout", connector_name)
            return False
        return True

    # --- /deletemydata -----------------------------------------------------------------------

    async def erase(self, telegram_id: int) -> Erased:
        """Erase the user: books held alone with everything in them, connections and their
        secrets, requests, summaries, bot state; then revoke the consents (best effort)."""
        async with self.db.reading() as uow:
            user = await uow.users.by_telegram_id(telegram_id)
            if user is None:
                return Erased(False, 0, 0)
            pending = [c.id for c in await uow.connections.of_member(user.id)]
        for connection_id in pending:
            await self._settled(connection_id)
        secrets: list[tuple[str, Secret]] = []
        async with self.db.writing() as uow:
            user = await uow.users.by_telegram_id(telegram_id)
            if user is None:
                return Erased(False, 0, 0)
            alone = set(await uow.erasure.books_held_alone(user.id))
            erased = 0
            for connection in await uow.connections.of_member(user.id):
                if connection.book_id in alone or connection.user_id == user.id:
                    erased += 1
                    secret = self._open(connection)
                    if secret is not None and connection.status != ConnectionStatus.DISCONNECTED:
                        secrets.append((connection.connector, secret))
            await uow.erasure.erase_books(sorted(alone))
            await uow.erasure.erase_user(user.id)
            await uow.erasure.erase_bot_state(telegram_id, user.chat_id)
            await uow.commit()
        self.services.forget_user(telegram_id)  # a following /start is a new user
        await truncate_wal(self.db.engine)
        revoked = 0
        for connector, secret in secrets:
            revoked += await self._revoke(connector, secret)
        return Erased(True, erased, revoked)
