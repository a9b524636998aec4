"""Double-entry drafts: a journal entry refuses to exist unless its lines balance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.domain.money import Money
from bot.domain.states import EntryKind


class UnbalancedEntry(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class DraftLine:
    """One posting: a positive amount is a debit, a negative one a credit."""

    account_id: int
    amount: Money


@dataclass(frozen=True, slots=True)
class EntryDraft:
    entry_date: date
    kind: EntryKind
    lines: tuple[DraftLine, ...]
    memo: str = ""
    bank_account_id: int | None = None
    reverses_id: int | None = None

    def __post_init__(self) -> None:
        if len(self.lines) < 2:
            raise UnbalancedEntry("an entry needs at least two lines")
        totals: dict[str, int] = defaultdict(int)
        for line in self.lines:
            totals[line.amount.currency] += line.amount.minor
        unbalanced = {currency: total for currency, total in totals.items() if total}
        if unbalanced:
            raise UnbalancedEntry(f"entry does not balance: {unbalanced}")


def opening_entry(
    *,
    bank_ledger_id: int,
    opening_ledger_id: int,
    amount: Money,
    on: date,
    bank_account_id: int,
    memo: str = "",
) -> EntryDraft:
    """The balance the bank held before the imported window, against opening equity."""
    return EntryDraft(
        entry_date=on,
        kind=EntryKind.OPENING,
        lines=(DraftLine(bank_ledger_id, amount), DraftLine(opening_ledger_id, -amount)),
        memo=memo,
        bank_account_id=bank_account_id,
    )


def reversal_of(
    entry_id: int,
    lines: Iterable[DraftLine],
    on: date,
    *,
    bank_account_id: int | None = None,
    memo: str = "",
) -> EntryDraft:
    return EntryDraft(
        entry_date=on,
        kind=EntryKind.REVERSAL,
        lines=tuple(DraftLine(line.account_id, -line.amount) for line in lines),
        memo=memo,
        bank_account_id=bank_account_id,
        reverses_id=entry_id,
    )


def acceptance_entry(
    *, bank_ledger_id: int, category_id: int, amount: Money, on: date, memo: str = ""
) -> EntryDraft:
    """An accepted bank line: the bank account moves by the line's amount, the category opposite."""
    return EntryDraft(
        entry_date=on,
        kind=EntryKind.ACCEPTANCE,
        lines=(DraftLine(bank_ledger_id, amount), DraftLine(category_id, -amount)),
        memo=memo[:200],
    )
