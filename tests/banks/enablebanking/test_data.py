"""Accounts, balances and transactions: paging, statuses, signs, ids and labels."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from bot.banks.connector import (
    AccountType,
    Authorized,
    ConsentExpired,
    FetchedTransaction,
    Unsupported,
)
from bot.banks.enablebanking import EnableBanking
from bot.domain.clock import FixedClock
from bot.domain.money import Money
from bot.domain.secret import Secret
from tests.banks.enablebanking.conftest import BANK, BANK_ID, COUNTRY, IBAN, consent
from tests.support.providers.enablebanking import (
    EnableBankingStandIn,
    transaction,
)

SINCE, UNTIL = date(2026, 11, 1), date(2026, 11, 28)
TRANSACTIONS = "GET /accounts/{account_id}/transactions"


def account_rows(bank: EnableBankingStandIn) -> list[dict[str, Any]]:
    return bank.aspsps[(BANK, COUNTRY)].accounts[0].transactions


async def checking(connector: EnableBanking) -> tuple[Authorized, str]:
    """A consent, and the id of its checking account."""
    _, _, authorized = await consent(connector)
    accounts = await connector.list_accounts(authorized.secret)
    return authorized, next(a.external_id for a in accounts if a.iban == IBAN)


async def fetch(connector: EnableBanking) -> list[FetchedTransaction]:
    authorized, account_id = await checking(connector)
    return await connector.fetch_transactions(authorized.secret, account_id, SINCE, UNTIL)


async def test_accounts_come_with_their_booked_balance_name_type_and_iban(
    connector: EnableBanking,
) -> None:
    _, _, authorized = await consent(connector)
    current, savings = await connector.list_accounts(authorized.secret)
    assert (current.name, current.type, current.iban) == (
        "Compte courant pro",
        AccountType.CHECKING,
        IBAN,
    )
    assert current.balance == Money(123456, "EUR")
    assert (savings.name, savings.type, savings.balance) == (
        "Livret A",
        AccountType.SAVINGS,
        Money(0, "EUR"),
    )


async def test_every_page_is_followed(connector: EnableBanking, bank: EnableBankingStandIn) -> None:
    bank.page_size = 4
    for day in range(1, 11):
        account_rows(bank).append(
            transaction("1.00", "DBIT", booking_date=f"2026-11-{day:02}", entry_reference=f"R{day}")
        )
    lines = await fetch(connector)
    assert [line.external_id for line in lines] == [f"R{day}" for day in range(1, 11)]
    assert bank.calls[TRANSACTIONS] == 3


async def test_booked_and_pending_lines_are_told_apart_and_the_rest_left_out(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    account_rows(bank).extend(
        [
            transaction("10.00", "DBIT", booking_date="2026-11-20", entry_reference="B"),
            transaction("20.00", "DBIT", status="PDNG", transaction_date="2026-11-27"),
            transaction("30.00", "DBIT", status="RJCT", booking_date="2026-11-21"),
            transaction("40.00", "DBIT", status="CNCL", booking_date="2026-11-22"),
        ]
    )
    lines = await fetch(connector)
    assert [(line.amount.minor, line.pending, line.booking_date) for line in lines] == [
        (-1000, False, date(2026, 11, 20)),
        (-2000, True, date(2026, 11, 27)),
    ]


async def test_debits_are_negative_and_credits_positive(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    account_rows(bank).extend(
        [
            transaction("42.10", "DBIT", booking_date="2026-11-03", entry_reference="out"),
            transaction("1500", "CRDT", booking_date="2026-11-04", entry_reference="in"),
        ]
    )
    lines = await fetch(connector)
    assert [line.amount for line in lines] == [Money(-4210, "EUR"), Money(150000, "EUR")]


async def test_two_identical_lines_on_one_day_stay_two_with_ids_that_last(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    coffee: dict[str, Any] = {
        "booking_date": "2026-11-05",
        "remittance_information": ["CB CAFE DU COIN"],
    }
    account_rows(bank).extend([transaction("2.50", "DBIT", **coffee) for _ in range(2)])
    authorized, account_id = await checking(connector)
    first = await connector.fetch_transactions(authorized.secret, account_id, SINCE, UNTIL)
    again = await connector.fetch_transactions(authorized.secret, account_id, SINCE, UNTIL)
    assert len({line.external_id for line in first}) == 2
    assert [line.external_id for line in again] == [line.external_id for line in first]


async def test_the_label_is_the_counterparty_and_the_remittance(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    account_rows(bank).extend(
        [
            transaction(
                "80.00",
                "DBIT",
                booking_date="2026-11-06",
                creditor={"name": "EDF"},
                debtor={"name": "SARL Exemple"},
                remittance_information=["Facture 2026-11", "Client 42"],
            ),
            transaction(
                "900.00",
                "CRDT",
                booking_date="2026-11-07",
                debtor={"name": "ACME SAS"},
                remittance_information=["VIR ACME SAS FACTURE 12"],
            ),
        ]
    )
    assert [line.label for line in await fetch(connector)] == [
        "EDF Facture 2026-11 Client 42",
        "VIR ACME SAS FACTURE 12",
    ]


async def test_lines_outside_the_window_are_left_out(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    account_rows(bank).append(transaction("5.00", "DBIT", booking_date="2026-10-31"))
    assert await fetch(connector) == []


async def test_a_window_starting_tomorrow_asks_nothing(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    authorized, account_id = await checking(connector)
    tomorrow = date(2026, 11, 29)
    assert (
        await connector.fetch_transactions(authorized.secret, account_id, tomorrow, tomorrow) == []
    )
    assert bank.calls[TRANSACTIONS] == 0


async def test_an_account_of_another_session_is_unsupported(connector: EnableBanking) -> None:
    authorized, _ = await checking(connector)
    with pytest.raises(Unsupported):
        await connector.fetch_transactions(authorized.secret, "eb-unknown", SINCE, UNTIL)


async def test_a_session_expired_at_the_bank_is_consent_expired(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    authorized, account_id = await checking(connector)
    [session] = bank.sessions.values()
    session.status = "EXPIRED"
    with pytest.raises(ConsentExpired):
        await connector.fetch_transactions(authorized.secret, account_id, SINCE, UNTIL)
    with pytest.raises(ConsentExpired):
        await connector.list_accounts(authorized.secret)


async def test_a_consent_revoked_at_the_bank_is_consent_expired(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    authorized, _ = await checking(connector)
    [session] = bank.sessions.values()
    session.status = "REVOKED"
    with pytest.raises(ConsentExpired):
        await connector.list_accounts(authorized.secret)


async def test_past_its_end_the_session_is_expired_without_asking(
    connector: EnableBanking, bank: EnableBankingStandIn, clock: FixedClock
) -> None:
    authorized, account_id = await checking(connector)
    clock.advance(timedelta(days=181))
    with pytest.raises(ConsentExpired):
        await connector.fetch_transactions(authorized.secret, account_id, SINCE, UNTIL)
    assert bank.calls[TRANSACTIONS] == 0


async def test_revoke_closes_the_session_and_a_second_revoke_is_quiet(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    authorized, account_id = await checking(connector)
    await connector.revoke(authorized.secret)
    [session] = bank.sessions.values()
    assert session.status == "CLOSED"
    await connector.revoke(authorized.secret)
    assert bank.calls["DELETE /sessions/{session_id}"] == 2
    with pytest.raises(ConsentExpired):
        await connector.fetch_transactions(authorized.secret, account_id, SINCE, UNTIL)


async def test_a_secret_that_is_not_ours_is_consent_expired(connector: EnableBanking) -> None:
    for secret in (Secret("not json"), Secret(json.dumps({"v": 1}))):
        with pytest.raises(ConsentExpired):
            await connector.list_accounts(secret)
        with pytest.raises(ConsentExpired):
            await connector.revoke(secret)


async def test_institutions_are_the_countrys_banks_by_name_and_country(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    bank.add_aspsp("Bank Elsewhere", "DE")
    [institution] = await connector.institutions("fr")
    assert (institution.id, institution.name, institution.country) == (BANK_ID, BANK, COUNTRY)
    assert institution.bic == "EXMPFRPP"
    assert (institution.max_history_days, institution.max_consent_days) == (90, 180)
