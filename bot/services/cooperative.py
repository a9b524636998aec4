"""Long loops in the event loop hand it back between slices of work, so no step holds it long."""

from __future__ import annotations

import asyncio
import time

SLICE_S = 0.01
"""CPU time a loop may take before it lets the other tasks run (the rule is 50 ms a step)."""


class Slices:
    """`await slices.tick()` once per item of a long loop: it yields to the event loop when
    the current slice is used up, and costs a clock read otherwise."""

    __slots__ = ("_began", "_seconds")

    def __init__(self, seconds: float = SLICE_S) -> None:
        self._seconds = seconds
        self._began = time.perf_counter()

    async def tick(self) -> None:
        if time.perf_counter() - self._began >= self._seconds:
            await asyncio.sleep(0)
            self._began = time.perf_counter()
