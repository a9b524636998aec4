"""Enable Banking transactions read into FetchedTransaction: status, sign, date, label, id.

- ``status`` ``BOOK`` is booked; ``PDNG`` (expected) and ``HOLD`` (an account hold, a card
  authorisation) are pending; ``CNCL``, ``RJCT``, ``SCHD`` and ``OTHR`` moved no money yet
  and are left out.
- The amount is unsigned in ``transaction_amount``; ``credit_debit_indicator`` gives the sign
  (``DBIT`` out, ``CRDT`` in).
- The date is ``booking_date``, else ``value_date``, else ``transaction_date`` (a pending
  line often has only the last).
- The id is ``entry_reference`` (the docs: unique and immutable for the account, across
  sessions). ``transaction_id`` is not used: the docs say it may change between two fetches.
  Without an entry reference the id is a hash of the line's own fields plus its occurrence
  among identical lines of the fetch, so two identical coffees on one day stay two lines.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any, Final

from bot.banks.connector import FetchedTransaction
from bot.banks.enablebanking.values import money, text
from bot.domain.money import Money

log = logging.getLogger(__name__)

BOOKED: Final = frozenset({"BOOK"})
PENDING: Final = frozenset({"PDNG", "HOLD"})
MAX_LABEL: Final = 500


def line_date(row: dict[str, Any]) -> date | None:
    for key in ("booking_date", "value_date", "transaction_date"):
        value = text(row, key)
        if value is not None:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def counterparty(row: dict[str, Any], outgoing: bool) -> str | None:
    """Who was paid (for a debit) or who paid (for a credit)."""
    return text(row, "creditor", "name") if outgoing else text(row, "debtor", "name")


def label(row: dict[str, Any], outgoing: bool) -> str:
    """The counterparty's name, then the remittance lines when they do not already say it;
    else the bank's description of the transaction, else its note."""
    parts = [
        " ".join(line.split())
        for line in row.get("remittance_information") or []
        if isinstance(line, str) and line.strip()
    ]
    remittance = " ".join(parts)
    name = counterparty(row, outgoing)
    if name and name.casefold() not in remittance.casefold():
        remittance = f"{name} {remittance}".strip()
    found = (
        remittance or text(row, "bank_transaction_code", "description") or text(row, "note") or "—"
    )
    return found[:MAX_LABEL].rstrip()


def derived_id(row: dict[str, Any], booked_on: date, signed_minor: int, seen: Counter[str]) -> str:
    """A stable id for a line without an entry reference: its fields, then its occurrence."""
    fields = [
        booked_on.isoformat(),
        str(signed_minor),
        text(row, "transaction_amount", "currency") or "",
        " ".join(line for line in row.get("remittance_information") or [] if isinstance(line, str)),
        text(row, "creditor", "name") or "",
        text(row, "debtor", "name") or "",
        text(row, "creditor_account", "iban") or "",
        text(row, "debtor_account", "iban") or "",
        text(row, "reference_number") or "",
    ]
    key = "\x1f".join(fields)
    seen[key] += 1
    digest = hashlib.sha256(f"{key}\x1e{seen[key]}".encode()).hexdigest()[:40]
    return f"h-{digest}"


def read_lines(
    rows: Iterable[dict[str, Any]], currency: str, since: date, until: date
) -> list[FetchedTransaction]:
    """The booked and pending lines of `rows` dated from `since` to `until`, in the account's
    currency; the rest is left out, counted in one log line."""
    seen: Counter[str] = Counter()
    lines: list[FetchedTransaction] = []
    skipped: Counter[str] = Counter()
    for row in rows:
        status = text(row, "status") or ""
        if status not in BOOKED and status not in PENDING:
            skipped[f"status {status or '-'}"] += 1
            continue
        booked_on = line_date(row)
        if booked_on is None:
            skipped["no date"] += 1
            continue
        if text(row, "transaction_amount", "currency") != currency:
            skipped["other currency"] += 1
            continue
        indicator = text(row, "credit_debit_indicator")
        if indicator not in ("DBIT", "CRDT"):
            skipped["no credit/debit indicator"] += 1
            continue
        try:
            amount = money(row["transaction_amount"]["amount"], currency)
        except (KeyError, TypeError, ValueError):
            skipped["no amount"] += 1
            continue
        outgoing = indicator == "DBIT"
        signed = -abs(amount.minor) if outgoing else abs(amount.minor)
        external_id = text(row, "entry_reference") or derived_id(row, booked_on, signed, seen)
        if not since <= booked_on <= until:
            continue
        lines.append(
            FetchedTransaction(
                external_id=external_id[:128],
                booking_date=booked_on,
                amount=Money(signed, currency),
                label=label(row, outgoing),
                pending=status in PENDING,
            )
        )
    if skipped:
        log.info(
            "Enable Banking lines left out: %s",
            ", ".join(f"{n} {why}" for why, n in skipped.items()),
        )
    return lines
