"""Transfers between two of the user's own accounts: one line out, its twin in, within days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.money import Money

__all__ = ["TransferCandidate", "pair_transfers"]


@dataclass(frozen=True, slots=True)
class TransferCandidate:
    line_id: int
    bank_account_id: int
    booking_date: date
    amount: Money


def pair_transfers(
    lines: Sequence[TransferCandidate], *, window_days: int = 3
) -> list[tuple[int, int]]:
    """Pairs (money out, money in) of line ids that look like one transfer between own accounts.

    Two lines pair when they sit on different bank accounts, have the same currency and the same
    size with opposite signs, and are at most `window_days` apart. Each line joins at most one
    pair; the closest dates pair first, then the lowest line ids, so the answer does not depend
    on the order of `lines`. Pairs come back sorted by the outgoing line's id.
    """
    outgoing: dict[tuple[str, int], list[TransferCandidate]] = {}
    for line in lines:
        if line.amount.minor < 0:
            outgoing.setdefault((line.amount.currency, -line.amount.minor), []).append(line)
    options: list[tuple[int, int, int, int, int]] = []
    for line in lines:
        if line.amount.minor <= 0:
            continue
        for out in outgoing.get((line.amount.currency, line.amount.minor), ()):
            if out.bank_account_id == line.bank_account_id:
                continue
            gap = abs((line.booking_date - out.booking_date).days)
            if gap > window_days:
                continue
            first, second = sorted((out.line_id, line.line_id))
            options.append((gap, first, second, out.line_id, line.line_id))
    options.sort()
    used: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _gap, _first, _second, out_id, in_id in options:
        if out_id in used or in_id in used or out_id == in_id:
            continue
        used.update((out_id, in_id))
        pairs.append((out_id, in_id))
    return sorted(pairs)
