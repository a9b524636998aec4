"""A GoCardless stand-in seeded with two banks, a connector pointed at it, and a "bot" callback
server the consent link's redirect lands on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import pytest
from aiohttp import web

from bot.banks.connector import Authorized, Challenge
from bot.banks.gocardless import GoCardlessConnector
from bot.domain.clock import FixedClock, today_in
from bot.domain.secret import Secret
from tests.support.providers.gocardless import (
    SECRET_ID,
    SECRET_KEY,
    BankAccount,
    GoCardlessStandIn,
    transaction,
)

BANK = "SANDBOXFINANCE_SFIN0000"
SMALL_BANK = "PETITEBANQUE_PTBQFRPP"
CHECKING_IBAN = "FR7630006000011234567890189"
SAVINGS_IBAN = "FR7630004000031234567890143"


@dataclass
class Callback:
    """The bot's consent route: where the bank sends the user back."""

    url: str = ""
    received: list[str] = field(default_factory=list)


@pytest.fixture
async def callback() -> AsyncIterator[Callback]:
    landed = Callback()

    async def back(request: web.Request) -> web.Response:
        landed.received.append(str(request.url))
        return web.Response(text="Vous pouvez revenir sur Telegram.")

    app = web.Application()
    app.router.add_get("/consent/gocardless", back)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    landed.url = f"http://127.0.0.1:{runner.addresses[0][1]}/consent/gocardless"
    yield landed
    await runner.cleanup()


@pytest.fixture
async def bank(clock: FixedClock) -> AsyncIterator[GoCardlessStandIn]:
    today = today_in(clock)
    async with GoCardlessStandIn(clock=clock) as stand_in:
        stand_in.add_institution(
            BANK, "Sandbox Finance", bic="SFIN0000", transaction_total_days=800
        )
        stand_in.add_institution(
            SMALL_BANK, "Petite Banque", transaction_total_days=540, max_access_valid_for_days=90
        )
        stand_in.add_account(BankAccount(BANK, CHECKING_IBAN, "1520.35", name="Compte Pro"))
        stand_in.add_account(
            BankAccount(BANK, SAVINGS_IBAN, "8000.00", name="Livret", cash_account_type="SVGS")
        )
        stand_in.add_account(BankAccount(SMALL_BANK, "FR7612739000501234567890123", "10.00"))
        yesterday = today - timedelta(days=1)
        for entry in (
            transaction("-42.00", yesterday, "PRLV EDF", transactionId="edf-2026-11"),
            transaction("-3.20", yesterday, "CB CAFE DU COIN"),
            transaction("-3.20", yesterday, "CB CAFE DU COIN"),
            transaction("1800.00", today - timedelta(days=10), "VIR CLIENT", debtorName="ACME"),
        ):
            stand_in.add_transaction(CHECKING_IBAN, entry)
        stand_in.add_transaction(
            CHECKING_IBAN, transaction("-19.99", today, "CB LIBRAIRIE"), pending=True
        )
        yield stand_in


@dataclass
class Sleeps:
    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_connector(
    bank: GoCardlessStandIn,
    clock: FixedClock,
    redirect: str,
    sleeps: Sleeps,
    *,
    secret_key: str = SECRET_KEY,
    timeout: float = 5.0,
) -> GoCardlessConnector:
    return GoCardlessConnector(
        secret_id=Secret(SECRET_ID),
        secret_key=Secret(secret_key),
        redirect_url=redirect,
        clock=clock,
        base_url=bank.url,
        timeout=timeout,
        user_language="fr",
        sleep=sleeps,
    )


@pytest.fixture
async def connector(
    bank: GoCardlessStandIn, clock: FixedClock, callback: Callback, sleeps: Sleeps
) -> AsyncIterator[GoCardlessConnector]:
    made = make_connector(bank, clock, callback.url, sleeps)
    yield made
    await made.aclose()


async def follow(link: str) -> httpx.Response:
    """The user's browser: open the consent link and follow the redirects back to the bot."""
    async with httpx.AsyncClient(follow_redirects=True) as browser:
        return await browser.get(link)


async def linked(
    connector: GoCardlessConnector, callback: Callback, institution: str = BANK
) -> Authorized:
    """A whole consent: begin, open the link, come back, continue with the redirect URL."""
    challenge = await connector.begin_auth(institution, None)
    assert isinstance(challenge, Challenge) and challenge.link is not None
    await follow(challenge.link)
    step = await connector.continue_auth(challenge, callback.received[-1])
    assert isinstance(step, Authorized)
    return step


def day(clock: FixedClock, days_ago: int = 0) -> date:
    return today_in(clock) - timedelta(days=days_ago)
