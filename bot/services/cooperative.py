"""Long loops in the event loop hand it back between slices of work, so no step holds it long;
outside an update (the daily summaries, an import running on its own) they also step aside
while users' updates are being handled, so a press never queues behind someone else's work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from storage.uow import holding_a_writer

SLICE_S = 0.002
"""CPU time a loop may take before it lets the other tasks run (the rule is 50 ms a step).
Short, because a press needs dozens of turns of the loop (each Bot API call, each query) and
waits up to a slice at each; a turn costs microseconds, so the loop itself hardly slows."""
STEP_ASIDE_S = 0.01
"""How long background work pauses after a slice while updates are in hand: a sixth of the
loop's time goes to it then, and all of it when nobody is pressing."""

T = TypeVar("T")
_SERVING: ContextVar[bool] = ContextVar("serving_an_update", default=False)


class Foreground:
    """How many updates are being handled now (handlers.updates counts them)."""

    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = 0

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
            pause = STEP_ASIDE_S if _steps_aside() else 0
            await asyncio.sleep(pause)
            self._began = time.perf_counter()
