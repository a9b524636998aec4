"""The MT940 importer: SWIFT statements read through the `mt-940` library, one per account."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

import mt940

from bot.domain.money import Money
from bot.files.csv_cells import iban_is_valid
from bot.files.importer import (
    MAX_FILE_BYTES,
    MAX_LABEL_CHARS,
    AccountHint,
    FileError,
    FileLine,
    Problem,
    Statement,
)

# The library logs a tag it cannot parse with the tag's text: statement content stays out of logs.
logging.getLogger("mt940").setLevel(logging.CRITICAL)

_EXTENSIONS: Final = (".sta", ".mt940", ".940", ".txt", ".mt9")
_MAX_LINES: Final = 200_000
_OPTIONS: Final = mt940.Options(
    reversal_sign=True,
    case_insensitive_marks=True,
    unbounded_details=True,
    merge_keeps_values=True,
)
_BLOCK_START: Final = re.compile(r"(?m)^(?=:20:)")
_SUBFIELD: Final = re.compile(r"\?(\d{2})")
_SEPA_KEY: Final = re.compile(
    r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP|COAM|OAMT)\+"
)
_BIC: Final = re.compile(r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_NO_REFERENCE: Final = frozenset(("", "NONREF", "NOTPROVIDED"))


class Mt940Importer:
    """SWIFT MT940 statements; several :20: blocks of one account make one Statement."""

    name = "MT940"

    def identify(self, filename: str, head: bytes) -> bool:
        if not filename.lower().endswith(_EXTENSIONS):
            return False
        text = head.decode("latin-1")
        return bool(re.search(r"^:20:", text, re.M) and re.search(r"^:(25|61):", text, re.M))

    def extract(self, filename: str, data: bytes) -> Sequence[Statement]:
        text = _decode(data)
        if text.count(":61:") > _MAX_LINES:
            raise FileError(Problem.TOO_LARGE)
        blocks = [block for block in _BLOCK_START.split(text) if block.startswith(":20:")]
        if not blocks:
            raise FileError(Problem.DAMAGED, "statement 1")
        statements: dict[tuple[str | None, ...], _Account] = {}
        for number, block in enumerate(blocks, 1):
            try:
                read = _read_block(block, f"statement {number}")
            except FileError:
                raise
            except Exception:
                raise FileError(Problem.DAMAGED, f"statement {number}") from None
            key = (read.account.iban, read.account.number, read.account.bank_id, read.currency)
            account = statements.setdefault(key, _Account(read.account, read.currency))
            account.add(read)
        return tuple(account.statement() for account in statements.values())


def _decode(data: bytes) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise FileError(Problem.TOO_LARGE)
    if b"\x00" in data:
        raise FileError(Problem.UNKNOWN_FORMAT)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass(frozen=True, slots=True)
class _Block:
    """What one :20: block says, in our values."""

    account: AccountHint
    currency: str
    lines: tuple[tuple[FileLine, str | None], ...]
    closing: Money | None
    closing_date: date | None
    opening_date: date | None


@dataclass(slots=True)
class _Account:
    """The blocks of one account, merged in file order."""

    hint: AccountHint
    currency: str
    lines: list[tuple[FileLine, str | None]] = field(default_factory=list)
    closing: Money | None = None
    closing_date: date | None = None
    start: date | None = None
    end: date | None = None

    def add(self, block: _Block) -> None:
        self.lines.extend(block.lines)
        if block.closing is not None:
            self.closing, self.closing_date = block.closing, block.closing_date
        days = [line.booking_date for line, _ in block.lines]
        firsts = [day for day in (block.opening_date, *days[:1], self.start) if day]
        lasts = [day for day in (block.closing_date, *days[-1:], self.end) if day]
        self.start = min(firsts, default=None)
        self.end = max(lasts, default=None)

    def statement(self) -> Statement:
        counts = Counter(reference for _, reference in self.lines if reference is not None)
        unique = not counts or max(counts.values()) == 1
        lines = tuple(
            FileLine(line.booking_date, line.amount, line.label, reference if unique else None)
            for line, reference in self.lines
        )
        return Statement(
            account=self.hint,
            currency=self.currency,
            lines=lines,
            balance=self.closing,
            balance_date=self.closing_date if self.closing else None,
            start=self.start,
            end=self.end,
            notes=() if unique else ("bank references repeat: not used as line ids",),
        )


def _read_block(block: str, where: str) -> _Block:
    """One statement block through the library, its values checked and converted to ours."""
    parsed = mt940.models.Transactions(
        processors={"post_transaction_details": []}, options=_OPTIONS
    )
    parsed.parse(block)
    data: dict[str, Any] = parsed.data
    currency = parsed.currency
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency.upper()):
        raise FileError(Problem.DAMAGED, f"{where} / :60F:")
    currency = currency.upper()
    account = _account(data.get("account_identification"))
    closing = closing_date = None
    for slug in ("final_closing_balance", "closing_balance", "intermediate_closing_balance"):
        if data.get(slug) is not None:
            closing, closing_date = _balance(data[slug], currency, f"{where} / :62F:")
            break
    opening_date = None
    for slug in ("final_opening_balance", "opening_balance", "intermediate_opening_balance"):
        if data.get(slug) is not None:
            opening_date = _balance(data[slug], currency, f"{where} / :60F:")[1]
            break
    lines = tuple(
        _line(transaction.data, currency, f"{where} / :61: {index}")
        for index, transaction in enumerate(parsed.transactions, 1)
    )
    return _Block(account, currency, lines, closing, closing_date, opening_date)


def _account(raw: object) -> AccountHint:
    """The :25: account: an IBAN when one is valid, else a number; a BIC or bank code apart."""
    if not isinstance(raw, str) or not raw.strip():
        return AccountHint()
    parts = [part for part in re.split(r"/", "".join(raw.upper().split())) if part]
    if not parts:
        return AccountHint()
    iban = next((found for part in parts if (found := _iban(part))), None)
    rest = [part for part in parts if not (iban and part.startswith(iban))]
    bic = next((part for part in rest if _BIC.fullmatch(part) and not part.isdigit()), None)
    if iban:
        return AccountHint(iban=iban, bank_id=bic or ("/".join(rest) or None))
    number = re.sub(r"(?<=\d)[A-Z]{3}$", "", rest[-1])
    bank = bic or ("/".join(rest[:-1]) or None)
    return AccountHint(number=number[:34] or None, bank_id=bank[:34] if bank else None)


def _iban(part: str) -> str | None:
    if not re.match(r"[A-Z]{2}\d{2}[A-Z0-9]{11,}", part):
        return None
    for end in range(min(len(part), 34), 14, -1):
        if iban_is_valid(part[:end]):
            return part[:end]
    return None


def _day(value: object, where: str) -> date:
    if not isinstance(value, date):
        raise FileError(Problem.DAMAGED, where)
    return date(value.year, value.month, value.day)


def _money(value: object, currency: str, where: str) -> Money:
    amount = getattr(value, "amount", None)
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise FileError(Problem.DAMAGED, where)
    try:
        return Money.from_decimal(amount, currency)
    except (ValueError, ArithmeticError):
        raise FileError(Problem.DAMAGED, where) from None


def _balance(balance: object, currency: str, where: str) -> tuple[Money, date]:
    """A :60F:/:62F: balance, signed by its D/C mark (the library signs a D negative)."""
    amount = getattr(balance, "amount", None)
    code = getattr(amount, "currency", None)
    if not isinstance(code, str) or code.upper() != currency:
        raise FileError(Problem.DAMAGED, where)
    return _money(amount, currency, where), _day(getattr(balance, "date", None), where)


def _line(data: dict[str, Any], currency: str, where: str) -> tuple[FileLine, str | None]:
    """One :61: line and its :86: details; the entry date, when given, is the booking date."""
    booked = data.get("entry_date") or data.get("date")
    amount = _money(data.get("amount"), currency, where)
    details = data.get("transaction_details")
    label = _label(details if isinstance(details, str) else "")
    if not label:
        extra = data.get("extra_details")
        label = " ".join(extra.split()) if isinstance(extra, str) else ""
    line = FileLine(_day(booked, where), amount, label[:MAX_LABEL_CHARS])
    return line, _reference(data)


def _reference(data: dict[str, Any]) -> str | None:
    for key in ("bank_reference", "customer_reference"):
        value = data.get(key)
        if isinstance(value, str) and value.strip().upper() not in _NO_REFERENCE:
            return value.strip()
    return None


def _label(details: str) -> str:
    """The :86: text, whitespace collapsed; of a structured one (?20…?29), name and remittance."""
    joined = "".join(line.strip("\r\n") for line in details.splitlines())
    if not re.match(r"(\d{3})?\?\d{2}", joined):
        return " ".join(details.split())
    pieces = _SUBFIELD.split(joined)
    fields: dict[str, list[str]] = {}
    for key, value in zip(pieces[1::2], pieces[2::2], strict=True):
        fields.setdefault(key, []).append(value)
    name = "".join(fields.get("32", []) + fields.get("33", []))
    remittance = _remittance("".join(v for k in range(20, 30) for v in fields.get(str(k), [])))
    label = " ".join(f"{name} {remittance}".split())
    return label or " ".join("".join(fields.get("00", [])).split())


def _remittance(text: str) -> str:
    """SEPA remittance without its keywords: the SVWZ+ part when there is one."""
    pieces = _SEPA_KEY.split(text)
    if len(pieces) == 1:
        return text
    parts = dict(zip(pieces[1::2], pieces[2::2], strict=True))
    if "SVWZ" in parts:
        return parts["SVWZ"]
    return pieces[0] or " ".join(parts.get(key, "") for key in ("EREF", "KREF", "MREF"))
