"""The key pair, the stand-in seeded with one French bank, the connector, and a consent helper."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.banks.connector import Authorized, Challenge
from bot.banks.enablebanking import EnableBanking
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.support.clock import NOON_PARIS
from tests.support.providers.enablebanking import EnableBankingStandIn, StandInAccount

APP_ID = "5f6b2a1c-0d3e-4f59-9a7b-8c1d2e3f4a5b"
REDIRECT = "https://pointage.test/enablebanking/callback"
BANK, COUNTRY = "Banque Exemple", "FR"
BANK_ID = f"{COUNTRY}:{BANK}"
IBAN = "FR7630006000011234567890189"
SAVINGS_IBAN = "FR7630006000019876543210123"

Factory = Callable[..., EnableBanking]


def pem(key: rsa.RSAPrivateKey) -> Secret:
    text = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return Secret(text)


@pytest.fixture(scope="session")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOON_PARIS)


@pytest.fixture
async def bank(key: rsa.RSAPrivateKey, clock: FixedClock) -> AsyncIterator[EnableBankingStandIn]:
    async with EnableBankingStandIn(
        key.public_key(), APP_ID, redirect_urls=[REDIRECT], clock=clock
    ) as stand_in:
        stand_in.add_aspsp(BANK, COUNTRY, bic="EXMPFRPP")
        stand_in.add_account(
            BANK,
            COUNTRY,
            StandInAccount(
                IBAN,
                details="Compte courant pro",
                balances=[("ITAV", "1500.00"), ("CLBD", "1234.56")],
            ),
        )
        stand_in.add_account(
            BANK,
            COUNTRY,
            StandInAccount(SAVINGS_IBAN, product="Livret A", cash_account_type="SVGS"),
        )
        yield stand_in


@pytest.fixture
async def make(
    bank: EnableBankingStandIn, key: rsa.RSAPrivateKey, clock: FixedClock
) -> AsyncIterator[Factory]:
    """Connectors to the stand-in; keyword arguments replace the defaults."""
    made: list[EnableBanking] = []
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    def factory(**overrides: Any) -> EnableBanking:
        settings: dict[str, Any] = {
            "application_id": APP_ID,
            "private_key": pem(key),
            "redirect_url": REDIRECT,
            "clock": clock,
            "base_url": bank.url,
            "sleep": no_wait,
        }
        connector = EnableBanking(**(settings | overrides))
        made.append(connector)
        return connector

    yield factory
    for connector in made:
        await connector.aclose()


@pytest.fixture
def connector(make: Factory) -> EnableBanking:
    return make()


class Browser:
    """httpx as the user's browser: follows the bank page's redirect to our callback, where it
    lands (the callback is answered in-process: pointage.test is not a real host)."""

    def __init__(self) -> None:
        self.landed: list[str] = []

    def _callback(self, request: httpx.Request) -> httpx.Response:
        self.landed.append(str(request.url))
        return httpx.Response(200, text="Merci, vous pouvez revenir dans Telegram")

    async def open(self, link: str) -> str:
        """The URL the browser ends on after opening `link`."""
        mounts = {"https://pointage.test": httpx.MockTransport(self._callback)}
        async with httpx.AsyncClient(follow_redirects=True, mounts=mounts) as client:
            response = await client.get(link)
        response.raise_for_status()
        return str(response.url)


async def challenge(connector: EnableBanking, bank_id: str = BANK_ID) -> Challenge:
    """begin_auth's link challenge (its link set)."""
    step = await connector.begin_auth(bank_id, None)
    assert isinstance(step, Challenge) and step.link is not None
    return step


async def landing(step: Challenge) -> str:
    """Where the browser lands after opening the challenge's link."""
    assert step.link is not None
    return await Browser().open(step.link)


async def consent(connector: EnableBanking) -> tuple[Challenge, str, Authorized]:
    """The whole consent: the link, the bank page, the redirect, the session."""
    step = await challenge(connector)
    landed = await landing(step)
    authorized = await connector.continue_auth(step, landed)
    assert isinstance(authorized, Authorized)
    return step, landed, authorized
