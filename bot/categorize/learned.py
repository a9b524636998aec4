"""A per-book learned model: which account a payee's line goes to, given its amount, day and words.

A naive Bayes per payee and direction, over the line's context: amount band, weekend or not,
weekday, part of the month, and the label's words beyond the payee (the SEPA free text too).
It learns each decision at once, in microseconds; its state is stored per book as JSON with
memory's (to_state), and rebuilt from the book's decided lines, oldest first, when it is not.
Older lines of a payee weigh less, so a payee's new habit wins after a few lines. Before
learning a line it predicts it, and keeps score: its confidence is the share it got right at
that level of certainty, in this book.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Final

from bot.categorize.payees import label_details

__all__ = ["Learned", "Prediction", "Reason", "purchase_date"]

_DECAY: Final = 0.93
"""Each new line of a payee: older ones weigh 7 % less (a habit ten lines old weighs half)."""
_PRIOR: Final = 0.5
_FEATURE_PRIOR: Final = 0.5
_UNSEEN: Final = 0.5
"""The weight of an account the payee never went to: a line unlike its past ones may be one."""
_AMOUNT_BAND: Final = math.log(1.35)
_CALIBRATION_STRENGTH: Final = 8.0
"""How many of its own outcomes outweigh the model's raw certainty in its confidence."""
_LEVELS: Final = (0.5, 0.7, 0.85, 0.93, 0.97, 0.99, 0.997)
_MAX_WORDS: Final = 8
_PURCHASE_WINDOW: Final = 45
_DATE_IN_LABEL: Final = re.compile(
    r"(?<![\d/])(\d{2})(?:([/.-])(\d{2})(?:\2(\d{2}|\d{4}))?|(\d{2})(\d{2}))(?![\d/])"
)


class Reason(StrEnum):
    """What told the account apart from the payee's other ones."""

    HABIT = "habit"
    AMOUNT = "amount"
    WEEKEND = "weekend"
    WEEKDAY = "weekday"
    WORDS = "words"


@dataclass(frozen=True, slots=True)
class Prediction:
    """`word` is the label word that decided, when `reason` is WORDS."""

    account_code: str
    confidence: float
    reason: Reason
    word: str | None = None
    support: float = 0.0
    novel: bool = False
    """The line is unlike the payee's past ones: another side of the week, another amount."""
    accounts: int = 1
    """How many accounts the payee's lines went to: with one, the model only echoes memory."""


@dataclass(slots=True)
class _Payee:
    """Counts scaled by `unit`: the weight the latest line got (decay without touching all)."""

    unit: float = 1.0
    total: float = 0.0
    codes: dict[str, float] = field(default_factory=dict)
    features: dict[str, dict[str, float]] = field(default_factory=dict)
    values: dict[str, set[str]] = field(default_factory=dict)


def purchase_date(label: str, booked: date) -> date:
    """The day in the label (a card's purchase day, deferred cards booked at month end) when
    one fits the 45 days before booking; else the booking day."""
    for match in _DATE_IN_LABEL.finditer(label):
        day_text, _sep, month_text, year_text, packed_month, packed_year = match.groups()
        month = month_text or packed_month
        year_part = year_text or packed_year
        try:
            if year_part is None:
                found = date(booked.year, int(month), int(day_text))
                if found > booked:
                    found = date(booked.year - 1, int(month), int(day_text))
            else:
                year = int(year_part) + (2000 if len(year_part) == 2 else 0)
                found = date(year, int(month), int(day_text))
        except ValueError:
            continue
        if timedelta(0) <= booked - found <= timedelta(days=_PURCHASE_WINDOW):
            return found
    return booked


