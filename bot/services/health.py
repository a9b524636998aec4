"""The health of syncs: what a failed sync means, and when to try again."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from bot.banks.connector import (
    AccountLocked,
    BadCredentials,
    ConsentExpired,
    RateLimited,
    WrongCode,
)

SECRET_UNREADABLE = "secret_unreadable"  # noqa: S105 - an error code
"""The stored secret no longer opens (its key left the ring): the user must sign in again."""
REAUTH_CODES = frozenset(
    {
        BadCredentials.code,
        ConsentExpired.code,
        AccountLocked.code,
        WrongCode.code,
        SECRET_UNREADABLE,
    }
)
MIN_RETRY = timedelta(minutes=15)
MAX_RETRY = timedelta(hours=4)
TELL_AFTER = timedelta(days=1)
"""A bank failing for this long is worth a message; shorter outages are retried silently."""
RATE_LIMIT_PAUSE = timedelta(hours=1)
"""When a bank limits calls without saying until when."""


class Health(StrEnum):
    OK = "ok"
    NEEDS_REAUTH = "needs_reauth"
    RETRYING = "retrying"
    RATE_LIMITED = "rate_limited"
    GONE = "gone"


def classify(code: str) -> Health:
    """What a failed sync means: the user must sign in again, wait, or nothing at all."""
    if code in REAUTH_CODES:
        return Health.NEEDS_REAUTH
    if code == RateLimited.code:
        return Health.RATE_LIMITED
    return Health.RETRYING


def retry_delay(failing_for: timedelta) -> timedelta:
    """Back off as the outage lasts: 15 min, 15, 30, 1 h, 2 h, then every 4 h."""
    return min(max(MIN_RETRY, failing_for), MAX_RETRY)
