"""GoCardless when things go wrong: no answer, 5xx, its own rate limit, and secrets kept out of
logs, errors and reprs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from bot.banks.connector import (
    Authorized,
    BankUnavailable,
    Challenge,
    ConnectorError,
    RateLimited,
)
from bot.banks.gocardless import GoCardlessConnector
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.banks.gocardless.conftest import (
    BANK,
    CHECKING_IBAN,
    Callback,
    Sleeps,
    day,
    follow,
    make_connector,
)
from tests.support.providers.gocardless import SECRET_ID, SECRET_KEY, GoCardlessStandIn


@pytest.fixture
async def impatient(
    bank: GoCardlessStandIn, clock: FixedClock, callback: Callback, sleeps: Sleeps
) -> AsyncIterator[GoCardlessConnector]:
    made = make_connector(bank, clock, callback.url, sleeps, timeout=0.2)
    yield made
    await made.aclose()


async def test_a_provider_that_never_answers_is_unavailable(
    impatient: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    bank.hang("/institutions/")
    with pytest.raises(BankUnavailable):
        await impatient.institutions("FR")
    bank.release()
    assert await impatient.institutions("FR")


async def test_a_passing_5xx_is_retried_with_backoff(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, sleeps: Sleeps
) -> None:
    await connector.institutions("FR")
    bank.fail(503, times=2, path="/institutions/")
    assert await connector.institutions("FR")
    assert sleeps.waits == [0.5, 1.0]


async def test_a_lasting_5xx_is_unavailable(
    connector: GoCardlessConnector, bank: GoCardlessStandIn
) -> None:
    bank.fail(500, times=5, path="/institutions/")
    with pytest.raises(BankUnavailable):
        await connector.institutions("FR")


async def test_a_short_wait_of_the_apis_own_limit_is_waited_out(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, sleeps: Sleeps
) -> None:
    await connector.institutions("FR")
    bank.fail(429, path="/institutions/", wait=3)
    assert await connector.institutions("FR")
    assert sleeps.waits == [3.0]


async def test_a_long_wait_of_the_apis_own_limit_is_rate_limited_with_its_instant(
    connector: GoCardlessConnector, bank: GoCardlessStandIn, clock: FixedClock
) -> None:
    await connector.institutions("FR")
    bank.fail(429, path="/institutions/", wait=120)
    with pytest.raises(RateLimited) as raised:
        await connector.institutions("FR")
    assert raised.value.retry_at == clock.now() + timedelta(seconds=120)


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests on and keeps every header and path the connector sent."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += [request.url.path, request.headers.get("Authorization", "")]
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_secrets_stay_out_of_logs_errors_and_reprs(
    bank: GoCardlessStandIn,
    clock: FixedClock,
    callback: Callback,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    recorder = Recorder()
    connector = GoCardlessConnector(
        secret_id=Secret(SECRET_ID),
        secret_key=Secret(SECRET_KEY),
        redirect_url=callback.url,
        clock=clock,
        base_url=bank.url,
        transport=recorder,
    )
    shown: list[object] = [connector]
    challenge = await connector.begin_auth(BANK, None)
    assert isinstance(challenge, Challenge) and challenge.link is not None
    await follow(challenge.link)
    authorized = await connector.continue_auth(challenge, callback.received[-1])
    assert isinstance(authorized, Authorized)
    accounts = await connector.list_accounts(authorized.secret)
    checking = next(a.external_id for a in accounts if a.iban == CHECKING_IBAN)
    bank.fail(400, path="/transactions/")
    for failing in (
        connector.fetch_transactions(authorized.secret, checking, day(clock, 3), day(clock)),
        connector.begin_auth("NOSUCHBANK", None),
    ):
        with pytest.raises(ConnectorError) as raised:
            await failing
        shown += [raised.value, raised.value.args]
    shown += [challenge.state, authorized, challenge.reference]  # the link is the user's to open
    await connector.aclose()
    tokens = {seen.removeprefix("Bearer ") for seen in recorder.seen if seen.startswith("Bearer")}
    requisition = bank.by_reference(challenge.reference).id
    secrets = {SECRET_KEY, requisition, checking, *tokens}
    told = caplog.text + " ".join(repr(thing) for thing in shown)
    assert tokens and "answered 400" in caplog.text
    assert [secret for secret in secrets if secret in told] == []
