"""ISO 20022 CAMT.053 end-of-day statements, versions .001.02 to .001.08: booked entries only.

Elements are matched on their local names, so a default namespace, a prefix or none read alike.
The XML is parsed by defusedxml: a DTD or an entity declaration makes the file DAMAGED.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.domain.money import Money
from bot.files.importer import (
    MAX_FILE_BYTES,
    MAX_LABEL_CHARS,
    AccountHint,
    FileError,
    FileLine,
    Problem,
    Statement,
)
from bot.files.ofx_values import iban_or_none

MAX_ENTRIES: Final = 200_000
MAX_DEPTH: Final = 64
MAX_STATEMENTS: Final = 1_000
MAX_FIELD_CHARS: Final = 10_000

_EXTENSIONS: Final = (".xml", ".053", ".camt")
_CAMT_NAMESPACE: Final = re.compile(rb"urn:iso:std:iso:20022:tech:xsd:camt\.05", re.IGNORECASE)
_STATEMENT_MARK: Final = re.compile(rb"camt\.053|BkToCstmrStmt")
_DECLARATION: Final = re.compile(rb"^\s*<\?xml[^>]*\?>")
_OTHER_MESSAGES: Final = frozenset({"BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn"})
_CURRENCY: Final = re.compile(r"[A-Z]{3}")
_DATE: Final = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")
_MAX_DIGITS: Final = 15
"""No account moves a quadrillion: a longer amount is damage, not money."""


class CamtImporter:
    name = "CAMT.053"

    def identify(self, filename: str, head: bytes) -> bool:
        if _CAMT_NAMESPACE.search(head):
            return True
        return filename.lower().endswith(_EXTENSIONS) and _STATEMENT_MARK.search(head) is not None

    def extract(self, filename: str, data: bytes) -> Sequence[Statement]:
        if len(data) > MAX_FILE_BYTES:
            raise FileError(Problem.TOO_LARGE)
        root = _parsed(data)
        message = _child(root, "BkToCstmrStmt") if _local(root.tag) == "Document" else None
        if message is None:
            names = {_local(root.tag)} | {_local(child.tag) for child in root}
            if names & _OTHER_MESSAGES:
                raise FileError(Problem.NOT_A_STATEMENT)
            raise FileError(Problem.UNKNOWN_FORMAT)
        statements = message.findall("Stmt")
        if len(statements) > MAX_STATEMENTS:
            raise FileError(Problem.TOO_LARGE, "Stmt")
        entries = _Counter()
        return [_statement(stmt, entries) for stmt in statements]


class _Counter:
    """Numbers the file's entries from 1, across its statements, to say where a problem is."""

    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"Ntry {self.count}"


def _parsed(data: bytes) -> Element:
    """The document, its tags stripped to local names; a file in cp1252 that says UTF-8 is read."""
    try:
        return _tree(data)
    except FileError as error:
        if error.problem is not Problem.DAMAGED:
            raise
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            recoded = _DECLARATION.sub(b"", data).decode("cp1252", "replace").encode("utf-8")
            try:
                return _tree(recoded)
            except FileError:
                raise error from None
        raise


def _tree(data: bytes) -> Element:
    _check_shape(data)
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError, LookupError) as error:
        raise FileError(Problem.DAMAGED) from error
    for element in root.iter():
        element.tag = _local(element.tag)
        if element.text is not None and len(element.text) > MAX_FIELD_CHARS:
            raise FileError(Problem.DAMAGED, element.tag)
    return root


def _check_shape(data: bytes) -> None:
    """One quick pass of expat before any tree is built: no DTD, no absurd nesting or size.

    Without a namespace separator expat gives names as written, prefix and all ("ns2:Ntry").
    """
    depth = entries = 0

    def start(name: str, attributes: object) -> None:
        nonlocal depth, entries
        depth += 1
        bare = name.rpartition(":")[2]
        if depth > MAX_DEPTH:
            raise FileError(Problem.TOO_LARGE, bare)
        if bare == "Ntry":
            entries += 1
            if entries > MAX_ENTRIES:
                raise FileError(Problem.TOO_LARGE, "Ntry")

    def end(name: str) -> None:
        nonlocal depth
        depth -= 1

    def declaration(*_: object) -> None:
        raise FileError(Problem.DAMAGED)

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = declaration
    parser.EntityDeclHandler = declaration
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, ValueError, LookupError) as error:
        raise FileError(Problem.DAMAGED) from error


def _statement(stmt: Element, entries: _Counter) -> Statement:
    account = _child(stmt, "Acct")
    currency = _currency(stmt, account)
    lines: list[FileLine] = []
    skipped: Counter[str] = Counter()
    for entry in _children(stmt, "Ntry"):
        where = entries.next()
        status = _status(entry)
        if status != "BOOK":
            skipped[status or "no status"] += 1
            continue
        lines.append(_line(entry, currency, where))
    balance, balance_date = _closing_balance(stmt, currency)
    period = _child(stmt, "FrToDt")
    days = sorted(line.booking_date for line in lines)
    return Statement(
        account=_hint(account),
        currency=currency,
        lines=tuple(lines),
        balance=balance,
        balance_date=balance_date,
        start=_day(period, "FrDtTm", where="FrToDt") or (days[0] if days else None),
        end=_day(period, "ToDtTm", where="FrToDt") or (days[-1] if days else None),
        notes=tuple(f"{count} {status} entries skipped" for status, count in skipped.items()),
    )


