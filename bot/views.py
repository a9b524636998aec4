"""Plain frozen values that services hand out; never ORM rows tied to a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.charts import AccountKind
from bot.money import Money


@dataclass(frozen=True, slots=True)
class UserView:
    telegram_id: int
    chat_id: int
    language: str
    country: str | None
    book_id: int
    is_new: bool = False


@dataclass(frozen=True, slots=True)
class LedgerAccountView:
    id: int
    code: str
    name: str
    kind: AccountKind

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True, slots=True)
class AccountImport:
    bank_account_id: int
    name: str
    iban_masked: str | None
    ledger: LedgerAccountView
    imported: int
    pending: int
    first_date: date | None
    last_date: date | None
    balance: Money | None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    connection_id: int
    institution_name: str
    accounts: tuple[AccountImport, ...]

    @property
    def imported(self) -> int:
        return sum(account.imported for account in self.accounts)


@dataclass(frozen=True, slots=True)
class ConnectionView:
    id: int
    institution_name: str
    bank_account_ids: tuple[int, ...]
