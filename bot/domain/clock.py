"""An injectable clock, so tests and the playground can move time."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class MovableClock:
    """Real time plus an offset that only grows: the playground moves the bot's clock on to
    the next sync or summary, and time keeps running from there."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        self._offset += delta

    def move_to(self, at: datetime) -> None:
        """Jump to `at` (not before now: rows the bot stamped must not lie in the future)."""
        self.advance(max(at - self.now(), timedelta(0)))

    @property
    def offset(self) -> timedelta:
        return self._offset

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FixedClock:
    """A clock that stays where it is put until it is moved."""

    def __init__(self, at: datetime) -> None:
        self._at = at
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta
        self._wake()

    def set(self, at: datetime) -> None:
        self._at = at
        self._wake()

    async def sleep(self, seconds: float) -> None:
        """Wait until the clock is moved `seconds` on: a test decides when the time has passed,
        so it neither waits for real nor races a timer."""
        deadline = self._at + timedelta(seconds=max(seconds, 0.0))
        if deadline <= self._at:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        sleeper = (deadline, woken)
        self._sleepers.append(sleeper)
        try:
            await woken
        finally:
            self._sleepers.remove(sleeper)

    @property
    def sleepers(self) -> int:
        """How many `sleep` calls are waiting for the clock to move."""
        return len(self._sleepers)

    def _wake(self) -> None:
        for deadline, woken in self._sleepers:
            if deadline <= self._at and not woken.done():
                woken.get_loop().call_soon_threadsafe(_wake_once, woken)


def _wake_once(woken: asyncio.Future[None]) -> None:
    if not woken.done():
        woken.set_result(None)


def today_in(clock: Clock, tz_name: str = "Europe/Paris") -> date:
    from zoneinfo import ZoneInfo

    return clock.now().astimezone(ZoneInfo(tz_name)).date()
