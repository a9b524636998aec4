"""Buttons of /review, the daily summary, the category picker and /rules."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks.codec import Button


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
    """ "Always file X under Y?": `auto` also accepts such lines without review."""

    tag = "ry"
    line: int
    account: int
    anchor: int
    page: int
    auto: bool


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


KINDS: tuple[type[Button], ...] = (
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
)
