"""Long loops in the event loop hand it back between slices of work, so no step holds it long;
outside an update (the daily summaries, an import running on its own) they also step aside
while users' updates are being handled, so a press never queues behind someone else's work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any, TypeVar

from storage.uow import holding_a_writer

SLICE_S = 0.002
"""CPU time a loop may take before it lets the other tasks run (the rule is 50 ms a step).
Short, because a press needs dozens of turns of the loop (each Bot API call, each query) and
waits up to a slice at each; a turn costs microseconds, so the loop itself hardly slows."""
STEP_ASIDE_S = 0.02
"""The longest background work waits after a slice for the updates in hand to be done: it
goes on as soon as nobody is being served, and after this even if someone still is, so a
steady flow of presses slows it down (to a tenth of the loop at worst) without stopping it."""

T = TypeVar("T")
_SERVING: ContextVar[bool] = ContextVar("serving_an_update", default=False)


class Foreground:
    """How many updates are being handled now (handlers.updates counts them), and a signal for
    background work waiting until none is."""

    __slots__ = ("_done", "active")

    def __init__(self) -> None:
        self.active = 0
        self._done: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    @contextmanager
    def serving(self) -> Iterator[None]:
        """Around one update's handling: its own loops never step aside for it."""
        self.active += 1
        token = _SERVING.set(True)
        try:
            yield
        finally:
            _SERVING.reset(token)
            self.active -= 1
            if not self.active and self._done is not None:
                self._done[1].set()

    async def until_served(self, longest: float) -> None:
        """Until no update is in hand, `longest` at most."""
        if not self.active:
            return
        loop = asyncio.get_running_loop()
        if self._done is None or self._done[0] is not loop:  # each event loop its own signal
            self._done = (loop, asyncio.Event())
        done = self._done[1]
        done.clear()
        with suppress(TimeoutError):
            async with asyncio.timeout(longest):
                await done.wait()


FOREGROUND = Foreground()
"""The process's one count: the update processor and the loops share it, like a logger."""


def detached(coroutine: Coroutine[Any, Any, T]) -> Coroutine[Any, Any, T]:
    """Work an update starts and does not wait for (an import after /connect, a /refresh):
    background from its first step, though its task inherits the update's context."""

    async def run() -> T:
        _SERVING.set(False)
        return await coroutine

    return run()


def _steps_aside() -> bool:
    """Background work with updates in hand, and holding no writer (others wait for it)."""
    return bool(FOREGROUND.active) and not _SERVING.get() and not holding_a_writer()


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
            if _steps_aside():
                # A press needs dozens of turns of the loop: background work taking a turn
                # between each would add a slice to every one, so it waits for the press.
                await FOREGROUND.until_served(STEP_ASIDE_S)
            self._began = time.perf_counter()
