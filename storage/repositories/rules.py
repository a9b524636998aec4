"""The user's categorisation rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select

from bot.domain.states import ReviewState
from storage.models import (
    BankTransaction,
    Rule,
)
from storage.repositories.base import Repository


class PayeeLine(NamedTuple):
    """A decided line of a payee, as a rule offer weighs it."""

    raw_label: str
    amount_minor: int
    booking_date: date
    account_id: int


class Rules(Repository):
    async def enabled(self, book_id: int) -> Sequence[Rule]:
        rows = await self.session.scalars(
            select(Rule)
            .where(Rule.book_id == book_id, Rule.enabled.is_(True))
            .order_by(Rule.position, Rule.id)
        )
        return rows.all()

    async def all_of(self, book_id: int) -> Sequence[Rule]:
        rows = await self.session.scalars(
            select(Rule).where(Rule.book_id == book_id).order_by(Rule.position, Rule.id)
        )
        return rows.all()

    async def get_in_book(self, book_id: int, rule_id: int) -> Rule | None:
        return await self._first(select(Rule).where(Rule.book_id == book_id, Rule.id == rule_id))

    async def add(self, rule: Rule) -> Rule:
        if not rule.position:
            last = await self.session.scalar(
                select(func.max(Rule.position)).where(Rule.book_id == rule.book_id)
            )
            rule.position = (last or 0) + 1
        self.session.add(rule)
        await self.session.flush()
        return rule

    async def delete(self, rule: Rule) -> None:
        await self.session.delete(rule)
        await self.session.flush()

    async def hits(self, book_id: int) -> dict[int, int]:
        rows = await self.session.execute(
            select(BankTransaction.suggestion_rule_id, func.count())
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.suggestion_rule_id.is_not(None),
            )
            .group_by(BankTransaction.suggestion_rule_id)
        )
        return {int(rule_id): int(count) for rule_id, count in rows.all()}

    async def payee_lines(
        self, book_id: int, payee: str, *, money_in: bool, besides: int, limit: int
    ) -> list[PayeeLine]:
        """The payee's latest accepted lines of one direction but `besides`, oldest first."""
        amount = BankTransaction.amount_minor
        rows = await self.session.execute(
            select(
                BankTransaction.raw_label,
                amount,
                BankTransaction.booking_date,
                BankTransaction.suggested_account_id,
            )
            .where(
                BankTransaction.book_id == book_id,
                BankTransaction.payee == payee,
                BankTransaction.review_state == ReviewState.ACCEPTED,
                BankTransaction.suggested_account_id.is_not(None),
                BankTransaction.id != besides,
                amount > 0 if money_in else amount <= 0,
            )
            .order_by(BankTransaction.booking_date.desc(), BankTransaction.id.desc())
            .limit(limit)
        )
        return [PayeeLine._make(row) for row in reversed(rows.all())]
