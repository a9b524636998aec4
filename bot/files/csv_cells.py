"""Reading the cells of a bank CSV: its text, dates, amounts, D/C marks and header names."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from bot.domain.text import strip_accents
from bot.files.importer import MAX_FILE_BYTES, FileError, Problem

MAX_ROWS: Final = 200_000
MAX_CELL_CHARS: Final = 10_000
HEADER_SEARCH_ROWS: Final = 60
"""How far down title lines may push a table's header."""
NAME_CHARS: Final = 60
"""A header name is remembered and compared by this many characters."""


class DateOrder(StrEnum):
    """The order of a date's parts; the separator ("/", ".", "-") and a 2-digit year are free."""

    DMY = "dmy"
    MDY = "mdy"
    YMD = "ymd"


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding that read it: UTF-8 (BOM or not), cp1252, latin-1.

    UTF-16 is read only with its BOM (Excel's "Unicode text"); other NULs mean a binary file.
    """
    if len(data) > MAX_FILE_BYTES:
        raise FileError(Problem.TOO_LARGE)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileError(Problem.ENCODING) from None
        encoding = "utf-16"
    elif b"\x00" in data:
        raise FileError(Problem.UNKNOWN_FORMAT)
    else:
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return check_text(text), encoding


def decode_as(data: bytes, encoding: str) -> str:
    """The text of a CSV in the encoding a remembered layout names."""
    if len(data) > MAX_FILE_BYTES:
        raise FileError(Problem.TOO_LARGE)
    if encoding != "utf-16" and b"\x00" in data:
        raise FileError(Problem.UNKNOWN_FORMAT)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise FileError(Problem.ENCODING) from None
    return check_text(text)


_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def check_text(text: str) -> str:
    """The text without its BOM, refused when control characters show it is not text."""
    text = text.removeprefix("\ufeff")
    if "\x00" in text or len(_CONTROL.findall(text[:8192])) > 8:
        raise FileError(Problem.UNKNOWN_FORMAT)
    return text


def name_key(name: str) -> str:
    """A header name as compared: lower case, no accents, words of letters and digits."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", strip_accents(name.lower())).split())


def clean(cell: str) -> str:
    """A cell without its outer spaces and Excel's `="…"` text guard."""
    cell = cell.strip()
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3:
        return cell[2:-1].strip()
    return cell


# --- dates -------------------------------------------------------------------------------------

_NUMERIC_DATE: Final = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?:$|[ T])", re.ASCII)
_NAMED_DATE: Final = re.compile(r"([0-9]{1,2})[ -]([^\W\d_]{3,9})\.?[ -]([0-9]{2}|[0-9]{4})$")
_MONTHS: Final = {
    **dict.fromkeys(("jan", "janv", "janvier", "january"), 1),
    **dict.fromkeys(("feb", "fev", "fevr", "fevrier", "february"), 2),
    **dict.fromkeys(("mar", "mars", "march"), 3),
    **dict.fromkeys(("apr", "avr", "avril", "april"), 4),
    **dict.fromkeys(("may", "mai"), 5),
    **dict.fromkeys(("jun", "juin", "june"), 6),
    **dict.fromkeys(("jul", "juil", "juillet", "july"), 7),
    **dict.fromkeys(("aug", "aou", "aout", "august"), 8),
    **dict.fromkeys(("sep", "sept", "septembre", "september"), 9),
    **dict.fromkeys(("oct", "octobre", "october"), 10),
    **dict.fromkeys(("nov", "novembre", "november"), 11),
    **dict.fromkeys(("dec", "decembre", "december"), 12),
}


_LONGEST_DATE: Final = 32


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 4:
        return year
    return 2000 + year if year < 70 else 1900 + year


