"""The server's state and the internals every method shares: queueing updates, storing
messages and files, rendering them as the Bot API does, finding the chat a call names."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from bot.web.botapi.chats import Chat, FakeUser, StoredFile, StoredMessage
from bot.web.botapi.errors import BLOCKED, ApiError, JSONDict, bad_request
from bot.web.botapi.params import flag, integer

UPDATE_TYPES = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
)
DEFAULT_UPDATE_TYPES = frozenset(UPDATE_TYPES) - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}


@dataclass
class Webhook:
    """The webhook the bot set, and the last error met pushing updates to it."""

    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


Handler = Callable[[JSONDict], Any]


def now() -> int:
    return int(time.time())


class BotApiState:
    """Everything a Bot API method reads or changes, shared by the method groups."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_first_name: str,
        group_privacy: bool,
    ) -> None:
        self.token = token
        self.group_privacy = group_privacy
        self.url = ""
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.calls: list[tuple[str, JSONDict]] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook_deliveries: list[JSONDict] = []
        self._chats: dict[int, Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._blocked: set[int] = set()
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._callbacks: dict[str, JSONDict | None] = {}
        self._failures: dict[str, list[ApiError]] = {}
        self._updates: list[JSONDict] = []
        self._allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._update_ids = itertools.count(700_000_001)
        self._query_ids = itertools.count(4_380_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._seq = 0
        self._poll_generation = 0
        self._polling = 0
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._webhook: Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.watchers: list[Callable[[JSONDict], None]] = []
        """Called, in the server's loop, on each message sent, edited or deleted
        ({"type": "message", "chat_id", "message_id"}) and callback answered
        ({"type": "callback", "query_id", "text", "show_alert"}): the playground's live feed."""

    def _wake(self) -> None:
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

    def _notify(self, event: JSONDict) -> None:
        for watcher in self.watchers:
            watcher(event)

    def _changed(self, message: StoredMessage) -> None:
        self._notify(
            {"type": "message", "chat_id": message.chat_id, "message_id": message.message_id}
        )

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _queue(self, kind: str, payload: JSONDict) -> None:
        if kind not in self._allowed:
            return
        self._updates.append({"update_id": next(self._update_ids), kind: payload})
        self._wake()

    def _deliver(self, message: StoredMessage) -> None:
        """Queue a user's message, unless group privacy mode hides it from the bot."""
        chat = self._chats[message.chat_id]
        if self.group_privacy and chat.type != "private":
            replied = chat.messages.get(message.reply_to_message_id or 0)
            visible = (
                any(e["type"] == "bot_command" for e in message.entities)
                or any(e["type"] == "bot_command" for e in message.caption_entities)
                or f"@{self.bot_username}".lower() in message.shown_text.lower()
                or (replied is not None and replied.from_bot)
            )
            if not visible:
                return
        self._queue("message", self._message_api(message))

    def _member_update(self, user_id: int, old: str, new: str) -> None:
        user = self._users.get(user_id)
        chat = self._chats.get(user_id)
        if user is None or chat is None:
            return
        me = self._me()
        self._queue(
            "my_chat_member",
            {
                "chat": chat.to_api(),
                "from": user.to_api(),
                "date": now(),
                "old_chat_member": {"status": old, "user": me},
                "new_chat_member": {"status": new, "user": me}
                | ({"until_date": 0} if new == "kicked" else {}),
            },
        )

    def _new_message(
        self,
        chat: Chat,
        *,
        from_bot: bool,
        from_id: int,
        text: str | None,
        entities: list[JSONDict] | None = None,
        **fields: Any,
    ) -> StoredMessage:
        message = StoredMessage(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            from_bot=from_bot,
            text=text,
            entities=entities or [],
            from_id=from_id,
            date=now(),
            seq=self._next_seq(),
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        self._changed(message)
        return message

    def _store_file(
        self, filename: str, content: bytes, mime_type: str, folder: str = "documents"
    ) -> StoredFile:
        number = next(self._file_ids)
        suffix = filename.rsplit(".", 1)[1] if "." in filename else ""
        path = f"{folder}/file_{number}" + (f".{suffix}" if suffix else "")
        stored = StoredFile(
            file_id=f"BQACAgQAAxkBAAI{number:08d}Zm9vYmFy{self.bot_id}",
            file_unique_id=f"AgAD{number:06d}",
            file_name=filename,
            mime_type=mime_type,
            content=content,
            file_path=path,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[path] = stored
        return stored

    def _me(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    @staticmethod
    def _document_api(stored: StoredFile) -> JSONDict:
        return {
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
        }

    def _message_api(self, m: StoredMessage, with_reply: bool = True) -> JSONDict:
        chat = self._chats[m.chat_id]
        sender = self._me() if m.from_bot else self._users[m.from_id].to_api()
        data: JSONDict = {
            "message_id": m.message_id,
            "from": sender,
            "chat": chat.to_api(),
            "date": m.date,
        }
        if m.edit_date is not None:
            data["edit_date"] = m.edit_date
        if m.reply_to_message_id is not None and with_reply:
            replied = chat.messages.get(m.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self._message_api(replied, with_reply=False)
        if m.text is not None:
            data["text"] = m.text
            if m.entities:
                data["entities"] = m.entities
        if m.document is not None:
            data["document"] = m.document
        if m.photo is not None:
            data["photo"] = m.photo
        if m.caption is not None:
            data["caption"] = m.caption
            if m.caption_entities:
                data["caption_entities"] = m.caption_entities
        if m.inline_markup is not None:
            data["reply_markup"] = m.inline_markup
        return data

    def _chat(self, params: JSONDict, *, sending: bool = False) -> Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat: Chat | None = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            chat = self._chats.get(raw)
        elif isinstance(raw, str) and raw.startswith("@"):
            chat = next(
                (c for c in self._chats.values() if c.username == raw[1:] and c.type != "private"),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        if sending and chat.id in self._blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def _target_message(self, params: JSONDict, missing: str) -> StoredMessage:
        if params.get("inline_message_id"):
            raise bad_request(missing)
        chat = self._chat(params)
        message_id = integer(params, "message_id")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    def _reply_to(self, chat: Chat, params: JSONDict) -> int | None:
        reply = params.get("reply_parameters")
        allow = flag(params, "allow_sending_without_reply")
        target: Any = params.get("reply_to_message_id")
        if isinstance(reply, dict):
            target = reply.get("message_id")
            allow = allow or bool(reply.get("allow_sending_without_reply"))
        if target is None:
            return None
        found = chat.messages.get(integer({"message_id": target}, "message_id"))
        if found is None or found.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return found.message_id

    def _touch(self, message: StoredMessage) -> None:
        message.history.append(message.shown_text)
        message.edits += 1
        message.edit_date = now()
        message.seq = self._next_seq()
        self._changed(message)
