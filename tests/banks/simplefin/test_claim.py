"""A setup token is decoded and claimed once for an access URL; bad tokens never reach a URL."""

from __future__ import annotations

import base64

import httpx
import pytest

from bot.banks.connector import (
    Authorized,
    BadCredentials,
    BankUnavailable,
    Challenge,
    ChallengeKind,
    Credentials,
    Unsupported,
)
from bot.banks.simplefin import SetupTokenRefused, SimpleFin
from bot.banks.simplefin.tokens import (
    ALREADY_CLAIMED,
    NOT_A_URL,
    NOT_BASE64,
    NOT_HTTPS,
    UNTRUSTED_HOST,
)
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.banks.simplefin.conftest import access_url_parts, connector_for
from tests.support.providers.simplefin import SimpleFinStandIn, Subscriber


def token_of(text: str) -> Credentials:
    return Credentials("", Secret(base64.b64encode(text.encode()).decode()))


async def test_a_setup_token_is_claimed_for_an_access_url_with_basic_credentials(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    step = await simplefin.begin_auth("", Credentials("", Secret(bank.setup_token(user))))
    assert isinstance(step, Authorized)
    assert step.consent_expires is None
    username, password = access_url_parts(step.secret)
    assert step.secret.reveal() == bank.url.replace("://", f"://{username}:{password}@")
    assert bank.calls["claim"] == 1


async def test_a_second_claim_of_the_same_token_is_refused_as_already_claimed(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    token = Credentials("", Secret(bank.setup_token(user)))
    await simplefin.begin_auth("", token)
    with pytest.raises(SetupTokenRefused) as refused:
        await simplefin.begin_auth("", token)
    assert refused.value.reason == ALREADY_CLAIMED
    assert isinstance(refused.value, BadCredentials)
    assert "compromised" in str(refused.value)
    assert bank.calls["claim"] == 2


async def test_a_token_pasted_with_line_breaks_and_without_padding_still_claims(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    token = bank.setup_token(user).rstrip("=")
    pasted = f"  {token[:20]}\n{token[20:]} \n"
    step = await simplefin.begin_auth("", Credentials("", Secret(pasted)))
    assert isinstance(step, Authorized)


@pytest.mark.parametrize(
    ("pasted", "reason"),
    [
        ("", NOT_BASE64),
        ("not base64 at all!", NOT_BASE64),
        (base64.b64encode(b"\xff\xfe\x00").decode(), NOT_BASE64),
        (base64.b64encode(b"just some words").decode(), NOT_A_URL),
        (base64.b64encode(b"ftp://bridge.example/claim/x").decode(), NOT_A_URL),
    ],
)
async def test_a_token_that_is_not_a_claim_url_is_refused_before_any_call(
    simplefin: SimpleFin, bank: SimpleFinStandIn, pasted: str, reason: str
) -> None:
    with pytest.raises(SetupTokenRefused) as refused:
        await simplefin.begin_auth("", Credentials("", Secret(pasted)))
    assert refused.value.reason == reason
    assert sum(bank.calls.values()) == 0


async def test_an_http_claim_url_is_refused_unless_http_is_allowed(
    bank: SimpleFinStandIn, clock: FixedClock, user: Subscriber
) -> None:
    strict = connector_for(bank, clock, allow_http=False)
    with pytest.raises(SetupTokenRefused) as refused:
        await strict.begin_auth("", Credentials("", Secret(bank.setup_token(user))))
    assert refused.value.reason == NOT_HTTPS
    assert bank.calls["claim"] == 0
    await strict.aclose()


async def test_a_claim_url_outside_the_trusted_hosts_is_refused(
    bank: SimpleFinStandIn, clock: FixedClock, user: Subscriber
) -> None:
    guarded = connector_for(bank, clock, trusted_hosts=frozenset({"bridge.simplefin.org"}))
    with pytest.raises(SetupTokenRefused) as refused:
        await guarded.begin_auth("", Credentials("", Secret(bank.setup_token(user))))
    assert refused.value.reason == UNTRUSTED_HOST
    assert bank.calls["claim"] == 0
    trusting = connector_for(bank, clock, trusted_hosts=frozenset({"127.0.0.1"}))
    assert isinstance(
        await trusting.begin_auth("", Credentials("", Secret(bank.setup_token(user)))), Authorized
    )
    await guarded.aclose()
    await trusting.aclose()


async def test_no_credentials_is_bad_credentials(simplefin: SimpleFin) -> None:
    with pytest.raises(BadCredentials):
        await simplefin.begin_auth("", None)


async def test_a_failed_claim_is_not_retried(
    simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber
) -> None:
    bank.fail_next(502)
    with pytest.raises(BankUnavailable):
        await simplefin.begin_auth("", Credentials("", Secret(bank.setup_token(user))))
    assert bank.calls["claim"] == 1


@pytest.mark.parametrize(
    "answer",
    ["<html>Welcome</html>", "https://bridge.example/simplefin", "http://u:p@bridge.example/x"],
)
async def test_a_claim_answer_that_is_no_usable_access_url_is_bank_unavailable(
    clock: FixedClock, answer: str
) -> None:
    """No credentials, or http without allow_http: the token is spent, the bot cannot use it."""
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text=answer))
    connector = SimpleFin(clock, transport=transport)
    with pytest.raises(BankUnavailable):
        await connector.begin_auth("", token_of("https://bridge.example/simplefin/claim/abc"))
    await connector.aclose()


async def test_an_unknown_claim_url_is_refused_like_a_used_one(
    simplefin: SimpleFin, bank: SimpleFinStandIn
) -> None:
    with pytest.raises(SetupTokenRefused) as refused:
        await simplefin.begin_auth("", token_of(f"{bank.url}/claim/never-issued"))
    assert refused.value.reason == ALREADY_CLAIMED


async def test_there_is_no_second_step(simplefin: SimpleFin) -> None:
    with pytest.raises(Unsupported):
        await simplefin.continue_auth(Challenge(ChallengeKind.CODE, Secret("x")), "123456")
