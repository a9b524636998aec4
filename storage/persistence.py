"""The ptb_state table as a JSON store: conversations and small records, never pickle.

handlers/persistence.py puts PTB's BasePersistence on top of it (domain code never imports
telegram).

No pickle: every value is JSON, so nothing but plain data can come back from the table, and
a row can be read by a person. Writes go to the database at once, in their own transaction;
nothing waits in memory for ``flush``.

What is stored: conversation states (``kind="conversation"``), and, only when asked,
``user_data`` and ``chat_data``. ``bot_data`` is never stored (it holds the live runtime), nor
callback data (buttons go through handlers/callbacks.py). Owners of a conversation may keep
records of their own beside it (``DatabasePersistence.shelf``) and decide, at startup,
which of its states come back (``DatabasePersistence.restore_with``).

Secrets never come here: callers put only plain, non-secret data in what they hand over.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import PtbState
from storage.uow import Database

log = logging.getLogger(__name__)

Data = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

CONVERSATION = "conversation"
USER_DATA = "user_data"
CHAT_DATA = "chat_data"
RESERVED = frozenset({CONVERSATION, USER_DATA, CHAT_DATA})
MAX_KEY_CHARS = 200
MAX_KIND_CHARS = 32


def dumps(value: object) -> str:
    """Canonical JSON; refuses what would not come back as it went in (non-str keys, objects)."""
    _check_plain(value, "value")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _check_plain(value: object, where: str) -> None:
    if value is None or isinstance(value, bool | int | float | str):
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{where}: keys must be strings to survive JSON, got {key!r}")
            _check_plain(item, f"{where}.{key}")
        return
    raise TypeError(f"{where}: {type(value).__name__} is not plain JSON data")


def conversation_row_key(name: str, key: ConversationKey) -> str:
    return json.dumps([name, *key], separators=(",", ":"))


def conversation_from_row_key(row_key: str) -> tuple[str, ConversationKey] | None:
    try:
        parts = json.loads(row_key)
    except ValueError:
        return None
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], str):
        return None
    if not all(isinstance(p, int | str) and not isinstance(p, bool) for p in parts[1:]):
        return None
    return parts[0], tuple(parts[1:])


class Shelf:
    """JSON records of one kind in ptb_state, keyed by a short string."""

    def __init__(self, store: Store, kind: str) -> None:
        self._store = store
        self.kind = kind

    async def put(self, key: str, data: Mapping[str, Any]) -> None:
        await self._store.put(self.kind, key, dumps(dict(data)))

    async def remove(self, key: str) -> None:
        await self._store.remove(self.kind, key)

    async def all(self) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        for key, text in (await self._store.rows(self.kind)).items():
            value = loads_row(text, self.kind, key)
            if isinstance(value, dict):
                records[key] = value
        return records


def loads_row(text: str, kind: str, key: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        log.warning("ptb_state: unreadable %s row %s ignored", kind, key[:40])
        return None


class Store:
    """Row access to ptb_state: each call is one short transaction, after `prepare` ran once."""

    def __init__(self, db: Database, prepare: Callable[[], Awaitable[None]] | None) -> None:
        self._db = db
        self._prepare = prepare
        self._prepared = prepare is None
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        if self._prepared:
            return
        async with self._lock:
            if not self._prepared and self._prepare is not None:
                await self._prepare()
            self._prepared = True

    async def put(self, kind: str, key: str, data: str) -> None:
        await self.put_many(kind, {key: data})

    async def put_many(self, kind: str, rows: Mapping[str, str]) -> None:
        if not rows:
            return
        await self.ready()
        _check_kind_and_keys(kind, rows)
        now = datetime.now(UTC)
        insert = (
            postgresql.insert if self._db.engine.dialect.name == "postgresql" else sqlite.insert
        )
        async with self._db.writing() as uow:
            for key, data in rows.items():
                statement = insert(PtbState).values(kind=kind, key=key, data=data, updated_at=now)
                statement = statement.on_conflict_do_update(
                    index_elements=[PtbState.kind, PtbState.key],
                    set_={"data": statement.excluded.data, "updated_at": now},
                )
                await uow.session.execute(statement)
            await uow.commit()

    async def remove(self, kind: str, key: str) -> None:
        await self.remove_many(kind, [key])

    async def remove_many(self, kind: str, keys: list[str]) -> None:
        if not keys:
            return
        await self.ready()
        async with self._db.writing() as uow:
            await uow.session.execute(
                delete(PtbState).where(PtbState.kind == kind, PtbState.key.in_(keys))
            )
            await uow.commit()

    async def rows(self, kind: str) -> dict[str, str]:
        await self.ready()
        async with self._db.reading() as uow:
            found = await uow.session.execute(
                select(PtbState.key, PtbState.data).where(PtbState.kind == kind)
            )
            return {key: data for key, data in found.tuples()}


def _check_kind_and_keys(kind: str, rows: Mapping[str, str]) -> None:
    if not 0 < len(kind) <= MAX_KIND_CHARS:
        raise ValueError(f"ptb_state kind must be 1 to {MAX_KIND_CHARS} characters")
    for key in rows:
        if not 0 < len(key) <= MAX_KEY_CHARS:
            raise ValueError(f"ptb_state key must be 1 to {MAX_KEY_CHARS} characters")
