"""Bank connections, their accounts, sync runs and requests for banks we lack."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_, select, update

from bot.domain.states import ConnectionStatus
from storage.models import (
    BankAccount,
    BankRequest,
    BookMember,
    Connection,
    SyncRun,
    User,
)
from storage.repositories.base import SYNCING, Repository


class BankConnections(Repository):
    async def add(self, connection: Connection) -> Connection:
        self.session.add(connection)
        await self.session.flush()
        return connection

    async def get(self, connection_id: int) -> Connection | None:
        return await self.session.get(Connection, connection_id)

    async def of_member(self, user_id: int) -> Sequence[Connection]:
        """Connections of every book the user is a member of, oldest first."""
        rows = await self.session.scalars(
            select(Connection)
            .join(BookMember, BookMember.book_id == Connection.book_id)
            .where(BookMember.user_id == user_id)
            .order_by(Connection.id)
        )
        return rows.all()

    async def active_at(self, book_id: int, institution_id: str) -> Connection | None:
        """The book's oldest connection to this bank that is not disconnected."""
        return await self._first(
            select(Connection)
            .where(
                Connection.book_id == book_id,
                Connection.institution_id == institution_id,
                Connection.status != ConnectionStatus.DISCONNECTED,
            )
            .order_by(Connection.id)
        )

    async def awaiting_attention(
        self, failing_before: datetime
    ) -> Sequence[tuple[Connection, User]]:
        """Connections the user was not told about yet: sign-in refused, or failing for long."""
        rows = await self.session.execute(
            select(Connection, User)
            .join(User, User.id == Connection.user_id)
            .where(
                Connection.attention_sent_at.is_(None),
                or_(
                    Connection.status == ConnectionStatus.NEEDS_REAUTH,
                    and_(
                        Connection.status.in_(SYNCING),
                        Connection.failing_since.is_not(None),
                        Connection.failing_since <= failing_before,
                    ),
                ),
            )
            .order_by(Connection.id)
        )
        return [(connection, user) for connection, user in rows.tuples().all()]

    async def consent_expiring(
        self, first: date, last: date, *, last_notice_on: date, reminded_before: datetime
    ) -> Sequence[tuple[Connection, User]]:
        """Syncing connections whose consent ends between `first` and `last`, not reminded
        yet; and those ending on `last_notice_on` not reminded since `reminded_before`."""
        expires = Connection.consent_expires
        rows = await self.session.execute(
            select(Connection, User)
            .join(User, User.id == Connection.user_id)
            .where(
                Connection.status.in_(SYNCING),
                expires.is_not(None),
                or_(
                    and_(
                        Connection.expiry_reminded_at.is_(None), expires >= first, expires <= last
                    ),
                    and_(
                        expires == last_notice_on,
                        Connection.expiry_reminded_at < reminded_before,
                    ),
                ),
            )
            .order_by(Connection.id)
        )
        return [(connection, user) for connection, user in rows.tuples().all()]

    async def claim_attention(self, connection_id: int, at: datetime) -> bool:
        """True for one caller only: the "needs your attention" message is sent once."""
        result = await self.session.execute(
            update(Connection)
            .where(Connection.id == connection_id, Connection.attention_sent_at.is_(None))
            .values(attention_sent_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def claim_expiry_reminder(
        self, connection_id: int, at: datetime, *, reminded_before: datetime | None = None
    ) -> bool:
        """Claim a reminder once: never reminded, or (`reminded_before`) last reminded
        before that instant, for the last reminder of a consent."""
        unreminded: ColumnElement[bool] = Connection.expiry_reminded_at.is_(None)
        if reminded_before is not None:
            unreminded = or_(unreminded, Connection.expiry_reminded_at < reminded_before)
        result = await self.session.execute(
            update(Connection)
            .where(Connection.id == connection_id, unreminded)
            .values(expiry_reminded_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def release_claims(self, connection_id: int, at: datetime) -> None:
        """Undo the claims made at `at` (the message could not be sent; try again later)."""
        for column in (Connection.attention_sent_at, Connection.expiry_reminded_at):
            await self.session.execute(
                update(Connection)
                .where(Connection.id == connection_id, column == at)
                .values({column.key: None})
                .execution_options(synchronize_session=False)
            )


class BankAccounts(Repository):
    async def add(self, account: BankAccount) -> BankAccount:
        self.session.add(account)
        await self.session.flush()
        return account

    async def find(self, book_id: int, institution_id: str, external_id: str) -> BankAccount | None:
        return await self._first(
            select(BankAccount).where(
                BankAccount.book_id == book_id,
                BankAccount.institution_id == institution_id,
                BankAccount.external_id == external_id,
            )
        )

    async def at_bank(self, book_id: int, institution_id: str) -> Sequence[BankAccount]:
        """The book's accounts at this bank, whichever connection (or none) feeds them."""
        rows = await self.session.scalars(
            select(BankAccount)
            .where(BankAccount.book_id == book_id, BankAccount.institution_id == institution_id)
            .order_by(BankAccount.id)
        )
        return rows.all()

    async def of_connection(self, connection_id: int) -> Sequence[BankAccount]:
        rows = await self.session.scalars(
            select(BankAccount)
            .where(BankAccount.connection_id == connection_id)
            .order_by(BankAccount.id)
        )
        return rows.all()

    async def of_books(self, book_ids: Sequence[int]) -> Sequence[BankAccount]:
        rows = await self.session.scalars(
            select(BankAccount)
            .where(BankAccount.book_id.in_(list(book_ids)))
            .order_by(BankAccount.id)
        )
        return rows.all()

    async def ledger_ids(self, book_id: int) -> dict[int, int]:
        """The ledger account each bank account of the book feeds."""
        rows = await self.session.execute(
            select(BankAccount.id, BankAccount.ledger_account_id).where(
                BankAccount.book_id == book_id
            )
        )
        return {bank: ledger for bank, ledger in rows.tuples()}

    async def get(self, bank_account_id: int) -> BankAccount | None:
        return await self.session.get(BankAccount, bank_account_id)

    async def get_in_book(self, book_id: int, bank_account_id: int) -> BankAccount | None:
        return await self._first(
            select(BankAccount).where(
                BankAccount.book_id == book_id, BankAccount.id == bank_account_id
            )
        )

    async def with_file_layout(self, book_id: int) -> Sequence[BankAccount]:
        """The book's accounts that remember the CSV layout of their bank's files."""
        rows = await self.session.scalars(
            select(BankAccount)
            .where(BankAccount.book_id == book_id, BankAccount.file_layout.is_not(None))
            .order_by(BankAccount.id)
        )
        return rows.all()

    async def set_connected(self, connection_id: int, connected: bool) -> None:
        await self.session.execute(
            update(BankAccount)
            .where(BankAccount.connection_id == connection_id)
            .values(connected=connected)
            .execution_options(synchronize_session=False)
        )


class SyncRuns(Repository):
    async def add(self, run: SyncRun) -> SyncRun:
        self.session.add(run)
        await self.session.flush()
        return run


class BankRequests(Repository):
    async def add(self, request: BankRequest) -> None:
        self.session.add(request)
        await self.session.flush()

    async def asked(self) -> list[tuple[str, int]]:
        """Every request as (what was typed, who asked), oldest first."""
        rows = await self.session.execute(
            select(BankRequest.query, BankRequest.user_id).order_by(BankRequest.id)
        )
        return [(query, user_id) for query, user_id in rows.all()]
