"""Simulated users pressing buttons, and the time from a press to both of its Bot API calls
reaching the stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tests.support.botapi import BotApiStandIn, FakeUser

Call = tuple[str, dict[str, Any]]
SETTLE_S = 30.0
"""How long a phase waits, once it stops offering, for the presses still in hand."""


class ArrivalLog(list[Call]):
    """The stand-in's call log that also tells `on_call` of each call as it arrives.

    The stand-in appends a call when its HTTP request has been read, before answering it:
    the moment the call reaches Telegram, which is where a press's time stops.
    """

    def __init__(self, on_call: Callable[[str, dict[str, Any]], None]) -> None:
        super().__init__()
        self.on_call = on_call

    def append(self, call: Call, /) -> None:
        super().append(call)
        self.on_call(*call)


@dataclass(eq=False)
class Press:
    """One press: when it was offered, and when its answer and its edit arrived."""

    kind: str
    offered_at: float
    done: asyncio.Event = field(default_factory=asyncio.Event)
    answered_at: float | None = None
    edited_at: float | None = None
    answer_text: str | None = None
    edit: dict[str, Any] | None = None

    @property
    def ms(self) -> float:
        assert self.answered_at is not None and self.edited_at is not None
        return (max(self.answered_at, self.edited_at) - self.offered_at) * 1000

    def finish_if_complete(self) -> None:
        if self.answered_at is not None and self.edited_at is not None:
            self.done.set()


class PressDesk:
    """Offers presses to the stand-in and learns from its call log when each one is done.

    An answer names its query; an edit names only its chat, so it goes to the oldest press
    of that chat still waiting for one (the bot serves one user's presses in order).
    """

    def __init__(self, standin: BotApiStandIn) -> None:
        self.standin = standin
        standin.calls = ArrivalLog(self._arrived)
        self._by_query: dict[str, Press] = {}
        self._editing: dict[int, deque[Press]] = {}

    def offer(
        self, user: FakeUser, message_id: int, data: str, kind: str, offered_at: float
    ) -> Press:
        press = Press(kind, offered_at)
        query_id = self.standin.press(user, message_id, data)
        self._by_query[query_id] = press
        self._editing.setdefault(user.id, deque()).append(press)
        return press

    def _arrived(self, method: str, params: dict[str, Any]) -> None:
        now = time.perf_counter()
        name = method.lower()
        if name == "answercallbackquery":
            press = self._by_query.pop(str(params.get("callback_query_id")), None)
            if press is not None:
                press.answered_at, press.answer_text = now, params.get("text")
                press.finish_if_complete()
        elif name == "editmessagetext":
            waiting = self._editing.get(int(params.get("chat_id") or 0))
            if waiting:
                press = waiting.popleft()
                press.edited_at, press.edit = now, params
                press.finish_if_complete()


@dataclass
class Presser:
    """A simulated user: their chat, the bot message they press under, and what they press next."""

    user: FakeUser
    message_id: int
    next_press: Callable[[], tuple[str, str]]
    """The next press's callback data and kind, in the order this user presses."""


@dataclass
class Outcome:
    """What one phase measured."""

    presses: list[Press]
    seconds: float
    unfinished: int

    @property
    def samples_ms(self) -> list[float]:
        return [press.ms for press in self.presses if press.done.is_set()]

    @property
    def per_s(self) -> float:
        return len(self.samples_ms) / self.seconds if self.seconds else 0.0


async def settle(presses: Iterable[Press]) -> int:
    """Wait (SETTLE_S at most) for the presses still in hand; returns how many never finished."""
    waiting = [press for press in presses if not press.done.is_set()]
    if waiting:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SETTLE_S):
                await asyncio.gather(*(press.done.wait() for press in waiting))
    return sum(1 for press in waiting if not press.done.is_set())


async def offered(
    desk: PressDesk,
    pressers: list[Presser],
    rate: float,
    seconds: float,
    seed: int,
    stop: asyncio.Event | None = None,
) -> Outcome:
    """Open loop: presses at Poisson intervals, `rate` a second for all the users together,
    for `seconds` or, with `stop`, until it is set. Each press is timed from its scheduled
    arrival: a press due while the loop was stalled waited at Telegram all that while."""
    rng = random.Random(seed)
    presses: list[Press] = []
    started = time.perf_counter()
    due = started
    while True:
        due += rng.expovariate(rate)
        if stop is None and due >= started + seconds:
            break
        delay = due - time.perf_counter()
        if stop is None:
            await asyncio.sleep(max(0.0, delay))
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, delay))
            if stop.is_set():
                break
        presser = rng.choice(pressers)
        data, kind = presser.next_press()
        presses.append(desk.offer(presser.user, presser.message_id, data, kind, due))
    elapsed = time.perf_counter() - started
    unfinished = await settle(presses)
    return Outcome(presses, elapsed, unfinished)


async def closed(desk: PressDesk, pressers: list[Presser], seconds: float) -> Outcome:
    """Closed loop: each user presses again as soon as the last press is answered and edited;
    counts the presses done within `seconds`."""
    presses: list[Press] = []
    deadline = time.perf_counter() + seconds

    async def keep_pressing(presser: Presser) -> None:
        while time.perf_counter() < deadline:
            data, kind = presser.next_press()
            press = desk.offer(presser.user, presser.message_id, data, kind, time.perf_counter())
            presses.append(press)
            await press.done.wait()

    started = time.perf_counter()
    users = [asyncio.create_task(keep_pressing(presser)) for presser in pressers]
    await asyncio.wait(users, timeout=seconds + SETTLE_S)
    for task in users:
        task.cancel()
    in_time = [p for p in presses if p.done.is_set() and p.offered_at + p.ms / 1000 <= deadline]
    return Outcome(in_time, deadline - started, sum(1 for p in presses if not p.done.is_set()))


def percentile(samples: list[float], share: float) -> float:
    """Nearest rank: the smallest sample at or above `share` of them (0 without samples)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]
