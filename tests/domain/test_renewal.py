"""A renewed consent's accounts matched to the known ones by masked IBAN and currency."""

from __future__ import annotations

from bot.domain.renewal import AccountKey, renamed_accounts

CURRENT = AccountKey("acc-1", "FR76 •••• 0189", "EUR")
SAVINGS = AccountKey("acc-2", "FR76 •••• 0123", "EUR")


def test_accounts_listed_under_new_ids_are_the_known_ones() -> None:
    offered = [
        AccountKey("new-1", "FR76 •••• 0189", "EUR"),
        AccountKey("new-2", "FR76 •••• 0123", "EUR"),
    ]
    assert renamed_accounts([CURRENT, SAVINGS], offered) == {"acc-1": "new-1", "acc-2": "new-2"}


def test_an_account_still_under_its_id_is_not_renamed() -> None:
    offered = [CURRENT, AccountKey("new-2", "FR76 •••• 0123", "EUR")]
    assert renamed_accounts([CURRENT, SAVINGS], offered) == {"acc-2": "new-2"}


def test_look_alikes_are_never_guessed_between() -> None:
    twin = AccountKey("acc-3", "FR76 •••• 0189", "EUR")
    offered = [
        AccountKey("new-1", "FR76 •••• 0189", "EUR"),
        AccountKey("new-3", "FR76 •••• 0189", "EUR"),
    ]
    assert renamed_accounts([CURRENT, twin], offered) == {}


def test_another_currency_or_no_iban_is_another_account() -> None:
    offered = [
        AccountKey("new-1", "FR76 •••• 0189", "USD"),
        AccountKey("new-2", None, "EUR"),
    ]
    assert renamed_accounts([CURRENT, AccountKey("acc-2", None, "EUR")], offered) == {}
