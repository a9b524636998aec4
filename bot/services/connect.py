"""Use cases, one unit of work each; membership of the object's book is checked here."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from bot.banks.connector import (
    Authorized,
    AuthStep,
    Challenge,
    Connector,
    ConnectorError,
    ConnectorRegistry,
    Credentials,
    FetchedAccount,
    FetchedTransaction,
    guarded,
)
from bot.banks.directory.search import Directory, Institution, SearchHit
from bot.categorize.cascade import Source, Suggestion
from bot.charts import TEMPLATES, AccountKind, ChartTemplate, template_for_language
from bot.domain.clock import Clock, today_in
from bot.domain.money import Money
from bot.domain.secret import Secret
from bot.domain.states import ConnectionStatus, ReviewState
from bot.domain.views import (
    AccountImport,
    ConnectionView,
    ImportSummary,
    LedgerAccountView,
    SettingsView,
    UserView,
    mask_iban,
)
from bot.i18n import LANGUAGES, language_from_telegram
from bot.services import sync
from bot.services.access import acting_user, secret_slot
from bot.services.errors import InvalidInput, NotFound
from bot.services.filing import (
    DEFAULT_THRESHOLD,
    file_lines,
    load_filing,
    post_acceptances,
    suggest_lines,
)
from bot.services.scheduler import sync_slot
from storage.models import (
    BankAccount,
    BankRequest,
    BankTransaction,
    Book,
    Connection,
    LedgerAccount,
    SyncRun,
    User,
)
from storage.uow import Database, UnitOfWork
from storage.vault import Sealed, Vault

log = logging.getLogger(__name__)

SYNC_OVERLAP_DAYS = 7
TIMEZONES = (
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Europe/Madrid",
    "America/Montreal",
    "America/New_York",
)
DIGEST_TIMES = ("07:00", "08:00", "09:00", "12:00", "18:00", "20:00")
BANK_KINDS = (AccountKind.BANK, AccountKind.SAVINGS, AccountKind.CREDIT_CARD, AccountKind.CASH)
DEFAULT_COUNTRY = {"fr": "FR", "en": "GB"}
KNOWN_USERS = 10_000
"""Users remembered in memory: a press then skips two reads; the least recent is read again."""


@dataclass(frozen=True, slots=True)
class AccountChoice:
    account: FetchedAccount
    ledger_account_id: int


@dataclass(frozen=True, slots=True)
class ConnectRequest:
    institution: Institution
    authorized: Authorized
    accounts: tuple[AccountChoice, ...]
    start: date


class Services:
    def __init__(
        self,
        db: Database,
        vault: Vault,
        connectors: ConnectorRegistry,
        directory: Directory,
        clock: Clock,
    ) -> None:
        self.db = db
        self.vault = vault
        self.connectors = connectors
        self.directory = directory
        self.clock = clock
        self._known: OrderedDict[int, UserView] = OrderedDict()

    def today(self) -> date:
        return today_in(self.clock)

    # --- users -----------------------------------------------------------------------

    async def meet(self, telegram_id: int, chat_id: int, language_code: str | None) -> UserView:
        """The user, created at first contact with a book and its chart of accounts.

        Known users are remembered in memory (every update asks), the KNOWN_USERS most recent
        at most; changes go through `update_settings`, `set_country` or `forget_user`, which
        keep it true.
        """
        known = self._known.get(telegram_id)
        if known is not None:
            self._known.move_to_end(telegram_id)
            return known
        view = await self._meet(telegram_id, chat_id, language_code)
        self._known[telegram_id] = replace(view, is_new=False)
        while len(self._known) > KNOWN_USERS:
            self._known.popitem(last=False)
        return view

    @property
    def remembered(self) -> int:
        """How many users' views are held in memory now."""
        return len(self._known)

    def forget_user(self, telegram_id: int) -> None:
        self._known.pop(telegram_id, None)

    async def _meet(self, telegram_id: int, chat_id: int, language_code: str | None) -> UserView:
        async with self.db.reading() as uow:
            user = await uow.users.by_telegram_id(telegram_id)
            if user is not None:
                book = await uow.books.first_for(user.id)
                return UserView(telegram_id, user.chat_id, user.language, user.country, book.id)
        language = language_from_telegram(language_code)
        template = template_for_language(language)
        async with self.db.writing() as uow:
            user = await uow.users.by_telegram_id(telegram_id)
            if user is not None:  # another update of the same user got there first
                book = await uow.books.first_for(user.id)
                return UserView(telegram_id, user.chat_id, user.language, user.country, book.id)
            user = await uow.users.add(
                User(
                    telegram_id=telegram_id,
                    chat_id=chat_id,
                    language=language,
                    country=DEFAULT_COUNTRY.get(language),
                )
            )
            book = await uow.books.add(
                Book(name="Pointage", currency="EUR", chart_template=template.key), owner=user
            )
            await uow.ledger.add_all(
                LedgerAccount(book_id=book.id, code=a.code, name=a.name, kind=a.kind)
                for a in template.accounts
            )
            await uow.commit()
        return UserView(telegram_id, chat_id, language, user.country, book.id, is_new=True)

    async def set_country(self, telegram_id: int, country: str) -> None:
        if country not in self.directory.countries():
            raise InvalidInput("unknown country")
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            user.country = country
            await uow.commit()
        self.forget_user(telegram_id)

    async def settings_of(self, telegram_id: int) -> SettingsView:
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            return _settings_view(user, book)

    async def update_settings(
        self,
        telegram_id: int,
        *,
        language: str | None = None,
        timezone: str | None = None,
        digest_time: str | None = None,
        auto_accept: bool | None = None,
    ) -> SettingsView:
        if language is not None and language not in LANGUAGES:
            raise InvalidInput("language")
        if timezone is not None and timezone not in TIMEZONES:
            raise InvalidInput("timezone")
        if digest_time is not None and digest_time not in DIGEST_TIMES:
            raise InvalidInput("digest time")
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            user.language = language or user.language
            user.timezone = timezone or user.timezone
            user.digest_time = digest_time or user.digest_time
            if auto_accept is not None:
                book.auto_accept = auto_accept
            await uow.commit()
        self.forget_user(telegram_id)
        return _settings_view(user, book)

    # --- bank directory ----------------------------------------------------------------

    async def search_banks(self, query: str, country: str) -> list[SearchHit]:
        """In a worker thread: a country's first search builds its index (up to ~0.25 s)."""
        return await asyncio.to_thread(self.directory.search, query, country)

    async def request_bank(self, telegram_id: int, query: str, country: str | None) -> None:
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            await uow.requests.add(
                BankRequest(user_id=user.id, query=query.strip()[:200], country=country)
            )
            await uow.commit()

    # --- bank login (no database: bank calls happen outside units of work) -------------

    async def login(self, institution: Institution, username: Secret, password: Secret) -> AuthStep:
        connector = self.connectors.get(institution.connector or "")
        credentials = Credentials(username.reveal().strip(), password)
        return await guarded(
            connector.name, lambda: connector.begin_auth(institution.id, credentials)
        )

    async def begin_consent(self, institution: Institution) -> AuthStep:
        """For consent-link banks: the link where the user authorises access."""
        connector = self.connectors.get(institution.connector or "")
        return await guarded(connector.name, lambda: connector.begin_auth(institution.id, None))

    async def answer_challenge(
        self, institution: Institution, challenge: Challenge, answer: str
    ) -> AuthStep:
        connector = self.connectors.get(institution.connector or "")
        return await guarded(connector.name, lambda: connector.continue_auth(challenge, answer))

    async def bank_accounts_at(
        self, institution: Institution, authorized: Authorized
    ) -> list[FetchedAccount]:
        connector = self.connectors.get(institution.connector or "")
        return await guarded(connector.name, lambda: connector.list_accounts(authorized.secret))

    def max_history_days(self, institution: Institution) -> int:
        connector = self.connectors.get(institution.connector or "")
        return min(connector.capabilities.max_history_days, institution.max_history_days or 10_000)

    # --- chart of accounts -------------------------------------------------------------

    async def bank_ledger_accounts(self, telegram_id: int) -> list[LedgerAccountView]:
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            return [LedgerAccountView.of(a) for a in await uow.ledger.of_kinds(book.id, BANK_KINDS)]

    async def add_bank_ledger_account(self, telegram_id: int, name: str) -> LedgerAccountView:
        """A new bank-kind account numbered after the chart's bank code (5121, 5122…)."""
        name = " ".join(name.split())
        if not 1 <= len(name) <= 60:
            raise InvalidInput("name length")
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            template = self._template(book)
            code = template.next_bank_code(await uow.ledger.codes(book.id))
            account = await uow.ledger.add(
                LedgerAccount(book_id=book.id, code=code, name=name, kind=AccountKind.BANK)
            )
            await uow.commit()
        return LedgerAccountView.of(account)

    @staticmethod
    def _template(book: Book) -> ChartTemplate:
        return TEMPLATES[book.chart_template]

    # --- connect and import ------------------------------------------------------------

    async def connect(
        self, telegram_id: int, request: ConnectRequest, *, into: int | None = None
    ) -> ConnectionView:
        """Store the connection (secret sealed) and link each chosen account to its ledger.

        `into` adds the accounts to that connection of the book, whose secret the new one
        replaces. A connection whose every account moved here is cut: none is left holding a
        secret and no accounts.
        """
        if not request.accounts:
            raise InvalidInput("no account chosen")
        async with self.db.writing() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            for choice in request.accounts:
                ledger = await uow.ledger.in_book(book.id, choice.ledger_account_id)
                if ledger is None or ledger.kind not in BANK_KINDS:
                    raise NotFound("ledger account not in the user's book")
            connection = await self._connection_for(uow, user, book, request, into)
            sealed = self.vault.seal(request.authorized.secret, secret_slot(connection))
            connection.secret_key_id, connection.secret_blob = sealed.key_id, sealed.blob
            connection.consent_expires = request.authorized.consent_expires
            left: set[int] = set()
            ids = []
            for choice in request.accounts:
                account, previous = await self._link_account(
                    uow, book, connection, choice, request.start
                )
                ids.append(account.id)
                if previous is not None:
                    left.add(previous)
            for previous in left:
                await self._cut_if_empty(uow, previous)
            await uow.commit()
        return ConnectionView(connection.id, connection.institution_name, tuple(ids))

    async def _connection_for(
        self, uow: UnitOfWork, user: User, book: Book, request: ConnectRequest, into: int | None
    ) -> Connection:
        if into is not None:
            found = await uow.connections.get(into)
            if (
                found is None
                or found.book_id != book.id
                or found.institution_id != request.institution.id
                or found.status == ConnectionStatus.DISCONNECTED
            ):
                raise NotFound("connection")
            found.status = ConnectionStatus.ACTIVE
            found.last_error = None
            found.failing_since = None
            found.attention_sent_at = None
            return found
        connection = await uow.connections.add(
            Connection(
                book_id=book.id,
                user_id=user.id,
                institution_id=request.institution.id,
                institution_name=request.institution.name,
                connector=request.institution.connector or "",
                status=ConnectionStatus.ACTIVE,
                consent_expires=request.authorized.consent_expires,
            )
        )
        connection.next_sync_at = sync_slot(connection.id, self.clock.now())
        return connection

    @staticmethod
    async def _cut_if_empty(uow: UnitOfWork, connection_id: int) -> None:
        """A connection left with no account to feed is cut (its secret destroyed)."""
        connection = await uow.connections.get(connection_id)
        if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
            return
        if not any(a.connected for a in await uow.bank_accounts.of_connection(connection_id)):
            cut(connection)

    async def _link_account(
        self,
        uow: UnitOfWork,
        book: Book,
        connection: Connection,
        choice: AccountChoice,
        start: date,
    ) -> tuple[BankAccount, int | None]:
        """The account, linked; and the other connection it was fed by, if any."""
        fetched = choice.account
        account = await uow.bank_accounts.find(
            book.id, connection.institution_id, fetched.external_id
        )
        if account is None:
            added = await uow.bank_accounts.add(
                BankAccount(
                    book_id=book.id,
                    connection_id=connection.id,
                    institution_id=connection.institution_id,
                    external_id=fetched.external_id,
                    name=fetched.name,
                    account_type=fetched.type.value,
                    iban_masked=mask_iban(fetched.iban),
                    currency=fetched.currency,
                    ledger_account_id=choice.ledger_account_id,
                    import_start=start,
                    connected=True,
                )
            )
            return added, None
        previous = account.connection_id if account.connection_id != connection.id else None
        account.connection_id = connection.id
        account.connected = True
        account.ledger_account_id = choice.ledger_account_id
        account.import_start = min(account.import_start, start)
        return account, previous

    async def feeds(self, telegram_id: int, institution_id: str) -> dict[str, LedgerAccountView]:
        """The ledger account each of the book's accounts at this bank feeds, by bank id."""
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            accounts = await uow.bank_accounts.at_bank(book.id, institution_id)
            ledgers = {
                a.id: a
                for a in await uow.ledger.of_ids(book.id, {a.ledger_account_id for a in accounts})
            }
        return {
            a.external_id: LedgerAccountView.of(ledgers[a.ledger_account_id])
            for a in accounts
            if a.ledger_account_id in ledgers
        }

    async def connection_at(self, telegram_id: int, institution_id: str) -> ConnectionView | None:
        """The book's connection to this bank that is not disconnected, with the accounts it
        feeds (their bank ids)."""
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            book = await uow.books.first_for(user.id)
            connection = await uow.connections.active_at(book.id, institution_id)
            if connection is None:
                return None
            accounts = await uow.bank_accounts.of_connection(connection.id)
        return ConnectionView(
            connection.id,
            connection.institution_name,
            tuple(a.id for a in accounts if a.connected),
            frozenset(a.external_id for a in accounts if a.connected),
        )

    async def import_connection(self, telegram_id: int, connection_id: int) -> ImportSummary:
        """Sync a connection on behalf of a member of its book; a bank failure is recorded on
        the connection before it is raised."""
        async with self.db.reading() as uow:
            user = await acting_user(uow, telegram_id)
            connection = await uow.connections.get(connection_id)
            if connection is None or not await uow.books.is_member(user.id, connection.book_id):
                raise NotFound("connection")
        try:
            return await self.sync_connection(connection_id)
        except ConnectorError as error:
            await self.record_sync_error(connection_id, error)
            raise

    async def sync_connection(self, connection_id: int) -> ImportSummary:
        """Fetch each linked account's window (bank calls first), then store it in one unit of work.

        The window starts a week before the last sync (pending lines book late) and never
        before the account's import start.
        """
        started = self.clock.now()
        async with self.db.reading() as uow:
            connection = await uow.connections.get(connection_id)
            if (
                connection is None
                or connection.secret_blob is None
                or connection.secret_key_id is None
            ):
                raise NotFound("connection has no secret")
            accounts = [
                a for a in await uow.bank_accounts.of_connection(connection.id) if a.connected
            ]
            secret = self.vault.open(
                Sealed(connection.secret_key_id, connection.secret_blob), secret_slot(connection)
            )
            last_sync = connection.last_sync_at
        connector = self.connectors.get(connection.connector)
        today = self.today()
        balances = {
            a.external_id: a.balance
            for a in await guarded(connector.name, lambda: connector.list_accounts(secret))
        }
        windows: dict[int, tuple[date, date]] = {}
        fetched: dict[int, Sequence[FetchedTransaction]] = {}
        for account in accounts:
            since = account.import_start
            if last_sync is not None:
                since = max(since, last_sync.date() - timedelta(days=SYNC_OVERLAP_DAYS))
            windows[account.id] = (since, today)
            fetched[account.id] = await self._fetch(
                connector, secret, account.external_id, since, today
            )
        return await self._store_sync(connection_id, windows, fetched, balances, started)

    @staticmethod
    async def _fetch(
        connector: Connector, secret: Secret, external_id: str, since: date, until: date
    ) -> Sequence[FetchedTransaction]:
        return await guarded(
            connector.name,
            lambda: connector.fetch_transactions(secret, external_id, since, until),
        )

    async def _store_sync(
        self,
        connection_id: int,
        windows: dict[int, tuple[date, date]],
        fetched: dict[int, Sequence[FetchedTransaction]],
        balances: dict[str, Money],
        started: datetime,
    ) -> ImportSummary:
        now = self.clock.now()
        today = self.today()
        results = []
        async with self.db.reading() as uow:  # rules and memory: read before taking the writer
            connection = await uow.connections.get(connection_id)
            if connection is None:
                raise NotFound("connection")
            book = await uow.books.first_for(connection.user_id)
            owner = await uow.users.get(connection.user_id)
            filing = await load_filing(uow, book, _threshold(owner))
            opening = await uow.ledger.by_code(book.id, self._template(book).opening_code)
        async with self.db.writing() as uow:
            connection = await uow.connections.get(connection_id)
            if connection is None:
                raise NotFound("connection")
            accounts = {a.id: a for a in await uow.bank_accounts.of_connection(connection.id)}
            new_rows: list[BankTransaction] = []
            suggested: list[Suggestion] = []

            async def prefile(rows: Sequence[BankTransaction]) -> None:
                suggested.extend(await suggest_lines(filing, rows))

            counts = SyncRun(
                connection_id=connection.id,
                started_at=started,
                new_lines=0,
                updated_lines=0,
                removed_lines=0,
            )
            for account in accounts.values():
                if account.id not in fetched:
                    continue
                since, until = windows[account.id]
                merged = await sync.reconcile(
                    uow, account, fetched[account.id], since, until, now, prefile
                )
                new_rows.extend(merged.added)
                counts.new_lines += len(merged.added)
                counts.updated_lines += len(merged.booked)
                counts.removed_lines += len(merged.vanished)
                await post_acceptances(
                    uow,
                    [
                        row
                        for row in merged.booked
                        if row.review_state == ReviewState.ACCEPTED and row.journal_entry_id is None
                    ],
                    {account.id: account.ledger_account_id},
                )
                balance = balances.get(account.external_id)
                if balance is not None:
                    sync.record_balance(account, balance, now)
            accepted = await file_lines(uow, filing, new_rows, accounts, now, suggested)
            for account in accounts.values():
                if account.id not in fetched:
                    continue
                if opening is not None:
                    await sync.settle_opening_balance(
                        uow, account, opening_ledger_id=opening.id, today=today, memo=account.name
                    )
                ledger = filing.accounts_by_id[account.ledger_account_id]
                first, last = await uow.lines.date_range(account.id)
                added = [row for row in new_rows if row.bank_account_id == account.id]
                results.append(
                    AccountImport(
                        bank_account_id=account.id,
                        name=account.name,
                        iban_masked=account.iban_masked,
                        ledger=LedgerAccountView.of(ledger),
                        imported=len(added),
                        pending=sum(1 for row in added if row.pending),
                        first_date=first,
                        last_date=last,
                        balance=balances.get(account.external_id),
                    )
                )
            connection.last_sync_at = now
            connection.last_error = None
            counts.finished_at = self.clock.now()
            await uow.sync_runs.add(counts)
            await uow.commit()
        return ImportSummary(
            connection_id,
            connection.institution_name,
            tuple(results),
            auto_accepted=accepted,
            categorized=sum(
                1 for row in new_rows if row.suggestion_source not in (None, Source.NONE.value)
            ),
        )

    async def record_sync_error(self, connection_id: int, error: ConnectorError) -> None:
        async with self.db.writing() as uow:
            connection = await uow.connections.get(connection_id)
            if connection is not None:
                connection.last_error = error.code
                now = self.clock.now()
                await uow.sync_runs.add(
                    SyncRun(
                        connection_id=connection.id,
                        started_at=now,
                        finished_at=now,
                        error=error.code,
                    )
                )
                await uow.commit()


def cut(connection: Connection) -> None:
    """Disconnected: no secret, no schedule, nothing pending to tell."""
    connection.status = ConnectionStatus.DISCONNECTED
    connection.secret_blob = None
    connection.secret_key_id = None
    connection.next_sync_at = None
    connection.sync_lease_until = None
    connection.failing_since = None
    connection.attention_sent_at = None
    connection.expiry_reminded_at = None
    connection.last_error = None


def _settings_view(user: User, book: Book) -> SettingsView:
    return SettingsView(
        language=user.language,
        timezone=user.timezone,
        digest_time=user.digest_time,
        auto_accept=book.auto_accept,
        threshold=_threshold(user),
    )


def _threshold(user: User | None) -> float:
    if user is None or user.auto_accept_threshold is None:
        return DEFAULT_THRESHOLD
    return user.auto_accept_threshold
