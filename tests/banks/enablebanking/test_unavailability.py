"""A provider that hangs, fails or limits us; and secrets kept out of logs and reprs."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.banks.connector import BankUnavailable, ConnectorError, RateLimited, Unsupported
from bot.banks.enablebanking import EnableBanking
from bot.banks.enablebanking.signing import RequestSigner
from bot.domain.clock import FixedClock
from tests.banks.enablebanking.conftest import APP_ID, BANK_ID, Factory, consent, pem
from tests.support.providers.enablebanking import EnableBankingStandIn

TODAY = date(2026, 11, 28)
BALANCES = "GET /accounts/{account_id}/balances"


async def test_a_provider_that_never_answers_is_unavailable_after_the_timeout(
    make: Factory, bank: EnableBankingStandIn
) -> None:
    bank.hang("GET /aspsps")
    with pytest.raises(BankUnavailable):
        await make(timeout=0.2).institutions("FR")
    assert bank.calls["GET /aspsps"] == 1


async def test_a_passing_5xx_is_retried(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    bank.fail(502, route="GET /aspsps")
    assert [i.id for i in await connector.institutions("FR")] == [BANK_ID]
    assert bank.calls["GET /aspsps"] == 2


async def test_a_lasting_5xx_is_unavailable(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    _, _, authorized = await consent(connector)
    bank.fail(500, route=BALANCES, times=5)
    with pytest.raises(BankUnavailable):
        await connector.list_accounts(authorized.secret)
    assert bank.calls[BALANCES] == 3


async def test_the_banks_daily_limit_is_rate_limited_until_the_instant_it_names(
    connector: EnableBanking, bank: EnableBankingStandIn, clock: FixedClock
) -> None:
    _, _, authorized = await consent(connector)
    bank.fail(429, route=BALANCES, retry_after=3600)
    with pytest.raises(RateLimited) as limited:
        await connector.list_accounts(authorized.secret)
    assert limited.value.retry_at == clock.now() + timedelta(hours=1)


async def test_a_period_the_bank_does_not_serve_is_unsupported(
    connector: EnableBanking, bank: EnableBankingStandIn
) -> None:
    _, _, authorized = await consent(connector)
    [account, _] = await connector.list_accounts(authorized.secret)
    bank.fail(
        422, route="GET /accounts/{account_id}/transactions", error="WRONG_TRANSACTIONS_PERIOD"
    )
    with pytest.raises(Unsupported):
        await connector.fetch_transactions(authorized.secret, account.external_id, TODAY, TODAY)


async def test_no_secret_reaches_the_logs_the_errors_or_the_reprs(
    make: Factory,
    bank: EnableBankingStandIn,
    key: rsa.RSAPrivateKey,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    connector = make()
    step, landed, authorized = await consent(connector)
    stored = json.loads(authorized.secret.reveal())
    [account, _] = await connector.list_accounts(authorized.secret)
    failures: list[Exception] = []
    for status, tries in ((401, 1), (403, 1), (500, 3), (429, 1), (422, 1)):
        bank.fail(status, times=tries, error="UNAUTHORIZED_ACCESS" if status == 401 else None)
        with pytest.raises(ConnectorError) as failed:
            await connector.fetch_transactions(authorized.secret, account.external_id, TODAY, TODAY)
        failures.append(failed.value)
    bank.active = False
    with pytest.raises(ConnectorError) as failed:
        await connector.begin_auth(BANK_ID, None)
    failures.append(failed.value)
    token = RequestSigner(APP_ID, key, clock).authorization().removeprefix("Bearer ")
    secrets = [
        stored["session_id"],
        parse_qs(urlsplit(landed).query)["code"][0],
        *(a["uid"] for a in stored["accounts"]),
        token,
        pem(key).reveal().splitlines()[5],
    ]
    shown = " ".join(
        [caplog.text, repr(step), repr(authorized), repr(connector)]
        + [f"{failure!r} {failure}" for failure in failures]
    )
    assert "Enable Banking refused the application" in caplog.text
    for secret in secrets:
        assert secret not in shown
