"""PTB's BasePersistence over the ptb_state table (storage.persistence): JSON, written at once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram.ext import BasePersistence, PersistenceInput

from storage.persistence import (
    CHAT_DATA,
    CONVERSATION,
    RESERVED,
    USER_DATA,
    CDCData,
    ConversationDict,
    ConversationKey,
    Data,
    Shelf,
    Store,
    conversation_from_row_key,
    conversation_row_key,
    dumps,
    loads_row,
)
from storage.uow import Database

log = logging.getLogger(__name__)


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
        self._store = Store(db, prepare)

    async def ready(self) -> None:
        """Run `prepare` now if nothing has touched the table yet."""
        await self._store.ready()

    def shelf(self, kind: str) -> Shelf:
        """Records of `kind` kept beside PTB's own (the connect flows keep theirs there)."""
        if kind in RESERVED:
            raise ValueError(f"{kind!r} is PTB's own kind of row")
        return Shelf(self._store, kind)

    # --- conversations -----------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        stored: dict[ConversationKey, object] = {}
        for row_key, text in (await self._store.rows(CONVERSATION)).items():
            parsed = conversation_from_row_key(row_key)
            if parsed is None or parsed[0] != name:
                continue
            state = loads_row(text, CONVERSATION, row_key)
            if state is not None:
                stored[parsed[1]] = state
        return stored

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        row_key = conversation_row_key(name, key)
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
            value = loads_row(text, kind, key)
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
