"""What a bank-file importer is: it recognises its files and reads their lines (beangulp's shape).

Each format is a module beside this one (ofx.py, camt.py, csv_layout.py, mt940.py…) whose
importer `bot.files.registry` lists. Importers are pure: bytes in, frozen values out, no
I/O, so the service can run them in a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

from bot.domain.money import Money

MAX_FILE_BYTES = 20 * 1024 * 1024
"""The most a bot may download from Telegram; a larger file is refused before reading."""
MAX_LABEL_CHARS = 500
"""A label longer than this is cut: a statement line is never an essay."""


class Problem(StrEnum):
    """What is wrong with a file, in the words the user is told (catalog `file.<value>`)."""

    UNKNOWN_FORMAT = "unknown_format"
    """Not a bank file we read (OFX/QFX/QBO, CSV, CAMT.053, MT940)."""
    PDF = "pdf"
    """A PDF statement: we read the bank's downloadable files, not PDF."""
    DAMAGED = "damaged"
    """A file of a known format that is cut, malformed or self-contradicting."""
    ENCODING = "encoding"
    """Text in an encoding we cannot read."""
    TOO_LARGE = "too_large"
    """Over MAX_FILE_BYTES, or more lines or nesting than any statement has."""
    NOT_A_STATEMENT = "not_a_statement"
    """A CAMT.052 intraday report or CAMT.054 notification: ask for the end-of-day CAMT.053."""


class FileError(Exception):
    """The one error an importer raises: what is wrong and, when known, where.

    `where` is short and user-facing ("line 42", "<STMTTRN> 17", "Ntry 3 / Amt"); it never
    carries file content beyond a field name, so it may be shown and logged.
    """

    def __init__(self, problem: Problem, where: str | None = None) -> None:
        super().__init__(problem.value if where is None else f"{problem.value} at {where}")
        self.problem = problem
        self.where = where


@dataclass(frozen=True, slots=True)
class FileLine:
    """One booked line of a statement, as the bank shows it."""

    booking_date: date
    """The bank's calendar date for the line (never shifted by a time zone)."""
    amount: Money
    """Signed: negative leaves the account."""
    label: str
    """What the bank says about it (OFX NAME and MEMO, CAMT remittance, MT940 :86:…),
    whitespace collapsed, at most MAX_LABEL_CHARS."""
    file_id: str | None = None
    """The bank's id for the line when the file gives a usable one (OFX FITID, CAMT
    AcctSvcrRef, MT940 bank reference); None falls back to the fingerprint."""


class AccountKind(StrEnum):
    BANK = "bank"
    CREDIT_CARD = "credit_card"


@dataclass(frozen=True, slots=True)
class AccountHint:
    """How the file names its account, to propose the matching bank account first."""

    iban: str | None = None
    """Normalised: upper case, no spaces."""
    number: str | None = None
    """An account number when the file has no IBAN (OFX ACCTID, MT940 :25:)."""
    bank_id: str | None = None
    """OFX BANKID, a BIC, or a bank code, when given."""
    kind: AccountKind = AccountKind.BANK


@dataclass(frozen=True, slots=True)
class Statement:
    """What one file says about one bank account: its lines and, when given, its balance."""

    account: AccountHint
    currency: str
    """ISO 4217, upper case."""
    lines: Sequence[FileLine]
    balance: Money | None = None
    """The closing (booked) balance the file states, when it states one."""
    balance_date: date | None = None
    start: date | None = None
    """The period the statement covers, when it says; else the first and last line dates."""
    end: date | None = None
    notes: tuple[str, ...] = field(default=())
    """Anything the importer skipped on purpose (pending lines, a total row), for the log."""


class Importer(Protocol):
    """One file format."""

    name: str
    """Short and shown to the user: "OFX", "CSV", "CAMT.053", "MT940"."""

    def identify(self, filename: str, head: bytes) -> bool:
        """Whether the file is of this format, from its name and first 4 KiB alone."""
        ...

    def extract(self, filename: str, data: bytes) -> Sequence[Statement]:
        """The statements of a file `identify` accepted; FileError when it is unreadable.

        Never any other exception, whatever the bytes: the fuzz tests hold importers to it.
        """
        ...
