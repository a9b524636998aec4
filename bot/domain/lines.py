"""A bank line about to be stored, as a plain value.

A bank file of 80,000 lines is built, categorised and filed as these, not as ORM objects:
an ORM object costs about 60 µs a line to make, fill and attach, and stays in the session's
identity map until the unit of work ends. The repository inserts them in bulk and gives each
its id (BankLines.add_new); what filing decides on them afterwards (a transfer's peer, an
entry) is written back in bulk too (BankLines.record_filing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from bot.domain.states import ReviewState


@dataclass(slots=True, eq=False)
class NewLine:
    book_id: int
    external_id: str
    fingerprint: str
    booking_date: date
    amount_minor: int
    currency: str
    raw_label: str
    payee: str
    pending: bool
    imported_at: datetime
    review_state: ReviewState = ReviewState.TO_REVIEW
    bank_account_id: int = 0
    """Set once the writer has the account (a new account gets its id there)."""
    id: int = 0
    """Set when it is inserted."""
    suggested_account_id: int | None = None
    suggestion_source: str | None = None
    suggestion_confidence: float | None = None
    suggestion_rule_id: int | None = None
    transfer_peer_id: int | None = None
    journal_entry_id: int | None = None

    INSERTED: ClassVar[tuple[str, ...]] = (
        "book_id",
        "bank_account_id",
        "external_id",
        "fingerprint",
        "booking_date",
        "amount_minor",
        "currency",
        "raw_label",
        "payee",
        "pending",
        "review_state",
        "imported_at",
        "suggested_account_id",
        "suggestion_source",
        "suggestion_confidence",
        "suggestion_rule_id",
    )
    """The columns it is inserted with; the others take their defaults."""
    FILED: ClassVar[tuple[str, ...]] = (
        "transfer_peer_id",
        "suggested_account_id",
        "suggestion_source",
        "suggestion_confidence",
        "suggestion_rule_id",
        "journal_entry_id",
    )
    """What filing may change on it once it is stored (a transfer pairing, an entry)."""

    @property
    def filed(self) -> bool:
        """Filing changed it after the insert: it was paired as a transfer or got an entry."""
        return self.transfer_peer_id is not None or self.journal_entry_id is not None
