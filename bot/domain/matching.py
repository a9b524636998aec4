"""Which lines of a bank file are already in the books, from any source.

A file's ids and labels differ from a provider's (an OFX NAME against a feed's remittance
text), so beyond the same id or fingerprint a file line matches a stored line of the same
account on amount and booking date (within `DATE_SLACK_DAYS`), the closer date first and
label similarity breaking ties. Two candidates equally good are never guessed between: the
line is `ambiguous` and the user is asked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from bot.domain.text import squeeze

DATE_SLACK_DAYS = 2
SAME_LABEL_POINTS = 5
"""Two candidates whose label similarities (0–100) differ by less are equally good."""


@dataclass(frozen=True, slots=True)
class Known:
    """A line already stored for the account."""

    id: int
    external_id: str
    fingerprint: str
    booking_date: date
    amount_minor: int
    label: str


@dataclass(frozen=True, slots=True)
class Incoming:
    """A line of the file, with the id and fingerprint it would be stored under."""

    external_id: str
    fingerprint: str
    booking_date: date
    amount_minor: int
    label: str


@dataclass(slots=True)
class Matching:
    """Indexes into the incoming lines: new, already there, or to ask about."""

    new: list[int] = field(default_factory=list)
    known: list[int] = field(default_factory=list)
    ambiguous: dict[int, tuple[int, ...]] = field(default_factory=dict)
    """An incoming line → the ids of the stored lines it could equally be."""


def match(incoming: Sequence[Incoming], stored: Sequence[Known]) -> Matching:
    result = Matching()
    by_id = {line.external_id: line for line in stored}
    by_print = {line.fingerprint: line for line in stored}
    used: set[int] = set()
    unsure: list[int] = []
    for index, line in enumerate(incoming):
        same = by_id.get(line.external_id) or by_print.get(line.fingerprint)
        if same is not None and same.id not in used:
            used.add(same.id)
            result.known.append(index)
        else:
            unsure.append(index)
    by_amount: dict[int, list[Known]] = defaultdict(list)
    for known in stored:
        if known.id not in used:
            by_amount[known.amount_minor].append(known)
    scored = []
    for index in unsure:  # a line with no candidate is new: no list kept for it
        candidates = _candidates(incoming[index], by_amount)
        if candidates:
            scored.append((index, candidates))
        else:
            result.new.append(index)
    scored.sort(key=lambda item: item[1][0][0])
    for index, candidates in scored:
        left = [(score, line) for score, line in candidates if line.id not in used]
        if not left:
            result.new.append(index)
            continue
        (best_days, best_unlike), best = left[0]
        tied = [
            line
            for (days, unlike), line in left[1:]
            if days == best_days and unlike - best_unlike < SAME_LABEL_POINTS
        ]
        if tied:
            result.ambiguous[index] = (best.id, *(line.id for line in tied))
        else:
            used.add(best.id)
            result.known.append(index)
    result.new.sort()
    result.known.sort()
    return result


def _candidates(
    line: Incoming, by_amount: dict[int, list[Known]]
) -> list[tuple[tuple[int, int], Known]]:
    """Stored lines of the same amount within the date slack, best first: (days apart, how
    unlike the labels are, 0–100)."""
    label = squeeze(line.label)
    found = []
    for other in by_amount.get(line.amount_minor, ()):
        days = abs((other.booking_date - line.booking_date).days)
        if days <= DATE_SLACK_DAYS:
            unlike = 100 - round(fuzz.token_set_ratio(label, squeeze(other.label)))
            found.append(((days, unlike), other))
    found.sort(key=lambda item: item[0])
    return found
