"""What the demo bank's months are built from: seeded randomness, card labels, merchant pools."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from random import Random
from types import MappingProxyType
from typing import Final, NamedTuple

from bot.banks.demo import data
from bot.banks.demo.bankdays import day_month


class Line(NamedTuple):
    day: date
    seq: int
    amount: int
    label: str

    @property
    def key(self) -> str:
        """The line's id within its account: booking date and rank that day, `20250312-03`."""
        return f"{self.day.year:04d}{self.day.month:02d}{self.day.day:02d}-{self.seq:02d}"


class Month:
    """Collects one account's lines of one month, kept in booking order within each day."""

    def __init__(self, lines: Iterable[Line] = ()) -> None:
        self._days: dict[date, list[tuple[int, str]]] = {}
        for line in lines:
            self.add(line.day, line.amount, line.label)

    def add(self, day: date, amount: int, label: str) -> None:
        if amount:
            self._days.setdefault(day, []).append((amount, label))

    def lines(self) -> tuple[Line, ...]:
        return tuple(
            Line(day, seq, amount, label)
            for day in sorted(self._days)
            for seq, (amount, label) in enumerate(self._days[day], start=1)
        )


def seeded(*parts: object) -> Random:
    """A generator seeded by text, which (unlike hash()) is the same in every process."""
    return Random(":".join(str(part) for part in parts))  # noqa: S311 - sample data, not secrets


def card_label(rng: Random, card: str, merchant: str, booked: date, style: int | None) -> str:
    """A card line as French banks print it, dated the day of purchase, often before booking.

    The current account mixes three banks' styles so that label cleaning sees them all.
    """
    bought = day_month(booked - timedelta(days=rng.choice((0, 1, 1, 2))))
    if style is None:
        draw = rng.random()
        style = 0 if draw < 0.5 else 1 if draw < 0.8 else 2
    if style == 0:
        return f"CB {merchant} {bought}"
    if style == 1:
        return f"CARTE {card} {bought} {merchant}"
    return f"PAIEMENT PAR CARTE {card} {merchant} {bought}"


@dataclass(frozen=True, slots=True)
class _Pool:
    merchants: tuple[data.Merchant, ...]
    cumulative_weights: tuple[int, ...]

    @classmethod
    def of(cls, merchants: Iterable[data.Merchant]) -> _Pool:
        chosen = tuple(merchants)
        return cls(chosen, tuple(itertools.accumulate(m.weight for m in chosen)))

    def pick(self, rng: Random) -> data.Merchant:
        return rng.choices(self.merchants, cum_weights=self.cumulative_weights)[0]


DAILY_WEEKDAY: Final = _Pool.of(data.DAILY_MERCHANTS)
DAILY_WEEKEND: Final = _Pool.of(m for m in data.DAILY_MERCHANTS if m.weekend)
CARD_WEEKDAY: Final = _Pool.of(data.BUSINESS_CARD_MERCHANTS)
CARD_WEEKEND: Final = _Pool.of(m for m in data.BUSINESS_CARD_MERCHANTS if m.weekend)


def spend(rng: Random, merchant: data.Merchant) -> int:
    return -rng.randint(merchant.low, merchant.high)


@lru_cache(maxsize=64)
def yearly_prices(seed: str, year: int) -> Mapping[str, int]:
    """This year's price of the bills and subscriptions whose price changes once a year."""
    rng = seeded(seed, year, "prices")
    prices = {
        bill.key: rng.randint(bill.low, bill.high) for bill in data.BILLS if bill.varies == "year"
    }
    for subscription in (*data.DAILY_SUBSCRIPTIONS, *data.BUSINESS_CARD_SUBSCRIPTIONS):
        prices[subscription.merchant] = rng.randint(subscription.low, subscription.high)
    return MappingProxyType(prices)
