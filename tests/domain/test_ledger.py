from datetime import date

import pytest

from bot.domain.ledger import DraftLine, EntryDraft, UnbalancedEntry, opening_entry, reversal_of
from bot.domain.money import Money
from bot.domain.states import EntryKind


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def test_an_unbalanced_entry_refuses_to_exist() -> None:
    with pytest.raises(UnbalancedEntry):
        EntryDraft(
            date(2026, 1, 1), EntryKind.ACCEPTANCE, (DraftLine(1, eur(100)), DraftLine(2, eur(-99)))
        )


def test_an_entry_needs_two_lines() -> None:
    with pytest.raises(UnbalancedEntry):
        EntryDraft(date(2026, 1, 1), EntryKind.ACCEPTANCE, (DraftLine(1, eur(0)),))


def test_each_currency_balances_on_its_own() -> None:
    with pytest.raises(UnbalancedEntry):
        EntryDraft(
            date(2026, 1, 1),
            EntryKind.ACCEPTANCE,
            (DraftLine(1, eur(100)), DraftLine(2, Money(-100, "USD"))),
        )


def test_opening_entry_debits_the_bank_and_credits_opening_equity() -> None:
    draft = opening_entry(
        bank_ledger_id=5,
        opening_ledger_id=9,
        amount=eur(123_45),
        on=date(2026, 1, 1),
        bank_account_id=3,
    )
    assert draft.lines == (DraftLine(5, eur(123_45)), DraftLine(9, eur(-123_45)))
    assert draft.kind is EntryKind.OPENING and draft.bank_account_id == 3


def test_reversal_negates_every_line_and_names_what_it_reverses() -> None:
    draft = opening_entry(
        bank_ledger_id=5,
        opening_ledger_id=9,
        amount=eur(-50),
        on=date(2026, 1, 1),
        bank_account_id=3,
    )
    back = reversal_of(42, draft.lines, date(2026, 2, 1))
    assert back.lines == (DraftLine(5, eur(50)), DraftLine(9, eur(-50)))
    assert back.reverses_id == 42 and back.kind is EntryKind.REVERSAL
