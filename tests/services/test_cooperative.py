"""Long loops yield between slices, and outside an update they step aside while one runs."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from bot.services.cooperative import FOREGROUND, STEP_ASIDE_S, Slices, detached
from storage.uow import Database


async def busy_loop(seconds: float, slice_s: float = 0.005) -> int:
    """Spin for `seconds` of wall time through Slices; returns how many ticks it made."""
    slices = Slices(slice_s)
    ticks = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        ticks += 1
        await slices.tick()
    return ticks


async def slices_take(count: int) -> float:
    """Seconds `count` used-up slices take: each ends in a yield, and a pause if stepping aside."""
    slices = Slices(0)
    started = time.perf_counter()
    for _ in range(count):
        await slices.tick()
    return time.perf_counter() - started


@contextlib.asynccontextmanager
async def an_update_in_hand() -> AsyncIterator[None]:
    """Another task handles an update for as long as the block runs."""
    release = asyncio.Event()

    async def serving() -> None:
        with FOREGROUND.serving():
            await release.wait()

    update = asyncio.create_task(serving())
    await asyncio.sleep(0)
    try:
        yield
    finally:
        release.set()
        await update


async def test_a_long_loop_lets_others_run_between_slices() -> None:
    woke: list[float] = []

    async def ticker() -> None:
        for _ in range(10):
            started = time.perf_counter()
            await asyncio.sleep(0)
            woke.append(time.perf_counter() - started)

    await asyncio.gather(busy_loop(0.1), ticker())
    assert max(woke) < 0.05


async def test_background_loops_step_aside_while_an_update_is_served() -> None:
    """Each slice of background work is followed by a pause while an update is in hand, and
    by none when nobody is pressing."""

    alone = await slices_take(10)
    async with an_update_in_hand():
        stepping_aside = await slices_take(10)
    assert FOREGROUND.active == 0
    assert stepping_aside >= 10 * STEP_ASIDE_S
    assert alone < stepping_aside / 2


async def test_an_updates_own_loop_and_detached_work_are_told_apart() -> None:
    with FOREGROUND.serving():
        own = await slices_take(5)
        spawned = await asyncio.create_task(detached(slices_take(5)))
    assert own < spawned / 2  # the update's own loop never waits for itself
    assert spawned >= 0.04  # work it left running steps aside, five times


async def test_inside_a_writing_unit_of_work_a_loop_never_pauses(db: Database) -> None:
    """Every other writer waits for this one to commit: stepping aside there would make the
    presses that write wait longer, not shorter."""

    async with an_update_in_hand():
        outside = await slices_take(5)
        async with db.writing():
            inside = await slices_take(5)
    assert outside >= 0.04 and inside < outside / 2


async def test_background_work_goes_on_as_soon_as_the_update_is_done() -> None:
    """Stepping aside waits for the update in hand, not a fixed pause after every slice."""

    async def served_briefly() -> None:
        with FOREGROUND.serving():
            await asyncio.sleep(0.01)

    update = asyncio.create_task(served_briefly())
    await asyncio.sleep(0)
    took = await slices_take(10)
    await update
    assert 0.008 <= took < 5 * STEP_ASIDE_S  # one wait of ~10 ms, not ten of up to 20 ms
