"""Month arithmetic and TARGET2 business days, on which the demo bank books its transfers.

A month is one integer, ``year * 12 + month - 1``, so that "the month before" is ``month - 1``.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def year_month(month: int) -> tuple[int, int]:
    year, offset = divmod(month, 12)
    return year, offset + 1


def month_key(month: int) -> str:
    year, number = year_month(month)
    return f"{year}-{number:02d}"


def period(month: int) -> str:
    year, number = year_month(month)
    return f"{number:02d}/{year}"


def days_of(month: int) -> list[date]:
    year, number = year_month(month)
    return [date(year, number, d) for d in range(1, calendar.monthrange(year, number)[1] + 1)]


def last_day(month: int) -> date:
    year, number = year_month(month)
    return date(year, number, calendar.monthrange(year, number)[1])


def day_month(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}"


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian computus), for the TARGET2 closing days."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    lh = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * lh) // 451
    month, day = divmod(h + lh - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _closing_days(year: int) -> frozenset[date]:
    """TARGET2 closing days, when no SEPA transfer or debit is booked."""
    easter = _easter(year)
    return frozenset(
        {
            date(year, 1, 1),
            easter - timedelta(days=2),
            easter + timedelta(days=1),
            date(year, 5, 1),
            date(year, 12, 25),
            date(year, 12, 26),
        }
    )


def _is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _closing_days(day.year)


def business_day(month: int, day_of_month: int) -> date:
    """That day or the next business day; the previous one if the month would end first."""
    last = last_day(month)
    start = last.replace(day=min(day_of_month, last.day))
    day = start
    while not _is_business_day(day):
        day += timedelta(days=1)
    if day.month == start.month:
        return day
    day = start
    while not _is_business_day(day):
        day -= timedelta(days=1)
    return day


def next_business_day(day: date) -> date:
    day += timedelta(days=1)
    while not _is_business_day(day):
        day += timedelta(days=1)
    return day
