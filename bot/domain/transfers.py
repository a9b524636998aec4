"""Transfers between two of the user's own accounts: one line out, its twin in, within days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

__all__ = ["TransferCandidate", "Transferable", "pair_transfers"]


class Transferable(Protocol):
    """A line that could be half of a transfer: an import's lines in hand are paired as they
    are, with no candidate built for each (an 80,000-line file's objects are walked by every
    full collection, which holds the loop)."""

    @property
    def id(self) -> int: ...
    @property
    def bank_account_id(self) -> int: ...
    @property
    def booking_date(self) -> date: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def currency(self) -> str: ...


@dataclass(frozen=True, slots=True)
class TransferCandidate:
    """A stored line read for pairing."""

    id: int
    bank_account_id: int
    booking_date: date
    amount_minor: int
    currency: str


def pair_transfers(lines: Sequence[Transferable], *, window_days: int = 3) -> list[tuple[int, int]]:
    """Pairs (money out, money in) of line ids that look like one transfer between own accounts.

    Two lines pair when they sit on different bank accounts, have the same currency and the same
    size with opposite signs, and are at most `window_days` apart. Each line joins at most one
    pair; the closest dates pair first, then the lowest line ids, so the answer does not depend
    on the order of `lines`. Pairs come back sorted by the outgoing line's id.
    """
    outgoing: dict[tuple[str, int], list[Transferable]] = {}
    for line in lines:
        if line.amount_minor < 0:
            outgoing.setdefault((line.currency, -line.amount_minor), []).append(line)
    options: list[tuple[int, int, int, int, int]] = []
    for line in lines:
        if line.amount_minor <= 0:
            continue
        for out in outgoing.get((line.currency, line.amount_minor), ()):
            if out.bank_account_id == line.bank_account_id:
                continue
            gap = abs((line.booking_date - out.booking_date).days)
            if gap > window_days:
                continue
            first, second = sorted((out.id, line.id))
            options.append((gap, first, second, out.id, line.id))
    options.sort()
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _gap, _first, _second, out_id, in_id in options:
        if out_id in used or in_id in used or out_id == in_id:
            continue
        used.update((out_id, in_id))
        pairs.append((out_id, in_id))
    return sorted(pairs)
