"""PTB persistence in the database (table ptb_state): conversations and small records, as JSON.

No pickle: every value is JSON, so nothing but plain data can come back from the table, and
a row can be read by a person. Writes go to the database at once, in their own transaction;
nothing waits in memory for ``flush``.

What is stored: conversation states (``kind="conversation"``), and, only when asked,
``user_data`` and ``chat_data``. ``bot_data`` is never stored (it holds the live runtime), nor
callback data (buttons go through handlers/callbacks.py). Owners of a conversation may keep
records of their own beside it (:meth:`DatabasePersistence.shelf`) and decide, at startup,
which of its states come back (:meth:`DatabasePersistence.restore_with`).

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
from telegram.ext import BasePersistence, PersistenceInput

from storage.models import PtbState
from storage.uow import Database

log = logging.getLogger(__name__)

Data = dict[Any, Any]
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]
Restorer = Callable[[dict[ConversationKey, object]], Awaitable[dict[ConversationKey, object]]]

CONVERSATION = "conversation"
USER_DATA = "user_data"
CHAT_DATA = "chat_data"
_RESERVED = frozenset({CONVERSATION, USER_DATA, CHAT_DATA})
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


def _conversation_row_key(name: str, key: ConversationKey) -> str:
    return json.dumps([name, *key], separators=(",", ":"))


def _conversation_from_row_key(row_key: str) -> tuple[str, ConversationKey] | None:
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

    def __init__(self, store: _Store, kind: str) -> None:
        self._store = store
        self.kind = kind

    async def put(self, key: str, data: Mapping[str, Any]) -> None:
        await self._store.put(self.kind, key, dumps(dict(data)))

    async def remove(self, key: str) -> None:
        await self._store.remove(self.kind, key)

    async def all(self) -> dict[str, dict[str, Any]]:
        records: dict[str, dict[str, Any]] = {}
        for key, text in (await self._store.rows(self.kind)).items():
            value = _loads(text, self.kind, key)
            if isinstance(value, dict):
                records[key] = value
        return records


def _loads(text: str, kind: str, key: str) -> object:
    try:
        return json.loads(text)
    except ValueError:
        log.warning("ptb_state: unreadable %s row %s ignored", kind, key[:40])
        return None


class _Store:
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


class DatabasePersistence(BasePersistence[Data, Data, Data]):
    """PTB's BasePersistence over the ptb_state table, written at once, JSON only."""

    def __init__(
        self,
        db: Database,
        *,
        update_interval: float = 1.0,
        store_user_data: bool = False,
        store_chat_data: bool = False,
        prepare: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """`prepare` runs once before the table is first touched (migrations, at startup)."""
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False,
                chat_data=store_chat_data,
                user_data=store_user_data,
                callback_data=False,
            ),
            update_interval=update_interval,
        )
        self._store = _Store(db, prepare)
        self._restorers: dict[str, Restorer] = {}

    async def ready(self) -> None:
        """Run `prepare` now if nothing has touched the table yet."""
        await self._store.ready()

    def shelf(self, kind: str) -> Shelf:
        """Records of `kind` kept beside PTB's own (the connect flows keep theirs there)."""
        if kind in _RESERVED:
            raise ValueError(f"{kind!r} is PTB's own kind of row")
        return Shelf(self._store, kind)

    def restore_with(self, name: str, restorer: Restorer) -> None:
        """Let the owner of conversation `name` decide, at startup, which states come back.

        The restorer gets the stored states and returns those to resume; rows it dropped or
        changed are written back at once.
        """
        self._restorers[name] = restorer

    # --- conversations -----------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        stored: dict[ConversationKey, object] = {}
        for row_key, text in (await self._store.rows(CONVERSATION)).items():
            parsed = _conversation_from_row_key(row_key)
            if parsed is None or parsed[0] != name:
                continue
            state = _loads(text, CONVERSATION, row_key)
            if state is not None:
                stored[parsed[1]] = state
        restorer = self._restorers.get(name)
        if restorer is None:
            return stored
        restored = await restorer(dict(stored))
        gone = [_conversation_row_key(name, key) for key in stored if key not in restored]
        await self._store.remove_many(CONVERSATION, gone)
        changed = {
            _conversation_row_key(name, key): dumps(state)
            for key, state in restored.items()
            if stored.get(key) != state
        }
        await self._store.put_many(CONVERSATION, changed)
        return restored

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        row_key = _conversation_row_key(name, key)
        if new_state is None:
            await self._store.remove(CONVERSATION, row_key)
        else:
            await self._store.put(CONVERSATION, row_key, dumps(new_state))

    # --- user and chat data (only when asked for) -------------------------------------------

    async def get_user_data(self) -> dict[int, Data]:
        return await self._get_data(USER_DATA)

    async def get_chat_data(self) -> dict[int, Data]:
        return await self._get_data(CHAT_DATA)

    async def update_user_data(self, user_id: int, data: Data) -> None:
        await self._update_data(USER_DATA, user_id, data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._update_data(CHAT_DATA, chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._store.remove(USER_DATA, str(user_id))

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._store.remove(CHAT_DATA, str(chat_id))

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Nothing to do: this process is the only writer of what it holds."""

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Nothing to do: this process is the only writer of what it holds."""

    async def _get_data(self, kind: str) -> dict[int, Data]:
        found: dict[int, Data] = {}
        for key, text in (await self._store.rows(kind)).items():
            value = _loads(text, kind, key)
            if isinstance(value, dict) and key.lstrip("-").isdigit():
                found[int(key)] = value
        return found

    async def _update_data(self, kind: str, number: int, data: Data) -> None:
        if not data:  # an empty dict is the default: no row needed
            await self._store.remove(kind, str(number))
            return
        await self._store.put(kind, str(number), dumps(data))

    # --- never stored -----------------------------------------------------------------------

    async def get_bot_data(self) -> Data:
        return {}

    async def update_bot_data(self, data: Data) -> None:
        """Never stored: bot_data holds the live runtime (services, flows)."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Never stored."""

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        """Never stored: buttons carry their own data (handlers/callbacks.py)."""

    async def flush(self) -> None:
        """Nothing is buffered: every update was written when it was handed over."""
