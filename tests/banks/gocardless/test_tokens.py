"""The operator's GoCardless token: obtained once, refreshed before it expires, bad keys told."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.banks.connector import ProviderMisconfigured
from bot.banks.gocardless import GoCardlessConnector
from bot.domain.clock import FixedClock
from tests.banks.gocardless.conftest import Callback, Sleeps, make_connector
from tests.support.providers.gocardless import GoCardlessStandIn

NEW = "POST /api/v2/token/new/"
REFRESH = "POST /api/v2/token/refresh/"


async def test_a_token_is_obtained_once_and_reused(
    connector: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    await connector.institutions("FR")
    await connector.institutions("FR")
    assert bank.calls[NEW] == 1
    assert bank.calls["GET /api/v2/institutions/"] == 2


async def test_the_access_token_is_refreshed_before_its_24_hours_are_up(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, clock: FixedClock
) -> None:
    await connector.institutions("FR")
    clock.advance(timedelta(hours=23, minutes=58))
    assert await connector.institutions("FR")
    assert (bank.calls[NEW], bank.calls[REFRESH]) == (1, 1)


async def test_a_new_pair_is_obtained_once_the_refresh_token_is_over(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, clock: FixedClock
) -> None:
    await connector.institutions("FR")
    clock.advance(timedelta(days=31))
    assert await connector.institutions("FR")
    assert (bank.calls[NEW], bank.calls[REFRESH]) == (2, 0)


async def test_an_access_token_the_api_refuses_is_replaced_once(
    connector: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    await connector.institutions("FR")
    bank.revoke_tokens()
    assert [i.id for i in await connector.institutions("FR")]
    assert bank.calls["GET /api/v2/institutions/"] == 3
    assert bank.calls[REFRESH] == 1


async def test_refused_keys_are_a_misconfigured_provider_logged_once(
    bank: GoCardlessStandIn,
    clock: FixedClock,
    callback: Callback,
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    wrong = make_connector(bank, clock, callback.url, sleeps, secret_key="not-the-key-4f2a")
    with pytest.raises(ProviderMisconfigured) as raised:
        await wrong.institutions("FR")
    await wrong.aclose()
    lines = [r for r in caplog.records if r.name.startswith("bot.banks.gocardless")]
    assert len(lines) == 1 and lines[0].levelno == logging.ERROR
    assert "not-the-key-4f2a" not in caplog.text + str(raised.value)
    assert bank.calls["GET /api/v2/institutions/"] == 0


async def test_check_obtains_a_token_and_says_how_long_it_lasts(
    connector: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    summary = await connector.check()
    assert "24 h" in summary
    assert bank.calls[NEW] == 1


async def test_check_with_refused_keys_is_a_misconfigured_provider(
    bank: GoCardlessStandIn, clock: FixedClock, callback: Callback, sleeps: Sleeps
) -> None:
    wrong = make_connector(bank, clock, callback.url, sleeps, secret_key="wrong")
    with pytest.raises(ProviderMisconfigured):
        await wrong.check()
    await wrong.aclose()


async def test_institutions_carry_their_history_and_consent_limits(
    connector: GoCardlessConnector,
) -> None:
    found = {i.id: i for i in await connector.institutions("fr")}
    sandbox, small = found["SANDBOXFINANCE_SFIN0000"], found["PETITEBANQUE_PTBQFRPP"]
    assert (sandbox.country, sandbox.bic, sandbox.max_history_days) == ("FR", "SFIN0000", 730)
    assert (small.bic, small.max_history_days, small.max_consent_days) == (None, 540, 90)
    assert await connector.institutions("DE") == []
