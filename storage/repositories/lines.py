"""Bank lines: import, review states, and the reads the digest and filing need."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, or_, select, update

from bot.domain.lines import NewLine
from bot.domain.matching import Known
from bot.domain.states import ReviewState
from bot.domain.transfers import TransferCandidate
from storage.models import (
    BankTransaction,
    BookMember,
    User,
)
from storage.repositories.base import CHUNK, FLUSH_CHUNK, PARTITION, Repository
from storage.repositories.rows import (
    TO_DECIDE,
    DecidedLine,
    LineToDecide,
    to_decide_rows,
)

_table = cast(Table, BankTransaction.__table__)
# A button press runs the statements below: built once, they are neither rebuilt nor
# re-keyed for SQLAlchemy's statement cache each time.
_TO_DECIDE_OF_USER = (
    TO_DECIDE.join(BookMember, BookMember.book_id == BankTransaction.book_id)
    .join(User, User.id == BookMember.user_id)
    .where(User.telegram_id == bindparam("telegram_id"), BankTransaction.id == bindparam("line"))
)
_MARK_ACCEPTED = (
    update(BankTransaction)
    .where(
        BankTransaction.id.in_(bindparam("ids", expanding=True)),
        BankTransaction.review_state == ReviewState.TO_REVIEW,
    )
    .values(
        review_state=ReviewState.ACCEPTED,
        suggested_account_id=bindparam("account"),
        reviewed_at=bindparam("at"),
        auto_accepted=bindparam("auto"),
    )
    .returning(BankTransaction.id)
)
"""ORM-enabled: the lines loaded in the session (an import's, a rule's) follow it."""
_SET_ENTRY = (
    update(_table)
    .where(_table.c.id == bindparam("line"))
    .values(journal_entry_id=bindparam("entry"))
)
"""Core, as the lines it is given are not loaded in the session (post_all)."""
_ACCEPT_ONE = (
    update(_table)
    .where(_table.c.id == bindparam("line"), _table.c.review_state == ReviewState.TO_REVIEW)
    .values(
        review_state=ReviewState.ACCEPTED,
        suggested_account_id=bindparam("account"),
        reviewed_at=bindparam("at"),
        auto_accepted=False,
        journal_entry_id=bindparam("entry"),
    )
)
"""A press: the state and the entry in one statement; Core, as the line is not loaded."""


class BankLines(Repository):
    async def known_external_ids(
        self, bank_account_id: int, external_ids: Iterable[str]
    ) -> set[str]:
        wanted = list(external_ids)
        known: set[str] = set()
        for start in range(0, len(wanted), 500):
            rows = await self.session.scalars(
                select(BankTransaction.external_id).where(
                    BankTransaction.bank_account_id == bank_account_id,
                    BankTransaction.external_id.in_(wanted[start : start + 500]),
                )
            )
            known.update(rows.all())
        return known

    async def add_new(self, lines: Sequence[NewLine]) -> None:
        """Insert plain new lines a chunk at a time (one INSERT … RETURNING each, through
        Core: nothing is attached to the session) and give each its id."""
        statement = insert(_table).returning(_table.c.id, sort_by_parameter_order=True)
        for start in range(0, len(lines), FLUSH_CHUNK):
            if start:
                await asyncio.sleep(0)
            chunk = lines[start : start + FLUSH_CHUNK]
            values = [{key: getattr(line, key) for key in NewLine.INSERTED} for line in chunk]
            ids = await self.session.scalars(statement, values)
            for line, line_id in zip(chunk, ids.all(), strict=True):
                line.id = line_id

    async def record_filing(self, lines: Sequence[NewLine]) -> None:
        """Write back what filing decided on plain new lines after their insert (a transfer's
        peer and suggestion, an entry), in bulk by primary key; the review state is not
        among it: accepting is a conditional statement of its own (mark_all_accepted)."""
        filed = [line for line in lines if line.filed]
        for start in range(0, len(filed), FLUSH_CHUNK):
            if start:
                await asyncio.sleep(0)
            await self.session.execute(
                update(BankTransaction),
                [
                    {"id": line.id, **{key: getattr(line, key) for key in NewLine.FILED}}
                    for line in filed[start : start + FLUSH_CHUNK]
                ],
            )

    async def decided(self, book_id: int) -> list[DecidedLine]:
        """Accepted lines with the account they were filed under, oldest first (for memory)."""
        result = await self.session.stream(
            select(
                BankTransaction.raw_label,
                BankTransaction.payee,
                BankTransaction.amount_minor,
                BankTransaction.currency,
                BankTransaction.booking_date,
                BankTransaction.bank_account_id,
                BankTransaction.suggested_account_id,
            )
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.ACCEPTED,
                BankTransaction.suggested_account_id.is_not(None),
            )
            .order_by(BankTransaction.booking_date, BankTransaction.id)
            .execution_options(yield_per=PARTITION)
        )
        found: list[DecidedLine] = []
        async for partition in result.partitions():
            found.extend(DecidedLine._make(row) for row in partition)
        return found

    async def unpaired_to_review(
        self,
        book_id: int,
        since: date,
        until: date,
        *,
        not_from: str,
        besides: Sequence[tuple[int, int]] = (),
    ) -> list[TransferCandidate]:
        """Lines to review, not paired, booked from `since` to `until`, whose suggestion is
        not from `not_from` (a rule's stays with its rule), and whose id is in none of the
        ranges `besides` (the lines in hand, which an import just inserted): read as plain
        candidates, a partition at a time."""
        outside = [~BankTransaction.id.between(low, high) for low, high in besides]
        result = await self.session.stream(
            select(
                BankTransaction.id,
                BankTransaction.bank_account_id,
                BankTransaction.booking_date,
                BankTransaction.amount_minor,
                BankTransaction.currency,
            )
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.TO_REVIEW,
                BankTransaction.transfer_peer_id.is_(None),
                or_(
                    BankTransaction.suggestion_source.is_(None),
                    BankTransaction.suggestion_source != not_from,
                ),
                BankTransaction.booking_date >= since,
                BankTransaction.booking_date <= until,
                *outside,
            )
            .execution_options(yield_per=PARTITION)
        )
        found: list[TransferCandidate] = []
        async for partition in result.partitions():
            found.extend(
                TransferCandidate(line_id, account_id, day, minor, currency)
                for line_id, account_id, day, minor, currency in partition
            )
        return found

    async def pair_stored(
        self, peers: Mapping[int, int], account_id: int, confidence: float, source: str
    ) -> None:
        """Stored lines paired as transfers (line id → its peer's), in bulk by primary key."""
        if peers:
            await self.session.execute(
                update(BankTransaction),
                [
                    {
                        "id": line_id,
                        "transfer_peer_id": peer_id,
                        "suggested_account_id": account_id,
                        "suggestion_source": source,
                        "suggestion_confidence": confidence,
                        "suggestion_rule_id": None,
                    }
                    for line_id, peer_id in peers.items()
                ],
            )

    async def mark_all_accepted(
        self, line_ids: Sequence[int], account_id: int, at: datetime, *, auto: bool = False
    ) -> set[int]:
        """The ids of those lines that were still to review, now accepted under the account:
        the update is conditional, so each line is accepted by one caller only."""
        changed: set[int] = set()
        for start in range(0, len(line_ids), CHUNK):
            params = {
                "ids": list(line_ids[start : start + CHUNK]),
                "account": account_id,
                "at": at,
                "auto": auto,
            }
            found = await self.session.scalars(_MARK_ACCEPTED, params)
            changed.update(found.all())
        return changed

    async def accept_one(
        self, line_id: int, account_id: int, at: datetime, entry_id: int | None
    ) -> bool:
        """Whether the line was still to review: it is accepted now, with its entry."""
        params = {"line": line_id, "account": account_id, "at": at, "entry": entry_id}
        result = await self.session.execute(_ACCEPT_ONE, params)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def to_decide(self, telegram_id: int, line_id: int) -> LineToDecide | None:
        """The line with what accepting it needs; None unless it is in one of this user's
        books (a forged button finds nothing)."""
        found = await self.session.execute(
            _TO_DECIDE_OF_USER, {"telegram_id": telegram_id, "line": line_id}
        )
        rows = to_decide_rows(found)
        return rows[0] if rows else None

    async def to_decide_many(self, book_id: int, line_ids: Sequence[int]) -> list[LineToDecide]:
        """Those of the lines that are in the book, in the order asked."""
        found = await self.session.execute(
            TO_DECIDE.where(
                BankTransaction.book_id == book_id, BankTransaction.id.in_(list(line_ids))
            )
        )
        by_id = {row.line.id: row for row in to_decide_rows(found)}
        return [by_id[line_id] for line_id in line_ids if line_id in by_id]

    async def mark_excluded(self, line_id: int, at: datetime) -> bool:
        result = await self.session.execute(
            update(BankTransaction)
            .where(
                BankTransaction.id == line_id,
                BankTransaction.review_state == ReviewState.TO_REVIEW,
            )
            .values(review_state=ReviewState.EXCLUDED, reviewed_at=at, auto_accepted=False)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def reopen(self, line_id: int, from_state: ReviewState) -> bool:
        result = await self.session.execute(
            update(BankTransaction)
            .where(BankTransaction.id == line_id, BankTransaction.review_state == from_state)
            .values(
                review_state=ReviewState.TO_REVIEW,
                journal_entry_id=None,
                reviewed_at=None,
                auto_accepted=False,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def set_entries(self, entries: Mapping[int, int]) -> None:
        """Each line's journal entry, by line id, in one statement (executemany)."""
        if entries:
            await self.session.execute(
                _SET_ENTRY, [{"line": line, "entry": entry} for line, entry in entries.items()]
            )

    async def get_in_book(self, book_id: int, line_id: int) -> BankTransaction | None:
        return await self._first(
            select(BankTransaction).where(
                BankTransaction.book_id == book_id, BankTransaction.id == line_id
            )
        )

    async def in_window(
        self, bank_account_id: int, since: date, until: date
    ) -> Sequence[BankTransaction]:
        return await self._many(
            select(BankTransaction).where(
                BankTransaction.bank_account_id == bank_account_id,
                BankTransaction.booking_date >= since,
                BankTransaction.booking_date <= until,
            )
        )

    async def by_fingerprints(
        self, bank_account_id: int, fingerprints: Iterable[str]
    ) -> dict[str, BankTransaction]:
        wanted = list(fingerprints)
        found: dict[str, BankTransaction] = {}
        for start in range(0, len(wanted), 500):
            rows = await self.session.scalars(
                select(BankTransaction).where(
                    BankTransaction.bank_account_id == bank_account_id,
                    BankTransaction.fingerprint.in_(wanted[start : start + 500]),
                )
            )
            found.update((row.fingerprint, row) for row in rows.all())
        return found

    async def booked_total_since(self, bank_account_id: int, since: date) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(BankTransaction.amount_minor), 0)).where(
                BankTransaction.bank_account_id == bank_account_id,
                BankTransaction.pending.is_(False),
                BankTransaction.review_state != ReviewState.SUPERSEDED,
                BankTransaction.booking_date >= since,
            )
        )
        return int(total or 0)

    async def count(self, bank_account_id: int, *, pending: bool | None = None) -> int:
        query = select(func.count()).where(BankTransaction.bank_account_id == bank_account_id)
        if pending is not None:
            query = query.where(BankTransaction.pending.is_(pending))
        return int(await self.session.scalar(query) or 0)

    async def date_range(self, bank_account_id: int) -> tuple[date | None, date | None]:
        row = (
            await self.session.execute(
                select(
                    func.min(BankTransaction.booking_date), func.max(BankTransaction.booking_date)
                ).where(BankTransaction.bank_account_id == bank_account_id)
            )
        ).one()
        return row[0], row[1]

    async def count_to_review(self, bank_account_ids: Sequence[int]) -> int:
        total = await self.session.scalar(
            select(func.count()).where(
                BankTransaction.bank_account_id.in_(list(bank_account_ids)),
                BankTransaction.review_state == ReviewState.TO_REVIEW,
            )
        )
        return int(total or 0)

    async def auto_accepted_between(
        self, book_id: int, start: datetime, end: datetime
    ) -> Sequence[BankTransaction]:
        """Lines accepted automatically (by an auto-accept rule) in [start, end)."""
        rows = await self.session.scalars(
            select(BankTransaction).where(
                BankTransaction.book_id == book_id,
                BankTransaction.auto_accepted.is_(True),
                BankTransaction.review_state == ReviewState.ACCEPTED,
                BankTransaction.reviewed_at >= start,
                BankTransaction.reviewed_at < end,
            )
        )
        return rows.all()

    async def recently_decided(self, book_id: int, limit: int) -> Sequence[BankTransaction]:
        """The last lines accepted or excluded, newest first."""
        rows = await self.session.scalars(
            select(BankTransaction)
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state.in_([ReviewState.ACCEPTED, ReviewState.EXCLUDED]),
            )
            .order_by(BankTransaction.reviewed_at.desc(), BankTransaction.id.desc())
            .limit(limit)
        )
        return rows.all()

    async def waiting_from_payee(self, book_id: int, payee: str) -> Sequence[BankTransaction]:
        """The lines of a payee still to review: those a new rule applies to at once."""
        rows = await self.session.scalars(
            select(BankTransaction).where(
                BankTransaction.book_id == book_id,
                BankTransaction.review_state == ReviewState.TO_REVIEW,
                BankTransaction.payee == payee,
            )
        )
        return rows.all()

    async def known_in_window(self, bank_account_id: int, since: date, until: date) -> list[Known]:
        """The account's lines booked in [since, until], as plain values a file is matched
        against (superseded lines included: a line the bank dropped is still no new line)."""
        result = await self.session.stream(
            select(
                BankTransaction.id,
                BankTransaction.external_id,
                BankTransaction.fingerprint,
                BankTransaction.booking_date,
                BankTransaction.amount_minor,
                BankTransaction.raw_label,
            )
            .where(
                BankTransaction.bank_account_id == bank_account_id,
                BankTransaction.booking_date >= since,
                BankTransaction.booking_date <= until,
            )
            .order_by(BankTransaction.booking_date, BankTransaction.id)
            .execution_options(yield_per=PARTITION)
        )
        found: list[Known] = []
        async for partition in result.partitions():
            found.extend(Known(*row) for row in partition)
        return found
