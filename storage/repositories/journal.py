"""The journal: balanced entries, their lines, reversals and balances."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, select, update

from bot.domain.ledger import EntryDraft
from bot.domain.states import EntryKind
from storage.models import (
    JournalEntry,
    JournalLine,
    utcnow,
)
from storage.repositories.base import Repository
from storage.repositories.books import Books

_LAST_NUMBER = (
    select(func.coalesce(func.max(JournalEntry.number), 0))
    .where(JournalEntry.book_id == bindparam("numbered_book"))
    .scalar_subquery()
)
_entries = cast(Table, JournalEntry.__table__)
_POST_ONE = insert(_entries).values(number=_LAST_NUMBER + 1)
"""A button press posts one entry: numbered in the same statement, built once. Its id comes
back as the inserted primary key: SQLite's lastrowid, one trip to the driver's thread fewer
than a RETURNING row to fetch (PostgreSQL returns it in the statement)."""
_ADD_LINES = insert(cast(Table, JournalLine.__table__))


class Journal(Repository):
    async def post(self, book_id: int, draft: EntryDraft) -> int:
        """Insert a balanced entry with the next number of its book; returns its id."""
        return (await self.post_all(book_id, [draft]))[0]

    async def post_all(self, book_id: int, drafts: Sequence[EntryDraft]) -> list[int]:
        """Insert balanced entries numbered in sequence in their book; their ids, in order."""
        await Books(self.session).lock(book_id)
        created = utcnow()
        rows = [
            {
                "book_id": book_id,
                "entry_date": draft.entry_date,
                "kind": draft.kind,
                "memo": draft.memo,
                "bank_account_id": draft.bank_account_id,
                "reverses_id": draft.reverses_id,
                "created_at": created,
            }
            for draft in drafts
        ]
        if len(rows) == 1:  # a button press: one statement fewer
            posted = await self.session.execute(_POST_ONE, {**rows[0], "numbered_book": book_id})
            entry_ids = [int(posted.inserted_primary_key[0])]  # type: ignore[attr-defined]
        else:
            numbered = {"numbered_book": book_id}
            last = int(await self.session.scalar(select(_LAST_NUMBER), numbered) or 0)
            found = await self.session.scalars(
                insert(JournalEntry).returning(JournalEntry.id, sort_by_parameter_order=True),
                [{**row, "number": last + n} for n, row in enumerate(rows, start=1)],
            )
            entry_ids = list(found.all())
        await self.session.execute(
            _ADD_LINES,
            [
                {
                    "entry_id": entry_id,
                    "ledger_account_id": line.account_id,
                    "amount_minor": line.amount.minor,
                    "currency": line.amount.currency,
                }
                for entry_id, draft in zip(entry_ids, drafts, strict=True)
                for line in draft.lines
            ],
        )
        return entry_ids

    async def live_opening(self, bank_account_id: int) -> JournalEntry | None:
        return await self._first(
            select(JournalEntry).where(
                JournalEntry.bank_account_id == bank_account_id,
                JournalEntry.kind == EntryKind.OPENING,
                JournalEntry.reversed_by_id.is_(None),
            )
        )

    async def lines_of(self, entry_id: int) -> Sequence[JournalLine]:
        rows = await self.session.scalars(
            select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.id)
        )
        return rows.all()

    async def mark_reversed(self, entry_id: int, reversal_id: int) -> bool:
        result = await self.session.execute(
            update(JournalEntry)
            .where(JournalEntry.id == entry_id, JournalEntry.reversed_by_id.is_(None))
            .values(reversed_by_id=reversal_id)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def balance(self, ledger_account_id: int) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(JournalLine.amount_minor), 0)).where(
                JournalLine.ledger_account_id == ledger_account_id
            )
        )
        return int(total or 0)
