"""The demo bank as its tests use it: a bank on a fixed clock that records its pauses, a login,
a whole history."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.banks.connector import (
    Authorized,
    Challenge,
    Credentials,
    FetchedTransaction,
)
from bot.banks.demo.bank import DemoBank
from bot.domain.clock import FixedClock
from bot.domain.secret import Secret

WEDNESDAY = datetime(2025, 6, 18, 7, 30, tzinfo=UTC)
TODAY = date(2025, 6, 18)
FAR_PAST = date(2000, 1, 1)
FAR_FUTURE = date(2100, 1, 1)
ACCOUNT_IDS = ("demo-cc", "demo-sav", "demo-card")


class RecordedSleeps:
    """Stands in for asyncio.sleep and remembers how long each call would have waited."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_bank(at: datetime = WEDNESDAY, latency: float = 0.0) -> tuple[DemoBank, FixedClock]:
    clock = FixedClock(at)
    return DemoBank(clock, latency, sleep=RecordedSleeps()), clock


async def login(bank: DemoBank, username: str = "demo") -> Secret:
    step = await bank.begin_auth("demo", Credentials(username, Secret("demo")))
    assert isinstance(step, Challenge)
    done = await bank.continue_auth(step, "123456")
    assert isinstance(done, Authorized)
    return done.secret


async def history(bank: DemoBank, secret: Secret, account_id: str) -> list[FetchedTransaction]:
    return await bank.fetch_transactions(secret, account_id, FAR_PAST, FAR_FUTURE)
