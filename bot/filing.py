"""Filing stored bank lines: the suggestion cascade, transfer pairs and auto-accept, per book."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy.orm.attributes import set_committed_value

from bot.categorize import (
    AUTO_ACCEPT_THRESHOLD,
    LineFacts,
    Memory,
    RuleSpec,
    Source,
    Suggestion,
    suggest,
)
from bot.charts import TEMPLATES, ChartTemplate
from bot.domain import ReviewState
from bot.ledger import acceptance_entry
from bot.money import Money
from bot.transfers import TransferCandidate, pair_transfers
from storage.models import BankAccount, BankTransaction, Book, LedgerAccount, Rule
from storage.prepared import NamedRow
from storage.uow import UnitOfWork

TRANSFER_CONFIDENCE = 0.9
TRANSFER_WINDOW_DAYS = 3


def facts_of(line: BankTransaction) -> LineFacts:
    return LineFacts(
        label=line.raw_label,
        payee=line.payee,
        amount=Money(line.amount_minor, line.currency),
        booking_date=line.booking_date,
        bank_account_id=line.bank_account_id,
    )


@dataclass
class BookFiling:
    """What the cascade needs for one book, loaded once per unit of work."""

    book: Book
    chart: ChartTemplate
    accounts_by_id: dict[int, LedgerAccount]
    ids_by_code: dict[str, int]
    rules: list[RuleSpec]
    memory: Memory
    threshold: float | None

    def suggestion_for(self, line: BankTransaction) -> Suggestion:
        return suggest(
            facts_of(line),
            rules=self.rules,
            memory=self.memory,
            chart=self.chart,
            codes=set(self.ids_by_code),
        )


async def load_filing(uow: UnitOfWork, book: Book, threshold: float | None) -> BookFiling:
    accounts = await uow.ledger.all_of(book.id)
    by_id = {account.id: account for account in accounts}
    ids_by_code = {account.code: account.id for account in accounts}
    rules = [
        rule_spec(rule, by_id[rule.account_id].code)
        for rule in await uow.rules.enabled(book.id)
        if rule.account_id in by_id
    ]
    memory = Memory()
    for line, account_id in await uow.lines.decided(book.id):
        if account_id in by_id:
            memory.learn(facts_of(line), by_id[account_id].code)
    return BookFiling(
        book=book,
        chart=TEMPLATES[book.chart_template],
        accounts_by_id=by_id,
        ids_by_code=ids_by_code,
        rules=rules,
        memory=memory,
        threshold=threshold if book.auto_accept else None,
    )


def rule_spec(rule: Rule, account_code: str) -> RuleSpec:
    return RuleSpec(
        id=rule.id,
        account_code=account_code,
        payee=rule.payee,
        label_contains=rule.label_contains,
        min_minor=rule.min_minor,
        max_minor=rule.max_minor,
        direction=rule.direction,
        bank_account_id=rule.bank_account_id,
        auto_accept=rule.auto_accept,
    )


def apply_suggestion(line: BankTransaction, suggestion: Suggestion, filing: BookFiling) -> None:
    line.suggested_account_id = filing.ids_by_code.get(suggestion.account_code)
    line.suggestion_source = suggestion.source.value
    line.suggestion_confidence = suggestion.confidence
    line.suggestion_rule_id = suggestion.rule_id


def should_auto_accept(line: BankTransaction, suggestion: Suggestion, filing: BookFiling) -> bool:
    if line.pending or suggestion.source in (Source.NONE, Source.TRANSFER):
        return False
    if suggestion.auto_accept:
        return True
    return filing.threshold is not None and suggestion.confidence >= filing.threshold


async def file_lines(
    uow: UnitOfWork,
    filing: BookFiling,
    lines: Sequence[BankTransaction],
    bank_accounts: dict[int, BankAccount],
    now: datetime,
) -> int:
    """Suggest an account for each line, pair transfers, accept what may be; returns accepted."""
    accepted = 0
    suggestions = {line.id: filing.suggestion_for(line) for line in lines}
    for line in lines:
        apply_suggestion(line, suggestions[line.id], filing)
    paired = await _pair_transfers(uow, filing, lines)
    for line in lines:
        if line.id in paired or line.review_state != ReviewState.TO_REVIEW:
            continue
        if not should_auto_accept(line, suggestions[line.id], filing):
            continue
        if await accept_line(uow, line, bank_accounts[line.bank_account_id], now, auto=True):
            accepted += 1
    return accepted


async def _pair_transfers(
    uow: UnitOfWork, filing: BookFiling, lines: Sequence[BankTransaction]
) -> set[int]:
    """Lines of two own accounts, same amount, opposite signs, within 3 days: a transfer (580).

    A line a rule filed stays with its rule: the user said where it goes.
    """
    if not lines:
        return set()
    transfer_id = filing.ids_by_code.get(filing.chart.transfer_code)
    if transfer_id is None:
        return set()
    first = min(line.booking_date for line in lines) - timedelta(days=TRANSFER_WINDOW_DAYS)
    last = max(line.booking_date for line in lines) + timedelta(days=TRANSFER_WINDOW_DAYS)
    open_lines = {
        line.id: line for line in await uow.lines.unpaired_to_review(filing.book.id, first, last)
    }
    open_lines.update((line.id, line) for line in lines if line.transfer_peer_id is None)
    candidates = [
        TransferCandidate(
            line.id,
            line.bank_account_id,
            line.booking_date,
            Money(line.amount_minor, line.currency),
        )
        for line in open_lines.values()
        if line.review_state == ReviewState.TO_REVIEW
        and line.transfer_peer_id is None
        and line.suggestion_source != Source.RULE.value
    ]
    paired: set[int] = set()
    for left, right in pair_transfers(candidates, window_days=TRANSFER_WINDOW_DAYS):
        for this, other in ((left, right), (right, left)):
            line = open_lines[this]
            line.transfer_peer_id = other
            line.suggested_account_id = transfer_id
            line.suggestion_source = Source.TRANSFER.value
            line.suggestion_confidence = TRANSFER_CONFIDENCE
            line.suggestion_rule_id = None
            paired.add(this)
    return paired


@dataclass(frozen=True, slots=True)
class Fileable:
    """What accepting a line needs: built from an ORM line, or read as one plain row on the
    button-press path (BankLines.to_decide)."""

    line_id: int
    book_id: int
    bank_ledger_id: int
    amount: Money
    booking_date: date
    memo: str
    pending: bool

    @classmethod
    def of(cls, line: BankTransaction | NamedRow, bank_ledger_id: int) -> Fileable:
        """From a loaded line or a row with the same column names."""
        return cls(
            line.id,
            line.book_id,
            bank_ledger_id,
            Money(line.amount_minor, line.currency),
            line.booking_date,
            line.payee or line.raw_label[:200],
            line.pending,
        )


class Accepted(NamedTuple):
    entry_id: int | None
    """None while the line is pending: its entry is posted when it books."""


async def accept(
    uow: UnitOfWork, line: Fileable, account_id: int, now: datetime, *, auto: bool = False
) -> Accepted | None:
    """Accept once: the state change is conditional, and only then is the entry posted;
    None when the line was not waiting any more."""
    if not await uow.lines.mark_accepted(line.line_id, account_id, now, auto=auto):
        return None
    if line.pending:
        return Accepted(None)
    return Accepted(await post_filed(uow, line, account_id))


async def post_filed(uow: UnitOfWork, line: Fileable, account_id: int) -> int:
    entry_id = await uow.journal.post(
        line.book_id,
        acceptance_entry(
            bank_ledger_id=line.bank_ledger_id,
            category_id=account_id,
            amount=line.amount,
            on=line.booking_date,
            memo=line.memo,
        ),
    )
    await uow.lines.set_entry(line.line_id, entry_id)
    return entry_id


async def accept_line(
    uow: UnitOfWork,
    line: BankTransaction,
    bank_account: BankAccount,
    now: datetime,
    *,
    account_id: int | None = None,
    auto: bool = False,
) -> bool:
    """`accept` for a loaded line, whose attributes then show what was written."""
    target = account_id or line.suggested_account_id
    if target is None:
        return False
    filed = Fileable.of(line, bank_account.ledger_account_id)
    accepted = await accept(uow, filed, target, now, auto=auto)
    if accepted is None:
        return False
    _already_written(line, review_state=ReviewState.ACCEPTED, suggested_account_id=target)
    if accepted.entry_id is not None:
        _already_written(line, journal_entry_id=accepted.entry_id)
    return True


async def post_acceptance(
    uow: UnitOfWork, line: BankTransaction, bank_account: BankAccount
) -> None:
    assert line.suggested_account_id is not None
    filed = Fileable.of(line, bank_account.ledger_account_id)
    entry_id = await post_filed(uow, filed, line.suggested_account_id)
    _already_written(line, journal_entry_id=entry_id)


def _already_written(line: BankTransaction, **values: object) -> None:
    """Mirror a conditional UPDATE on the loaded row without the ORM writing it a second time."""
    for name, value in values.items():
        set_committed_value(line, name, value)


DEFAULT_THRESHOLD = AUTO_ACCEPT_THRESHOLD
