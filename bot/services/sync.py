"""Import engine: new bank lines in, duplicates out, balance and opening entry kept true."""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.banks.connector import FetchedTransaction
from bot.categorize.payees import normalize_payee
from bot.domain.ledger import DraftLine, opening_entry, reversal_of
from bot.domain.lines import NewLine
from bot.domain.money import Money
from bot.domain.states import ReviewState
from bot.domain.text import squeeze
from bot.services.cooperative import Slices
from storage.models import BankAccount, BankTransaction
from storage.uow import UnitOfWork


class Printable(Protocol):
    """A line as fingerprinted: a fetched one, or a bank file's as it was read."""

    @property
    def booking_date(self) -> date: ...
    @property
    def amount(self) -> Money: ...
    @property
    def label(self) -> str: ...


def fingerprints(lines: Sequence[Printable]) -> list[str]:
    """(date, amount, label, occurrence): tells apart two identical coffees on one day."""
    seen: Counter[tuple[date, int, str]] = Counter()
    result = []
    for line in lines:
        key = (line.booking_date, line.amount.minor, squeeze(line.label))
        seen[key] += 1
        raw = f"{key[0].isoformat()}|{key[1]}|{key[2]}|{seen[key]}"
        result.append(hashlib.sha256(raw.encode()).hexdigest()[:32])
    return result


PENDING_DRIFT_DAYS = 5
"""How far a booked line's date may move from its pending version's."""


@dataclass
class Reconciled:
    """What one fetch changed in an account: rows added, pending rows booked, pending rows gone."""

    added: list[NewLine] = field(default_factory=list)
    booked: list[BankTransaction] = field(default_factory=list)
    vanished: list[BankTransaction] = field(default_factory=list)


PAYEE_CHARS = 160
"""bank_transactions.payee's width."""


def payee_of(label: str) -> str:
    """The payee a line is stored (and categorized) under."""
    return normalize_payee(label)[:PAYEE_CHARS]


def _row(
    account: BankAccount, line: FetchedTransaction, fingerprint: str, payee: str, now: datetime
) -> NewLine:
    return NewLine(
        book_id=account.book_id,
        external_id=line.external_id,
        fingerprint=fingerprint,
        booking_date=line.booking_date,
        amount_minor=line.amount.minor,
        currency=line.amount.currency,
        raw_label=line.label,
        payee=payee,
        pending=line.pending,
        imported_at=now,
        bank_account_id=account.id,
    )


def _book(row: BankTransaction, line: FetchedTransaction, fingerprint: str) -> None:
    """The booked version replaces the pending one in place, keeping the user's decision.

    Its amount too: a card hold often books for another amount (a tip, a hotel's deposit),
    and an accepted line's entry is posted from the row once it books (post_acceptances).
    """
    row.external_id = line.external_id
    row.booking_date = line.booking_date
    row.amount_minor = line.amount.minor
    row.raw_label = line.label
    row.fingerprint = fingerprint
    row.pending = False


@dataclass(frozen=True, slots=True)
class Prepared:
    """A fetch's lines once each by id, oldest first, with their fingerprints and payees:
    worked out before the writer is taken (prepare), since none of it reads the database."""

    lines: list[FetchedTransaction]
    prints: dict[str, str]
    payees: dict[str, str]


async def prepare(fetched: Sequence[FetchedTransaction], currency: str) -> Prepared:
    """In a worker thread: a file of 80,000 lines takes longer than the loop may be held."""
    return await asyncio.to_thread(_distinct, fetched, currency)


async def reconcile(
    uow: UnitOfWork,
    account: BankAccount,
    fetched: Prepared,
    since: date,
    until: date,
    now: datetime,
    prepare: Callable[[Sequence[NewLine]], Awaitable[object]] | None = None,
) -> Reconciled:
    """Merge one fetch of [since, until] into the account; fetching it twice changes nothing.

    `prepare` runs on the new lines before they are inserted (the import files them there,
    so each new line is written once, with its suggestion).

    Known ids are skipped; a booked line matching a pending one (amount, label, a few days
    apart) books it in place; an unknown id whose fingerprint (date, amount, label,
    occurrence) is known is the same line under a provider's new id; a booked line left
    unknown that only one pending line of the window the bank no longer reports could be
    (same label and sign, a few days apart: a hold booked for another amount) books that one
    in place; a pending line of the window the bank no longer reports has vanished and leaves
    the review list.
    """
    slices = Slices()
    lines, prints = fetched.lines, fetched.prints
    existing = await uow.lines.in_window(
        account.id,
        since - timedelta(days=PENDING_DRIFT_DAYS),
        until + timedelta(days=PENDING_DRIFT_DAYS),
    )
    by_id = {row.external_id: row for row in existing}
    pending_rows = [
        row for row in existing if row.pending and row.review_state != ReviewState.SUPERSEDED
    ]
    matched: set[int] = set()
    result = Reconciled()
    unknown: list[FetchedTransaction] = []
    for line in lines:
        await slices.tick()
        row = by_id.get(line.external_id)
        if row is not None:
            matched.add(row.id)
            if row.pending and not line.pending:
                _book(row, line, prints[line.external_id])
                result.booked.append(row)
            continue
        if not line.pending:
            twin = _pending_twin(line, pending_rows, matched)
            if twin is not None:
                matched.add(twin.id)
                _book(twin, line, prints[line.external_id])
                result.booked.append(twin)
                continue
        unknown.append(line)
    renamed = await uow.lines.by_fingerprints(
        account.id, (prints[line.external_id] for line in unknown)
    )
    new: list[FetchedTransaction] = []
    for line in unknown:
        await slices.tick()
        same = renamed.get(prints[line.external_id])
        if same is not None and same.id not in matched and same.pending == line.pending:
            matched.add(same.id)
            same.external_id = line.external_id
            continue
        new.append(line)
    reported = {line.external_id for line in lines}
    gone = [
        row
        for row in pending_rows
        if row.id not in matched
        and row.external_id not in reported
        and since <= row.booking_date <= until
    ]
    rebooked = _rebooked(new, gone)
    for line in new:
        row = rebooked.get(line.external_id)
        if row is not None:
            matched.add(row.id)
            _book(row, line, prints[line.external_id])
            result.booked.append(row)
            continue
        result.added.append(
            _row(account, line, prints[line.external_id], fetched.payees[line.external_id], now)
        )
    for row in pending_rows:
        if row.id not in matched and since <= row.booking_date <= until:
            row.review_state = ReviewState.SUPERSEDED
            result.vanished.append(row)
    if prepare is not None:
        await prepare(result.added)
    await uow.lines.add_new(result.added)
    return result


