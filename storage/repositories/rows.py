"""Typed rows the queries return: plain columns, never ORM objects, for wide reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select

from bot.charts import AccountKind
from bot.domain.states import ReviewState
from storage.models import (
    BankAccount,
    BankTransaction,
    Book,
    LedgerAccount,
)


class BookRef(NamedTuple):
    id: int
    chart_template: str


class AccountRow(NamedTuple):
    id: int
    code: str
    name: str
    kind: AccountKind


class LineRow(NamedTuple):
    """A digest line as plain columns, with its suggested account (outer-joined)."""

    id: int
    book_id: int
    booking_date: date
    amount_minor: int
    currency: str
    payee: str
    raw_label: str
    pending: bool
    review_state: ReviewState
    suggestion_source: str | None
    auto_accepted: bool
    account_id: int | None
    account_code: str | None
    account_name: str | None
    account_kind: AccountKind | None


class DecidedLine(NamedTuple):
    """An accepted line's facts and the account it was filed under."""

    raw_label: str
    payee: str
    amount_minor: int
    currency: str
    booking_date: date
    bank_account_id: int
    account_id: int


class LineToDecide(NamedTuple):
    """A pressed line: what accepting it needs, and its book."""

    line: LineRow
    suggested_account_id: int | None
    bank_ledger_id: int
    chart_template: str


_line = BankTransaction
LINE_COLUMNS = (
    _line.id,
    _line.book_id,
    _line.booking_date,
    _line.amount_minor,
    _line.currency,
    _line.payee,
    _line.raw_label,
    _line.pending,
    _line.review_state,
    _line.suggestion_source,
    _line.auto_accepted,
    LedgerAccount.id.label("account_id"),
    LedgerAccount.code.label("account_code"),
    LedgerAccount.name.label("account_name"),
    LedgerAccount.kind.label("account_kind"),
)
"""The columns of a LineRow, in its order; the query outer-joins LedgerAccount."""


def line_rows(rows: Iterable[Sequence[Any]]) -> list[LineRow]:
    return [LineRow._make(row) for row in rows]


TO_DECIDE = (
    select(
        *LINE_COLUMNS,
        BankTransaction.suggested_account_id,
        BankAccount.ledger_account_id,
        Book.chart_template,
    )
    .join(BankAccount, BankAccount.id == BankTransaction.bank_account_id)
    .join(Book, Book.id == BankTransaction.book_id)
    .outerjoin(LedgerAccount, LedgerAccount.id == BankTransaction.suggested_account_id)
)


def to_decide_rows(rows: Iterable[Sequence[Any]]) -> list[LineToDecide]:
    width = len(LINE_COLUMNS)
    return [
        LineToDecide(LineRow._make(row[:width]), row[width], row[width + 1], row[width + 2])
        for row in rows
    ]
