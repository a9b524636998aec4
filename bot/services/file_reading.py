"""Reading a bank file off the event loop, and the small pure helpers of file imports: the
account a file names, the layouts remembered on accounts, a balance typed in the user's locale."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal

from bot.domain.money import minor_digits
from bot.domain.views import mask_iban
from bot.files import registry
from bot.files.csv_layout import Layout
from bot.files.importer import AccountHint, FileError, Problem, Statement
from bot.i18n import LOCALES
from bot.services.errors import InvalidInput

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 60.0
"""Longer than any real statement takes (80,000 lines read in a few seconds): past it, the
file is treated as too large."""
FILE_INSTITUTION = "file"
"""The institution id of bank accounts fed by files."""
MAX_BALANCE_MINOR = 10**15


@dataclass(frozen=True, slots=True)
class Parsed:
    format: str
    statements: Sequence[Statement]
    layout: Layout | None
    """The CSV layout the file was read with; None for other formats."""


def _read_now(filename: str, data: bytes, layout: Layout | None) -> Parsed:
    """Pure CPU, in a worker thread. An importer raises FileError only; anything else is a
    bug of ours, told to the user as a damaged file and logged."""
    try:
        found = registry.read(filename, data, layout)
        return Parsed(found.format, found.statements, found.layout)
    except FileError:
        raise
    except Exception as error:  # an importer bug must not reach the user
        log.error("bank file reader failed: %s", type(error).__name__, exc_info=error)
        raise FileError(Problem.DAMAGED) from None


async def read_file(
    filename: str, data: bytes, layout: Layout | None = None, within: float = READ_TIMEOUT_S
) -> Parsed:
    """The file's statements, read in a worker thread within `within` seconds."""
    try:
        async with asyncio.timeout(within):
            return await asyncio.to_thread(_read_now, filename, data, layout)
    except TimeoutError:
        log.warning("bank file not read within %.0f s", within)
        raise FileError(Problem.TOO_LARGE) from None


def file_account_id(hint: AccountHint) -> str | None:
    """The external id of the file-fed account a file names: a hash, never the IBAN itself."""
    if hint.iban:
        key = f"iban:{hint.iban}"
    elif hint.number:
        key = f"number:{hint.bank_id or ''}/{hint.number}"
    else:
        return None
    return "file:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def shown_account(hint: AccountHint) -> str | None:
    """How the chat names the file's account: a masked IBAN, or the number's last digits."""
    if hint.iban:
        return mask_iban(hint.iban)
    if hint.number:
        return f"•••• {hint.number[-4:]}"
    return None


def layout_json(layout: Layout, at: datetime) -> str:
    return json.dumps({"layout": layout.to_dict(), "used": at.isoformat()}, sort_keys=True)


def layout_of(stored: str | None) -> tuple[Layout, datetime] | None:
    """The layout an account remembers and when it was last used; None when unreadable."""
    if not stored:
        return None
    try:
        values = json.loads(stored)
        return Layout.from_dict(values["layout"]), datetime.fromisoformat(values["used"])
    except (ValueError, KeyError, TypeError):
        return None


def balance_moment(on: date, now: datetime) -> datetime:
    """When a balance stated for the end of day `on` held, never after now."""
    return min(now, datetime.combine(on, time(23, 59, 59), UTC))


def parse_balance(typed: str, lang: str, currency: str) -> int:
    """A balance typed in the user's locale ("1 234,56" in French, "1,234.56" in English),
    in minor units; InvalidInput for anything else."""
    locale = LOCALES.get(lang, "en_GB")
    text = typed.strip()
    for symbol in ("€", "$", "£", currency, currency.lower()):
        text = text.replace(symbol, "")
    text = text.strip().replace("−", "-")
    if lang == "fr":
        text = text.replace(" ", "\u202f").replace("\xa0", "\u202f")
    else:
        text = text.replace(" ", "")
    if len(text) > 24 or not re.fullmatch(r"[+-]?[0-9][0-9\u202f.,]*", text):
        raise InvalidInput("balance")
    try:
        amount = parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        raise InvalidInput("balance") from None
    digits = minor_digits(currency)
    scaled = amount * Decimal(10) ** digits
    if not amount.is_finite() or scaled != scaled.to_integral_value():
        raise InvalidInput("balance")
    minor = int(scaled)
    if abs(minor) >= MAX_BALANCE_MINOR:
        raise InvalidInput("balance")
    return minor
