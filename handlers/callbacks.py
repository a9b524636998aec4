"""The one callback-data codec: typed, versioned button values of at most 64 bytes.

A value is `<version><tag>:<field>:<field>…`. Buttons carry ids, never secrets; the
service re-checks that the pressing user owns what an id names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import ClassVar, TypeVar

VERSION = "1"
MAX_BYTES = 64
_FIELD = re.compile(r"[A-Za-z0-9_-]{1,40}")
_DIGITS = re.compile(r"0|[1-9][0-9]*")
"""A number as pack() writes it: ASCII digits, no sign, no leading zero."""

_ID = range(1, 2**31)
"""A row id: primary keys are Integer columns, 32 bits on PostgreSQL."""
_MOMENT = range(946_684_800, 4_102_444_800)
"""Seconds since the epoch from 2000-01-01 to 2100-01-01: any datetime can hold them."""
_POSITION = range(100_000)
"""A page, or a place in a short list on screen."""
_FLAG = range(2)
RANGES: dict[str, range] = {
    "line": _ID,
    "account": _ID,
    "rule": _ID,
    "ledger": _ID,
    "connection": range(2**31),  # 0: every connection, or none
    "anchor": _MOMENT,
    "asked": _MOMENT,
    "page": _POSITION,
    "index": _POSITION,
    "auto": _FLAG,
    "on": _FLAG,
    "here": _FLAG,
    "menu": range(3),
    "action": range(2),
    "purpose": range(1, 3),
    "results": _POSITION,
}
"""The values each number field may take; any other is forged and never reaches a service."""


class BadButton(ValueError):
    """A forged, stale or unknown button; handlers answer it politely and change nothing."""


@dataclass(frozen=True, slots=True)
class Button:
    tag: ClassVar[str]

    def pack(self) -> str:
        values = []
        for name in _names(type(self)):
            value = getattr(self, name)
            text = str(value)
            if type(value) is not int and not _FIELD.fullmatch(text):  # an int always fits
                raise ValueError(f"field {text!r} cannot go in a button")
            values.append(text)
        data = f"{VERSION}{self.tag}:" + ":".join(values)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
        return data


_NAMES: dict[type[Button], tuple[str, ...]] = {}


def _names(kind: type[Button]) -> tuple[str, ...]:
    names = _NAMES.get(kind)
    if names is None:
        names = _NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


@dataclass(frozen=True, slots=True)
class FlowButton(Button):
    """A button of one /connect flow; `flow` makes buttons of an older flow stale."""

    flow: str


@dataclass(frozen=True, slots=True)
class PickBank(FlowButton):
    tag = "b"
    bank: str


@dataclass(frozen=True, slots=True)
class PickGroup(FlowButton):
    tag = "g"
    group: str
    page: int


@dataclass(frozen=True, slots=True)
class CountryMenu(FlowButton):
    tag = "cm"
    page: int


@dataclass(frozen=True, slots=True)
class PickCountry(FlowButton):
    tag = "c"
    country: str


@dataclass(frozen=True, slots=True)
class CantFind(FlowButton):
    tag = "nf"


@dataclass(frozen=True, slots=True)
class BackToSearch(FlowButton):
    tag = "bs"


@dataclass(frozen=True, slots=True)
class StartLogin(FlowButton):
    tag = "li"


@dataclass(frozen=True, slots=True)
class LoginFor(FlowButton):
    """On a bank already connected: sign in to update it (`purpose` 2) or add accounts (1)."""

    tag = "lf"
    purpose: int


@dataclass(frozen=True, slots=True)
class RequestSupport(FlowButton):
    tag = "rs"


@dataclass(frozen=True, slots=True)
class ToggleAccount(FlowButton):
    tag = "t"
    index: int


@dataclass(frozen=True, slots=True)
class BankAccountsPage(FlowButton):
    """Another page of the accounts found at the bank."""

    tag = "ap"
    page: int


@dataclass(frozen=True, slots=True)
class AccountsChosen(FlowButton):
    tag = "ac"


@dataclass(frozen=True, slots=True)
class PickLedger(FlowButton):
    tag = "l"
    index: int
    ledger: int


@dataclass(frozen=True, slots=True)
class LedgerPage(FlowButton):
    """Another page of the ledger accounts offered for the bank account at `index`."""

    tag = "lp"
    index: int
    page: int


@dataclass(frozen=True, slots=True)
class AddLedger(FlowButton):
    tag = "la"
    index: int


@dataclass(frozen=True, slots=True)
class PickPeriod(FlowButton):
    tag = "p"
    period: str


@dataclass(frozen=True, slots=True)
class ConfirmConnect(FlowButton):
    tag = "ok"


@dataclass(frozen=True, slots=True)
class CancelFlow(FlowButton):
    tag = "x"


@dataclass(frozen=True, slots=True)
class ReviewPage(Button):
    """A page of the digest as of `anchor` (seconds since the epoch)."""

    tag = "rp"
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class LineButton(Button):
    line: int
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class AcceptLine(LineButton):
    tag = "ra"


@dataclass(frozen=True, slots=True)
class ChangeLine(LineButton):
    tag = "rc"


@dataclass(frozen=True, slots=True)
class SearchAccounts(LineButton):
    tag = "rf"


@dataclass(frozen=True, slots=True)
class NewAccount(LineButton):
    tag = "rn"


@dataclass(frozen=True, slots=True)
class Personal(LineButton):
    tag = "ro"


@dataclass(frozen=True, slots=True)
class Exclude(LineButton):
    tag = "rx"


@dataclass(frozen=True, slots=True)
class SearchPage(LineButton):
    """Page `results` of the picker's last search (the typed text stays with the user)."""

    tag = "rF"
    results: int


