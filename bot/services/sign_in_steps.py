"""What the sign-in flow shows next: each step's value (`Next`), the prompts it types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.banks.connector import AuthMethod
from bot.banks.directory.search import Institution
from bot.domain.periods import ImportPeriod
from bot.domain.views import ConnectionView, LedgerAccountView


class Prompt(StrEnum):
    """What the flow asks the user to type."""

    USERNAME = "ask_username"
    PASSWORD = "ask_password"  # noqa: S105 - a message key
    CODE = "ask_code"
    SETUP_TOKEN = "ask_setup_token"  # noqa: S105 - a message key
    BAD_SETUP_TOKEN = "bad_setup_token"  # noqa: S105 - a message key
    WRONG_CODE = "wrong_code"
    BAD_CREDENTIALS = "bad_credentials"
    RESTARTED = "restarted"
    LEDGER_NAME = "ask_ledger_name"
    BAD_LEDGER_NAME = "bad_ledger_name"


@dataclass(frozen=True, slots=True)
class Ask:
    prompt: Prompt
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Consent:
    """The bank's page where the user authorises access, then comes back.

    `waiting`: the bank says the consent is not finished yet (asked again, the link kept).
    `paste`: no callback will tell the bot; the user sends the address they land on.
    """

    link: str
    waiting: bool = False
    paste: bool = False
    restricted: bool = False
    """The provider reads only the accounts this bot's operator linked (Enable Banking's
    free restricted production): said plainly before the user goes to the bank."""


@dataclass(frozen=True, slots=True)
class Bank:
    institution: Institution
    existing: ConnectionView | None
    """The book's connection to this bank: update its sign-in or add accounts, never a twin."""
    auth: AuthMethod | None = None
    """How its connector signs in: the screen says what comes (a password, a link, a token)."""


@dataclass(frozen=True, slots=True)
class ChooseAccounts:
    page: int = 0
    linked: frozenset[int] = frozenset()
    """Accounts (by position) the connection already feeds: shown, not offered again."""


@dataclass(frozen=True, slots=True)
class ChooseLedger:
    index: int
    options: tuple[LedgerAccountView, ...]
    current: LedgerAccountView | None
    """The ledger account this bank account already feeds: offered first, to keep."""
    page: int = 0


@dataclass(frozen=True, slots=True)
class ChoosePeriod:
    choices: tuple[ImportPeriod, ...]


@dataclass(frozen=True, slots=True)
class Confirm:
    ledgers: Mapping[int, LedgerAccountView]
    period: ImportPeriod
    start: date


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The bank did not answer: the flow waits on the bank, whose Try again signs in anew."""


@dataclass(frozen=True, slots=True)
class Failed:
    """The flow is over and nothing changed: the bank's error code, "other_accounts" (new
    details that open another customer's accounts) or "gone" (the connection went)."""

    code: str


@dataclass(frozen=True, slots=True)
class Renewed:
    bank: str
    connection_id: int


@dataclass(frozen=True, slots=True)
class Connected:
    """Stored; the first import runs next."""

    connection_id: int
    bank: str


Next = (
    Ask
    | Consent
    | Bank
    | ChooseAccounts
    | ChooseLedger
    | ChoosePeriod
    | Confirm
    | Unavailable
    | Failed
    | Renewed
    | Connected
    | None
)
