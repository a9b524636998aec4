"""Import engine: new bank lines in, duplicates out, balance and opening entry kept true."""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.banks.connector import FetchedTransaction
from bot.domain import ReviewState
from bot.ledger import DraftLine, opening_entry, reversal_of
from bot.money import Money
from storage.models import BankAccount, BankTransaction
from storage.uow import UnitOfWork


def squeeze_label(label: str) -> str:
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.upper().split())


def fingerprints(lines: Sequence[FetchedTransaction]) -> list[str]:
    """(date, amount, label, occurrence): tells apart two identical coffees on one day."""
    seen: Counter[tuple[date, int, str]] = Counter()
    result = []
    for line in lines:
        key = (line.booking_date, line.amount.minor, squeeze_label(line.label))
        seen[key] += 1
        raw = f"{key[0].isoformat()}|{key[1]}|{key[2]}|{seen[key]}"
        result.append(hashlib.sha256(raw.encode()).hexdigest()[:32])
    return result


async def store_new_lines(
    uow: UnitOfWork, account: BankAccount, fetched: Sequence[FetchedTransaction]
) -> list[BankTransaction]:
    """Insert the lines not seen before; a window fetched twice adds nothing."""
    unique: dict[str, FetchedTransaction] = {}
    for line in fetched:
        if line.amount.currency != account.currency:
            raise ValueError("line currency differs from its account")
        unique.setdefault(line.external_id, line)
    known = await uow.lines.known_external_ids(account.id, unique)
    fresh = [line for external_id, line in unique.items() if external_id not in known]
    fresh.sort(key=lambda line: (line.booking_date, line.external_id))
    rows = [
        BankTransaction(
            book_id=account.book_id,
            bank_account_id=account.id,
            external_id=line.external_id,
            fingerprint=fingerprint,
            booking_date=line.booking_date,
            amount_minor=line.amount.minor,
            currency=line.amount.currency,
            raw_label=line.label,
            payee=squeeze_label(line.label)[:160],
            pending=line.pending,
            review_state=ReviewState.TO_REVIEW,
        )
        for line, fingerprint in zip(fresh, fingerprints(fresh), strict=True)
    ]
    await uow.lines.add_all(rows)
    return rows


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
        await uow.journal.mark_reversed(live.id, reversal.id)
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
