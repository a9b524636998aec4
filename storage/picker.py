"""The category picker's queries, built once: "recategorize" opens it on every press."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import bindparam, func, or_, select

from bot.charts import CATEGORY_KINDS
from bot.domain import ReviewState
from storage.prepared import NamedRow, Prepared, Statements
from storage.repositories import ACCOUNTS, ENTRY_LINES, LINES

RECENT_ENTRY_LINES = 400
""""Most used" looks at this many of the book's latest category lines, not its whole history."""

_line = LINES.c
_SAME_PAYEE = Prepared(
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
    select(ENTRY_LINES.c.ledger_account_id.label("account_id"))
    .join(ACCOUNTS, ACCOUNTS.c.id == ENTRY_LINES.c.ledger_account_id)
    .where(
        ACCOUNTS.c.book_id == bindparam("book_id"),
        or_(*(ACCOUNTS.c.kind == kind for kind in CATEGORY_KINDS)),
    )
    .order_by(ENTRY_LINES.c.id.desc())
    .limit(RECENT_ENTRY_LINES)
    .subquery()
)
_MOST_USED = Prepared(
    select(_latest.c.account_id)
    .group_by(_latest.c.account_id)
    .order_by(func.count().desc(), _latest.c.account_id)
    .limit(bindparam("size"))
)
_ACCOUNTS = Prepared(
    select(ACCOUNTS.c.id, ACCOUNTS.c.code, ACCOUNTS.c.name, ACCOUNTS.c.kind).where(
        ACCOUNTS.c.book_id == bindparam("book_id"),
        or_(
            ACCOUNTS.c.id.in_(bindparam("ids", expanding=True)),
            ACCOUNTS.c.code == bindparam("code"),
        ),
    )
)


class PickerQueries:
    def __init__(self, statements: Statements) -> None:
        self.run = statements

    async def same_payee(self, book_id: int, payee: str, size: int) -> list[int]:
        """Where this payee's lines were filed, the most frequent first."""
        params = {"book_id": book_id, "payee": payee, "size": size}
        return [int(a) for a in await self.run.scalars(_SAME_PAYEE, params) if a]

    async def most_used(self, book_id: int, size: int) -> list[int]:
        """The category accounts the book's latest entries used most."""
        params = {"book_id": book_id, "size": size}
        return [int(a) for a in await self.run.scalars(_MOST_USED, params)]

    async def accounts(self, book_id: int, ids: Collection[int], code: str) -> Sequence[NamedRow]:
        """(id, code, name, kind) of the accounts named, and of the one with `code`."""
        params = {"book_id": book_id, "ids": list(ids), "code": code}
        return await self.run.all(_ACCOUNTS, params)
