"""The fast OFX reader: one pass of a tag tokenizer over SGML (1.x) and XML (2.x) alike.

ofxparse first rewrites the whole SGML file to close its leaf tags, which is quadratic in the
number of transactions; this reader only looks at each tag once. A leaf is any tag that holds
text, is closed at once, or is not one of the aggregates we know; the closing tags of unknown
empty tags are let pass. Anything else it does not read raises Unsupported, and ofxparse gets a go.
"""

from __future__ import annotations

import html
import re
from typing import Final

from bot.files.importer import AccountKind, FileError, Problem
from bot.files.ofx_values import (
    MAX_DEPTH,
    MAX_FIELD_CHARS,
    MAX_STATEMENTS,
    MAX_TRANSACTIONS,
    RawStatement,
    RawTransaction,
)

BODY: Final = re.compile(r"<OFX[ \t\r\n]*>", re.IGNORECASE)
_TOKEN: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9_.]*)[ \t\r\n]*(/?)>([^<]*)")

_STATEMENTS: Final = {"STMTRS": AccountKind.BANK, "CCSTMTRS": AccountKind.CREDIT_CARD}
_AGGREGATES: Final = frozenset(
    {
        "OFX",
        "SIGNONMSGSRSV1",
        "SONRS",
        "STATUS",
        "FI",
        "BANKMSGSRSV1",
        "CREDITCARDMSGSRSV1",
        "INVSTMTMSGSRSV1",
        "STMTTRNRS",
        "CCSTMTTRNRS",
        "INVSTMTTRNRS",
        "STMTRS",
        "CCSTMTRS",
        "INVSTMTRS",
        "BANKACCTFROM",
        "CCACCTFROM",
        "INVACCTFROM",
        "BANKTRANLIST",
        "INVTRANLIST",
        "STMTTRN",
        "INVBANKTRAN",
        "PAYEE",
        "BANKACCTTO",
        "CCACCTTO",
        "CURRENCY",
        "ORIGCURRENCY",
        "LEDGERBAL",
        "AVAILBAL",
        "BALLIST",
        "BAL",
        "MKTGINFO",
    }
)
_STATEMENT_FIELDS: Final = {
    ("STMTRS", "CURDEF"): "currency",
    ("CCSTMTRS", "CURDEF"): "currency",
    ("BANKACCTFROM", "ACCTID"): "account_id",
    ("BANKACCTFROM", "BANKID"): "bank_id",
    ("CCACCTFROM", "ACCTID"): "account_id",
    ("BANKTRANLIST", "DTSTART"): "start",
    ("BANKTRANLIST", "DTEND"): "end",
    ("LEDGERBAL", "BALAMT"): "balance",
    ("LEDGERBAL", "DTASOF"): "balance_date",
}


class Unsupported(Exception):
    """A layout this reader does not read, though the file may still be sound."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def read(text: str) -> list[RawStatement]:
    """The bank and card statements of a decoded OFX file, in file order."""
    body = BODY.search(text)
    if body is None:
        raise FileError(Problem.DAMAGED, "OFX")
    pos = body.start()
    stack: list[str] = []
    loose: set[str] = set()
    leaf = ""
    statements: list[RawStatement] = []
    current: RawStatement | None = None
    txn: dict[str, str] | None = None
    count = 0
    ended = False
    for token in _TOKEN.finditer(text, pos):
        if token.start() != pos:
            raise Unsupported(_place(stack, count))
        pos = token.end()
        closing, name, self_closing, tail = token.groups()
        name = name.upper()
        if closing:
            if name == leaf:
                leaf = ""
                continue
            leaf = ""
            if stack and stack[-1] == name:
                stack.pop()
                if name == "STMTTRN":
                    if txn is not None and current is not None:
                        current.transactions.append(_transaction(count, txn))
                    txn = None
                elif name in _STATEMENTS:
                    if current is not None:
                        statements.append(current)
                    current = None
                elif name == "OFX":
                    ended = True
                    break
            elif name not in loose or name in stack:
                raise Unsupported(_place(stack, count))
            continue
        value = "" if self_closing else tail.strip()
        if not value and not self_closing and name in _AGGREGATES:
            stack.append(name)
            if len(stack) > MAX_DEPTH:
                raise FileError(Problem.TOO_LARGE, name)
            if name == "STMTTRN":
                count += 1
                if count > MAX_TRANSACTIONS:
                    raise FileError(Problem.TOO_LARGE, "STMTTRN")
                txn = {} if current is not None else None
            elif name in _STATEMENTS:
                if current is not None:
                    raise FileError(Problem.DAMAGED, name)
                if len(statements) >= MAX_STATEMENTS:
                    raise FileError(Problem.TOO_LARGE, name)
                current = RawStatement(_STATEMENTS[name])
            leaf = ""
            continue
        leaf = name
        if not value:
            loose.add(name)
            continue
        if len(value) > MAX_FIELD_CHARS:
            raise FileError(Problem.DAMAGED, _place(stack, count, name))
        if "&" in value:
            value = html.unescape(value)
        parent = stack[-1] if stack else ""
        if txn is not None and (parent == "STMTTRN" or (parent == "PAYEE" and name == "NAME")):
            txn.setdefault(name, value)
        elif current is not None:
            attribute = _STATEMENT_FIELDS.get((parent, name))
            if attribute is not None and not getattr(current, attribute):
                setattr(current, attribute, value)
    if not ended:
        raise FileError(Problem.DAMAGED, _place(stack, count) if stack else "OFX")
    return statements


def _transaction(number: int, fields: dict[str, str]) -> RawTransaction:
    return RawTransaction(
        number,
        fields.get("DTPOSTED"),
        fields.get("TRNAMT"),
        fields.get("NAME", ""),
        fields.get("MEMO", ""),
        fields.get("FITID", ""),
        fields.get("TRNTYPE", ""),
    )


def _place(stack: list[str], count: int, tag: str | None = None) -> str:
    """Where the reader is: the transaction when inside one, else the innermost aggregate."""
    where = f"STMTTRN {count}" if "STMTTRN" in stack else (stack[-1] if stack else "OFX")
    return where if tag is None else f"{where} / {tag}"
