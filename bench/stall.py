"""The event loop's stall, as the benches measure it: a task that sleeps 5 ms and records how
late it wakes. The worst lateness while it runs is `max_loop_stall_ms`."""

from __future__ import annotations

import asyncio
import contextlib
import time
from types import TracebackType

PERIOD_S = 0.005


class StallTicker:
    """Use as `async with StallTicker() as ticker: ...`, then read `ticker.max_ms`.

    Lateness is the wake time minus the time asked for, so a loop that never stalls reads
    about 0 (plus the scheduler's own jitter), and a step that holds the loop for 300 ms
    reads about 300 minus whatever part of a period had already passed.
    """

    def __init__(self, period_s: float = PERIOD_S) -> None:
        self.period_s = period_s
        self.max_ms = 0.0
        self.ticks = 0
        self.late_at = 0.0
        """perf_counter() of the worst wake, to find what the loop was doing then."""
        self._task: asyncio.Task[None] | None = None

    def reset(self) -> None:
        """Forget what was seen so far: the next reading covers only what follows."""
        self.max_ms = 0.0
        self.ticks = 0
        self.late_at = 0.0

    async def _tick(self) -> None:
        while True:
            due = time.perf_counter() + self.period_s
            await asyncio.sleep(self.period_s)
            woke = time.perf_counter()
            self.ticks += 1
            late_ms = (woke - due) * 1000
            if late_ms > self.max_ms:
                self.max_ms, self.late_at = late_ms, woke

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._tick())

    async def stop(self) -> float:
        """Stop ticking; returns the worst lateness seen, in milliseconds."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        return self.max_ms

    async def __aenter__(self) -> StallTicker:
        self.start()
        await asyncio.sleep(0)  # the first sleep is asked for before the block's work starts
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.stop()
