"""Each book's suggestion memory, kept in the database: read when current, rebuilt from the
book's decisions when not, and taught each decision as it is made."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.categorize.cascade import STATE_VERSION, LineFacts, Memory
from bot.domain.money import Money
from bot.services.cooperative import Slices
from storage.repositories import DecidedLine, NewDecision
from storage.uow import UnitOfWork


@dataclass
class Learning:
    """A book's memory and how many decisions it learned; `stored` once the database holds
    exactly this state."""

    memory: Memory
    decisions_seen: int
    stored: bool


async def load_memory(uow: UnitOfWork, book_id: int, codes: Mapping[int, str]) -> Learning:
    """The stored memory when it is of this version and counts the book's decisions; else
    rebuilt by replaying them (stored by the next writer, `keep`). `codes`: account ids'."""
    decisions = await uow.book_models.decisions(book_id)
    row = await uow.book_models.get(book_id)
    if row is not None and row.version == STATE_VERSION and row.decisions_seen == decisions:
        try:
            return Learning(Memory.from_state(json.loads(row.state)), decisions, True)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass
    memory = Memory()
    slices = Slices()
    seen = 0
    for line in await uow.lines.decided(book_id):
        await slices.tick()
        seen += 1
        if line.account_id in codes:
            memory.learn(_facts(line), codes[line.account_id])
    return Learning(memory, seen, False)


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
    """Teach the stored memory the lines just accepted. Without `learning` (a press), the
    stored state is read; one missing or stale is left for the next read to rebuild."""
    if not line_ids and (learning is None or learning.stored):
        return
    if learning is None:
        row = await uow.book_models.get(book_id, for_update=True)
        if row is None or row.version != STATE_VERSION:
            return
        try:
            learning = Learning(Memory.from_state(json.loads(row.state)), row.decisions_seen, True)
        except (KeyError, TypeError, ValueError, AttributeError):
            await uow.book_models.forget(book_id)
            return
    decided = await uow.book_models.decided_among(book_id, line_ids) if line_ids else []
    for line in decided:
        learning.memory.learn(_facts(line), line.account_code)
    learning.decisions_seen += len(decided)
    await _save(uow, book_id, learning, at)


async def forget(uow: UnitOfWork, book_id: int) -> None:
    """A decision was undone: memory cannot unlearn it, so it is rebuilt when next read."""
    await uow.book_models.forget(book_id)


async def _save(uow: UnitOfWork, book_id: int, learning: Learning, at: datetime) -> None:
    state = json.dumps(learning.memory.to_state(), separators=(",", ":"), ensure_ascii=False)
    await uow.book_models.save(book_id, STATE_VERSION, state, learning.decisions_seen, at)
    learning.stored = True


def _facts(line: NewDecision | DecidedLine) -> LineFacts:
    return LineFacts(
        label=line.raw_label,
        payee=line.payee,
        amount=Money(line.amount_minor, line.currency),
        booking_date=line.booking_date,
        bank_account_id=line.bank_account_id,
    )
