"""24 requests a day per access URL: one request answers every account of a window."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from bot.banks.connector import ConsentExpired, RateLimited
from bot.banks.simplefin import SimpleFin
from bot.domain.clock import FixedClock
from tests.banks.simplefin.conftest import TODAY, claim, connector_for
from tests.support.providers.simplefin import RATE_WARNING, SimpleFinStandIn, Subscriber

NOV_1 = date(2026, 11, 1)


def test_the_declared_budget_is_24_calls_a_day_and_90_days_of_history() -> None:
    capabilities = SimpleFin.capabilities
    assert (capabilities.calls_per_day, capabilities.max_history_days) == (24, 90)
    assert capabilities.reports_pending


async def test_several_accounts_over_one_window_cost_one_request(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    checking = await simplefin.fetch_transactions(secret, "ACT-CHK", NOV_1, TODAY)
    card = await simplefin.fetch_transactions(secret, "ACT-CARD", NOV_1, TODAY)
    assert (len(checking), len(card)) == (4, 1)
    assert bank.calls["accounts"] == 1


async def test_accounts_fetched_at_the_same_time_share_one_request(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    await asyncio.gather(
        simplefin.fetch_transactions(secret, "ACT-CHK", NOV_1, TODAY),
        simplefin.fetch_transactions(secret, "ACT-CARD", NOV_1, TODAY),
    )
    assert bank.calls["accounts"] == 1


async def test_a_sync_listing_then_fetching_every_account_costs_one_request(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    accounts = await simplefin.list_accounts(secret)
    for account in accounts:  # as the import service does: windows within the last 90 days
        await simplefin.fetch_transactions(
            secret, account.external_id, TODAY - timedelta(days=89), TODAY
        )
        await simplefin.fetch_transactions(secret, account.external_id, date(2026, 11, 21), TODAY)
    assert bank.calls["accounts"] == 1


async def test_a_window_the_recent_answer_does_not_cover_is_asked_for(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 20), TODAY)
    lines = await simplefin.fetch_transactions(secret, "ACT-CHK", NOV_1, TODAY)
    assert len(lines) == 4
    assert bank.calls["accounts"] == 2


async def test_an_answer_is_asked_again_once_older_than_five_minutes(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber, clock: FixedClock
) -> None:
    secret = await claim(simplefin, bank, user)
    await simplefin.list_accounts(secret)
    clock.advance(timedelta(minutes=4))
    await simplefin.list_accounts(secret)
    assert bank.calls["accounts"] == 1
    clock.advance(timedelta(minutes=2))
    await simplefin.list_accounts(secret)
    assert bank.calls["accounts"] == 2


async def test_past_its_daily_budget_the_connector_is_rate_limited_without_asking(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber, clock: FixedClock
) -> None:
    secret = await claim(simplefin, bank, user)
    first = clock.now()
    for _ in range(24):
        await simplefin.list_accounts(secret)
        clock.advance(timedelta(minutes=30))
    with pytest.raises(RateLimited) as limited:
        await simplefin.list_accounts(secret)
    assert limited.value.retry_at == first + timedelta(days=1)
    assert bank.calls["accounts"] == 24
    clock.set(first + timedelta(days=1))
    await simplefin.list_accounts(secret)  # the oldest request has left the 24 hours
    assert bank.calls["accounts"] == 25


async def test_the_bridges_warning_about_too_many_requests_becomes_a_notice(
    clock: FixedClock, user: Subscriber
) -> None:
    async with SimpleFinStandIn(clock, warn_after=1) as bank:
        simplefin = connector_for(bank, clock)
        secret = await claim(simplefin, bank, user)
        await simplefin.fetch_transactions(secret, "ACT-CHK", NOV_1, TODAY)
        assert simplefin.notices(secret) == ()
        await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 10, 1), TODAY)
        assert simplefin.notices(secret) == (RATE_WARNING,)
        await simplefin.aclose()


async def test_an_access_the_bridge_disabled_for_too_many_requests_is_consent_expired(
    clock: FixedClock, user: Subscriber
) -> None:
    async with SimpleFinStandIn(clock, disable_after=2) as bank:
        simplefin = connector_for(bank, clock, daily_budget=10)
        secret = await claim(simplefin, bank, user)
        for day in (3, 2):  # each window starts earlier: no answer covers it
            await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, day), TODAY)
        with pytest.raises(ConsentExpired):
            await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 11, 1), TODAY)
        assert bank.accounts_requests(user) == 3
        clock.advance(timedelta(days=2))
        with pytest.raises(ConsentExpired):  # disabled for good
            await simplefin.list_accounts(secret)
        await simplefin.aclose()


async def test_revoke_makes_no_call_and_forgets_the_answers(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    await simplefin.list_accounts(secret)
    calls = sum(bank.calls.values())
    await simplefin.revoke(secret)
    assert sum(bank.calls.values()) == calls
    await simplefin.list_accounts(secret)
    assert bank.calls["accounts"] == 2
