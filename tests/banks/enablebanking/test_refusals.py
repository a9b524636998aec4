"""The application's JWT, checked by the stand-in as Enable Banking does, and refused."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.banks.connector import ProviderMisconfigured
from bot.banks.enablebanking import EnableBanking
from bot.banks.enablebanking.signing import RequestSigner
from bot.domain.clock import FixedClock
from tests.banks.enablebanking.conftest import APP_ID, REDIRECT, Factory, pem
from tests.support.providers.enablebanking import EnableBankingStandIn


async def test_a_signed_request_is_accepted(connector: EnableBanking) -> None:
    assert "Pointage" in await connector.check()


def test_the_token_carries_the_documented_header_and_claims(
    key: rsa.RSAPrivateKey, clock: FixedClock
) -> None:
    token = RequestSigner(APP_ID, key, clock).authorization().removeprefix("Bearer ")
    assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "RS256", "kid": APP_ID}
    claims = jwt.decode(
        token,
        key.public_key(),
        algorithms=["RS256"],
        audience="api.enablebanking.com",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == "enablebanking.com"
    assert claims["iat"] == int(clock.now().timestamp())
    assert 0 < claims["exp"] - claims["iat"] <= 86_400


def test_the_token_is_made_again_before_it_expires(
    key: rsa.RSAPrivateKey, clock: FixedClock
) -> None:
    signer = RequestSigner(APP_ID, key, clock)
    first = signer.authorization()
    clock.advance(timedelta(minutes=30))
    assert signer.authorization() == first
    clock.advance(timedelta(minutes=26))
    assert signer.authorization() != first


async def test_a_key_that_is_not_the_applications_is_misconfigured(
    make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with (
        caplog.at_level(logging.ERROR, logger="bot.banks.enablebanking"),
        pytest.raises(ProviderMisconfigured),
    ):
        await make(private_key=pem(other)).institutions("FR")
    [line] = caplog.records
    assert "401 UNAUTHORIZED_ACCESS" in line.getMessage()


async def test_another_application_id_is_misconfigured(make: Factory) -> None:
    with pytest.raises(ProviderMisconfigured):
        await make(application_id="00000000-0000-0000-0000-000000000000").institutions("FR")


async def test_a_token_from_a_clock_hours_behind_is_refused_as_expired(
    make: Factory, bank: EnableBankingStandIn, clock: FixedClock
) -> None:
    bank.clock = FixedClock(clock.now() + timedelta(hours=2))
    with pytest.raises(ProviderMisconfigured):
        await make().institutions("FR")


async def test_the_stand_in_refuses_a_token_living_over_a_day(
    bank: EnableBankingStandIn, key: rsa.RSAPrivateKey, clock: FixedClock
) -> None:
    now = int(clock.now().timestamp())
    claims = {"iss": "enablebanking.com", "aud": "api.enablebanking.com", "iat": now}
    long_lived = jwt.encode(claims | {"exp": now + 86_401}, key, "RS256", {"kid": APP_ID})
    day = jwt.encode(claims | {"exp": now + 86_400}, key, "RS256", {"kid": APP_ID})
    async with httpx.AsyncClient(base_url=bank.url) as client:
        refused = await client.get("/aspsps", headers={"Authorization": f"Bearer {long_lived}"})
        accepted = await client.get("/aspsps", headers={"Authorization": f"Bearer {day}"})
        anonymous = await client.get("/aspsps")
    assert refused.status_code == 401 and refused.json()["error"] == "UNAUTHORIZED_ACCESS"
    assert accepted.status_code == 200
    assert anonymous.json() == {
        "code": 401,
        "message": "Authorization not provided",
        "error": "AUTHORIZATION_NOT_PROVIDED",
    }


async def test_an_inactive_application_is_misconfigured_with_one_clear_log_line(
    connector: EnableBanking, bank: EnableBankingStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    bank.active = False
    with (
        caplog.at_level(logging.DEBUG, logger="bot.banks.enablebanking"),
        pytest.raises(ProviderMisconfigured),
    ):
        await connector.begin_auth("FR:Banque Exemple", None)
    [line] = caplog.records
    assert line.levelno == logging.ERROR
    assert "not active" in line.getMessage() and "control panel" in line.getMessage()


async def test_check_says_when_the_redirect_url_is_not_the_applications(
    make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="bot.banks.enablebanking"),
        pytest.raises(ProviderMisconfigured),
    ):
        await make(redirect_url="https://elsewhere.test/callback").check()
    assert "redirect URL" in caplog.text


def test_a_key_file_that_cannot_be_read_is_misconfigured_and_named(
    tmp_path: Path, clock: FixedClock
) -> None:
    with pytest.raises(ProviderMisconfigured, match=r"missing\.pem"):
        EnableBanking.from_key_file(
            tmp_path / "missing.pem", application_id=APP_ID, redirect_url=REDIRECT, clock=clock
        )


def test_a_file_that_is_not_a_pem_key_is_misconfigured(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "private.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ProviderMisconfigured, match="not an unencrypted PEM key"):
        EnableBanking.from_key_file(path, application_id=APP_ID, redirect_url=REDIRECT, clock=clock)


async def test_the_key_file_is_read_once_when_the_connector_is_made(
    tmp_path: Path, key: rsa.RSAPrivateKey, clock: FixedClock, bank: EnableBankingStandIn
) -> None:
    path = tmp_path / "private.pem"
    path.write_text(pem(key).reveal())
    connector = EnableBanking.from_key_file(
        path, application_id=APP_ID, redirect_url=REDIRECT, clock=clock, base_url=bank.url
    )
    path.unlink()
    try:
        assert "active" in await connector.check()
    finally:
        await connector.aclose()
