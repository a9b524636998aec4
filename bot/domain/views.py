"""Plain frozen values that services hand out; never ORM rows tied to a session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.categorize.conditions import BLANKET, RuleCondition
from bot.charts import AccountKind
from bot.domain.money import Money
from bot.domain.states import ReviewState


@dataclass(frozen=True, slots=True)
class UserView:
    telegram_id: int
    chat_id: int
    language: str
    country: str | None
    book_id: int
    is_new: bool = False


def mask_iban(iban: str | None) -> str | None:
    """The first and last four characters: enough to tell accounts apart, never the whole IBAN."""
    if not iban:
        return None
    compact = iban.replace(" ", "")
    return f"{compact[:4]} •••• {compact[-4:]}"


class AccountLike(Protocol):
    """Whatever names a ledger account: an ORM row or a plain one."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> AccountKind: ...


@dataclass(frozen=True, slots=True)
class LedgerAccountView:
    id: int
    code: str
    name: str
    kind: AccountKind

    @classmethod
    def of(cls, account: AccountLike) -> LedgerAccountView:
        return cls(account.id, account.code, account.name, account.kind)

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
    auto_accepted: int = 0
    categorized: int = 0

    @property
    def imported(self) -> int:
        return sum(account.imported for account in self.accounts)


@dataclass(frozen=True, slots=True)
class ConnectionView:
    id: int
    institution_name: str
    bank_account_ids: tuple[int, ...]
    external_ids: frozenset[str] = frozenset()
    """The bank's ids of the accounts it feeds."""


@dataclass(frozen=True, slots=True)
class ReviewLine:
    id: int
    booking_date: date
    amount: Money
    payee: str
    label: str
    pending: bool
    state: ReviewState
    account: LedgerAccountView | None
    source: str | None
    auto_accepted: bool


@dataclass(frozen=True, slots=True)
class DigestView:
    """One page of the lines to review as of `anchor`, with those decided since shown ticked."""

    anchor: int
    page: int
    pages: int
    lines: tuple[ReviewLine, ...]
    to_review: int
    auto_count: int = 0
    """Lines accepted automatically in the day before `anchor`, summarised with one undo."""
    auto_totals: tuple[Money, ...] = ()
    """Their sum, per currency, the most used first."""
    nothing_yet: bool = False
    """The book has never had a bank connection nor a line: there is nothing to review yet,
    and /review says how to start."""


@dataclass(frozen=True, slots=True)
class CategoryChoices:
    line: ReviewLine
    best: tuple[LedgerAccountView, ...]
    frequent: tuple[LedgerAccountView, ...]
    owner: LedgerAccountView | None


@dataclass(frozen=True, slots=True)
class Decision:
    """What a press did: whether it changed anything, and the rule it may lead to.
    `needs_category`: an Accept of a line with no real suggestion (none, or the suspense
    account) changed nothing; the user picks its category first."""

    changed: bool
    line: ReviewLine
    rule_offer: LedgerAccountView | None = None
    view: DigestView | None = None
    needs_category: bool = False
    rule_condition: RuleCondition = BLANKET
    """What the offered rule is limited to: the side of the payee's split this line is on."""


@dataclass(frozen=True, slots=True)
class RuleView:
    id: int
    payee: str | None
    label_contains: str | None
    account: LedgerAccountView
    auto_accept: bool
    enabled: bool
    hits: int
    condition: RuleCondition = BLANKET
    currency: str = "EUR"


@dataclass(frozen=True, slots=True)
class SettingsView:
    language: str
    timezone: str
    digest_time: str
    auto_accept: bool
    threshold: float
