"""The fixed clock: time moves, and sleepers wake, only when a test moves it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.clock import FixedClock
from tests.support.clock import NOON_PARIS


async def test_a_sleeper_wakes_when_the_clock_has_moved_far_enough() -> None:
    clock = FixedClock(NOON_PARIS)
    sleeper = asyncio.create_task(clock.sleep(30))
    await asyncio.sleep(0)
    assert clock.sleepers == 1
    clock.advance(timedelta(seconds=29))
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(timedelta(seconds=1))
    await asyncio.wait_for(sleeper, 1)
    assert clock.sleepers == 0


async def test_setting_the_clock_wakes_only_the_sleepers_it_passes() -> None:
    clock = FixedClock(NOON_PARIS)
    short, long = asyncio.create_task(clock.sleep(5)), asyncio.create_task(clock.sleep(3600))
    await asyncio.sleep(0)
    clock.set(NOON_PARIS + timedelta(minutes=1))
    await asyncio.wait_for(short, 1)
    assert not long.done() and clock.sleepers == 1
    long.cancel()
    await asyncio.gather(long, return_exceptions=True)
    assert clock.sleepers == 0


async def test_no_wait_at_all_only_yields() -> None:
    clock = FixedClock(NOON_PARIS)
    await asyncio.wait_for(clock.sleep(0), 1)
    await asyncio.wait_for(clock.sleep(-1), 1)
    assert clock.now() == NOON_PARIS and clock.sleepers == 0
