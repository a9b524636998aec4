"""GoCardless transactions (Berlin Group ``booked`` and ``pending`` lists) read as fetched lines,
each with an id that stays the same from one fetch to the next."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import date

from bot.banks.connector import BankUnavailable, FetchedTransaction
from bot.banks.gocardless.accounts import money

MAX_LABEL = 200


def lines_from(
    answer: Mapping[str, object], since: date, until: date, today: date
) -> list[FetchedTransaction]:
    """The booked then pending lines dated from `since` to `until`, both included.

    A line keeps the bank's ``transactionId`` (else GoCardless' ``internalTransactionId``);
    a line with neither gets a digest of what it says, numbered among identical lines of the
    same day, so two identical coffees stay two lines, and the same two on every fetch.
    """
    lists = answer.get("transactions")
    if not isinstance(lists, dict):
        raise BankUnavailable("gocardless: transactions unreadable")
    seen: Counter[str] = Counter()
    lines: list[FetchedTransaction] = []
    for pending, key in ((False, "booked"), (True, "pending")):
        raw = lists.get(key)
        for entry in raw if isinstance(raw, list) else ():
            if not isinstance(entry, dict):
                continue
            line = _line(entry, pending, today, seen)
            if since <= line.booking_date <= until:
                lines.append(line)
    return lines


def _line(
    entry: Mapping[str, object], pending: bool, today: date, seen: Counter[str]
) -> FetchedTransaction:
    amount = money(entry.get("transactionAmount"))
    booked_on = _day(entry, "bookingDate", "bookingDateTime", "valueDate", "valueDateTime")
    label = label_of(entry, negative=amount.minor < 0)
    given = _text(entry.get("transactionId")) or _text(entry.get("internalTransactionId"))
    if given:
        base = given
    else:
        said = "|".join(
            (
                "pending" if pending else "booked",
                booked_on.isoformat() if booked_on else "",
                _text(entry.get("valueDate")),
                str(amount.minor),
                amount.currency,
                label,
                _text(entry.get("endToEndId")),
            )
        )
        base = "gc:" + hashlib.sha256(said.encode()).hexdigest()[:24]
    seen[base] += 1
    external_id = base if seen[base] == 1 else f"{base}#{seen[base]}"
    return FetchedTransaction(
        external_id=external_id,
        booking_date=booked_on or today,
        amount=amount,
        label=label,
        pending=pending,
    )


def label_of(entry: Mapping[str, object], *, negative: bool) -> str:
    """The counterparty (creditor when money goes out, debtor when it comes in) and the
    remittance text, without repeating one inside the other."""
    party = _text(entry.get("creditorName" if negative else "debtorName")) or _text(
        entry.get("debtorName" if negative else "creditorName")
    )
    remittance = _text(entry.get("remittanceInformationUnstructured"))
    parts = entry.get("remittanceInformationUnstructuredArray")
    if not remittance and isinstance(parts, list):
        remittance = " ".join(text for text in map(_text, parts) if text)
    remittance = (
        remittance
        or _text(entry.get("remittanceInformationStructured"))
        or _text(entry.get("additionalInformation"))
    )
    party, remittance = " ".join(party.split()), " ".join(remittance.split())
    if party and party.lower() not in remittance.lower():
        text = f"{party} — {remittance}" if remittance else party
    else:
        text = remittance or party
    return text[:MAX_LABEL]


def _day(entry: Mapping[str, object], *keys: str) -> date | None:
    for key in keys:
        value = _text(entry.get(key))[:10]
        if value:
            try:
                return date.fromisoformat(value)
            except ValueError:
                continue
    return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
