"""The user's categorisation rules."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from storage.models import (
    BankTransaction,
    Rule,
)
from storage.repositories.base import Repository


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
