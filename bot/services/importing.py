"""Importing a connection: each account's window fetched from the bank, then stored, reconciled
and filed in one unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.banks.connector import (
    Connector,
    ConnectorError,
    ConnectorRegistry,
    FetchedTransaction,
    guarded,
)
from bot.categorize.cascade import Source, Suggestion
from bot.charts import TEMPLATES
from bot.domain.clock import Clock, today_in
from bot.domain.lines import NewLine
from bot.domain.money import Money
from bot.domain.secret import Secret
from bot.domain.states import ReviewState
from bot.domain.views import AccountImport, ImportSummary, LedgerAccountView
from bot.services import sync
from bot.services.access import acting_user, secret_slot
from bot.services.errors import NotFound
from bot.services.filing import (
    file_lines,
    load_filing,
    post_acceptances,
    suggest_ahead,
    suggest_lines,
)
from bot.services.users import auto_accept_threshold
from storage.models import SyncRun
from storage.uow import Database
from storage.vault import Sealed, Vault

SYNC_OVERLAP_DAYS = 7


class Importing:
    """The import use cases of `Services`, which sets what is declared here."""

    db: Database
    vault: Vault
    connectors: ConnectorRegistry
    clock: Clock

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

        The window starts a week before the last sync (pending lines book late), never
        before the account's import start, and never further back than the connector says it
        reaches: a start stored further back (a bank's limit learnt later) would only spend
        requests on days no bank gives, and a SimpleFIN token has 24 a day.
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
        today = today_in(self.clock)
        reach = today - timedelta(days=connector.capabilities.max_history_days - 1)
        balances = {
            a.external_id: a.balance
            for a in await guarded(connector.name, lambda: connector.list_accounts(secret))
        }
        windows: dict[int, tuple[date, date]] = {}
        fetched: dict[int, Sequence[FetchedTransaction]] = {}
        for account in accounts:
            since = max(account.import_start, reach)
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
        today = today_in(self.clock)
        results = []
        async with self.db.reading() as uow:  # rules and memory: read before taking the writer
            connection = await uow.connections.get(connection_id)
            if connection is None:
                raise NotFound("connection")
            book = await uow.books.first_for(connection.user_id)
            owner = await uow.users.get(connection.user_id)
            filing = await load_filing(uow, book, auto_accept_threshold(owner))
            opening = await uow.ledger.by_code(book.id, TEMPLATES[book.chart_template].opening_code)
            currencies = {
                a.id: a.currency for a in await uow.bank_accounts.of_connection(connection.id)
            }
        prepared = {
            account_id: await sync.prepare(lines, currencies[account_id])
            for account_id, lines in fetched.items()
            if account_id in currencies
        }
        ahead = {
            account_id: await suggest_ahead(filing, account_id, lines)
            for account_id, lines in prepared.items()
        }
        async with self.db.writing() as uow:
            connection = await uow.connections.get(connection_id)
            if connection is None:
                raise NotFound("connection")
            accounts = {a.id: a for a in await uow.bank_accounts.of_connection(connection.id)}
            new_rows: list[NewLine] = []
            suggested: list[Suggestion] = []

            async def prefile(rows: Sequence[NewLine]) -> None:
                by_account: dict[int, list[NewLine]] = {}
                for row in rows:
                    by_account.setdefault(row.bank_account_id, []).append(row)
                for account_id, group in by_account.items():
                    suggested.extend(await suggest_lines(filing, group, ahead.get(account_id)))

            counts = SyncRun(
                connection_id=connection.id,
                started_at=started,
                new_lines=0,
                updated_lines=0,
                removed_lines=0,
            )
            for account in accounts.values():
                if account.id not in prepared:
                    continue
                since, until = windows[account.id]
                merged = await sync.reconcile(
                    uow, account, prepared[account.id], since, until, now, prefile
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
            await uow.lines.record_filing(new_rows)
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
