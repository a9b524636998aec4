"""ofxparse, for the OFX layouts the fast reader does not read, held to our rules.

It is handed a clean copy of the body: a plain UTF-8 header (so a lying ENCODING or an HTTP
line before OFXHEADER cannot trip it), dates cut to their calendar day (it would shift them by
their zone), empty leaves removed (it refuses an empty NAME). Whatever it raises is DAMAGED.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from ofxparse import OfxParser
from ofxparse.ofxparse import AccountType

from bot.files.importer import AccountKind, FileError, Problem
from bot.files.ofx_reader import BODY
from bot.files.ofx_values import MAX_DEPTH, RawStatement, RawTransaction

MAX_FALLBACK_TRANSACTIONS: Final = 2_000
"""ofxparse's pre-processing is quadratic: past this, a file we cannot read fast is refused."""
MAX_FALLBACK_CHARS: Final = 2_000_000
MAX_FALLBACK_TAGS: Final = 40_000
MAX_LOOKUPS: Final = 20_000_000

_HEADER: Final = (
    b"OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:UTF-8\n"
    b"CHARSET:NONE\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n"
)
_DATE_FIELD: Final = re.compile(r"(<DT[A-Z]+>[ \t\r\n]*\d{8})[^<]*", re.IGNORECASE)
_EMPTY_LEAF: Final = re.compile(
    r"<(NAME|MEMO|TRNUID|FITID|CHECKNUM|REFNUM|SIC|PAYEEID)[ \t\r\n]*/>"
    r"|<(NAME|MEMO|TRNUID|CHECKNUM|REFNUM|SIC|PAYEEID)>[ \t\r\n]*(?:</\2>|(?=<))",
    re.IGNORECASE,
)
_TRANSACTION: Final = re.compile(r"<STMTTRN[ \t\r\n]*>", re.IGNORECASE)
_TAG: Final = re.compile(r"<(/?)([A-Za-z0-9_.]+)>")
_END: Final = re.compile(r"</OFX[ \t\r\n]*>", re.IGNORECASE)
_KINDS: Final = {
    AccountType.Bank: AccountKind.BANK,
    AccountType.CreditCard: AccountKind.CREDIT_CARD,
}


def read_with_ofxparse(text: str, where: str = "OFX") -> list[RawStatement]:
    """What ofxparse reads in the file; `where` names the trouble when it cannot read it either."""
    body = BODY.search(text)
    if body is None or _END.search(text, body.start()) is None:
        raise FileError(Problem.DAMAGED, where)
    expected = len(_TRANSACTION.findall(text, body.start()))
    if expected > MAX_FALLBACK_TRANSACTIONS or len(text) > MAX_FALLBACK_CHARS:
        raise FileError(Problem.DAMAGED, where)
    refused = _beyond_bounds(text)
    if refused is not None:
        raise FileError(refused, where)
    clean = _EMPTY_LEAF.sub("", _DATE_FIELD.sub(r"\1", text[body.start() :]))
    try:
        ofx = OfxParser.parse(io.BytesIO(_HEADER + clean.encode("utf-8")), fail_fast=True)
        accounts = [account for account in ofx.accounts if account.type in _KINDS]
        statements: list[RawStatement] = []
        for account in accounts:
            statements.append(_statement(account, sum(len(s.transactions) for s in statements)))
    except Exception as error:
        raise FileError(Problem.DAMAGED, where) from error
    if sum(len(statement.transactions) for statement in statements) != expected:
        raise FileError(Problem.DAMAGED, where)
    return statements


def _beyond_bounds(text: str) -> Problem | None:
    """Whether ofxparse would nest too deep or take too long, reckoned as it goes about it.

    It closes the tags never closed in the file, looking each up in a list of the closing tags:
    those lookups are the quadratic part, and the tags closed somewhere are the ones that nest.
    """
    tags = [(slash, name.upper()) for slash, name in _TAG.findall(text)]
    if len(tags) > MAX_FALLBACK_TAGS:
        return Problem.DAMAGED
    closed = {name for slash, name in tags if slash}
    closings = sum(1 for slash, _ in tags if slash)
    depth = deepest = lookups = 0
    for slash, name in tags:
        if name not in closed:
            lookups += closings
        else:
            depth = max(depth - 1, 0) if slash else depth + 1
            deepest = max(deepest, depth)
    if deepest > MAX_DEPTH:
        return Problem.TOO_LARGE
    return Problem.DAMAGED if lookups > MAX_LOOKUPS else None


def _statement(account: Any, before: int) -> RawStatement:
    found = account.statement
    transactions = [
        RawTransaction(
            number,
            _day(txn.date),
            _number(txn.amount),
            txn.payee or "",
            txn.memo or "",
            txn.id or "",
            txn.type or "",
        )
        for number, txn in enumerate(found.transactions, start=before + 1)
    ]
    balance = getattr(found, "balance", None)
    return RawStatement(
        kind=_KINDS[account.type],
        currency=(account.curdef or found.currency or "").upper(),
        account_id=account.account_id or "",
        bank_id=account.routing_number or "",
        start=_day(found.start_date) or "",
        end=_day(found.end_date) or "",
        balance=_number(balance) or "",
        balance_date=_day(getattr(found, "balance_date", None)) or "",
        transactions=transactions,
    )


def _number(value: object) -> str | None:
    """A Decimal or int as plain digits ("1E+2" would not read as an amount)."""
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value) if isinstance(value, int) else None


def _day(value: object) -> str | None:
    return value.strftime("%Y%m%d") if isinstance(value, datetime | date) else None
