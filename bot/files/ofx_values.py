"""An OFX statement as the text of its fields, and how those fields become a Statement.

Both readers (the fast streaming one and ofxparse) fill the same RawStatement, so the two can
only differ in what they read, never in how a date, an amount or a label is understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from schwifty import IBAN

from bot.domain.money import Money, minor_digits
from bot.files.importer import (
    MAX_LABEL_CHARS,
    AccountHint,
    AccountKind,
    FileError,
    FileLine,
    Problem,
    Statement,
)

MAX_TRANSACTIONS: Final = 200_000
MAX_DEPTH: Final = 64
MAX_STATEMENTS: Final = 1_000
MAX_FIELD_CHARS: Final = 10_000
DEFAULT_CURRENCY: Final = "EUR"

_DATE: Final = re.compile(r"(\d{4})(\d{2})(\d{2})")
_AMOUNT: Final = re.compile(r"(-?)(\d*)(?:\.(\d*))?")
_CENTS: Final = re.compile(r"-?\d{1,15}\.\d\d")
_CURRENCY: Final = re.compile(r"[A-Z]{3}")
_MAX_DIGITS: Final = 15
"""No account moves a quadrillion: a longer amount is damage, not money."""


@dataclass(slots=True)
class RawTransaction:
    number: int
    """Its rank among the file's STMTTRN, from 1, to say where a problem is."""
    posted: str | None
    amount: str | None
    name: str = ""
    memo: str = ""
    fitid: str = ""
    kind: str = ""
    """TRNTYPE, the label of last resort."""


@dataclass(slots=True)
class RawStatement:
    kind: AccountKind
    currency: str = ""
    account_id: str = ""
    bank_id: str = ""
    start: str = ""
    end: str = ""
    balance: str = ""
    balance_date: str = ""
    transactions: list[RawTransaction] = field(default_factory=list)


def iban_or_none(text: str) -> str | None:
    """The IBAN, normalised, when the text is a valid one."""
    compact = "".join(text.split()).upper()
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha():
        return None
    try:
        return IBAN(compact).compact
    except ValueError:
        return None


def calendar_date(text: str, where: str) -> date:
    """The bank's calendar date: the first eight digits, whatever time and zone follow."""
    match = _DATE.match(text)
    if match is None:
        raise FileError(Problem.DAMAGED, where)
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise FileError(Problem.DAMAGED, where) from None


def optional_date(text: str, where: str) -> date | None:
    if not text or text.startswith("00000000"):
        return None
    return calendar_date(text, where)


def minor_units(text: str, currency: str, where: str) -> int:
    """The amount in minor units, read as ofxparse reads it ("-12,50", "1.025,53", "+3")."""
    digits = minor_digits(currency)
    if digits == 2 and _CENTS.fullmatch(text):
        return int(text.replace(".", ""))
    number = text.replace(" ", "").replace("+", "")
    if "," in number:
        if "." in number and number.find(".") < number.rfind(","):
            number = number.replace(".", "")
        number = number.replace(",", "") if "." in number else number.replace(",", ".")
    if number in ("null", "-null"):
        return 0
    match = _AMOUNT.fullmatch(number)
    if match is None or not (match[2] or match[3]) or len(match[2].lstrip("0")) > _MAX_DIGITS:
        raise FileError(Problem.DAMAGED, where)
    fraction = match[3] or ""
    if fraction[digits:].strip("0"):
        raise FileError(Problem.DAMAGED, where)
    minor = int((match[2] or "0") + fraction[:digits].ljust(digits, "0"))
    return -minor if match[1] else minor


def label(name: str, memo: str, fallback: str = "") -> str:
    """NAME and MEMO as one label, the MEMO left out when it only repeats the NAME."""
    name = " ".join(name.split())
    memo = " ".join(memo.split())
    folded_name, folded_memo = name.casefold(), memo.casefold()
    if folded_memo in folded_name:
        text = name
    elif folded_memo.startswith(folded_name):
        text = memo
    else:
        text = f"{name} {memo}"
    return (text or " ".join(fallback.split()))[:MAX_LABEL_CHARS].rstrip()


def statement(raw: RawStatement) -> Statement:
    currency = raw.currency.strip().upper() or DEFAULT_CURRENCY
    if _CURRENCY.fullmatch(currency) is None:
        raise FileError(Problem.DAMAGED, "CURDEF")
    dates: dict[str, date] = {}
    lines: list[FileLine] = []
    for txn in raw.transactions:
        where = f"STMTTRN {txn.number}"
        if not txn.posted:
            raise FileError(Problem.DAMAGED, f"{where} / DTPOSTED")
        if not txn.amount:
            raise FileError(Problem.DAMAGED, f"{where} / TRNAMT")
        day = dates.get(txn.posted[:8])
        if day is None:
            day = dates[txn.posted[:8]] = calendar_date(txn.posted, f"{where} / DTPOSTED")
        minor = minor_units(txn.amount, currency, f"{where} / TRNAMT")
        text = label(txn.name, txn.memo, txn.kind)
        lines.append(FileLine(day, Money(minor, currency), text, txn.fitid.strip() or None))
    account_id = raw.account_id.strip()
    hint = AccountHint(
        iban=iban_or_none(account_id),
        number=account_id or None,
        bank_id=raw.bank_id.strip() or None,
        kind=raw.kind,
    )
    balance = None
    if raw.balance.strip():
        balance = Money(minor_units(raw.balance, currency, "LEDGERBAL / BALAMT"), currency)
    days = sorted(dates.values())
    return Statement(
        account=hint,
        currency=currency,
        lines=tuple(lines),
        balance=balance,
        balance_date=optional_date(raw.balance_date.strip(), "LEDGERBAL / DTASOF"),
        start=optional_date(raw.start.strip(), "DTSTART") or (days[0] if days else None),
        end=optional_date(raw.end.strip(), "DTEND") or (days[-1] if days else None),
    )
