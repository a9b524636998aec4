"""Playing users (what they send, upload and press) and reading what their chats show.

Tests drive these directly; so will the playground page. They change state in the server's
event loop and never block it. The waits take a ``timeout`` and poll, since what they wait for
is any change to the chats, not one event.
"""
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TypeVar

from bot.web.botapi.chats import Chat, FakeUser, StoredFile, StoredMessage
from bot.web.botapi.entities import command_entities
from bot.web.botapi.errors import STATUS_TEXT, ApiError, JSONDict, too_many_requests
from bot.web.botapi.state import BotApiState

T = TypeVar("T")
POLL_STEP = 0.02


class UserPlay(BotApiState):
    """What users do in their chats, and what a reader sees there."""

    def user(
        self,
        user_id: int,
        first_name: str = "Alice",
        language_code: str = "fr",
        username: str | None = None,
        *,
        last_name: str | None = None,
    ) -> FakeUser:
        """A user who has opened a private chat with the bot (its chat id is ``user_id``)."""
        user = FakeUser(user_id, first_name, language_code, username, last_name)
        self._users[user_id] = user
        chat = self._chats.get(user_id)
        if chat is None:
            self._chats[user_id] = Chat(user_id, "private", first_name, last_name, username)
        else:
            chat.first_name, chat.last_name, chat.username = first_name, last_name, username
        return user

    def send_text(
        self,
        user: FakeUser,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        *,
        reply_to: int | None = None,
    ) -> int:
        """The user sends ``text``; returns its message_id. Commands get bot_command entities.

        In groups, with ``group_privacy`` (the default, as for real bots) the bot only gets
        commands, replies to its messages and mentions of its @username."""
        chat = self._user_chat(user, chat_id, chat_type)
        message = self._new_message(
            chat, from_bot=False, from_id=user.id, text=text, entities=command_entities(text)
        )
        if reply_to is not None:
            self.message(chat.id, reply_to)
            message.reply_to_message_id = reply_to
        self._deliver(message)
        return message.message_id

    def send_document(
        self,
        user: FakeUser,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """The user uploads a file; the bot fetches it with getFile and the /file route."""
        chat = self._user_chat(user, chat_id, chat_type)
        stored = self._store_file(filename, content, mime_type)
        message = self._new_message(
            chat,
            from_bot=False,
            from_id=user.id,
            text=None,
            document=self._document_api(stored),
            document_content=content,
            caption=caption,
            caption_entities=command_entities(caption) if caption else [],
        )
        self._deliver(message)
        return message.message_id

    def press(
        self, user: FakeUser, message_id: int, callback_data: str, chat_id: int | None = None
    ) -> str:
        """The user presses a button carrying ``callback_data`` (not checked: forgeries welcome)
        under bot message ``message_id``; returns the callback query id."""
        chat_id = user.id if chat_id is None else chat_id
        message = self.message(chat_id, message_id)
        if not message.from_bot:
            raise AssertionError(f"message {message_id} in chat {chat_id} is not the bot's")
        if message.deleted:
            raise AssertionError(f"message {message_id} in chat {chat_id} was deleted")
        query_id = str(next(self._query_ids))
        self._callbacks[query_id] = None
        self._queue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": self._message_api(message),
                "chat_instance": str(8_000_000_000_000_000_000 + chat_id),
                "data": callback_data,
            },
        )
        return query_id

    def press_button(self, user: FakeUser, message: StoredMessage, label_contains: str) -> str:
        """Press the first button of ``message`` whose label contains the text."""
        return self.press(user, message.message_id, message.button(label_contains), message.chat_id)

    def block_user(self, user_id: int) -> None:
        """The user blocks the bot: sends to their chat now fail with 403, until the user
        writes again (or :meth:`unblock_user`). The bot gets a my_chat_member update."""
        self._blocked.add(user_id)
        self._member_update(user_id, "member", "kicked")

    def unblock_user(self, user_id: int) -> None:
        self._blocked.discard(user_id)
        self._member_update(user_id, "kicked", "member")

    def messages(self, chat_id: int, include_deleted: bool = True) -> list[StoredMessage]:
        """Every message of the chat in order, user's and bot's, as currently shown.

        Deleted ones are included (``deleted=True``) unless ``include_deleted`` is False."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for m in chat.messages.values() if include_deleted or not m.deleted]

    def bot_messages(self, chat_id: int, include_deleted: bool = False) -> list[StoredMessage]:
        return [m for m in self.messages(chat_id, include_deleted) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> StoredMessage | None:
        sent = self.bot_messages(chat_id)
        return sent[-1] if sent else None

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        chat = self._chats.get(chat_id)
        if chat is None or message_id not in chat.messages:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        return chat.messages[message_id]

    def callback_answer(self, query_id: str) -> JSONDict | None:
        """What answerCallbackQuery recorded for the query, or None while unanswered."""
        return self._callbacks.get(query_id)

    def unanswered_callbacks(self) -> list[str]:
        return [qid for qid, answer in self._callbacks.items() if answer is None]

    def calls_to(self, method: str) -> list[JSONDict]:
        """Parameters of every call to ``method`` (case-insensitive), in order."""
        wanted = method.lower()
        return [params for name, params in self.calls if name.lower() == wanted]

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id].content

    def stored_file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def chat(self, chat_id: int) -> Chat | None:
        return self._chats.get(chat_id)

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by getUpdates offset (or webhook delivery)."""
        return list(self._updates)

    def mark(self) -> int:
        """A point in time for ``wait_for_bot_text(..., since=mark)``."""
        return self._seq

    def transcript(self, chat_id: int) -> str:
        lines = []
        for m in self.messages(chat_id):
            who = "bot" if m.from_bot else f"user {m.from_id}"
            flags = "".join(
                [" (deleted)" if m.deleted else "", f" (edited x{m.edits})" if m.edits else ""]
            )
            body = m.shown_text
            if m.document:
                body = f"[document {m.document.get('file_name')}] {body}"
            if m.photo:
                body = f"[photo] {body}"
            buttons = f" {m.buttons()}" if m.reply_markup else ""
            lines.append(f"  #{m.message_id} {who}{flags}: {body!r}{buttons}")
        return "\n".join(lines) or "  (no messages)"

    def dump(self, last: int = 25) -> str:
        recent = [(m, p) for m, p in self.calls if m != "getUpdates"][-last:]
        lines = [f"last {len(recent)} calls (getUpdates omitted):"]
        for method, params in recent:
            shown = json.dumps(params, ensure_ascii=False, default=str)
            lines.append(f"  {method} {shown[:300]}")
        lines.append(f"pending updates: {len(self._updates)}")
        return "\n".join(lines)

    async def wait_until_ready(self, timeout: float = 20.0) -> None:
        """Wait until the bot receives updates: a getUpdates is pending or a webhook is set.

        Updates queued before that are kept, unless the bot starts with
        drop_pending_updates; waiting here first avoids that race."""
        polls = len(self.calls_to("getUpdates"))
        await self._wait(
            lambda: (
                self._polling > 0
                or self._webhook is not None
                or len(self.calls_to("getUpdates")) > polls
            ),
            timeout,
            lambda: "the bot never polled nor set a webhook",
        )

    async def wait_for(self, predicate: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Poll ``predicate`` every 20 ms until it returns something truthy, and return that."""
        return await self._wait(predicate, timeout, lambda: "")

    async def wait_for_bot_text(
        self, chat_id: int, contains: str, timeout: float = 10.0, *, since: int | None = None
    ) -> StoredMessage:
        """The newest (by send or edit) undeleted bot message in the chat containing ``contains``,
        optionally only among those sent or edited after ``since`` (see :meth:`mark`)."""

        def find() -> StoredMessage | None:
            best: StoredMessage | None = None
            for m in self.bot_messages(chat_id):
                fresh = since is None or m.seq > since
                if contains in m.shown_text and fresh and (best is None or m.seq > best.seq):
                    best = m
            return best

        return await self._wait(
            find,
            timeout,
            lambda: (
                f"no bot message containing {contains!r} in chat {chat_id}:\n"
                + self.transcript(chat_id)
            ),
        )

    async def _wait(
        self, predicate: Callable[[], T | None], timeout: float, context: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if loop.time() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout}s\n{context()}\n{self.dump()}"
                )
            await asyncio.sleep(POLL_STEP)

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """The next call to ``method`` fails with ``status`` (calls queue up: one per call)."""
        error = (
            too_many_requests(retry_after, description)
            if status == 429
            else ApiError(status, description or STATUS_TEXT.get(status, "Error"))
        )
        self._failures.setdefault(method.lower(), []).append(error)

    def _user_chat(self, user: FakeUser, chat_id: int | None, chat_type: str) -> Chat:
        if user.id not in self._users:
            self.user(user.id, user.first_name, user.language_code, user.username)
        if chat_id is None or chat_id == user.id:
            if user.id in self._blocked:
                self.unblock_user(user.id)
            return self._chats[user.id]
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_type == "private":
                raise AssertionError("a private chat's id is its user's id")
            chat = Chat(chat_id, chat_type, title=f"Group {abs(chat_id)}")
            self._chats[chat_id] = chat
        return chat
