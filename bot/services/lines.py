"""A bank file's lines as the sync stores lines: their ids, fingerprints and new rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.lines import NewLine
from bot.domain.matching import Incoming
from bot.files.importer import FileLine
from bot.services.sync import fingerprints, payee_of


def incoming(lines: Sequence[FileLine]) -> list[Incoming]:
    """Each line with the id it is stored under (the bank's id when the file gives one, else
    its fingerprint) and the fingerprint a connection's line of the same facts has."""
    return [
        Incoming(
            external_id=f"fid:{line.file_id}"[:128] if line.file_id else f"fp:{print_}",
            fingerprint=print_,
            booking_date=line.booking_date,
            amount_minor=line.amount.minor,
            label=line.label,
        )
        for line, print_ in zip(lines, fingerprints(lines), strict=True)
    ]


def bank_row(book_id: int, line: FileLine, seen: Incoming, now: datetime) -> NewLine:
    """A new booked line to review, as the sync would store it; its bank account is set
    when the writer has it (a new account gets its id there)."""
    return NewLine(
        book_id=book_id,
        external_id=seen.external_id,
        fingerprint=seen.fingerprint,
        booking_date=line.booking_date,
        amount_minor=line.amount.minor,
        currency=line.amount.currency,
        raw_label=line.label,
        payee=payee_of(line.label),
        pending=False,
        imported_at=now,
    )
