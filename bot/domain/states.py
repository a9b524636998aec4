"""The states and kinds the books are made of, shared by storage and services."""

from __future__ import annotations

from enum import StrEnum


class ReviewState(StrEnum):
    TO_REVIEW = "to_review"
    ACCEPTED = "accepted"
    EXCLUDED = "excluded"
    SUPERSEDED = "superseded"


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    ERROR = "error"
    DISCONNECTED = "disconnected"


class EntryKind(StrEnum):
    OPENING = "opening"
    ACCEPTANCE = "acceptance"
    REVERSAL = "reversal"


class MemberRole(StrEnum):
    OWNER = "owner"
    ACCOUNTANT = "accountant"
