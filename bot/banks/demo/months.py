"""Each demo account's lines of one month and its balance on the first of the month.

Each day is generated from its own ``Random("<seed>:<date>:<account>")``, each month's bills,
clients and trips from one seeded by the month, so no window depends on what was generated before
it.

A balance never jumps: next month's opening is this month's plus its lines. To get that without
summing years of lines, each account's opening balance is a closed form (zero for the card, a
seeded level for the savings, a seeded target for the current account) and one line per month
makes it come true: the owner's month-end pay on the current account, the transfer topping up or
drawing on the savings account, the card's monthly settlement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from random import Random
from typing import Final

from bot.banks.demo import data
from bot.banks.demo.bankdays import (
    business_day,
    day_month,
    days_of,
    last_day,
    month_key,
    next_business_day,
    period,
    year_month,
)
from bot.banks.demo.lines import (
    CARD_WEEKDAY,
    CARD_WEEKEND,
    DAILY_WEEKDAY,
    DAILY_WEEKEND,
    Line,
    Month,
    card_label,
    seeded,
    spend,
    yearly_prices,
)

TYPICAL_NET: Final = 550_000
"""A usual month's net flow on the current account before the owner's pay, in cents."""


# --- current account ---


@lru_cache(maxsize=512)
def _client_payments(seed: str, month: int) -> tuple[tuple[date, int, int, str], ...]:
    """Client transfers received in a month: (day, client index, amount, reference)."""
    payments: list[tuple[date, int, int, str]] = []
    rng = seeded(seed, month_key(month), "clients")
    for index, client in enumerate(data.CLIENTS):
        if rng.random() >= client.chance:
            continue
        day = business_day(month, rng.randint(*client.days))
        amount = client.unit * rng.randint(*client.units)
        payments.append((day, index, amount, f"{rng.randrange(10**6):06d}"))
    return tuple(sorted(payments))


@lru_cache(maxsize=512)
def _invoices_before(seed: str, month: int) -> int:
    """How many invoices were paid earlier in the same year, so numbers run on in sequence."""
    if year_month(month)[1] == 1:
        return 0
    return _invoices_before(seed, month - 1) + len(_client_payments(seed, month - 1))


def _add_bills(book: Month, seed: str, month: int) -> None:
    year, number = year_month(month)
    rng = seeded(seed, month_key(month), "bills")
    prices = yearly_prices(seed, year)
    for bill in data.BILLS:
        if bill.months and number not in bill.months:
            continue
        amount = rng.randint(bill.low, bill.high) if bill.varies == "month" else prices[bill.key]
        label = bill.label.format(period=period(month), year=year)
        book.add(business_day(month, bill.day), -amount, label)
    receipts = sum(amount for _, _, amount, _ in _client_payments(seed, month - 1))
    vat = receipts // 6 - rng.randint(*data.VAT_DEDUCTIBLE)
    if vat > 0:
        label = data.VAT_LABEL.format(period=period(month - 1))
        book.add(business_day(month, data.VAT_DAY), -vat, label)


def _add_transfers(book: Month, seed: str, month: int) -> None:
    year = year_month(month)[0]
    payments = _client_payments(seed, month)
    for number, (day, index, amount, ref) in enumerate(payments, _invoices_before(seed, month) + 1):
        label = data.CLIENTS[index].label.format(invoice=f"{year}-{number:03d}", ref=ref)
        book.add(day, amount, label)
    rng = seeded(seed, month_key(month), "suppliers")
    for supplier in data.SUPPLIERS:
        if rng.random() >= supplier.chance:
            continue
        day = business_day(month, rng.randint(*supplier.days))
        amount = supplier.unit * rng.randint(*supplier.units)
        label = supplier.label.format(
            period=period(month), year=year, ref=f"{rng.randint(1, 99):02d}"
        )
        book.add(day, -amount, label)


def _add_daily_spending(book: Month, seed: str, month: int) -> None:
    for day in days_of(month):
        rng = seeded(seed, day.isoformat(), "cc")
        weekend = day.weekday() >= 5
        pool = DAILY_WEEKEND if weekend else DAILY_WEEKDAY
        for _ in range(rng.choice((0, 0, 1, 1, 2) if weekend else (1, 1, 2, 2, 2, 3, 3, 4))):
            merchant = pool.pick(rng)
            label = card_label(rng, data.DEBIT_CARD, merchant.name, day, None)
            book.add(day, spend(rng, merchant), label)
        if rng.random() < 0.015:
            label = data.CASH_LABEL.format(day=day_month(day))
            book.add(day, -1_000 * rng.randint(2, 10), label)
        for subscription in data.DAILY_SUBSCRIPTIONS:
            if subscription.day == day.day:
                price = yearly_prices(seed, day.year)[subscription.merchant]
                label = card_label(rng, data.DEBIT_CARD, subscription.merchant, day, None)
                book.add(day, -price, label)


def _add_occasional(book: Month, seed: str, month: int) -> None:
    rng = seeded(seed, month_key(month), "cc")
    days = days_of(month)
    if rng.random() < 0.2:
        day = rng.choice(days)
        book.add(day, rng.randint(1_299, 8_990), data.REFUND_LABEL.format(day=day_month(day)))
    if rng.random() < 0.08:
        book.add(business_day(month, rng.randint(1, 28)), -800, data.INTERVENTION_LABEL)


@lru_cache(maxsize=512)
def _checking_before_pay(seed: str, month: int) -> tuple[Line, ...]:
    """The current account's month, all but the owner's month-end transfer."""
    book = Month()
    _add_bills(book, seed, month)
    _add_transfers(book, seed, month)
    for move in _savings_moves(seed, month):
        book.add(move.checking_day, -move.amount, move.checking_label)
    _add_occasional(book, seed, month)
    _add_daily_spending(book, seed, month)
    statement = -sum(line.amount for line in _card_spending(seed, month))
    last = last_day(month)
    book.add(last, -statement, data.CARD_STATEMENT_CC.format(day=day_month(last)))
    return book.lines()


@lru_cache(maxsize=512)
def checking_opening(seed: str, month: int) -> int:
    """The current account's balance on the first of the month, before that day's lines.

    A seeded target, raised by two thirds of last month's surplus over a usual month and a
    third of the month before's: the owner's month-end pay, which lands on it, then follows
    what the business earned over three months rather than swinging with each invoice.
    """
    base = seeded(seed, month_key(month), "target").randint(1_100_000, 1_300_000)
    last = sum(line.amount for line in _checking_before_pay(seed, month - 1)) - TYPICAL_NET
    before = sum(line.amount for line in _checking_before_pay(seed, month - 2)) - TYPICAL_NET
    return base + (2 * last + before) // 3


@lru_cache(maxsize=512)
def checking_month(seed: str, month: int) -> tuple[Line, ...]:
    lines = _checking_before_pay(seed, month)
    book = Month(lines)
    pay = (
        checking_opening(seed, month + 1)
        - checking_opening(seed, month)
        - sum(line.amount for line in lines)
    )
    label = data.OWNER_PAY_LABEL if pay < 0 else data.OWNER_TOP_UP_LABEL
    book.add(business_day(month, 31), pay, label.format(period=period(month)))
    return book.lines()


# --- savings account ---

_SAVINGS_SINCE: Final = 2015 * 12
"""The month the demo savings account opened: interest accrues from there."""


@dataclass(frozen=True, slots=True)
class _Move:
    """A transfer between current and savings account; `amount` is what savings receives."""

    amount: int
    checking_day: date
    checking_label: str
    savings_day: date
    savings_label: str


def _savings_level(seed: str, month: int) -> int:
    """The savings balance at the start of a month, interest aside, in cents.

    It grows by 300 € a month since the account opened, give or take a seeded 0-1 200 €, so
    next to the standing order one transfer a month, most often a deposit, reaches the next level.
    """
    grown = 3 * max(0, month - _SAVINGS_SINCE)
    return 10_000 * (150 + grown + seeded(seed, month_key(month), "savings").randint(0, 12))


def _interest(seed: str, month: int) -> int:
    if year_month(month)[1] % 3:
        return 0
    return seeded(seed, month_key(month), "interest").randint(*data.INTEREST_RANGE)


@lru_cache(maxsize=512)
def savings_opening(seed: str, month: int) -> int:
    interest = sum(_interest(seed, m) for m in range(_SAVINGS_SINCE, month))
    return _savings_level(seed, month) + interest


@lru_cache(maxsize=512)
def _savings_moves(seed: str, month: int) -> tuple[_Move, ...]:
    standing = business_day(month, data.SAVINGS_STANDING_DAY)
    moves = [
        _Move(
            data.SAVINGS_STANDING_ORDER,
            standing,
            data.CC_TO_SAVINGS,
            standing,
            data.SAVINGS_FROM_CC,
        )
    ]
    rest = (
        _savings_level(seed, month + 1) - _savings_level(seed, month) - data.SAVINGS_STANDING_ORDER
    )
    if rest:
        rng = seeded(seed, month_key(month), "sweep")
        sent = business_day(month, rng.randint(*data.SAVINGS_ADJUSTMENT_DAYS))
        received = next_business_day(sent)
        if rest > 0:
            moves.append(_Move(rest, sent, data.CC_SWEEP_OUT, received, data.SAVINGS_SWEEP_IN))
        else:
            moves.append(_Move(rest, received, data.CC_SWEEP_IN, sent, data.SAVINGS_SWEEP_OUT))
    return tuple(moves)


@lru_cache(maxsize=512)
def savings_month(seed: str, month: int) -> tuple[Line, ...]:
    book = Month()
    for move in _savings_moves(seed, month):
        book.add(move.savings_day, move.amount, move.savings_label)
    last = last_day(month)
    label = data.INTEREST_LABEL.format(date=f"{day_month(last)}/{last:%y}")
    book.add(last, _interest(seed, month), label)
    return book.lines()


# --- business card ---


def _trips(seed: str, month: int) -> dict[date, tuple[data.City, int, int]]:
    """The month's business trips: each day away -> (city, day of trip, nights)."""
    rng = seeded(seed, month_key(month), "trips")
    plan: dict[date, tuple[data.City, int, int]] = {}
    last = last_day(month)
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
        city = rng.choice(data.CITIES)
        nights = rng.choice((1, 1, 2))
        start = business_day(month, rng.randint(1, last.day - 4))
        days = [start + timedelta(days=k) for k in range(nights + 1)]
        if days[-1] > last or any(day in plan for day in days):
            continue
        for k, day in enumerate(days):
            plan[day] = (city, k, nights)
    return plan


