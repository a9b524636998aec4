"""Bridge accounts and lines as the bot's FetchedAccount and FetchedTransaction.

SimpleFIN gives no account type: it is guessed from the name (savings, then a card, otherwise
checking). A currency that is not an ISO 4217 code (a custom currency's URL: air
miles, points) is not money the books can hold, so such accounts are left out.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from bot.banks.connector import AccountType, FetchedAccount, FetchedTransaction
from bot.banks.simplefin.answers import BridgeAccount, BridgeLine, clean_message
from bot.banks.simplefin.windows import day_of
from bot.domain.money import Money

_ISO_CURRENCY = re.compile(r"[A-Z]{3}")
_SAVINGS = re.compile(r"sav", re.IGNORECASE)
_CARD = re.compile(r"card|visa|mastercard|amex", re.IGNORECASE)  # not "credit": credit unions
DEFAULT_LABEL = "SimpleFIN"


def iso_currency(account: BridgeAccount) -> str | None:
    currency = account.currency.upper()
    return currency if _ISO_CURRENCY.fullmatch(currency) else None


def to_account(account: BridgeAccount) -> FetchedAccount | None:
    """The account, or None when its currency or balance cannot be booked."""
    currency = iso_currency(account)
    if currency is None:
        return None
    try:
        balance = Money.from_decimal(account.balance, currency)
    except ValueError:
        return None
    return FetchedAccount(
        external_id=account.id,
        name=clean_message(account.name) or account.id,
        type=account_type(account.name),
        iban=None,
        currency=currency,
        balance=balance,
    )


def account_type(name: str) -> AccountType:
    if _SAVINGS.search(name):
        return AccountType.SAVINGS
    if _CARD.search(name):
        return AccountType.CARD
    return AccountType.CHECKING


def line_date(line: BridgeLine, zone: ZoneInfo, today: date) -> date:
    """When the line counts: posted, else (pending, posted 0) when it happened, else today."""
    if line.posted > 0:
        return day_of(line.posted, zone)
    if line.transacted_at:
        return day_of(line.transacted_at, zone)
    return today


def to_transaction(line: BridgeLine, currency: str, booked: date) -> FetchedTransaction:
    """Raises ValueError when the amount has more decimals than the currency."""
    label = next(
        (text for text in map(clean_message, (line.description, line.payee, line.memo)) if text),
        DEFAULT_LABEL,
    )
    return FetchedTransaction(
        external_id=line.id,
        booking_date=booked,
        amount=Money.from_decimal(line.amount, currency),
        label=label,
        pending=line.pending or line.posted == 0,
    )
