"""Use cases, one unit of work each; membership of the object's book is checked here.

`Services` holds them: users and settings (users.py) and importing (importing.py), and here the
bank directory, the bank sign-in calls, the bank accounts of the chart and connecting.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date

from bot.banks.connector import (
    Authorized,
    AuthStep,
    Challenge,
    ConnectorRegistry,
    Credentials,
    FetchedAccount,
    guarded,
)
from bot.banks.directory.search import Directory, Institution, SearchHit
from bot.charts import TEMPLATES, AccountKind, ChartTemplate
from bot.domain.clock import Clock, today_in
from bot.domain.secret import Secret
from bot.domain.states import ConnectionStatus
from bot.domain.views import ConnectionView, LedgerAccountView, UserView, mask_iban
from bot.services.access import acting_user, secret_slot
from bot.services.errors import InvalidInput, NotFound
from bot.services.importing import Importing
from bot.services.scheduler import sync_slot
from bot.services.users import Users
from storage.models import BankAccount, BankRequest, Book, Connection, LedgerAccount, User
from storage.uow import Database, UnitOfWork
from storage.vault import Vault

log = logging.getLogger(__name__)

BANK_KINDS = (AccountKind.BANK, AccountKind.SAVINGS, AccountKind.CREDIT_CARD, AccountKind.CASH)


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


class Services(Users, Importing):
    """The use cases of users and settings, banks, connecting and importing."""

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
            connector.name, lambda: connector.begin_auth(institution.at_connector, credentials)
        )

    async def begin_consent(self, institution: Institution) -> AuthStep:
        """For consent-link banks: the link where the user authorises access."""
        connector = self.connectors.get(institution.connector or "")
        return await guarded(
            connector.name, lambda: connector.begin_auth(institution.at_connector, None)
        )

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

    # --- connect ------------------------------------------------------------

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
