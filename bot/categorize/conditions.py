"""A rule's conditions beyond its payee (weekdays or weekend, an amount band), and the one a
payee's history calls for when the user files one of its lines elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import pairwise
from typing import Final, NamedTuple

__all__ = ["BLANKET", "Days", "PastLine", "RuleCondition", "offer_condition"]


class Days(StrEnum):
    WEEKDAYS = "weekdays"
    WEEKEND = "weekend"

    @classmethod
    def of(cls, day: date) -> Days:
        return cls.WEEKEND if day.weekday() >= 5 else cls.WEEKDAYS


@dataclass(frozen=True, slots=True)
class RuleCondition:
    """Every bound given must hold: the day's side of the week (the purchase day a card label
    names, else the booking day), and the amount's size, sign aside, both bounds included."""

    days: Days | None = None
    min_minor: int | None = None
    max_minor: int | None = None

    def holds(self, size: int, day: date) -> bool:
        if self.days is not None and Days.of(day) is not self.days:
            return False
        if self.min_minor is not None and size < self.min_minor:
            return False
        return self.max_minor is None or size <= self.max_minor

    @property
    def blanket(self) -> bool:
        return self.days is None and self.min_minor is None and self.max_minor is None


BLANKET: Final = RuleCondition()
"""No condition: every line of the payee."""


class PastLine(NamedTuple):
    """A decided line of the payee: its size (minor units, sign aside), day and account."""

    size: int
    day: date
    account_id: int


_WINDOW: Final = 40
"""The payee's latest lines read: an older split may have ended."""
_MIN_OTHER_SIDE: Final = 2
"""Lines filed elsewhere that a condition must keep out: one alone may be a mistake."""
_TOLERANCE: Final = 0.1
"""The share of lines a condition may misfile, either way, and still be offered."""
_ROUND_STEPS: Final = (100_000, 50_000, 10_000, 5_000, 2_000, 1_000, 500, 100, 50, 10, 1)


def offer_condition(history: Sequence[PastLine], line: PastLine) -> RuleCondition:
    """The rule "always file this payee's lines under `line`'s account" that the payee's lines
    before it (same direction, oldest first) support: with the day or the
    amount band that keeps the lines filed elsewhere out, or blanket when none is needed or
    none tells the two sides apart better than the blanket rule.
    """
    recent = [*history[-_WINDOW + 1 :], line]
    others = sum(past.account_id != line.account_id for past in recent)
    if others < _MIN_OTHER_SIDE:
        return BLANKET
    best: tuple[int, int, RuleCondition] | None = None
    for condition in (RuleCondition(days=Days.of(line.day)), *_amount_bands(recent, line)):
        inside = [past for past in recent if condition.holds(past.size, past.day)]
        wrong_in = sum(past.account_id != line.account_id for past in inside)
        wrong_out = sum(past.account_id == line.account_id for past in recent) - (
            len(inside) - wrong_in
        )
        kept_out = others - wrong_in
        errors = wrong_in + wrong_out
        if kept_out < _MIN_OTHER_SIDE or errors > _TOLERANCE * len(recent) or errors >= others:
            continue
        ranked = (errors, -kept_out, condition)
        if best is None or ranked[:2] < best[:2]:
            best = ranked
    return best[2] if best is not None else BLANKET


def _amount_bands(recent: Sequence[PastLine], line: PastLine) -> list[RuleCondition]:
    """The bands "up to" and "from" a round amount between two of the payee's sizes, on the
    side of `line`: every cut that separates the account's lines from the others."""
    sizes = sorted({past.size for past in recent})
    bands = []
    for lower, upper in pairwise(sizes):
        if line.size <= lower:
            bands.append(RuleCondition(max_minor=_round_between(lower, upper - 1)))
        else:
            bands.append(RuleCondition(min_minor=_round_between(lower + 1, upper)))
    return bands


def _round_between(low: int, high: int) -> int:
    """The roundest amount from `low` to `high` (100 € rather than 87.45 €)."""
    for step in _ROUND_STEPS:
        candidate = -(-low // step) * step
        if candidate <= high:
            return candidate
    return low
