"""The demo bank's three accounts as the bank shows them: IBANs, lines in a window, balances.

``demo-cc`` (current account), ``demo-sav`` (savings), ``demo-card`` (deferred debit card,
settled by the current account on the last day of each month). Their lines are a pure function
of (seed, date), the seed being the lowercased username: every ``demo`` login sees the same books.
Lines of today and yesterday are pending, with external id ``P-<id>``; from the day after they are
booked under ``<account>-<YYYYMMDD>-<nn>`` (e.g. ``demo-cc-20250312-03``), with the same amount and
label, the way real providers give a pending line and its booked version different ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Final

from schwifty import IBAN

from bot.banks.connector import AccountType, FetchedTransaction
from bot.banks.demo import data
from bot.banks.demo.bankdays import month_index
from bot.banks.demo.lines import Line
from bot.banks.demo.months import (
    card_month,
    checking_month,
    checking_opening,
    savings_month,
    savings_opening,
)
from bot.domain.money import Money

CURRENCY: Final = "EUR"
HISTORY_DAYS: Final = 730
PENDING_DAYS: Final = 2

_PENDING_PREFIX: Final = "P-"


@dataclass(frozen=True, slots=True)
class AccountSpec:
    external_id: str
    name: str
    type: AccountType
    has_iban: bool


ACCOUNTS: Final = (
    AccountSpec("demo-cc", "Compte courant pro", AccountType.CHECKING, True),
    AccountSpec("demo-sav", "Livret pro", AccountType.SAVINGS, True),
    AccountSpec("demo-card", "Carte Business", AccountType.CARD, False),
)
ACCOUNTS_BY_ID: Final = {spec.external_id: spec for spec in ACCOUNTS}


@lru_cache(maxsize=64)
def demo_iban(seed: str, account_id: str) -> str:
    """A valid French IBAN (RIB key and check digits right) at a bank code no bank uses."""
    digest = hashlib.sha256(f"{seed}:{account_id}".encode()).hexdigest()
    number = f"{int(digest, 16) % 10**11:011d}"
    return str(
        IBAN.generate(
            "FR", bank_code=data.BANK_CODE, branch_code=data.BRANCH_CODE, account_code=number
        )
    )


def lines_between(
    seed: str, spec: AccountSpec, first: date, last: date, pending_from: date
) -> list[FetchedTransaction]:
    fetched: list[FetchedTransaction] = []
    for month in range(month_index(first), month_index(last) + 1):
        for line in _month_lines(seed, spec.type, month):
            if first <= line.day <= last:
                booked_id = f"{spec.external_id}-{line.key}"
                pending = line.day >= pending_from
                fetched.append(
                    FetchedTransaction(
                        external_id=_PENDING_PREFIX + booked_id if pending else booked_id,
                        booking_date=line.day,
                        amount=Money(line.amount, CURRENCY),
                        label=line.label,
                        pending=pending,
                    )
                )
    return fetched


def _month_lines(seed: str, account: AccountType, month: int) -> tuple[Line, ...]:
    if account is AccountType.CHECKING:
        return checking_month(seed, month)
    if account is AccountType.SAVINGS:
        return savings_month(seed, month)
    return card_month(seed, month)


def _opening(seed: str, account: AccountType, month: int) -> int:
    if account is AccountType.CHECKING:
        return checking_opening(seed, month)
    if account is AccountType.SAVINGS:
        return savings_opening(seed, month)
    return 0


def booked_balance(seed: str, account: AccountType, today: date) -> int:
    """The booked balance: the month's opening plus its lines up to the last booked day."""
    last_booked = today - timedelta(days=PENDING_DAYS)
    month = month_index(last_booked)
    booked = sum(
        line.amount for line in _month_lines(seed, account, month) if line.day <= last_booked
    )
    return _opening(seed, account, month) + booked