@dataclass(frozen=True, slots=True)
class FileUnder(Button):
    tag = "rk"
    line: int
    account: int
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class MakeRule(Button):
    """ "Always file X under Y?": `auto` 1 also accepts such lines without review."""

    tag = "ry"
    line: int
    account: int
    anchor: int
    page: int
    auto: int


@dataclass(frozen=True, slots=True)
class AcceptPage(Button):
    tag = "rA"
    anchor: int
    page: int


@dataclass(frozen=True, slots=True)
class UndoAuto(Button):
    tag = "ru"
    anchor: int


@dataclass(frozen=True, slots=True)
class ShowDone(Button):
    tag = "rd"
    anchor: int


@dataclass(frozen=True, slots=True)
class Reopen(Button):
    tag = "rr"
    line: int
    anchor: int


@dataclass(frozen=True, slots=True)
class ToggleRule(Button):
    tag = "Rt"
    rule: int


@dataclass(frozen=True, slots=True)
class DeleteRule(Button):
    tag = "Rd"
    rule: int


@dataclass(frozen=True, slots=True)
class RulesPage(Button):
    tag = "Rp"
    page: int


@dataclass(frozen=True, slots=True)
class SetLanguage(Button):
    tag = "sl"
    language: str


@dataclass(frozen=True, slots=True)
class SetAutoAccept(Button):
    tag = "sa"
    on: int


@dataclass(frozen=True, slots=True)
class SettingsMenu(Button):
    """Which list to show: 0 the settings, 1 summary times, 2 time zones."""

    tag = "sm"
    menu: int


@dataclass(frozen=True, slots=True)
class SetDigestTime(Button):
    tag = "st"
    hhmm: str


@dataclass(frozen=True, slots=True)
class SetTimezone(Button):
    tag = "sz"
    index: int


@dataclass(frozen=True, slots=True)
class TimezonesPage(Button):
    tag = "zp"
    page: int


@dataclass(frozen=True, slots=True)
class OverviewPage(Button):
    """Another page of /accounts."""

    tag = "mp"
    page: int


@dataclass(frozen=True, slots=True)
class ConnectionsPage(Button):
    """Another page of a "which bank?" question: `action` 0 for /credentials, 1 /disconnect."""

    tag = "mP"
    action: int
    page: int


@dataclass(frozen=True, slots=True)
class RefreshConnection(Button):
    """Update now: one connection, or every connection of the user when `connection` is 0."""

    tag = "mr"
    connection: int


@dataclass(frozen=True, slots=True)
class UpdateSignIn(Button):
    """Open /credentials for one connection (also the "renew" of a consent reminder)."""

    tag = "mc"
    connection: int


