"""What the chats hold: the users played, the chats and their messages as currently shown."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.web.botapi.errors import JSONDict


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user played by a test or the playground."""

    id: int
    first_name: str = "Alice"
    language_code: str = "fr"
    username: str | None = None
    last_name: str | None = None

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class StoredMessage:
    """A message as the chat currently shows it (a live object: later edits show up here).

    ``text`` and ``caption`` are what the user sees (tags parsed away, entities decoded);
    ``raw_text`` is what the bot sent, before its parse_mode was applied.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    text: str | None
    reply_markup: JSONDict | None = None
    deleted: bool = False
    edits: int = 0
    document: JSONDict | None = None
    photo: list[JSONDict] | None = None
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    raw_text: str | None = None
    caption: str | None = None
    caption_entities: list[JSONDict] = field(default_factory=list)
    document_content: bytes | None = None
    """The bytes of the document or photo, so a reader need not fetch them."""
    from_id: int = 0
    date: int = 0
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    history: list[str | None] = field(default_factory=list)
    seq: int = 0
    """When it was last sent, edited or deleted, counted over every chat (see ``mark``)."""

    @property
    def shown_text(self) -> str:
        return self.text if self.text is not None else (self.caption or "")

    @property
    def inline_markup(self) -> JSONDict | None:
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    def buttons(self) -> list[list[tuple[str, str]]]:
        """Keyboard rows as (text, callback_data or url); reply keyboards give (text, "")."""
        markup = self.reply_markup or {}
        rows: list[list[tuple[str, str]]] = []
        for row in markup.get("inline_keyboard", []):
            rows.append(
                [
                    (str(b.get("text", "")), str(b.get("callback_data") or b.get("url") or ""))
                    for b in row
                ]
            )
        for row in markup.get("keyboard", []):
            rows.append([(b if isinstance(b, str) else str(b.get("text", "")), "") for b in row])
        return rows

    def button(self, label_contains: str) -> str:
        """callback_data (or url) of the first button whose text contains ``label_contains``."""
        for row in self.buttons():
            for text, data in row:
                if label_contains in text:
                    return data
        raise AssertionError(
            f"no button containing {label_contains!r} in message {self.message_id}; "
            f"buttons: {self.buttons()!r}"
        )


@dataclass
class Chat:
    """A chat: private (its id is its user's) or a group."""

    id: int
    type: str
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    title: str | None = None
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass
class StoredFile:
    """A file sent by a user or the bot, downloadable at ``file_path``."""

    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    content: bytes
    file_path: str