def _make(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2199:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(cell: str, order: DateOrder) -> date | None:
    """The date a cell holds in that order ("05/01/2024", "2024-01-05", "5 janv. 2024"), or None."""
    if len(cell) > _LONGEST_DATE:
        return None
    if len(cell) == 10 and order is not DateOrder.YMD and cell[2] == cell[5] and cell[2] in "/.-":
        day, mon = (cell[:2], cell[3:5]) if order is DateOrder.DMY else (cell[3:5], cell[:2])
        year = cell[6:]
        if cell.isascii() and day.isdigit() and mon.isdigit() and year.isdigit():
            return _make(int(year), int(mon), int(day))
    match = _NUMERIC_DATE.match(cell)
    if match is None:
        named = _NAMED_DATE.match(cell)
        if named is None or order is DateOrder.YMD:
            return None
        month = _MONTHS.get(strip_accents(named[2].lower()))
        return None if month is None else _make(_year(named[3]), month, int(named[1]))
    first, _, middle, last = match.groups()
    if order is DateOrder.YMD:
        if len(first) != 4:
            return None
        return _make(int(first), int(middle), int(last))
    if len(first) > 2:
        return None
    if order is DateOrder.DMY:
        return _make(_year(last), int(middle), int(first))
    return _make(_year(last), int(first), int(middle))


def date_orders(cell: str) -> frozenset[DateOrder]:
    """The orders in which a cell reads as a date."""
    return frozenset(order for order in DateOrder if parse_date(cell, order) is not None)


def find_date(text: str) -> date | None:
    """The first day-first or ISO date written anywhere in a text ("Solde au 31/01/2024")."""
    for match in re.finditer(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}", text, re.ASCII):
        for order in (DateOrder.DMY, DateOrder.YMD):
            found = parse_date(match[0], order)
            if found is not None:
                return found
    return None


# --- amounts -----------------------------------------------------------------------------------

_COMMA_DECIMAL: Final = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?", re.ASCII)
_DOT_DECIMAL: Final = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?", re.ASCII)
_SYMBOLS: Final = re.compile(r"^(?:[A-Z]{3}|[€$£])\s*|\s*(?:[A-Z]{3}|[€$£])$")
_MINUS: Final = ("-", "\u2212", "\u2013")
_LONGEST_AMOUNT: Final = 48
"""Longer cells are no amount, and the patterns never see them."""


def _unsigned(cell: str) -> tuple[bool, str] | None:
    """Whether a cell is negative, and its digits and separators; None when not an amount."""
    text = cell.strip()
    if not text or len(text) > _LONGEST_AMOUNT:
        return None
    negative = False
    if text[0] == "(" and text[-1] == ")":
        negative, text = True, text[1:-1].strip()
    text = _SYMBOLS.sub("", text)
    if text[-1:] in _MINUS:
        negative, text = not negative, text[:-1].rstrip()
    elif text[-1:] == "+":
        text = text[:-1].rstrip()
    if text[:1] in _MINUS:
        negative, text = not negative, text[1:].lstrip()
    elif text[:1] == "+":
        text = text[1:].lstrip()
    text = _SYMBOLS.sub("", text)
    for space in (" ", "\u00a0", "\u202f", "'"):
        text = text.replace(space, "")
    return (negative, text) if text else None


def parse_amount(cell: str, decimal: str) -> Decimal | None:
    """The signed amount a cell holds with that decimal separator ("1 234,56", "-12.50"), or None.

    Thousands separators must group by three, so "12.50" is no amount when the decimal is ",".
    """
    parts = _unsigned(cell)
    if parts is None:
        return None
    negative, text = parts
    match = (_COMMA_DECIMAL if decimal == "," else _DOT_DECIMAL).fullmatch(text)
    if match is None:
        return None
    whole, fraction = match.groups()
    if len(whole) > 19 or (fraction is not None and len(fraction) > 4):
        return None
    value = Decimal(f"{whole.replace('.', '').replace(',', '')}.{fraction or '0'}")
    return -value if negative else value


_PLAIN: Final = {
    ",": re.compile(r" *(-?)(\d{1,3}(?:[ .\xa0\u202f]\d{3}){1,4}|\d{1,15})(?:,(\d{1,4}))? *", re.A),
    ".": re.compile(
        r" *(-?)(\d{1,3}(?:[ ,\xa0\u202f]\d{3}){1,4}|\d{1,15})(?:\.(\d{1,4}))? *", re.A
    ),
}


_GROUPING: Final = str.maketrans("", "", " .,\u00a0\u202f")


def parse_minor(cell: str, decimal: str, digits: int) -> int | None:
    """The signed amount of a cell in minor units (cents), or None; like parse_amount, but
    refusing more decimals than the currency has unless they are zeros."""
    plain = _PLAIN[decimal].fullmatch(cell)
    if plain is None:
        value = parse_amount(cell, decimal)
        if value is None:
            return None
        scaled = value.scaleb(digits)
        return int(scaled) if scaled == scaled.to_integral_value() else None
    negative, whole, fraction = plain.groups()
    fraction = fraction or ""
    if len(fraction) > digits:
        if fraction[digits:].strip("0"):
            return None
        fraction = fraction[:digits]
    if len(whole) > 3:
        whole = whole.translate(_GROUPING)
    minor = int(whole + fraction.ljust(digits, "0"))
    return -minor if negative else minor


def amount_decimals(cell: str) -> frozenset[str]:
    """The decimal separators with which a cell reads as an amount ("1,5" → {","})."""
    return frozenset(sep for sep in (",", ".") if parse_amount(cell, sep) is not None)


def has_fraction(cell: str) -> bool:
    """Whether an amount cell shows decimals, as amounts do and reference numbers do not."""
    text = cell.strip()
    pattern = r"[.,]\d{1,2}\s*\)?\s*(?:[A-Z]{3}|[€$£])?\s*[-+]?$"
    return len(text) <= _LONGEST_AMOUNT and re.search(pattern, text, re.ASCII) is not None


# --- debit / credit marks ----------------------------------------------------------------------

_LONGEST_MARK: Final = 16
_DEBIT_MARKS: Final = frozenset(
    ("d", "db", "dr", "dbit", "debit", "debiteur", "-", "out", "sortie", "withdrawal", "debit d")
)
_CREDIT_MARKS: Final = frozenset(
    ("c", "cr", "crdt", "credit", "crediteur", "+", "in", "entree", "deposit", "credit c")
)


def parse_direction(cell: str) -> int | None:
    """-1 for a debit mark (D, Débit, DBIT, -), +1 for a credit mark, None otherwise."""
    text = cell.strip()
    if len(text) > _LONGEST_MARK:
        return None
    key = text if text in ("-", "+") else name_key(text)
    if key in _DEBIT_MARKS:
        return -1
    if key in _CREDIT_MARKS:
        return 1
    return None


# --- accounts ----------------------------------------------------------------------------------

_IBAN: Final = re.compile(r"\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})\b", re.ASCII)
_ACCOUNT_NUMBER: Final = re.compile(
    r"(?:\b(?:compte|account|acct|numero|number|no)\b|n°)\D{0,20}?(\d[\d -]{4,30}\d)",
    re.IGNORECASE | re.ASCII,
)


def iban_is_valid(iban: str) -> bool:
    """The ISO 13616 check: the number with its country moved to the end is 1 modulo 97."""
    if not (15 <= len(iban) <= 34 and iban.isascii() and iban.isalnum()):
        return False
    if not iban[:2].isalpha() or not iban[2:4].isdigit():
        return False
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in moved)
    return int(digits) % 97 == 1


