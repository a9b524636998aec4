"""GoCardless accounts: read from details and balances, and matched again after a renewal."""

from __future__ import annotations

from bot.banks.connector import AccountType, FetchedAccount
from bot.banks.gocardless import GoCardlessConnector, rematch_by_iban
from bot.domain.money import Money
from tests.banks.gocardless.conftest import (
    CHECKING_IBAN,
    SAVINGS_IBAN,
    Callback,
    linked,
)
from tests.support.providers.gocardless import GoCardlessStandIn


async def test_accounts_come_with_iban_name_type_and_booked_balance(
    connector: GoCardlessConnector, callback: Callback
) -> None:
    accounts = await connector.list_accounts((await linked(connector, callback)).secret)
    by_iban = {a.iban: a for a in accounts}
    checking, savings = by_iban[CHECKING_IBAN], by_iban[SAVINGS_IBAN]
    assert (checking.name, checking.type, checking.currency) == (
        "Compte Pro",
        AccountType.CHECKING,
        "EUR",
    )
    assert checking.balance == Money(152035, "EUR")
    assert (savings.type, savings.balance) == (AccountType.SAVINGS, Money(800000, "EUR"))


async def test_listing_accounts_spends_details_and_balances_never_transactions(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, callback: Callback
) -> None:
    await connector.list_accounts((await linked(connector, callback)).secret)
    assert bank.calls["GET /api/v2/accounts/{id}/transactions/"] == 0
    assert bank.calls["GET /api/v2/accounts/{id}/details/"] == 2
    assert bank.calls["GET /api/v2/accounts/{id}/balances/"] == 2


async def test_a_renewed_consent_lists_new_ids_with_the_same_ibans(
    connector: GoCardlessConnector, callback: Callback
) -> None:
    first = await connector.list_accounts((await linked(connector, callback)).secret)
    renewed = await connector.list_accounts((await linked(connector, callback)).secret)
    assert not {a.external_id for a in first} & {a.external_id for a in renewed}
    matched = rematch_by_iban({a.external_id: a.iban for a in first}, renewed)
    by_id = {a.external_id: a for a in first}
    assert len(matched) == 2
    assert all(by_id[matched[a.external_id]].iban == a.iban for a in renewed)


def account(external_id: str, iban: str | None) -> FetchedAccount:
    return FetchedAccount(
        external_id, "Compte", AccountType.CHECKING, iban, "EUR", Money.zero("EUR")
    )


def test_rematching_ignores_spaces_and_case_in_ibans() -> None:
    renewed = [account("new-1", "fr76 3000 6000 0112 3456 7890 189")]
    assert rematch_by_iban({"old-1": CHECKING_IBAN}, renewed) == {"new-1": "old-1"}


def test_accounts_without_a_known_iban_stay_unmatched() -> None:
    renewed = [account("new-1", SAVINGS_IBAN), account("new-2", None)]
    assert rematch_by_iban({"old-1": CHECKING_IBAN, "old-2": None}, renewed) == {}


def test_one_known_account_is_matched_to_one_renewed_account_only() -> None:
    renewed = [account("new-1", CHECKING_IBAN), account("new-2", CHECKING_IBAN)]
    assert rematch_by_iban({"old-1": CHECKING_IBAN}, renewed) == {"new-1": "old-1"}
