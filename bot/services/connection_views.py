"""The frozen values `Connections` hands out (cards, targets, outcomes) and its one error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.banks.connector import AuthMethod
from bot.banks.directory.search import Institution
from bot.domain.money import Money
from bot.domain.states import ConnectionStatus
from bot.domain.views import LedgerAccountView
from bot.services.health import Health
from storage.models import BankAccount, LedgerAccount


@dataclass(frozen=True, slots=True)
class AccountCard:
    id: int
    name: str
    iban_masked: str | None
    balance: Money | None
    ledger: LedgerAccountView | None
    connected: bool

    @classmethod
    def of(cls, account: BankAccount, ledger: LedgerAccount | None) -> AccountCard:
        """The card of a bank account and the ledger account it feeds, if it still exists."""
        return cls(
            id=account.id,
            name=account.name,
            iban_masked=account.iban_masked,
            balance=_money(account),
            ledger=LedgerAccountView.of(ledger) if ledger else None,
            connected=account.connected,
        )


@dataclass(frozen=True, slots=True)
class ConnectionCard:
    id: int
    institution_name: str
    status: ConnectionStatus
    last_sync_at: datetime | None
    consent_expires: date | None
    last_error: str | None
    failing_since: datetime | None
    next_refresh_at: datetime | None
    """Set while the bank limits calls: the first moment an update is allowed again."""
    accounts: tuple[AccountCard, ...]


@dataclass(frozen=True, slots=True)
class Overview:
    timezone: str
    connections: tuple[ConnectionCard, ...]
    unconnected: tuple[AccountCard, ...]
    """Bank accounts no connection feeds (file imports)."""


@dataclass(frozen=True, slots=True)
class Target:
    connection_id: int
    institution_name: str
    status: ConnectionStatus


@dataclass(frozen=True, slots=True)
class Targets:
    timezone: str
    items: tuple[Target, ...]
    disconnected: tuple[str, ...] = ()
    """The banks of the book that were disconnected (their lines stay in the books)."""


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    connection_id: int
    institution_name: str
    health: Health
    new_lines: int = 0
    error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SignInTarget:
    connection_id: int
    institution: Institution
    auth: AuthMethod


class OtherAccounts(Exception):
    """The new sign-in details open none of the accounts this connection feeds."""


@dataclass(frozen=True, slots=True)
class Disconnected:
    connection_id: int
    institution_name: str
    already: bool
    revoked: bool
    to_review: int


@dataclass(frozen=True, slots=True)
class Erased:
    existed: bool
    connections: int
    revoked: int


def _money(account: BankAccount) -> Money | None:
    if account.balance_minor is None:
        return None
    return Money(account.balance_minor, account.currency)
