"""The category picker's query, built once: "recategorize" opens it on every press."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Integer, bindparam, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import CATEGORY_KINDS
from bot.domain.states import ReviewState
from storage.models import BankTransaction, JournalLine, LedgerAccount
from storage.repositories.rows import AccountRow

RECENT_ENTRY_LINES = 400
""""Most used" looks at this many of the book's latest category lines, not its whole history."""

_line = BankTransaction
_account = LedgerAccount
_IN_BOOK = _account.book_id == bindparam("book_id")
_same_payee = (
    select(_line.suggested_account_id.label("account_id"), func.count().label("uses"))
    .where(
        _line.book_id == bindparam("book_id"),
        _line.payee == bindparam("payee"),
        _line.review_state == ReviewState.ACCEPTED,
        _line.suggested_account_id.is_not(None),
    )
    .group_by(_line.suggested_account_id)
    .order_by(func.count().desc(), _line.suggested_account_id)
    .limit(bindparam("payee_size"))
    .subquery()
)
_latest = (
    select(JournalLine.ledger_account_id.label("account_id"))
    .join(_account, _account.id == JournalLine.ledger_account_id)
    .where(_IN_BOOK, or_(*(_account.kind == kind for kind in CATEGORY_KINDS)))
    .order_by(JournalLine.id.desc())
    .limit(RECENT_ENTRY_LINES)
    .subquery()
)
_most_used = (
    select(_latest.c.account_id, func.count().label("uses"))
    .group_by(_latest.c.account_id)
    .order_by(func.count().desc(), _latest.c.account_id)
    .limit(bindparam("used_size"))
    .subquery()
)
PAYEE, USED, OWNER = 0, 1, 2
_COLUMNS = (_account.id, _account.code, _account.name, _account.kind)
_EACH = union_all(
    select(literal(PAYEE, Integer).label("source"), _same_payee.c.uses, *_COLUMNS)
    .join_from(_same_payee, _account, _account.id == _same_payee.c.account_id)
    .where(_IN_BOOK),
    select(literal(USED, Integer), _most_used.c.uses, *_COLUMNS).join_from(
        _most_used, _account, _account.id == _most_used.c.account_id
    ),
    select(literal(OWNER, Integer), literal(0, Integer), *_COLUMNS).where(
        _IN_BOOK, _account.code == bindparam("owner_code")
    ),
)
_CHOICES = _EACH.order_by(
    _EACH.selected_columns.source, _EACH.selected_columns.uses.desc(), _EACH.selected_columns.id
)
"""(source, uses, account…): where this payee's lines were filed, the accounts the book's
latest entries used most, and the owner's account, each the most used first; one statement
for the three."""


class PickerRows(NamedTuple):
    same_payee: list[AccountRow]
    """Where this payee's lines were filed, the most frequent first."""
    most_used: list[AccountRow]
    """The category accounts the book's latest entries used most, the most used first."""
    owner: AccountRow | None


class PickerQueries:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def choices(
        self, book_id: int, payee: str, owner_code: str, *, payee_size: int, used_size: int
    ) -> PickerRows:
        params = {
            "book_id": book_id,
            "payee": payee,
            "owner_code": owner_code,
            "payee_size": payee_size,
            "used_size": used_size,
        }
        lists: dict[int, list[AccountRow]] = {PAYEE: [], USED: [], OWNER: []}
        for source, _uses, *account in await self.session.execute(_CHOICES, params):
            lists[source].append(AccountRow._make(account))
        owner = lists[OWNER][0] if lists[OWNER] else None
        return PickerRows(lists[PAYEE], lists[USED], owner)
