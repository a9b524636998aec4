"""The access URL stays secret; a bridge that hangs or fails is "bank unavailable"; /info."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest

from bot.banks.connector import (
    Authorized,
    BankUnavailable,
    ConnectorError,
    Credentials,
    ProviderMisconfigured,
    RateLimited,
)
from bot.banks.simplefin import SimpleFin
from bot.banks.simplefin.tokens import AccessUrl
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.banks.simplefin.conftest import TODAY, access_url_parts, claim, connector_for
from tests.support.providers.simplefin import SimpleFinStandIn, Subscriber


async def test_the_access_url_never_appears_in_logs_reprs_or_error_messages(
    simplefin: SimpleFin,
    bank: SimpleFinStandIn,
    user: Subscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    token = bank.setup_token(user)
    step = await simplefin.begin_auth("", Credentials("", Secret(token)))
    assert isinstance(step, Authorized)
    secret = step.secret
    username, password = access_url_parts(secret)
    user.errors.append({"code": "gen.", "msg": f"echo {password} {username}"})
    raised: list[ConnectorError] = []
    await simplefin.list_accounts(secret)
    for trouble in ("second claim", "failing", "lapsed", "disabled"):
        if trouble == "failing":
            user.accounts[0].failing = True
        if trouble == "lapsed":
            user.paid = False
        if trouble == "disabled":
            bank.disable(user)
        await simplefin.revoke(secret)  # forget the answers: each trouble is asked for anew
        try:
            if trouble == "second claim":
                await simplefin.begin_auth("", Credentials("", Secret(token)))
            else:
                await simplefin.fetch_transactions(secret, "ACT-CHK", date(2026, 10, 1), TODAY)
        except ConnectorError as error:
            raised.append(error)
    assert len(raised) == 4
    shown = [
        caplog.text,
        repr(step),
        repr(secret),
        str(secret),
        repr(AccessUrl.parse(secret.reveal(), allow_http=True, trusted_hosts=None)),
        *simplefin.notices(secret),
        *(f"{e!s} {e!r} {e.args!r}" for e in raised),
    ]
    for text in shown:
        for hidden in (secret.reveal(), password, username, token):
            assert hidden not in text
    assert "echo *** ***" in caplog.text


async def test_a_bridge_that_never_answers_is_bank_unavailable(
    bank: SimpleFinStandIn, clock: FixedClock, user: Subscriber
) -> None:
    simplefin = connector_for(bank, clock, timeout=0.2)
    secret = await claim(simplefin, bank, user)
    bank.hang = True
    with pytest.raises(BankUnavailable):
        await simplefin.list_accounts(secret)
    with pytest.raises(BankUnavailable):
        await simplefin.begin_auth("", Credentials("", Secret(bank.setup_token(user))))
    await simplefin.aclose()


async def test_a_bridge_error_is_retried_once_then_bank_unavailable(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    secret = await claim(simplefin, bank, user)
    bank.fail_next(500, times=2)
    with pytest.raises(BankUnavailable):
        await simplefin.list_accounts(secret)
    assert bank.calls["accounts"] == 2
    bank.fail_next(503)
    assert await simplefin.list_accounts(secret)
    assert bank.calls["accounts"] == 4


async def test_a_long_429_is_rate_limited(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber, clock: FixedClock
) -> None:
    secret = await claim(simplefin, bank, user)
    bank.fail_next(429, retry_after=3600)
    with pytest.raises(RateLimited) as limited:
        await simplefin.list_accounts(secret)
    assert limited.value.retry_at is not None
    assert (limited.value.retry_at - clock.now()).total_seconds() == 3600


async def test_check_reads_the_bridges_protocol_versions(
    simplefin: SimpleFin, bank: SimpleFinStandIn
) -> None:
    assert await simplefin.check() == "SimpleFIN server 127.0.0.1: protocol versions 1, 2"
    assert simplefin.create_url == f"{bank.url}/create"


async def test_check_of_a_url_that_is_no_bridge_is_provider_misconfigured(
    bank: SimpleFinStandIn, clock: FixedClock
) -> None:
    wrong = SimpleFin(clock, bridge_url=f"{bank.url}/nowhere", allow_http=True)
    with pytest.raises(ProviderMisconfigured):
        await wrong.check()
    await wrong.aclose()


async def test_the_stand_in_stops_while_a_request_hangs(clock: FixedClock) -> None:
    async with SimpleFinStandIn(clock) as bank:
        simplefin = connector_for(bank, clock, timeout=5.0)
        bank.hang = True
        waiting = asyncio.ensure_future(simplefin.check())
        while bank.calls["info"] == 0:
            await asyncio.sleep(0.01)
    with pytest.raises(BankUnavailable):
        await waiting
    await simplefin.aclose()
