"""The tests' fixed instant, and moving a FixedClock on while something sleeps on it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain.clock import FixedClock

NOON_PARIS = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)


async def advance_while_waited_on(
    clock: FixedClock,
    done: Callable[[], bool],
    step: timedelta = timedelta(seconds=1),
    timeout: float = 10.0,
) -> None:
    """Move the clock on by `step` whenever something sleeps on it, until `done()`."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + timeout
    while not done():
        if loop.time() > give_up:
            raise AssertionError(f"not done after {timeout} s ({clock.sleepers} sleeping)")
        if clock.sleepers:
            clock.advance(step)
        await asyncio.sleep(0.005)
