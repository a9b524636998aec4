"""Long loops yield between slices, and outside an update they step aside while one runs."""

from __future__ import annotations

import asyncio
import time

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

    async def ten_slices() -> float:
        slices = Slices(0)
        started = time.perf_counter()
        for _ in range(10):
            await slices.tick()
        return time.perf_counter() - started

    release = asyncio.Event()

    async def an_update_in_hand() -> None:
        with FOREGROUND.serving():
            await release.wait()

    alone = await ten_slices()
    update = asyncio.create_task(an_update_in_hand())
    await asyncio.sleep(0)
    stepping_aside = await ten_slices()
    release.set()
    await update
    assert FOREGROUND.active == 0
    assert stepping_aside >= 10 * STEP_ASIDE_S
    assert alone < stepping_aside / 2


async def test_an_updates_own_loop_and_detached_work_are_told_apart() -> None:
    async def pauses_of() -> float:
        slices = Slices(0)
        started = time.perf_counter()
        for _ in range(5):
            await slices.tick()
        return time.perf_counter() - started

    with FOREGROUND.serving():
        own = await pauses_of()
        spawned = await asyncio.create_task(detached(pauses_of()))
    assert own < spawned / 2  # the update's own loop never waits for itself
    assert spawned >= 0.04  # work it left running steps aside: five pauses of 10 ms


async def test_inside_a_writing_unit_of_work_a_loop_never_pauses(db: Database) -> None:
    """Every other writer waits for this one to commit: stepping aside there would make the
    presses that write wait longer, not shorter."""

    async def five_slices() -> float:
        slices = Slices(0)
        started = time.perf_counter()
        for _ in range(5):
            await slices.tick()
        return time.perf_counter() - started

    release = asyncio.Event()

    async def an_update_in_hand() -> None:
        with FOREGROUND.serving():
            await release.wait()

    update = asyncio.create_task(an_update_in_hand())
    await asyncio.sleep(0)
    outside = await five_slices()
    async with db.writing():
        inside = await five_slices()
    release.set()
    await update
    assert outside >= 0.04 and inside < outside / 2
