"""GoCardless transactions: booked and pending, stable ids, the agreed history, the daily budget
and an agreement that ran out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.banks.connector import Authorized, ConsentExpired, RateLimited, Unsupported
from bot.banks.gocardless import GoCardlessConnector
from bot.banks.gocardless.consent import LinkedConsent
from bot.domain.clock import FixedClock
from bot.domain.money import Money
from tests.banks.gocardless.conftest import CHECKING_IBAN, Callback, day, linked
from tests.support.providers.gocardless import GoCardlessStandIn


async def checking_id(connector: GoCardlessConnector, authorized: Authorized) -> str:
    accounts = await connector.list_accounts(authorized.secret)
    return next(a.external_id for a in accounts if a.iban == CHECKING_IBAN)


async def test_booked_and_pending_lines_come_with_their_amounts_and_dates(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    account_id = await checking_id(connector, authorized)
    lines = await connector.fetch_transactions(
        authorized.secret, account_id, day(clock, 30), day(clock)
    )
    assert [(line.amount, line.booking_date, line.pending) for line in lines] == [
        (Money(-4200, "EUR"), day(clock, 1), False),
        (Money(-320, "EUR"), day(clock, 1), False),
        (Money(-320, "EUR"), day(clock, 1), False),
        (Money(180000, "EUR"), day(clock, 10), False),
        (Money(-1999, "EUR"), day(clock), True),
    ]
    assert lines[0].external_id == "edf-2026-11"
    assert lines[3].label == "ACME — VIR CLIENT"


async def test_identical_lines_without_ids_stay_apart_under_the_same_ids_each_fetch(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    account_id = await checking_id(connector, authorized)
    window = (day(clock, 30), day(clock))
    first = await connector.fetch_transactions(authorized.secret, account_id, *window)
    again = await connector.fetch_transactions(authorized.secret, account_id, *window)
    coffees = [line.external_id for line in first if line.label == "CB CAFE DU COIN"]
    assert len(set(coffees)) == 2
    assert [line.external_id for line in first] == [line.external_id for line in again]


async def test_the_window_is_cut_to_its_dates(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    account_id = await checking_id(connector, authorized)
    lines = await connector.fetch_transactions(
        authorized.secret, account_id, day(clock, 10), day(clock, 2)
    )
    assert [line.label for line in lines] == ["ACME — VIR CLIENT"]


async def test_a_window_older_than_the_agreed_history_is_asked_from_its_first_day(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    account_id = await checking_id(connector, authorized)
    lines = await connector.fetch_transactions(
        authorized.secret, account_id, day(clock, 5 * 365), day(clock)
    )
    assert len(lines) == 5


async def test_an_account_outside_the_consent_is_unsupported(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    with pytest.raises(Unsupported):
        await connector.fetch_transactions(
            authorized.secret, "9f0c5e4e-0000-4000-8000-000000000000", day(clock, 3), day(clock)
        )


async def test_the_fifth_call_of_a_scope_in_a_day_is_rate_limited_until_the_budget_resets(
    connector: GoCardlessConnector,
    bank: GoCardlessStandIn,
    callback: Callback,
    clock: FixedClock,
) -> None:
    authorized = await linked(connector, callback)
    account_id = await checking_id(connector, authorized)
    window = (day(clock, 3), day(clock))
    for _ in range(4):
        clock.advance(timedelta(minutes=30))
        await connector.fetch_transactions(authorized.secret, account_id, *window)
    with pytest.raises(RateLimited) as raised:
        await connector.fetch_transactions(authorized.secret, account_id, *window)
    assert raised.value.retry_at == bank.reset_at(account_id, "transactions")
    assert raised.value.retry_at > clock.now() + timedelta(hours=21)


async def test_the_budget_is_per_scope(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    account_id = await checking_id(connector, authorized)
    for _ in range(3):  # checking_id listed them a first time
        await connector.list_accounts(authorized.secret)
    with pytest.raises(RateLimited):
        await connector.list_accounts(authorized.secret)
    assert await connector.fetch_transactions(
        authorized.secret, account_id, day(clock, 3), day(clock)
    )


async def test_the_budget_starts_again_the_next_day(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    for _ in range(4):
        await connector.list_accounts(authorized.secret)
    with pytest.raises(RateLimited):
        await connector.list_accounts(authorized.secret)
    clock.advance(timedelta(days=1, minutes=1))
    assert len(await connector.list_accounts(authorized.secret)) == 2


async def test_an_agreement_past_its_access_days_is_an_expired_consent(
    connector: GoCardlessConnector, callback: Callback, clock: FixedClock
) -> None:
    authorized = await linked(connector, callback)
    account_id = await checking_id(connector, authorized)
    clock.advance(timedelta(days=181))
    with pytest.raises(ConsentExpired):
        await connector.fetch_transactions(authorized.secret, account_id, day(clock, 3), day(clock))
    with pytest.raises(ConsentExpired):
        await connector.list_accounts(authorized.secret)


async def test_an_agreement_ended_early_is_an_expired_consent(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, callback: Callback
) -> None:
    authorized = await linked(connector, callback)
    bank.expire(LinkedConsent.open(authorized.secret).requisition)
    with pytest.raises(ConsentExpired):
        await connector.list_accounts(authorized.secret)


async def test_a_revoked_consent_is_expired_for_the_accounts(
    connector: GoCardlessConnector, callback: Callback
) -> None:
    authorized = await linked(connector, callback)
    await connector.revoke(authorized.secret)
    with pytest.raises(ConsentExpired):
        await connector.list_accounts(authorized.secret)
