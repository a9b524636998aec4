"""Signing in to the demo bank: the personas, and the token that holds a whole session.

The token is ``demo:v1:<username>:<consent expiry, ISO date>``, so the bank keeps no server-side
state; the usernames and what each persona does are listed in bank.py's docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from bot.banks.connector import (
    AccountLocked,
    BankUnavailable,
    ConnectorError,
    ConsentExpired,
    RateLimited,
)
from bot.domain.secret import Secret

DEMO_USERNAME: Final = "demo"
DEMO_PASSWORD: Final = "demo"  # noqa: S105 - the demo bank's published password
DEMO_CODE: Final = "123456"
CODE_HINT: Final = "SMS ••• 42"
CONSENT_DAYS: Final = 180
SLOW_SECONDS: Final = 3.0

SESSION_PREFIX: Final = "demo:v1:"
CHALLENGE_PREFIX: Final = "demo-code:v1:"


@dataclass(frozen=True, slots=True)
class Persona:
    """How one demo username behaves: the error each call raises, and how slow it is."""

    login_error: type[ConnectorError] | None = None
    accounts_error: type[ConnectorError] | None = None
    fetch_error: type[ConnectorError] | None = None
    delay: float = 0.0


PERSONAS: Final[Mapping[str, Persona]] = MappingProxyType(
    {
        DEMO_USERNAME: Persona(),
        "demo-locked": Persona(login_error=AccountLocked),
        "demo-down": Persona(login_error=BankUnavailable),
        "demo-flaky": Persona(fetch_error=BankUnavailable),
        "demo-expired": Persona(accounts_error=ConsentExpired, fetch_error=ConsentExpired),
        "demo-limited": Persona(fetch_error=RateLimited),
        "demo-slow": Persona(delay=SLOW_SECONDS),
    }
)


@dataclass(frozen=True, slots=True)
class Session:
    username: str
    persona: Persona
    expires: date


def read_session(secret: Secret) -> Session | None:
    token = secret.reveal()
    if not token.startswith(SESSION_PREFIX):
        return None
    username, _, expiry = token.removeprefix(SESSION_PREFIX).partition(":")
    persona = PERSONAS.get(username)
    expires = _parse_date(expiry)
    if persona is None or expires is None:
        return None
    return Session(username, persona, expires)


def _parse_date(text: str) -> date | None:
    """The date, or None; the ValueError is dropped so no part of a token reaches a traceback."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