def _distinct(fetched: Sequence[FetchedTransaction], currency: str) -> Prepared:
    unique: dict[str, FetchedTransaction] = {}
    for line in sorted(fetched, key=lambda line: (line.booking_date, line.external_id)):
        if line.amount.currency != currency:
            raise ValueError("line currency differs from its account")
        unique.setdefault(line.external_id, line)
    lines = list(unique.values())
    ids = [line.external_id for line in lines]
    prints = dict(zip(ids, fingerprints(lines), strict=True))
    return Prepared(lines, prints, {line.external_id: payee_of(line.label) for line in lines})


def _pending_twin(
    line: FetchedTransaction, pending_rows: Sequence[BankTransaction], matched: set[int]
) -> BankTransaction | None:
    label = squeeze(line.label)
    candidates = [
        row
        for row in pending_rows
        if row.id not in matched
        and row.amount_minor == line.amount.minor
        and squeeze(row.raw_label) == label
        and abs((row.booking_date - line.booking_date).days) <= PENDING_DRIFT_DAYS
    ]
    return min(
        candidates, key=lambda row: abs((row.booking_date - line.booking_date).days), default=None
    )


def _rebooked(
    lines: Sequence[FetchedTransaction], gone: Sequence[BankTransaction]
) -> dict[str, BankTransaction]:
    """The vanished pending line each new booked line is, by the booked line's id: the one of
    the same label and sign a few days apart, whatever its amount. A booked line that could be
    two of them, or a pending line two booked lines could be, is never guessed between: the
    booked line stays new and the pending one vanishes."""
    if not gone:
        return {}
    by_label: dict[str, list[BankTransaction]] = {}
    for row in gone:
        by_label.setdefault(squeeze(row.raw_label), []).append(row)
    found: dict[str, BankTransaction] = {}
    claims: Counter[int] = Counter()
    for line in lines:
        if line.pending:
            continue
        could_be = [
            row
            for row in by_label.get(squeeze(line.label), ())
            if (row.amount_minor < 0) == (line.amount.minor < 0)
            and abs((row.booking_date - line.booking_date).days) <= PENDING_DRIFT_DAYS
        ]
        claims.update(row.id for row in could_be)
        if len(could_be) == 1:
            found[line.external_id] = could_be[0]
    return {line_id: row for line_id, row in found.items() if claims[row.id] == 1}


async def settle_opening_balance(
    uow: UnitOfWork,
    account: BankAccount,
    *,
    opening_ledger_id: int,
    today: date,
    memo: str,
) -> None:
    """Keep one live opening entry: the bank balance minus the booked lines imported.

    When the amount or the start moved (an import reaching further back), the old entry is
    reversed, never edited, and a new one is posted.
    """
    if account.balance_minor is None:
        return
    imported = await uow.lines.booked_total_since(account.id, account.import_start)
    amount = Money(account.balance_minor - imported, account.currency)
    on = account.import_start - timedelta(days=1)
    live = await uow.journal.live_opening(account.id)
    if live is not None:
        lines = await uow.journal.lines_of(live.id)
        bank_side = sum(
            line.amount_minor
            for line in lines
            if line.ledger_account_id == account.ledger_account_id
        )
        if live.entry_date == on and bank_side == amount.minor:
            return
        reversal = await uow.journal.post(
            account.book_id,
            reversal_of(
                live.id,
                (
                    DraftLine(line.ledger_account_id, Money(line.amount_minor, line.currency))
                    for line in lines
                ),
                on=min(today, live.entry_date),
                bank_account_id=account.id,
                memo=memo,
            ),
        )
        await uow.journal.mark_reversed(live.id, reversal)
    if amount.minor == 0:
        return
    await uow.journal.post(
        account.book_id,
        opening_entry(
            bank_ledger_id=account.ledger_account_id,
            opening_ledger_id=opening_ledger_id,
            amount=amount,
            on=on,
            bank_account_id=account.id,
            memo=memo,
        ),
    )


def record_balance(account: BankAccount, balance: Money, at: datetime) -> None:
    account.balance_minor = balance.minor
    account.balance_at = at
