"""Bank files read and waiting for the user's answers: in memory, one per user, short-lived.

A file's statements wait here between the questions (which account, which column, which
stored line); nothing of them is in the database until a statement is imported. The store
is bounded in users and in bytes kept (a CSV's bytes are kept only while its columns are
asked), and a file left unanswered expires.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.clock import Clock
from bot.files.csv_layout import Detection, Layout
from bot.files.importer import FileLine, Statement
from bot.services.errors import NotFound
from bot.services.import_views import ColumnRole, LineInfo

TTL = timedelta(minutes=30)
MAX_USERS = 500
MAX_BYTES = 100 * 1024 * 1024
"""The most CSV bytes kept for their column questions, all users together."""


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """A file line matching several stored lines equally well, kept until the user says."""

    bank_account_id: int
    line: FileLine
    external_id: str
    fingerprint: str
    candidates: tuple[LineInfo, ...]


@dataclass
class Columns:
    """A CSV whose columns are being asked, and the answers so far."""

    filename: str
    data: bytes
    detection: Detection
    asking: ColumnRole = ColumnRole.DATE
    chosen: dict[ColumnRole, int] = field(default_factory=dict)


@dataclass
class PendingFile:
    telegram_id: int
    format: str
    statements: Sequence[Statement]
    layout: Layout | None = None
    """The CSV layout the statements were read with, remembered on the account at import."""
    columns: Columns | None = None
    suggested: int | None = None
    """The bank account whose remembered layout read the file."""
    token: str = field(default_factory=lambda: secrets.token_urlsafe(6))
    touched: datetime | None = None
    imported: dict[int, int] = field(default_factory=dict)
    """Statement index → the bank account it went into."""
    busy: set[int] = field(default_factory=set)
    ambiguous: dict[int, Ambiguous] = field(default_factory=dict)
    next_key: int = 0
    balances: list[int] = field(default_factory=list)
    """Bank accounts whose balance is to be asked (the file gave none), in order."""

    @property
    def size(self) -> int:
        return len(self.columns.data) if self.columns is not None else 0

    def add_ambiguous(self, found: Ambiguous) -> None:
        self.ambiguous[self.next_key] = found
        self.next_key += 1


class PendingFiles:
    def __init__(
        self,
        clock: Clock,
        *,
        ttl: timedelta = TTL,
        max_users: int = MAX_USERS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.clock, self.ttl, self.max_users, self.max_bytes = clock, ttl, max_users, max_bytes
        self._files: OrderedDict[int, PendingFile] = OrderedDict()

    def put(self, pending: PendingFile) -> None:
        """The user's file from now on (an older one is forgotten), the oldest of others
        forgotten first when the store is full."""
        pending.touched = self.clock.now()
        self._files.pop(pending.telegram_id, None)
        self._files[pending.telegram_id] = pending
        self._expire()
        while len(self._files) > self.max_users or (
            len(self._files) > 1 and sum(p.size for p in self._files.values()) > self.max_bytes
        ):
            self._files.popitem(last=False)

    def get(self, telegram_id: int, token: str) -> PendingFile:
        """The user's file with this token; NotFound for an expired, replaced or forged one."""
        self._expire()
        pending = self._files.get(telegram_id)
        if pending is None or not secrets.compare_digest(pending.token, token):
            raise NotFound("file")
        pending.touched = self.clock.now()
        self._files.move_to_end(telegram_id)
        return pending

    def current(self, telegram_id: int) -> PendingFile | None:
        self._expire()
        return self._files.get(telegram_id)

    def drop(self, telegram_id: int, token: str | None = None) -> None:
        pending = self._files.get(telegram_id)
        if pending is not None and (token is None or pending.token == token):
            del self._files[telegram_id]

    def _expire(self) -> None:
        limit = self.clock.now() - self.ttl
        while self._files:
            oldest = next(iter(self._files.values()))
            if oldest.touched is not None and oldest.touched >= limit:
                break
            self._files.popitem(last=False)

    def __len__(self) -> int:
        return len(self._files)
