"""The Connector protocol every bank access implements, its values and its typed errors."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Protocol, TypeVar

from bot.domain.money import Money
from bot.domain.secret import Secret

log = logging.getLogger(__name__)


class AuthMethod(StrEnum):
    CREDENTIALS = "credentials"
    CONSENT_LINK = "consent_link"
    SETUP_TOKEN = "setup_token"  # noqa: S105 - a method name
    FILE = "file"


class AccountType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"
    CARD = "card"


@dataclass(frozen=True, slots=True)
class Capabilities:
    auth: AuthMethod
    max_history_days: int
    reports_pending: bool
    calls_per_day: int | None = None
    consent_polling: bool = False
    """Whether continue_auth(challenge, "") can tell a finished consent from one still under
    way (GoCardless reads the requisition's status): the bot then asks by itself."""


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: Secret


class ChallengeKind(StrEnum):
    CODE = "code"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Challenge:
    """The bank wants something more: a one-time code, or the user to open a link."""

    kind: ChallengeKind
    state: Secret = field(repr=False)
    hint: str = ""
    link: str | None = None
    reference: str = ""
    """What comes back with the bank's redirect (Enable Banking's `state`, GoCardless'
    requisition reference): the consent callback finds the waiting flow by it. Not a secret."""


@dataclass(frozen=True, slots=True)
class Authorized:
    """Login done: `secret` is what the connector needs later and is stored in the vault."""

    secret: Secret = field(repr=False)
    consent_expires: date | None = None


AuthStep = Challenge | Authorized


@dataclass(frozen=True, slots=True)
class FetchedAccount:
    external_id: str
    name: str
    type: AccountType
    iban: str | None
    currency: str
    balance: Money


@dataclass(frozen=True, slots=True)
class FetchedTransaction:
    external_id: str
    booking_date: date
    amount: Money
    label: str
    pending: bool = False


class ConnectorError(Exception):
    """A failure the user can be told about; `code` picks the message and the action."""

    code: ClassVar[str] = "error"


class BadCredentials(ConnectorError):
    code = "bad_credentials"


class WrongCode(ConnectorError):
    code = "wrong_code"


class AccountLocked(ConnectorError):
    code = "account_locked"


class ConsentExpired(ConnectorError):
    code = "consent_expired"


class RateLimited(ConnectorError):
    code = "rate_limited"

    def __init__(self, retry_at: datetime | None = None) -> None:
        super().__init__("rate limited")
        self.retry_at = retry_at


class BankUnavailable(ConnectorError):
    code = "bank_unavailable"


class ConsentPending(ConnectorError):
    """The user has not finished the consent at the bank yet; ask again later."""

    code = "consent_pending"


class ConsentRefused(ConnectorError):
    """The user (or the bank) refused or cancelled the consent."""

    code = "consent_refused"


class ProviderMisconfigured(ConnectorError):
    """The operator's keys are wrong or the provider application is not active: the
    operator gets one clear log line, the user a plain "not available"."""

    code = "provider_misconfigured"


class Unsupported(ConnectorError):
    code = "unsupported"


class Connector(Protocol):
    name: ClassVar[str]
    capabilities: ClassVar[Capabilities]

    async def begin_auth(self, institution_id: str, credentials: Credentials | None) -> AuthStep:
        """Start a login; credentials are None for consent-link connectors."""
        ...

    async def continue_auth(self, challenge: Challenge, answer: str) -> AuthStep:
        """Answer a challenge (a one-time code, or "" once a consent link was opened)."""
        ...

    async def list_accounts(self, secret: Secret) -> list[FetchedAccount]: ...

    async def fetch_transactions(
        self, secret: Secret, account_id: str, since: date, until: date
    ) -> list[FetchedTransaction]:
        """Lines booked (or pending) from `since` to `until`, both included."""
        ...

    async def revoke(self, secret: Secret) -> None: ...


@dataclass(frozen=True, slots=True)
class ProviderInstitution:
    """One bank in a provider's own institution list."""

    id: str
    name: str
    country: str
    bic: str | None
    max_history_days: int
    max_consent_days: int | None = None


class InstitutionSource(Protocol):
    """A connector that publishes the banks it reaches (aggregators do; the demo does not)."""

    name: ClassVar[str]

    async def institutions(self, country: str) -> list[ProviderInstitution]: ...

    async def check(self) -> str:
        """One cheap call with the operator's configuration: a short summary when it works,
        a ConnectorError (ProviderMisconfigured, BankUnavailable) when it does not."""
        ...


T = TypeVar("T")

DEFAULT_CALL_TIMEOUT = 30.0
"""Seconds one connector call may take (BANK_CALL_TIMEOUT_S); the demo's slowest user takes 3."""
_call_timeout = DEFAULT_CALL_TIMEOUT


def set_call_timeout(seconds: float) -> None:
    """The limit every guarded() call gets from now on; set once at startup from the settings."""
    if not seconds > 0:
        raise ValueError("a connector call timeout must be positive")
    global _call_timeout
    _call_timeout = seconds


def call_timeout() -> float:
    return _call_timeout


async def guarded(
    connector_name: str, call: Callable[[], Awaitable[T]], *, within: float | None = None
) -> T:
    """Run one connector call within `within` seconds (default: the call timeout set at
    startup); no answer in time, or anything unexpected, becomes BankUnavailable, logged in
    one line."""
    limit = _call_timeout if within is None else within
    try:
        async with asyncio.timeout(limit):
            return await call()
    except ConnectorError as error:
        log.info("connector %s: %s", connector_name, error.code)
        raise
    except TimeoutError:  # ours, or the connector's own HTTP timeout: the bank did not answer
        log.warning("connector %s: no answer in time (limit %gs)", connector_name, limit)
        raise BankUnavailable(connector_name) from None
    except Exception as error:  # a broken connector must not take the bot down
        log.warning("connector %s failed unexpectedly: %s", connector_name, type(error).__name__)
        raise BankUnavailable(connector_name) from None


class ConnectorRegistry:
    """Maps connector names to ready instances."""

    def __init__(self, connectors: list[Connector]) -> None:
        self._by_name = {c.name: c for c in connectors}

    def get(self, name: str) -> Connector:
        try:
            return self._by_name[name]
        except KeyError:
            raise Unsupported(name) from None

    def names(self) -> list[str]:
        return list(self._by_name)
