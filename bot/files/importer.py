"""What a bank-file importer is: it recognises its files and reads their lines (beangulp's shape).

Formats (OFX, CSV, CAMT, MT940…) arrive with the bank-files issue, each a module beside this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.banks.connector import FetchedTransaction
from bot.domain.money import Money


@dataclass(frozen=True, slots=True)
class Statement:
    """What one file says about one bank account: its lines and, when given, its balance."""

    account_hint: str | None
    currency: str
    lines: Sequence[FetchedTransaction]
    balance: Money | None = None


class Importer(Protocol):
    """One file format."""

    name: str

    def identify(self, filename: str, head: bytes) -> bool:
        """Whether the file is of this format, from its name and first bytes alone."""
        ...

    def extract(self, filename: str, data: bytes) -> Sequence[Statement]:
        """The statements of a file `identify` accepted; ValueError when it is damaged."""
        ...