def _context(label: str, payee: str, minor: int, booked: date) -> dict[str, str]:
    day = purchase_date(label, booked)
    size = max(abs(minor), 1) / 100
    features = {
        "amount": str(round(math.log(max(size, 0.01)) / _AMOUNT_BAND)),
        "weekend": "1" if day.weekday() >= 5 else "0",
        "weekday": str(day.weekday()),
        "month_part": str(min(day.day // 11, 2)),
    }
    for word in sorted(label_details(label, payee))[:_MAX_WORDS]:
        features[f"w:{word}"] = "1"
    return features


_GROUP_REASON: Final = {
    "amount": Reason.AMOUNT,
    "weekend": Reason.WEEKEND,
    "weekday": Reason.WEEKEND,
    "month_part": Reason.HABIT,
}


class Learned:
    """The model of one book; feed it decisions oldest first."""

    def __init__(self) -> None:
        self._payees: dict[tuple[str, bool], _Payee] = {}
        self._outcomes: list[list[float]] = [[0.0, 0.0] for _ in range(len(_LEVELS) + 1)]

    @classmethod
    def of(cls, history: Iterable[tuple[str, str, int, date, str]]) -> Learned:
        """From (label, payee, amount minor, booking date, account) decisions, in order."""
        model = cls()
        for label, payee, minor, booked, code in history:
            model.learn(label, payee, minor, booked, code)
        return model

    def to_state(self) -> dict[str, Any]:
        return {
            "payees": [
                [payee, money_in, s.unit, s.total, s.codes, s.features, _sorted(s.values)]
                for (payee, money_in), s in self._payees.items()
            ],
            "outcomes": self._outcomes,
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Learned:
        model = cls()
        for payee, money_in, unit, total, codes, features, values in state["payees"]:
            model._payees[(str(payee), bool(money_in))] = _Payee(
                float(unit),
                float(total),
                {str(code): float(n) for code, n in codes.items()},
                {
                    str(code): {str(key): float(n) for key, n in by_code.items()}
                    for code, by_code in features.items()
                },
                {str(group): set(map(str, seen)) for group, seen in values.items()},
            )
        outcomes = [[float(wins), float(tries)] for wins, tries in state["outcomes"]]
        if len(outcomes) != len(model._outcomes):
            raise ValueError("outcomes of another model")
        model._outcomes = outcomes
        return model

    def learn(self, label: str, payee: str, minor: int, booked: date, code: str) -> None:
        context = _context(label, payee, minor, booked)
        guess = self._predict(payee, minor, context, None)
        if guess is not None:
            outcome = self._outcomes[_level(guess[1])]
            outcome[0] += guess[0] == code
            outcome[1] += 1
        state = self._payees.setdefault((payee, minor > 0), _Payee())
        state.unit /= _DECAY
        if state.unit > 1e12:
            _rescale(state)
        weight = state.unit
        state.total += weight
        state.codes[code] = state.codes.get(code, 0.0) + weight
        by_code = state.features.setdefault(code, {})
        for group, value in context.items():
            key = f"{group}={value}"
            by_code[key] = by_code.get(key, 0.0) + weight
            state.values.setdefault(group, set()).add(value)

    def predict(
        self, label: str, payee: str, minor: int, booked: date, allowed: frozenset[str] | None
    ) -> Prediction | None:
        """The likeliest account of the payee's for this line; None for a payee never seen."""
        context = _context(label, payee, minor, booked)
        guess = self._predict(payee, minor, context, allowed)
        if guess is None:
            return None
        code, posterior, reason, word, support = guess
        wins, tries = self._outcomes[_level(posterior)]
        confidence = (wins + _CALIBRATION_STRENGTH * posterior) / (tries + _CALIBRATION_STRENGTH)
        state = self._payees[(payee, minor > 0)]
        band = int(context["amount"])
        bands = {int(value) for value in state.values["amount"]}
        novel = context["weekend"] not in state.values["weekend"] or not (
            {band - 1, band, band + 1} & bands
        )
        return Prediction(
            code,
            round(min(confidence, posterior), 4),
            reason,
            word,
            support,
            novel,
            len(state.codes),
        )

    def _predict(
        self, payee: str, minor: int, context: dict[str, str], allowed: frozenset[str] | None
    ) -> tuple[str, float, Reason, str | None, float] | None:
        state = self._payees.get((payee, minor > 0))
        if state is None:
            return None
        codes = [c for c in state.codes if allowed is None or c in allowed]
        if not codes:
            return None
        unit = state.unit
        total = state.total / unit
        scores: dict[str, float] = {}
        parts: dict[str, dict[str, float]] = {}
        for code in codes:
            count = state.codes[code] / unit
            score = math.log((count + _PRIOR) / (total + _PRIOR * len(state.codes)))
            by_code = state.features.get(code, {})
            mine: dict[str, float] = {}
            for group, value in context.items():
                seen = by_code.get(f"{group}={value}", 0.0) / unit
                kinds = len(state.values.get(group, ())) + 1
                if group.startswith("w:"):
                    kinds = 2
                part = math.log((seen + _FEATURE_PRIOR) / (count + _FEATURE_PRIOR * kinds))
                mine[group] = part
                score += part
            scores[code] = score
            parts[code] = mine
        best = max(scores, key=lambda c: (scores[c], state.codes[c]))
        top = scores[best]
        unseen = math.log(_UNSEEN / (total + _PRIOR * len(state.codes))) + sum(
            math.log(
                0.5 if group.startswith("w:") else 1.0 / (len(state.values.get(group, ())) + 1)
            )
            for group in context
        )
        posterior = 1.0 / (
            sum(math.exp(score - top) for score in scores.values()) + math.exp(unseen - top)
        )
        support = state.codes[best] / unit
        reason, word = Reason.HABIT, None
        if len(scores) > 1:
            runner = max((c for c in scores if c != best), key=lambda c: scores[c])
            usual = state.codes[best] > state.codes[runner]
            reason, word = _why(parts[best], parts[runner], usual)
            if reason is Reason.WEEKEND and context["weekend"] == "0":
                reason = Reason.WEEKDAY
        return best, posterior, reason, word, support


def _why(
    best: dict[str, float], runner: dict[str, float], usual: bool
) -> tuple[Reason, str | None]:
    """The context that weighed most for the chosen account over the next one."""
    gains = {group: best[group] - runner.get(group, 0.0) for group in best}
    group = max(gains, key=lambda g: gains[g])
    if gains[group] <= 0.5 and usual:
        return Reason.HABIT, None
    if group.startswith("w:"):
        return Reason.WORDS, group[2:]
    return _GROUP_REASON.get(group, Reason.HABIT), None


def _sorted(values: dict[str, set[str]]) -> dict[str, list[str]]:
    return {group: sorted(seen) for group, seen in values.items()}


def _level(posterior: float) -> int:
    return sum(posterior >= level for level in _LEVELS)


def _rescale(state: _Payee) -> None:
    factor = 1.0 / state.unit
    state.unit = 1.0
    state.total *= factor
    for code in state.codes:
        state.codes[code] *= factor
    for by_code in state.features.values():
        for key in by_code:
            by_code[key] *= factor
