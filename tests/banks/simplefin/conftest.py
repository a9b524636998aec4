"""A bridge stand-in, a connector pointed at it, and a subscriber with two accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from bot.banks.connector import Authorized, Credentials
from bot.banks.simplefin import SimpleFin
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret
from tests.support.providers.simplefin import SimpleFinStandIn, Subscriber, at

TODAY = date(2026, 11, 28)  # the shared clock's date, in UTC too


async def no_sleep(seconds: float) -> None:
    return None


def connector_for(
    bank: SimpleFinStandIn,
    clock: FixedClock,
    *,
    allow_http: bool = True,
    trusted_hosts: frozenset[str] | None = None,
    timeout: float = 5.0,
    daily_budget: int = 24,
    timezone: str = "UTC",
) -> SimpleFin:
    return SimpleFin(
        clock, bridge_url=bank.url, allow_http=allow_http, trusted_hosts=trusted_hosts,
        timeout=timeout, daily_budget=daily_budget, timezone=timezone, sleep=no_sleep,
    )


@pytest.fixture
async def bank(clock: FixedClock) -> AsyncIterator[SimpleFinStandIn]:
    async with SimpleFinStandIn(clock) as bank:
        yield bank


@pytest.fixture
async def simplefin(bank: SimpleFinStandIn, clock: FixedClock) -> AsyncIterator[SimpleFin]:
    connector = connector_for(bank, clock)
    yield connector
    await connector.aclose()


@pytest.fixture
def user(bank: SimpleFinStandIn) -> Subscriber:
    """Checking with three posted lines and a pending one; a card with one line."""
    user = bank.subscriber()
    first = user.connection("First Bank")
    checking = user.account(first, "Everyday Checking", id="ACT-CHK", balance="1520.75")
    checking.line("c1", posted=at(date(2026, 11, 2)), amount="-12.30", description="Coffee")
    checking.line("c2", posted=at(date(2026, 11, 20)), amount="2500.00", description="Invoice 17")
    checking.line("c3", posted=at(date(2026, 11, 27)), amount="-80.00", description="Fuel")
    checking.line(
        "c4", posted=0, transacted_at=at(TODAY), amount="-4.50", description="Bakery",
        pending=True,
    )
    card = user.account(first, "Rewards Visa Card", id="ACT-CARD", balance="-310.20")
    card.line("v1", posted=at(date(2026, 11, 15)), amount="-310.20", description="Laptop stand")
    return user


async def claim(simplefin: SimpleFin, bank: SimpleFinStandIn, user: Subscriber) -> Secret:
    step = await simplefin.begin_auth("", Credentials("", Secret(bank.setup_token(user))))
    assert isinstance(step, Authorized)
    return step.secret


def access_url_parts(secret: Secret) -> tuple[str, str]:
    """The Basic username and password inside an access URL."""
    userinfo = secret.reveal().split("://", 1)[1].split("@", 1)[0]
    username, password = userinfo.split(":", 1)
    return username, password