def _line(entry: Element, currency: str, where: str) -> FileLine:
    amount = _money(entry, currency, where)
    booked = f"{where} / BookgDt"
    day = _day(_child(entry, "BookgDt"), "Dt", "DtTm", where=booked) or _day(
        _child(entry, "ValDt"), "Dt", "DtTm", where=f"{where} / ValDt"
    )
    if day is None:
        raise FileError(Problem.DAMAGED, booked)
    return FileLine(
        day, amount, _label(entry, amount.minor < 0), _text(entry, "AcctSvcrRef") or None
    )


def _label(entry: Element, outgoing: bool) -> str:
    """The remittance information, else the other party's name, else the bank's own words."""
    details = [tx for block in _children(entry, "NtryDtls") for tx in _children(block, "TxDtls")]
    batch = _text(entry, "NtryDtls", "Btch", "NbOfTxs")
    text = ""
    if len(details) == 1 and not batch:
        remittance = " ".join(_texts(details[0], "RmtInf", "Ustrd"))
        party = "Cdtr" if outgoing else "Dbtr"
        text = (
            remittance
            or _text(details[0], "RltdPties", party, "Nm")
            or _text(details[0], "RltdPties", party, "Pty", "Nm")
            or _text(entry, "AddtlNtryInf")
            or _text(details[0], "AddtlTxInf")
        )
    else:
        count = batch or (str(len(details)) if details else "")
        text = _text(entry, "AddtlNtryInf") or (f"{count} transactions" if count else "")
    return " ".join(text.split())[:MAX_LABEL_CHARS].rstrip()


def _money(entry: Element, currency: str, where: str) -> Money:
    amount = _child(entry, "Amt")
    text = (amount.text or "").strip() if amount is not None else ""
    if amount is None or amount.get("Ccy", currency).strip().upper() != currency:
        raise FileError(Problem.DAMAGED, f"{where} / Amt")
    sign = {"CRDT": 1, "DBIT": -1}.get(_text(entry, "CdtDbtInd"))
    if sign is None:
        raise FileError(Problem.DAMAGED, f"{where} / CdtDbtInd")
    try:
        value = Decimal(text)
        if not value.is_finite() or value < 0 or value.adjusted() > _MAX_DIGITS:
            raise FileError(Problem.DAMAGED, f"{where} / Amt")
        return Money.from_decimal(value * sign, currency)
    except (InvalidOperation, ValueError):
        raise FileError(Problem.DAMAGED, f"{where} / Amt") from None


def _closing_balance(stmt: Element, currency: str) -> tuple[Money | None, date | None]:
    for balance in _children(stmt, "Bal"):
        code = _text(balance, "Tp", "CdOrPrtry", "Cd") or _text(balance, "Tp", "CdOrPrtry", "Prtry")
        if code.upper() == "CLBD":
            money = _money(balance, currency, "Bal CLBD")
            return money, _day(_child(balance, "Dt"), "Dt", "DtTm", where="Bal CLBD")
    return None, None


def _status(entry: Element) -> str:
    status = _child(entry, "Sts")
    if status is None:
        return ""
    return ((status.text or "").strip() or _text(status, "Cd") or _text(status, "Prtry")).upper()


def _currency(stmt: Element, account: Element | None) -> str:
    declared = _text(account, "Ccy") if account is not None else ""
    if not declared:
        amounts = (node.get("Ccy", "") for node in stmt.iter("Amt"))
        declared = next((value for value in amounts if value.strip()), "")
    currency = declared.strip().upper()
    if _CURRENCY.fullmatch(currency) is None:
        raise FileError(Problem.DAMAGED, "Acct / Ccy")
    return currency


def _hint(account: Element | None) -> AccountHint:
    if account is None:
        return AccountHint()
    iban = _text(account, "Id", "IBAN")
    other = _text(account, "Id", "Othr", "Id")
    normalised = iban_or_none(iban) if iban else None
    bank = _text(account, "Svcr", "FinInstnId", "BICFI") or _text(
        account, "Svcr", "FinInstnId", "BIC"
    )
    return AccountHint(
        iban=normalised,
        number=other or (None if normalised else iban or None),
        bank_id=bank or None,
    )


def _day(parent: Element | None, *names: str, where: str = "") -> date | None:
    """The calendar date of the first of `names` under `parent`, its time and zone ignored."""
    if parent is None:
        return None
    for name in names:
        text = _text(parent, name)
        if not text:
            continue
        match = _DATE.match(text)
        try:
            if match is not None:
                return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
        raise FileError(Problem.DAMAGED, f"{where} / {name}" if where else name)
    return None


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _child(parent: Element | None, name: str) -> Element | None:
    return None if parent is None else parent.find(name)


def _children(parent: Element, name: str) -> Iterator[Element]:
    return iter(parent.findall(name))


def _text(parent: Element | None, *path: str) -> str:
    node = parent
    for name in path:
        node = _child(node, name)
    return (node.text or "").strip() if node is not None else ""


def _texts(parent: Element, *path: str) -> list[str]:
    return [(node.text or "").strip() for node in parent.findall("/".join(path)) if node.text]
