"""The category picker's queries, built once: "recategorize" opens it on every press."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import CATEGORY_KINDS
from bot.domain.states import ReviewState
from storage.models import BankTransaction, JournalLine, LedgerAccount
from storage.repositories.rows import AccountRow

RECENT_ENTRY_LINES = 400
""""Most used" looks at this many of the book's latest category lines, not its whole history."""

_line = BankTransaction
_SAME_PAYEE = (
    select(_line.suggested_account_id)
    .where(
        _line.book_id == bindparam("book_id"),
        _line.payee == bindparam("payee"),
        _line.review_state == ReviewState.ACCEPTED,
    )
    .group_by(_line.suggested_account_id)
    .order_by(func.count().desc())
    .limit(bindparam("size"))
)
_latest = (
    select(JournalLine.ledger_account_id.label("account_id"))
    .join(LedgerAccount, LedgerAccount.id == JournalLine.ledger_account_id)
    .where(
        LedgerAccount.book_id == bindparam("book_id"),
        or_(*(LedgerAccount.kind == kind for kind in CATEGORY_KINDS)),
    )
    .order_by(JournalLine.id.desc())
    .limit(RECENT_ENTRY_LINES)
    .subquery()
)
_MOST_USED = (
    select(_latest.c.account_id)
    .group_by(_latest.c.account_id)
    .order_by(func.count().desc(), _latest.c.account_id)
    .limit(bindparam("size"))
)
_ACCOUNTS = select(
    LedgerAccount.id, LedgerAccount.code, LedgerAccount.name, LedgerAccount.kind
).where(
    LedgerAccount.book_id == bindparam("book_id"),
    or_(
        LedgerAccount.id.in_(bindparam("ids", expanding=True)),
        LedgerAccount.code == bindparam("code"),
    ),
)


class PickerQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def same_payee(self, book_id: int, payee: str, size: int) -> list[int]:
        """Where this payee's lines were filed, the most frequent first."""
        params = {"book_id": book_id, "payee": payee, "size": size}
        return [int(a) for a in await self.session.scalars(_SAME_PAYEE, params) if a]

    async def most_used(self, book_id: int, size: int) -> list[int]:
        """The category accounts the book's latest entries used most."""
        params = {"book_id": book_id, "size": size}
        return [int(a) for a in await self.session.scalars(_MOST_USED, params)]

    async def accounts(self, book_id: int, ids: Collection[int], code: str) -> list[AccountRow]:
        """The accounts named, and the one with `code`."""
        params = {"book_id": book_id, "ids": list(ids), "code": code}
        return [AccountRow._make(row) for row in await self.session.execute(_ACCOUNTS, params)]
