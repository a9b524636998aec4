"""A GoCardless consent: the agreement's terms, what a pending consent keeps between the link
and the bank's redirect, what a linked one stores, and what each requisition status means."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from bot.banks.connector import (
    ConnectorError,
    ConsentExpired,
    ConsentPending,
    ConsentRefused,
)
from bot.domain.secret import Secret

MAX_HISTORY_DAYS = 730
MAX_ACCESS_DAYS = 180
DEFAULT_HISTORY_DAYS = 90
"""What the docs give when an institution names no transaction_total_days."""
DEFAULT_ACCESS_DAYS = 90
"""What the docs give when an institution names no max_access_valid_for_days."""
SCOPES = ("balances", "details", "transactions")

LINKED = "LN"
PENDING = frozenset({"CR", "GC", "UA", "SA", "GA", "ID"})
"""Created, giving consent, at the bank, selecting accounts, granting access, (ID: the
OpenAPI's extra in-flight status): the user has not finished yet."""
REFUSED = frozenset({"RJ", "ER"})
EXPIRED = frozenset({"EX", "SU"})

PENDING_VERSION = "gc-pending-1"
LINKED_VERSION = "gc-linked-1"


def days(value: object, default: int) -> int:
    """An institution's day count: the API sends them as strings ("540")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else default
    if isinstance(value, str) and value.strip().isdigit() and int(value) > 0:
        return int(value)
    return default


def history_days(institution: Mapping[str, object]) -> int:
    total = days(institution.get("transaction_total_days"), DEFAULT_HISTORY_DAYS)
    return min(MAX_HISTORY_DAYS, total)


def access_days(institution: Mapping[str, object]) -> int:
    return min(
        MAX_ACCESS_DAYS, days(institution.get("max_access_valid_for_days"), DEFAULT_ACCESS_DAYS)
    )


def agreement_terms(institution_id: str, institution: Mapping[str, object]) -> dict[str, object]:
    """The longest history and access the institution allows, within 730 and 180 days."""
    return {
        "institution_id": institution_id,
        "max_historical_days": history_days(institution),
        "access_valid_for_days": access_days(institution),
        "access_scope": list(SCOPES),
    }


def status_error(status: str) -> ConnectorError:
    """The error for a requisition that is not linked (yet)."""
    if status in REFUSED:
        return ConsentRefused(f"gocardless: requisition {status}")
    if status in EXPIRED:
        return ConsentExpired(f"gocardless: requisition {status}")
    return ConsentPending(f"gocardless: requisition {status or 'without status'}")


def consent_end(accepted: object, valid_days: object, now: datetime) -> date:
    """The day the access ends: accepted + access_valid_for_days (now, if not accepted yet)."""
    start = now
    if isinstance(accepted, str) and accepted:
        try:
            start = datetime.fromisoformat(accepted.replace("Z", "+00:00"))
        except ValueError:
            start = now
    return (start + timedelta(days=days(valid_days, DEFAULT_ACCESS_DAYS))).date()


@dataclass(frozen=True, slots=True)
class PendingConsent:
    """Challenge.state: the requisition waiting for the user at the bank."""

    requisition: str
    agreement: str
    institution: str
    reference: str
    history_days: int

    def seal(self) -> Secret:
        return Secret(json.dumps({"v": PENDING_VERSION, **asdict(self)}, sort_keys=True))

    @classmethod
    def open(cls, state: Secret) -> PendingConsent:
        data = _read(state, PENDING_VERSION)
        try:
            return cls(
                requisition=_str(data, "requisition"),
                agreement=_str(data, "agreement"),
                institution=_str(data, "institution"),
                reference=_str(data, "reference"),
                history_days=_int(data, "history_days"),
            )
        except (KeyError, TypeError):
            raise ConsentExpired("gocardless: consent state not recognised") from None


@dataclass(frozen=True, slots=True)
class LinkedConsent:
    """Authorized.secret: the linked requisition and the account ids it opened."""

    requisition: str
    agreement: str
    institution: str
    accounts: tuple[str, ...]
    history_days: int

    def seal(self) -> Secret:
        data = {"v": LINKED_VERSION, **asdict(self), "accounts": list(self.accounts)}
        return Secret(json.dumps(data, sort_keys=True))

    @classmethod
    def open(cls, secret: Secret) -> LinkedConsent:
        data = _read(secret, LINKED_VERSION)
        try:
            accounts = data["accounts"]
            if not isinstance(accounts, list) or not all(isinstance(a, str) for a in accounts):
                raise TypeError("accounts")
            return cls(
                requisition=_str(data, "requisition"),
                agreement=_str(data, "agreement"),
                institution=_str(data, "institution"),
                accounts=tuple(accounts),
                history_days=_int(data, "history_days"),
            )
        except (KeyError, TypeError):
            raise ConsentExpired("gocardless: stored consent not recognised") from None


def _read(secret: Secret, version: str) -> dict[str, object]:
    try:
        data = json.loads(secret.reveal())
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("v") != version:
        raise ConsentExpired("gocardless: consent not recognised")
    return data


def _str(data: Mapping[str, object], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value:
        raise TypeError(key)
    return value


def _int(data: Mapping[str, object], key: str) -> int:
    value = data[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(key)
    return value
