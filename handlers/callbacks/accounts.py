"""Buttons of /accounts, /refresh, /credentials' "which bank?", /disconnect, /deletemydata."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from handlers.callbacks.codec import Button


class Question(IntEnum):
    """A "which bank?" question, by what the chosen bank is for."""

    CREDENTIALS = 0
    DISCONNECT = 1


@dataclass(frozen=True, slots=True)
class OverviewPage(Button):
    """Another page of /accounts."""

    tag = "mp"
    page: int


@dataclass(frozen=True, slots=True)
class ConnectionsPage(Button):
    """Another page of a "which bank?" question."""

    tag = "mP"
    question: Question
    page: int


@dataclass(frozen=True, slots=True)
class RefreshConnection(Button):
    """Update one connection now."""

    tag = "mr"
    connection: int


@dataclass(frozen=True, slots=True)
class RefreshAll(Button):
    """Update every connection of the presser now."""

    tag = "mR"


@dataclass(frozen=True, slots=True)
class UpdateSignIn(Button):
    """Open /credentials for one connection (also the "renew" of a consent reminder)."""

    tag = "mc"
    connection: int


@dataclass(frozen=True, slots=True)
class AskDisconnect(Button):
    """Ask to confirm disconnecting; `here` shows the question in place of this message."""

    tag = "md"
    connection: int
    here: bool


@dataclass(frozen=True, slots=True)
class ConfirmDisconnect(Button):
    tag = "mD"
    connection: int


@dataclass(frozen=True, slots=True)
class KeepAsIs(Button):
    """The "cancel" of a confirmation: nothing changes."""

    tag = "mk"


@dataclass(frozen=True, slots=True)
class ConfirmErase(Button):
    """/deletemydata confirmed; `asked` (seconds since the epoch) makes an old button stale."""

    tag = "mE"
    asked: int


@dataclass(frozen=True, slots=True)
class ShowHelp(Button):
    tag = "h"
    topic: str


KINDS: tuple[type[Button], ...] = (
    OverviewPage,
    ConnectionsPage,
    RefreshConnection,
    RefreshAll,
    UpdateSignIn,
    AskDisconnect,
    ConfirmDisconnect,
    KeepAsIs,
    ConfirmErase,
    ShowHelp,
)