def find_iban(text: str) -> str | None:
    """The first valid IBAN in a text, normalised."""
    for match in _IBAN.finditer(text.upper()):
        candidate = match[1].replace(" ", "")
        for end in range(len(candidate), 14, -1):
            if iban_is_valid(candidate[:end]):
                return candidate[:end]
    return None


def find_account_number(text: str) -> str | None:
    """An account number after "Compte n°", "Account number", "Numéro de compte"…, digits only."""
    match = _ACCOUNT_NUMBER.search(strip_accents(text))
    if match is None:
        return None
    return re.sub(r"[ -]", "", match[1])


# --- rows around the table ---------------------------------------------------------------------


class Summary(StrEnum):
    """What a row outside the table sums up."""

    OPENING = "opening"
    BALANCE = "balance"
    TOTAL = "total"


_OPENING_WORDS: Final = (
    "ancien solde",
    "solde initial",
    "solde precedent",
    "solde debut",
    "solde de debut",
    "solde d ouverture",
    "solde au debut",
    "opening balance",
    "previous balance",
    "balance brought forward",
    "starting balance",
)
_BALANCE_WORDS: Final = (
    "solde",
    "nouveau solde",
    "closing balance",
    "ending balance",
    "final balance",
    "balance",
    "available balance",
)
_TOTAL_WORDS: Final = ("total", "totaux", "sous total", "cumul", "montant total")


def summary_kind(row: list[str]) -> Summary | None:
    """Whether a row is an opening balance, a closing balance or a total, from its first word."""
    first = next((cell for cell in row if cell.strip()), "")
    key = name_key(first[:80])
    if key.startswith(_OPENING_WORDS):
        return Summary.OPENING
    if key.startswith(_BALANCE_WORDS):
        return Summary.BALANCE
    if key.startswith(_TOTAL_WORDS):
        return Summary.TOTAL
    return None
