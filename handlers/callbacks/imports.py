"""Buttons of bank files: they carry the file's short token, never its content."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.import_views import ColumnRole
from handlers.callbacks.codec import Button


@dataclass(frozen=True, slots=True)
class IntoAccount(Button):
    """Import statement `index` of the file into this bank account."""

    tag = "fa"
    token: str
    index: int
    account: int


@dataclass(frozen=True, slots=True)
class IntoNewAccount(Button):
    tag = "fn"
    token: str
    index: int


@dataclass(frozen=True, slots=True)
class FileAccountsPage(Button):
    tag = "fp"
    token: str
    index: int
    page: int


@dataclass(frozen=True, slots=True)
class PickColumn(Button):
    """The CSV column (`index`) holding `role`."""

    tag = "fc"
    token: str
    role: ColumnRole
    index: int


@dataclass(frozen=True, slots=True)
class TwoAmountColumns(Button):
    """The amounts are in a debit and a credit column."""

    tag = "fd"
    token: str


@dataclass(frozen=True, slots=True)
class SameLine(Button):
    """The file's line `index` (its question's key) is that stored line."""

    tag = "fs"
    token: str
    index: int
    line: int


@dataclass(frozen=True, slots=True)
class NewLine(Button):
    tag = "fl"
    token: str
    index: int


@dataclass(frozen=True, slots=True)
class SkipBalance(Button):
    tag = "fb"
    token: str
    account: int


@dataclass(frozen=True, slots=True)
class ImportFile(Button):
    """From /accounts: how to send a bank file."""

    tag = "fi"


KINDS: tuple[type[Button], ...] = (
    ImportFile,
    IntoAccount,
    IntoNewAccount,
    FileAccountsPage,
    PickColumn,
    TwoAmountColumns,
    SameLine,
    NewLine,
    SkipBalance,
)