def _add_trip_day(
    book: Month, rng: Random, day: date, city: data.City, k: int, nights: int
) -> None:
    def pay(merchant: str, amount: int) -> None:
        book.add(day, amount, card_label(rng, data.BUSINESS_CARD, merchant, day, 1))

    transport = data.FLIGHT if city.by_air else data.TRAIN
    if k == 0:
        pay(transport.name, spend(rng, transport))
    if k == nights:
        pay(rng.choice(city.hotels), -nights * rng.randint(*data.NIGHT))
        pay(transport.name, spend(rng, transport))
    for _ in range(rng.choice((1, 1, 2) if k in (0, nights) else (1, 2, 2))):
        pay(rng.choice(city.restaurants), -rng.randint(*data.MEAL))
    if rng.random() < 0.6:
        taxi = rng.choice(data.TAXIS)
        pay(taxi.name, spend(rng, taxi))


@lru_cache(maxsize=512)
def _card_spending(seed: str, month: int) -> tuple[Line, ...]:
    book = Month()
    trips = _trips(seed, month)
    for day in days_of(month):
        rng = seeded(seed, day.isoformat(), "card")
        if day in trips:
            _add_trip_day(book, rng, day, *trips[day])
        else:
            weekend = day.weekday() >= 5
            if rng.random() < (0.12 if weekend else 0.35):
                merchant = (CARD_WEEKEND if weekend else CARD_WEEKDAY).pick(rng)
                label = card_label(rng, data.BUSINESS_CARD, merchant.name, day, 1)
                book.add(day, spend(rng, merchant), label)
        for subscription in data.BUSINESS_CARD_SUBSCRIPTIONS:
            if subscription.day == day.day:
                price = yearly_prices(seed, day.year)[subscription.merchant]
                label = card_label(rng, data.BUSINESS_CARD, subscription.merchant, day, 1)
                book.add(day, -price, label)
    return book.lines()


@lru_cache(maxsize=512)
def card_month(seed: str, month: int) -> tuple[Line, ...]:
    spending = _card_spending(seed, month)
    book = Month(spending)
    last = last_day(month)
    settled = -sum(line.amount for line in spending)
    book.add(last, settled, data.CARD_STATEMENT_CARD.format(day=day_month(last)))
    return book.lines()
