"""What the connector remembers per access URL: recent answers and the requests of the day.

The bridge allows about 24 requests a day per access URL, and one `/accounts` request answers
for every account, so answers are kept a few minutes and reused for any window they contain.
Keys are digests of the access URL, so the URL itself is never a dict key here.
"""

from __future__ import annotations

import hashlib
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.banks.connector import RateLimited
from bot.banks.simplefin.answers import AccountSet
from bot.domain.clock import Clock
from bot.domain.secret import Secret

DAY = timedelta(days=1)


def secret_key(secret: Secret) -> str:
    return hashlib.sha256(secret.reveal().encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class _Answer:
    since: date
    until: date
    at: datetime
    answer: AccountSet


class AnswerCache:
    """Account Sets fetched in the last `ttl`, each for the window it was asked for."""

    def __init__(self, clock: Clock, ttl: timedelta) -> None:
        self._clock = clock
        self._ttl = ttl
        self._answers: dict[str, list[_Answer]] = {}

    def covering(self, key: str, since: date, until: date) -> AccountSet | None:
        """A fresh answer whose window contains [since, until]."""
        return next(
            (a.answer for a in self._fresh(key) if a.since <= since and until <= a.until),
            None,
        )

    def latest(self, key: str) -> AccountSet | None:
        """The most recent fresh answer, whatever its window."""
        fresh = self._fresh(key)
        return fresh[-1].answer if fresh else None

    def store(self, key: str, since: date, until: date, answer: AccountSet) -> None:
        self._answers[key] = [*self._fresh(key), _Answer(since, until, self._clock.now(), answer)]

    def forget(self, key: str) -> None:
        self._answers.pop(key, None)

    def _fresh(self, key: str) -> list[_Answer]:
        oldest = self._clock.now() - self._ttl
        fresh = [a for a in self._answers.get(key, []) if a.at > oldest]
        if fresh:
            self._answers[key] = fresh
        else:
            self._answers.pop(key, None)
        return fresh


class DailyBudget:
    """At most `per_day` requests in any 24 hours per access URL; the bridge disables a
    token that keeps going over, so the connector stops first and says when to retry."""

    def __init__(self, clock: Clock, per_day: int) -> None:
        self._clock = clock
        self._per_day = per_day
        self._spent: dict[str, deque[datetime]] = {}

    def spend(self, key: str) -> None:
        now = self._clock.now()
        spent = self._spent.setdefault(key, deque())
        while spent and spent[0] <= now - DAY:
            spent.popleft()
        if len(spent) >= self._per_day:
            raise RateLimited(retry_at=spent[0] + DAY)
        spent.append(now)

    def left(self, key: str) -> int:
        now = self._clock.now()
        return self._per_day - sum(1 for at in self._spent.get(key, ()) if at > now - DAY)