@dataclass(frozen=True, slots=True)
class AskDisconnect(Button):
    """Ask to confirm disconnecting; `here` 1 shows the question in place of this message."""

    tag = "md"
    connection: int
    here: int


@dataclass(frozen=True, slots=True)
class ConfirmDisconnect(Button):
    tag = "mD"
    connection: int


@dataclass(frozen=True, slots=True)
class KeepAsIs(Button):
    """The "cancel" of a confirmation: nothing changes."""

    tag = "mk"
    connection: int


@dataclass(frozen=True, slots=True)
class ConfirmErase(Button):
    """/deletemydata confirmed; `asked` (seconds since the epoch) makes an old button stale."""

    tag = "mE"
    asked: int


@dataclass(frozen=True, slots=True)
class ShowHelp(Button):
    tag = "h"
    topic: str


@dataclass(frozen=True, slots=True)
class ConsentGiven(FlowButton):
    """ "I have authorised" after opening a bank's consent link in /credentials."""

    tag = "mC"


KINDS: tuple[type[Button], ...] = (
    PickBank,
    PickGroup,
    CountryMenu,
    PickCountry,
    CantFind,
    BackToSearch,
    StartLogin,
    RequestSupport,
    ToggleAccount,
    BankAccountsPage,
    AccountsChosen,
    PickLedger,
    LedgerPage,
    AddLedger,
    PickPeriod,
    ConfirmConnect,
    CancelFlow,
    ReviewPage,
    AcceptLine,
    ChangeLine,
    SearchAccounts,
    NewAccount,
    Personal,
    Exclude,
    SearchPage,
    FileUnder,
    MakeRule,
    AcceptPage,
    UndoAuto,
    ShowDone,
    Reopen,
    ToggleRule,
    DeleteRule,
    RulesPage,
    SetLanguage,
    SetAutoAccept,
    SettingsMenu,
    SetDigestTime,
    SetTimezone,
    TimezonesPage,
    OverviewPage,
    ConnectionsPage,
    RefreshConnection,
    UpdateSignIn,
    AskDisconnect,
    ConfirmDisconnect,
    KeepAsIs,
    ConfirmErase,
    ShowHelp,
    ConsentGiven,
    LoginFor,
)
_BY_TAG = {kind.tag: kind for kind in KINDS}


def parse(data: str | None) -> Button:
    if not data:
        raise BadButton("not ours or an old version")
    parsed = _parse(data)
    if isinstance(parsed, str):
        raise BadButton(parsed)
    return parsed


@lru_cache(maxsize=1024)
def _parse(data: str) -> Button | str:
    """The button, or why it is refused. Cached: every CallbackQueryHandler's pattern
    parses the same data again before one of them takes the update."""
    if not data.isascii() or len(data) > MAX_BYTES or not data.startswith(VERSION):
        return "not ours or an old version"
    tag, _, rest = data[len(VERSION) :].partition(":")
    kind = _BY_TAG.get(tag)
    if kind is None:
        return "unknown kind"
    raw = rest.split(":")
    kind_fields = fields(kind)
    if len(raw) != len(kind_fields) or not all(_FIELD.fullmatch(value) for value in raw):
        return "wrong shape"
    values: list[object] = []
    for value, field in zip(raw, kind_fields, strict=True):
        if field.type in ("int", int):
            number = _number(value, RANGES[field.name])
            if number is None:
                return "not a number it can be"
            values.append(number)
        else:
            values.append(value)
    return kind(*values)


def _number(text: str, allowed: range) -> int | None:
    """The number, or None for a spelling pack() never writes or a value out of range (a
    20-digit id would overflow the database driver; a far anchor, datetime)."""
    if len(text) > len(str(allowed.stop - 1)) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number in allowed else None


B = TypeVar("B", bound=Button)


def matcher(*kinds: type[Button]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern accepting only these kinds of button."""

    def matches(data: object) -> bool:
        if not isinstance(data, str):
            return False
        try:
            return isinstance(parse(data), kinds)
        except BadButton:
            return False

    return matches


def parse_as(data: str | None, kind: type[B]) -> B:
    button = parse(data)
    if not isinstance(button, kind):
        raise BadButton("unexpected kind")
    return button
