"""Each book's suggestion memory, kept in the database: read when current, caught up with the
decisions made since it was stored, rebuilt from all of them when it cannot be.

A press never reads or rewrites the stored state (for a busy book it is a JSON of 100 KB and
more: tens of milliseconds on every accept, while the writer is held). The next read learns
the decisions made since the state was stored, and the next import's writer keeps the result.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.categorize.cascade import STATE_VERSION, Memory
from bot.services.cooperative import Slices
from bot.services.line_facts import facts_of
from storage.uow import UnitOfWork


@dataclass
class Learning:
    """A book's memory and how many decisions it learned; `stored` once the database holds
    exactly this state."""

    memory: Memory
    decisions_seen: int
    stored: bool


async def load_memory(uow: UnitOfWork, book_id: int, codes: Mapping[int, str]) -> Learning:
    """The stored memory when it is of this version and counts the book's decisions, or
    counts them once taught those made since it was stored; else rebuilt by replaying them
    all (stored by the next writer, `keep`). `codes`: account ids'."""
    decisions = await uow.book_models.decisions(book_id)
    row = await uow.book_models.get(book_id)
    if row is not None and row.version == STATE_VERSION and row.decisions_seen <= decisions:
        memory = _read(row.state)
        if memory is not None and row.decisions_seen == decisions:
            return Learning(memory, decisions, True)
        if memory is not None:
            since = await uow.book_models.decided_after(book_id, row.updated_at)
            if row.decisions_seen + len(since) == decisions:
                for decision in since:
                    memory.learn(facts_of(decision), decision.account_code)
                return Learning(memory, decisions, False)
    memory = Memory()
    slices = Slices()
    seen = 0
    for line in await uow.lines.decided(book_id):
        await slices.tick()
        seen += 1
        if line.account_id in codes:
            memory.learn(facts_of(line), codes[line.account_id])
    return Learning(memory, seen, False)


def _read(state: str) -> Memory | None:
    try:
        return Memory.from_state(json.loads(state))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


async def keep(uow: UnitOfWork, book_id: int, learning: Learning, at: datetime) -> None:
    """Store a rebuilt memory (in a writing unit of work)."""
    if not learning.stored:
        await _save(uow, book_id, learning, at)


async def remember(
    uow: UnitOfWork,
    book_id: int,
    line_ids: Collection[int],
    at: datetime,
    learning: Learning | None = None,
) -> None:
    """Teach an import's memory (`learning`, in hand) the lines it just accepted, and store
    it. A press (no `learning`) leaves the stored state as it is: the next read catches up."""
    if learning is None or (not line_ids and learning.stored):
        return
    decided = await uow.book_models.decided_among(book_id, line_ids) if line_ids else []
    for line in decided:
        learning.memory.learn(facts_of(line), line.account_code)
    learning.decisions_seen += len(decided)
    await _save(uow, book_id, learning, at)


async def forget(uow: UnitOfWork, book_id: int) -> None:
    """A decision was undone: memory cannot unlearn it, so it is rebuilt when next read."""
    await uow.book_models.forget(book_id)


async def _save(uow: UnitOfWork, book_id: int, learning: Learning, at: datetime) -> None:
    state = json.dumps(learning.memory.to_state(), separators=(",", ":"), ensure_ascii=False)
    await uow.book_models.save(book_id, STATE_VERSION, state, learning.decisions_seen, at)
    learning.stored = True
