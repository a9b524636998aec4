"""What the file-import use cases return: each question to ask, and each statement's summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from bot.domain.money import Money
from bot.domain.views import LedgerAccountView


class ColumnRole(IntEnum):
    """What a CSV column holds, as the user is asked it (in this order)."""

    DATE = 0
    AMOUNT = 1
    DEBIT = 2
    CREDIT = 3
    LABEL = 4


@dataclass(frozen=True, slots=True)
class ColumnChoice:
    index: int
    name: str
    """The header's name; "" without a header (the chat shows the column letter)."""


@dataclass(frozen=True, slots=True)
class AskColumn:
    """Which column holds the dates, the amounts (or debits, credits), the labels?"""

    token: str
    role: ColumnRole
    columns: tuple[ColumnChoice, ...]
    """Those still free to pick."""
    preview: tuple[tuple[str, ...], ...]
    """The first rows of the table, each cell cut short."""
    retry: bool = False
    """The last answers did not make a readable table: asked again from the date."""


@dataclass(frozen=True, slots=True)
class StatementInfo:
    index: int
    count: int
    """How many statements the file holds."""
    format: str
    account: str | None
    """The masked IBAN or account number the file names."""
    currency: str
    lines: int
    start: date | None
    end: date | None
    balance: Money | None


@dataclass(frozen=True, slots=True)
class AccountOption:
    id: int
    name: str
    iban_masked: str | None
    ledger: LedgerAccountView
    matches: bool
    """The file names this account (same IBAN or number), or its bank's CSV layout."""


@dataclass(frozen=True, slots=True)
class AskAccount:
    """Which bank account is statement `statement.index` of the file?"""

    token: str
    statement: StatementInfo
    options: tuple[AccountOption, ...]
    """The book's bank accounts in the statement's currency, the matching ones first."""


@dataclass(frozen=True, slots=True)
class LineInfo:
    id: int
    """The stored line's id; 0 for the file's line."""
    booking_date: date
    amount: Money
    label: str


@dataclass(frozen=True, slots=True)
class AskSameLine:
    """A file line that could equally be any of `candidates`: the user says which, or new."""

    token: str
    key: int
    line: LineInfo
    candidates: tuple[LineInfo, ...]
    left: int
    """Questions of this kind still open, this one included."""


@dataclass(frozen=True, slots=True)
class AskBalance:
    """The file gives no balance: what did the bank show at the end of `on`?"""

    token: str
    bank_account_id: int
    account_name: str
    on: date | None
    currency: str


@dataclass(frozen=True, slots=True)
class FileDone:
    """Nothing more to ask about this file."""


FileStep = AskColumn | AskAccount | AskSameLine | AskBalance | FileDone


@dataclass(frozen=True, slots=True)
class StatementImported:
    index: int
    count: int
    bank_account_id: int
    account_name: str
    iban_masked: str | None
    ledger: LedgerAccountView
    created: bool
    """A new bank account (and ledger account) was made for it."""
    new: int
    known: int
    ambiguous: int
    auto_accepted: int
    start: date | None
    end: date | None
    file_balance: Money | None
    ledger_balance: Money
    """The ledger account's balance after the import, accepted lines and opening entry."""


@dataclass(frozen=True, slots=True)
class Imported:
    summary: StatementImported
    next: FileStep


@dataclass(frozen=True, slots=True)
class LineAnswered:
    added: bool
    next: FileStep


@dataclass(frozen=True, slots=True)
class BalanceSet:
    account_name: str
    balance: Money
    ledger_balance: Money
    next: FileStep


@dataclass(frozen=True, slots=True)
class BalanceSkipped:
    account_name: str
    next: FileStep
