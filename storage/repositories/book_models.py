"""Each book's stored suggestion state, and the decided lines it is checked against."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Select, delete, func, select

from bot.domain.states import ReviewState
from storage.models import BankTransaction, BookModel, LedgerAccount
from storage.repositories.base import CHUNK, Repository

_DECIDED = (
    BankTransaction.review_state == ReviewState.ACCEPTED,
    BankTransaction.suggested_account_id.is_not(None),
)
"""What a decision is, here as in BankLines.decided: the lines memory learns."""


class NewDecision(NamedTuple):
    """A line just accepted, with the code of the account it went to."""

    raw_label: str
    payee: str
    amount_minor: int
    currency: str
    booking_date: date
    bank_account_id: int
    account_code: str


class BookModels(Repository):
    async def get(self, book_id: int, *, for_update: bool = False) -> BookModel | None:
        """The stored state; `for_update` holds it against a concurrent writer (PostgreSQL)."""
        query = select(BookModel).where(BookModel.book_id == book_id)
        return await self._first(query.with_for_update() if for_update else query)

    async def save(
        self, book_id: int, version: int, state: str, decisions_seen: int, at: datetime
    ) -> None:
        row = await self.session.get(BookModel, book_id)
        if row is None:
            row = BookModel(book_id=book_id)
            self.session.add(row)
        row.version, row.state, row.decisions_seen, row.updated_at = (
            version,
            state,
            decisions_seen,
            at,
        )
        await self.session.flush()

    async def forget(self, book_id: int) -> None:
        """The state no longer matches the decisions (one was undone): rebuilt when next read."""
        await self.session.execute(delete(BookModel).where(BookModel.book_id == book_id))

    async def decisions(self, book_id: int) -> int:
        """How many decided lines the book has: a stored state counting others is stale."""
        count = await self.session.scalar(
            select(func.count()).where(BankTransaction.book_id == book_id, *_DECIDED)
        )
        return int(count or 0)

    async def decided_after(self, book_id: int, after: datetime) -> list[NewDecision]:
        """The lines decided after `after` (a stored state's time), oldest first."""
        rows = await self.session.execute(
            self._decisions().where(
                BankTransaction.book_id == book_id, BankTransaction.reviewed_at > after
            )
        )
        return sorted(
            (NewDecision._make(row) for row in rows.all()), key=lambda line: line.booking_date
        )

    async def decided_among(self, book_id: int, line_ids: Collection[int]) -> list[NewDecision]:
        """The lines of `line_ids` that are decided, oldest first as memory learns them."""
        ids = sorted(line_ids)
        found: list[NewDecision] = []
        for start in range(0, len(ids), CHUNK):
            rows = await self.session.execute(
                self._decisions().where(
                    BankTransaction.book_id == book_id,
                    BankTransaction.id.in_(ids[start : start + CHUNK]),
                )
            )
            found.extend(NewDecision._make(row) for row in rows.all())
        return sorted(found, key=lambda line: line.booking_date)

    @staticmethod
    def _decisions() -> Select[tuple[str, str, int, str, date, int, str]]:
        return (
            select(
                BankTransaction.raw_label,
                BankTransaction.payee,
                BankTransaction.amount_minor,
                BankTransaction.currency,
                BankTransaction.booking_date,
                BankTransaction.bank_account_id,
                LedgerAccount.code,
            )
            .join(LedgerAccount, LedgerAccount.id == BankTransaction.suggested_account_id)
            .where(*_DECIDED)
        )
