"""A local Telegram Bot API stand-in: an aiohttp server that answers like Telegram, for tests.

The real python-telegram-bot ``Application`` (in-process) or the real bot (``python -m bot``
with ``TELEGRAM_API_URL`` pointing here) talks to it unchanged, while the test plays users
(texts, commands, button presses, uploads) and reads what the bot showed.

All state lives in the event loop that called :meth:`BotApiStandIn.start`; use the stand-in
from that loop only, and never block it (use ``asyncio.create_subprocess_exec``, not
``subprocess.run``, to drive a bot in a child process).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
import json
import mimetypes
import re
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
from aiohttp import web
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

__all__ = [
    "BotApiStandIn",
    "FakeUser",
    "StoredMessage",
    "running",
]

T = TypeVar("T")
B = TypeVar("B", bound="ApplicationBuilder[Any, Any, Any, Any, Any, Any]")
JSONDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_BUTTONS = 100
MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_CALLBACK_ANSWER = 200
POLL_STEP = 0.02

QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

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
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "file_id",
        "language_code",
        "action",
        "name",
        "description",
        "short_description",
        "title",
        "query",
        "emoji",
        "business_connection_id",
        "message_effect_id",
    }
)
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "message_ids",
    }
)
INT_RE = re.compile(r"-?\d+")
STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Request Entity Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ResponseParameters."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


# --------------------------------------------------------------------------- formatting


class ParseError(Exception):
    pass


@dataclass
class _Entity:
    type: str
    start: int
    end: int
    extra: JSONDict = field(default_factory=dict)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _utf16_prefix(text: str) -> list[int]:
    """UTF-16 offset of every code point index (and of the end)."""
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + (2 if ord(char) > 0xFFFF else 1))
    return offsets


_HTML_ENTITY_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def _html_entity(text: str, index: int) -> tuple[str, int] | None:
    match = _HTML_ENTITY_RE.match(text, index)
    if match is None:
        return None
    name = match.group(1)
    if name in _HTML_NAMED:
        return _HTML_NAMED[name], match.end() - index
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end() - index


def _html_unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        decoded = _html_entity(text, i) if text[i] == "&" else None
        if decoded is None:
            out.append(text[i])
            i += 1
        else:
            out.append(decoded[0])
            i += decoded[1]
    return "".join(out)


def parse_html(source: str) -> tuple[str, list[_Entity]]:
    """Telegram's HTML parse mode (after tdlib): text without tags, and entities."""
    out: list[str] = []
    size = 0
    stack: list[tuple[str, dict[str, str], int]] = []
    entities: list[_Entity] = []
    n = len(source)
    i = 0

    while i < n:
        char = source[i]
        if char == "&":
            decoded = _html_entity(source, i)
            if decoded is not None:
                out.append(decoded[0])
                size += len(decoded[0])
                i += decoded[1]
                continue
        if char != "<":
            out.append(char)
            size += 1
            i += 1
            continue
        begin = i
        offset = _byte_offset(source, begin)
        i += 1
        if i < n and source[i] == "/":
            if not stack:
                raise ParseError(f"Unexpected end tag at byte offset {offset}")
            i += 1
            j = i
            while j < n and not source[j].isspace() and source[j] != ">":
                j += 1
            name = source[i:j].lower()
            expected = stack[-1][0]
            if name and name != expected:
                raise ParseError(
                    f'Unmatched end tag at byte offset {offset}, expected "</{expected}>", '
                    f'found "</{name}>"'
                )
            while j < n and source[j].isspace():
                j += 1
            if j >= n or source[j] != ">":
                raise ParseError(f"Unclosed end tag at byte offset {offset}")
            i = j + 1
            closed, closed_attrs, start = stack.pop()
            entity = _html_entity_for(closed, closed_attrs, start, size, stack)
            if entity is not None:
                entities.append(entity)
            continue
        j = i
        while j < n and not source[j].isspace() and source[j] != ">":
            j += 1
        if j >= n:
            raise ParseError(f"Unclosed start tag at byte offset {offset}")
        tag = source[i:j].lower()
        if tag not in _HTML_TAGS:
            raise ParseError(f'Unsupported start tag "{tag}" at byte offset {offset}')
        attrs: dict[str, str] = {}
        i = j
        while True:
            while i < n and source[i].isspace():
                i += 1
            if i >= n:
                raise ParseError(f"Unclosed start tag at byte offset {offset}")
            if source[i] == ">":
                i += 1
                break
            k = i
            while k < n and (source[k].isalnum() or source[k] in "-_"):
                k += 1
            attr = source[i:k].lower()
            if not attr:
                raise ParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{_byte_offset(source, i)}"
                )
            i = k
            while i < n and source[i].isspace():
                i += 1
            if i < n and source[i] == "=":
                i += 1
                while i < n and source[i].isspace():
                    i += 1
                if i >= n:
                    raise ParseError(f"Unclosed start tag at byte offset {offset}")
                if source[i] in "\"'":
                    close = source.find(source[i], i + 1)
                    if close < 0:
                        raise ParseError(f"Unclosed start tag at byte offset {offset}")
                    value = source[i + 1 : close]
                    i = close + 1
                else:
                    k = i
                    while k < n and not source[k].isspace() and source[k] != ">":
                        k += 1
                    value = source[i:k]
                    i = k
                attrs[attr] = _html_unescape(value)
            else:
                attrs[attr] = ""
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise ParseError('Tag "span" must have class "tg-spoiler"')
        if tag == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise ParseError("Custom emoji entity must contain a valid custom emoji identifier")
        stack.append((tag, attrs, size))
    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), entities


def _html_entity_for(
    tag: str,
    attrs: dict[str, str],
    start: int,
    end: int,
    stack: list[tuple[str, dict[str, str], int]],
) -> _Entity | None:
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][1]["\0language"] = language.removeprefix("language-")
        return None
    if end <= start:
        return None
    kind = _HTML_TAGS[tag]
    extra: JSONDict = {}
    if tag == "a":
        url = attrs.get("href", "")
        if not url:
            return None
        extra["url"] = url
    elif tag == "pre" and attrs.get("\0language"):
        extra["language"] = attrs["\0language"]
    elif tag == "blockquote" and "expandable" in attrs:
        kind = "expandable_blockquote"
    elif tag == "tg-emoji":
        extra["custom_emoji_id"] = attrs["emoji-id"]
    return _Entity(kind, start, end, extra)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
}
_MDV2_TYPES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _md_unescape(text: str) -> str:
    return re.sub(r"\\([\x01-\x7e])", r"\1", text)


def parse_markdown_v2(source: str) -> tuple[str, list[_Entity]]:
    """Telegram's MarkdownV2, including its reserved-character errors."""
    out: list[str] = []
    size = 0
    stack: list[tuple[str, int, int]] = []
    entities: list[_Entity] = []
    quote_start: int | None = None
    n = len(source)
    i = 0
    while i < n:
        char = source[i]
        at_line_start = i == 0 or source[i - 1] == "\n"
        if at_line_start and quote_start is not None and char != ">":
            entities.append(_Entity("blockquote", quote_start, max(quote_start, size - 1)))
            quote_start = None
        if char == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            out.append(source[i + 1])
            size += 1
            i += 2
            continue
        if char not in _MDV2_RESERVED:
            out.append(char)
            size += 1
            i += 1
            continue
        offset = _byte_offset(source, i)
        if char == ">" and at_line_start:
            if quote_start is None:
                quote_start = size
            i += 1
            continue
        if char == "`":
            fence = "```" if source.startswith("```", i) else "`"
            close = _find_unescaped(source, fence, i + len(fence))
            if close < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise ParseError(f"Can't find end of {kind} entity at byte offset {offset}")
            body = source[i + len(fence) : close]
            extra: JSONDict = {}
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and not any(c.isspace() for c in first):
                    extra["language"] = first
                    body = rest
            content = _md_unescape(body)
            out.append(content)
            if content:
                entities.append(
                    _Entity("pre" if fence == "```" else "code", size, size + len(content), extra)
                )
            size += len(content)
            i = close + len(fence)
            continue
        if char == "[":
            stack.append(("[", size, i))
            i += 1
            continue
        if char == "]" and stack and stack[-1][0] == "[":
            _, start, _ = stack.pop()
            i += 1
            if i < n and source[i] == "(":
                close = _find_unescaped(source, ")", i + 1)
                if close < 0:
                    raise ParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(source, i)}"
                    )
                url = _md_unescape(source[i + 1 : close])
                if url and size > start:
                    entities.append(_Entity("text_link", start, size, {"url": url}))
                i = close + 1
            continue
        marker = ""
        if char in "*~":
            marker = char
        elif char == "_":
            marker = "__" if source.startswith("__", i) else "_"
        elif char == "|" and source.startswith("||", i):
            marker = "||"
        if not marker:
            raise ParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        if stack and stack[-1][0] == marker:
            _, start, _ = stack.pop()
            if size > start:
                entities.append(_Entity(_MDV2_TYPES[marker], start, size))
        else:
            stack.append((marker, size, i))
        i += len(marker)
    if quote_start is not None:
        entities.append(_Entity("blockquote", quote_start, size))
    if stack:
        marker, _, begin = stack[-1]
        raise ParseError(
            f"Can't find end of {_MDV2_NAMES[marker]} entity at byte offset "
            f"{_byte_offset(source, begin)}"
        )
    return "".join(out), entities


def parse_markdown(source: str) -> tuple[str, list[_Entity]]:
    """Telegram's legacy Markdown parse mode."""
    out: list[str] = []
    size = 0
    entities: list[_Entity] = []
    n = len(source)
    i = 0
    kinds = {"*": "bold", "_": "italic"}
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            size += 1
            i += 2
            continue
        if char not in "*_`[":
            out.append(char)
            size += 1
            i += 1
            continue
        missing = ParseError(
            f"Can't find end of the entity starting at byte offset {_byte_offset(source, i)}"
        )
        if char == "[":
            close = source.find("]", i + 1)
            if close < 0:
                raise missing
            label = source[i + 1 : close]
            i = close + 1
            url = ""
            if i < n and source[i] == "(":
                end = source.find(")", i + 1)
                if end < 0:
                    raise missing
                url = source[i + 1 : end]
                i = end + 1
            out.append(label)
            if url and label:
                entities.append(_Entity("text_link", size, size + len(label), {"url": url}))
            size += len(label)
            continue
        fence = "```" if source.startswith("```", i) else char
        close = source.find(fence, i + len(fence))
        if close < 0:
            raise missing
        body = source[i + len(fence) : close]
        extra: JSONDict = {}
        if fence == "```" and "\n" in body:
            first, rest = body.split("\n", 1)
            if first and not any(c.isspace() for c in first):
                extra["language"] = first
                body = rest
        kind = "pre" if fence == "```" else kinds.get(char, "code")
        out.append(body)
        if body:
            entities.append(_Entity(kind, size, size + len(body), extra))
        size += len(body)
        i = close + len(fence)
    return "".join(out), entities


def _strip(text: str, entities: list[_Entity]) -> tuple[str, list[_Entity]]:
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    kept: list[_Entity] = []
    for entity in entities:
        start = min(max(entity.start - lead, 0), len(stripped))
        end = min(max(entity.end - lead, 0), len(stripped))
        if end > start:
            kept.append(_Entity(entity.type, start, end, entity.extra))
    kept.sort(key=lambda e: (e.start, -e.end))
    return stripped, kept


def _entities_to_api(text: str, entities: list[_Entity]) -> list[JSONDict]:
    offsets = _utf16_prefix(text)
    return [
        {
            "type": e.type,
            "offset": offsets[e.start],
            "length": offsets[e.end] - offsets[e.start],
            **e.extra,
        }
        for e in entities
    ]


def _entities_from_api(text: str, raw: object) -> list[_Entity]:
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    offsets = _utf16_prefix(text)
    entities: list[_Entity] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or length < 0:
            raise bad_request("can't parse MessageEntity: wrong offset or length")
        start = bisect.bisect_left(offsets, offset)
        end = bisect.bisect_left(offsets, offset + length)
        extra = {k: v for k, v in item.items() if k not in ("type", "offset", "length")}
        if end > start:
            entities.append(_Entity(item["type"], start, min(end, len(text)), extra))
    return entities


def format_text(
    raw: object,
    parse_mode: object,
    entities: object,
    *,
    limit: int,
    caption: bool = False,
) -> tuple[str, list[JSONDict]]:
    """Parse text like Telegram: apply parse_mode/entities, strip, check length."""
    empty = "message caption is empty" if caption else "message text is empty"
    if raw is None or raw == "":
        raise bad_request(empty)
    source = raw if isinstance(raw, str) else json.dumps(raw)
    mode = parse_mode.lower() if isinstance(parse_mode, str) else ""
    try:
        if entities is not None:
            text, parsed = source, _entities_from_api(source, entities)
        elif mode == "":
            text, parsed = source, []
        elif mode == "html":
            text, parsed = parse_html(source)
        elif mode == "markdownv2":
            text, parsed = parse_markdown_v2(source)
        elif mode == "markdown":
            text, parsed = parse_markdown(source)
        else:
            raise bad_request("unsupported parse_mode")
    except ParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    text, parsed = _strip(text, parsed)
    if not text:
        raise bad_request(empty)
    if len(text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return text, _entities_to_api(text, parsed)


def _command_entities(text: str) -> list[JSONDict]:
    offsets = _utf16_prefix(text)
    return [
        {
            "type": "bot_command",
            "offset": offsets[m.start()],
            "length": offsets[m.end()] - offsets[m.start()],
        }
        for m in re.finditer(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w@/])", text)
    ]


# --------------------------------------------------------------------------- keyboards


def validate_markup(raw: object, *, inline_only: bool = False) -> JSONDict | None:
    """Check a reply_markup like Telegram; returns it, or None when it shows no keyboard."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if not raw.keys() & {"inline_keyboard", "keyboard", "remove_keyboard", "force_reply"}:
        return None
    if "inline_keyboard" in raw:
        rows = raw["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
            )
        buttons = [b for row in rows for b in row]
        if len(buttons) > MAX_BUTTONS:
            raise bad_request("too many buttons")
        for button in buttons:
            _validate_inline_button(button)
        if not buttons:
            return None
        return {"inline_keyboard": [row for row in rows if row]}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        if sum(len(r) for r in rows) > 300:
            raise bad_request("too many buttons")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else None
                if isinstance(button, dict) and isinstance(button.get("text"), str):
                    text = button["text"]
                if not text:
                    raise bad_request("can't parse keyboard button: Text must be non-empty")
        return raw
    if raw.get("remove_keyboard") is True or raw.get("force_reply") is True:
        return raw
    return None


def _validate_inline_button(button: object) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [a for a in INLINE_BUTTON_ACTIONS if button.get(a) is not None]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None and (
        not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (
        not isinstance(url, str)
        or not url
        or any(c.isspace() for c in url)
        or not re.match(r"^(https?://|tg://)?[^/:]+", url)
    ):
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user the test plays."""

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
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    raw_text: str | None = None
    caption: str | None = None
    caption_entities: list[JSONDict] = field(default_factory=list)
    document_content: bytes | None = None
    from_id: int = 0
    date: int = 0
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    history: list[str | None] = field(default_factory=list)
    seq: int = 0

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
class _Chat:
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
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    content: bytes
    file_path: str


@dataclass
class _Upload:
    filename: str
    content: bytes
    mime_type: str


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    ip_address: str | None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class _Described:
    result: Any
    description: str


Handler = Callable[[JSONDict], Any]


def _now() -> int:
    return int(time.time())


def _normalize(name: str, value: Any) -> Any:
    if name in JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            if name == "reply_markup":
                raise bad_request("can't parse reply keyboard markup JSON object") from None
            raise bad_request(f"can't parse {name} JSON object") from None
    if isinstance(value, str) and name not in STRING_PARAMS and INT_RE.fullmatch(value):
        return int(value)
    return value


def _decode_form(name: str, value: str) -> Any:
    if name in STRING_PARAMS:
        return value
    if value in ("true", "True"):
        return True
    if value in ("false", "False"):
        return False
    if name not in JSON_PARAMS and value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return _normalize(name, value)


def _recorded(params: JSONDict) -> JSONDict:
    return {
        key: (
            {"filename": v.filename, "mime_type": v.mime_type, "size": len(v.content)}
            if isinstance(v, _Upload)
            else v
        )
        for key, v in params.items()
    }


def _bool(params: JSONDict, name: str) -> bool:
    return params.get(name) in (True, "true", "True", 1, "1")


def _int(params: JSONDict, name: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if isinstance(value, bool) or value is None:
        raise bad_request(f"{name} is empty" if value is None else f"wrong {name} specified")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and INT_RE.fullmatch(value.strip()):
        return int(value)
    raise bad_request(f"wrong {name} specified")


# --------------------------------------------------------------------------- the server


class BotApiStandIn:
    """A local Telegram Bot API: start it, point the bot at ``url``, play users, read chats."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "PointageTestBot",
        bot_first_name: str = "Pointage",
        group_privacy: bool = True,
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
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._blocked: set[int] = set()
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
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
        self._webhook: _Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "sendDocument": self._send_document,
                "sendChatAction": self._send_chat_action,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "deleteMessages": self._delete_messages,
                "answerCallbackQuery": self._answer_callback_query,
                "getFile": self._get_file,
                "getChat": self._get_chat,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyName": self._bot_text_setter("name"),
                "getMyName": self._bot_text_getter("name"),
                "setMyDescription": self._bot_text_setter("description"),
                "getMyDescription": self._bot_text_getter("description"),
                "setMyShortDescription": self._bot_text_setter("short_description"),
                "getMyShortDescription": self._bot_text_getter("short_description"),
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._route)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0][1] if self._runner.addresses else port
        self.url = f"http://{host}:{bound}"
        self._stopping = False

    async def stop(self) -> None:
        self._stopping = True
        self._wake()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def configure(self, builder: B) -> B:
        """Point an ``ApplicationBuilder`` at this stand-in (token and both base URLs)."""
        return (
            builder.token(self.token)
            .base_url(f"{self.url}/bot")
            .base_file_url(f"{self.url}/file/bot")
        )

    def bot(self) -> Bot:
        """A plain ``telegram.Bot`` talking to this stand-in (use ``async with``)."""
        return Bot(self.token, base_url=f"{self.url}/bot", base_file_url=f"{self.url}/file/bot")

    @property
    def env(self) -> dict[str, str]:
        """Environment variables for a bot subprocess."""
        return {"TELEGRAM_API_URL": self.url, "TELEGRAM_BOT_TOKEN": self.token}

    # ------------------------------------------------------------------ playing users

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
            self._chats[user_id] = _Chat(user_id, "private", first_name, last_name, username)
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
            chat, from_bot=False, from_id=user.id, text=text, entities=_command_entities(text)
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
            caption_entities=_command_entities(caption) if caption else [],
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

    # ------------------------------------------------------------------ reading

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

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        description: str | None = None,
    ) -> None:
        """The next call to ``method`` fails with ``status`` (calls queue up: one per call)."""
        parameters: JSONDict | None = None
        if status == 429:
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or STATUS_TEXT.get(status, "Error")
        self._failures.setdefault(method.lower(), []).append(
            ApiError(status, description, parameters)
        )

    # ------------------------------------------------------------------ internals: state

    def _wake(self) -> None:
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

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

    def _user_chat(self, user: FakeUser, chat_id: int | None, chat_type: str) -> _Chat:
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
            chat = _Chat(chat_id, chat_type, title=f"Group {abs(chat_id)}")
            self._chats[chat_id] = chat
        return chat

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
                "date": _now(),
                "old_chat_member": {"status": old, "user": me},
                "new_chat_member": {"status": new, "user": me}
                | ({"until_date": 0} if new == "kicked" else {}),
            },
        )

    def _new_message(
        self,
        chat: _Chat,
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
            date=_now(),
            seq=self._next_seq(),
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        return message

    def _store_file(self, filename: str, content: bytes, mime_type: str) -> _StoredFile:
        number = next(self._file_ids)
        suffix = filename.rsplit(".", 1)[1] if "." in filename else ""
        path = f"documents/file_{number}" + (f".{suffix}" if suffix else "")
        stored = _StoredFile(
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
    def _document_api(stored: _StoredFile) -> JSONDict:
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
        if m.caption is not None:
            data["caption"] = m.caption
            if m.caption_entities:
                data["caption_entities"] = m.caption_entities
        if m.inline_markup is not None:
            data["reply_markup"] = m.inline_markup
        return data

    # ------------------------------------------------------------------ internals: HTTP

    async def _route(self, request: web.Request) -> web.StreamResponse:
        match = re.fullmatch(r"/bot([^/]*)/([^/]+)/?", request.path)
        if match is not None:
            return await self._api_call(request, match.group(1), match.group(2))
        match = re.fullmatch(r"/file/bot([^/]*)/(.+)", request.path)
        if match is not None:
            return self._download(match.group(1), match.group(2))
        return self._error(ApiError(404, "Not Found"))

    @staticmethod
    def _error(error: ApiError) -> web.Response:
        return web.json_response(error.payload(), status=error.status)

    async def _api_call(self, request: web.Request, token: str, method: str) -> web.Response:
        if token != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        try:
            params = await self._read_params(request)
        except ApiError as error:
            self.calls.append((name, {}))
            return self._error(error)
        self.calls.append((name, _recorded(params)))
        if entry is None:
            return self._error(ApiError(404, "Not Found"))
        failures = self._failures.get(name.lower())
        if failures:
            return self._error(failures.pop(0))
        try:
            if name == "getUpdates":
                result = await self._get_updates(params, request)
            else:
                result = entry[1](params)
        except ApiError as error:
            return self._error(error)
        body: JSONDict = {"ok": True}
        if isinstance(result, _Described):
            body["result"] = result.result
            body["description"] = result.description
        else:
            body["result"] = result
        return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _read_params(self, request: web.Request) -> JSONDict:
        params: JSONDict = {k: _decode_form(k, v) for k, v in request.query.items()}
        if request.method != "POST" or not request.can_read_body:
            return params
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update({k: _normalize(k, v) for k, v in body.items() if v is not None})
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = _Upload(
                    filename=value.filename or key,
                    content=value.file.read(),
                    mime_type=value.content_type or "application/octet-stream",
                )
            elif isinstance(value, bytes | bytearray):
                params[key] = _decode_form(key, value.decode("utf-8", "replace"))
            else:
                params[key] = _decode_form(key, value)
        return params

    def _download(self, token: str, path: str) -> web.Response:
        if token != self.token:
            return self._error(ApiError(401, "Unauthorized"))
        stored = self._files_by_path.get(path)
        if stored is None:
            return self._error(ApiError(404, "Not Found"))
        return web.Response(body=stored.content, content_type=stored.mime_type)

    # ------------------------------------------------------------------ internals: helpers

    def _chat(self, params: JSONDict, *, sending: bool = False) -> _Chat:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        chat: _Chat | None = None
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
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _target_message(self, params: JSONDict, missing: str) -> StoredMessage:
        if params.get("inline_message_id"):
            raise bad_request(missing)
        chat = self._chat(params)
        message_id = _int(params, "message_id")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    def _reply_to(self, chat: _Chat, params: JSONDict) -> int | None:
        reply = params.get("reply_parameters")
        allow = _bool(params, "allow_sending_without_reply")
        target: Any = params.get("reply_to_message_id")
        if isinstance(reply, dict):
            target = reply.get("message_id")
            allow = allow or bool(reply.get("allow_sending_without_reply"))
        if target is None:
            return None
        found = chat.messages.get(_int({"message_id": target}, "message_id"))
        if found is None or found.deleted:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return found.message_id

    def _touch(self, message: StoredMessage) -> None:
        message.history.append(message.shown_text)
        message.edits += 1
        message.edit_date = _now()
        message.seq = self._next_seq()

    # ------------------------------------------------------------------ methods

    def _true(self, params: JSONDict) -> bool:
        return True

    def _get_me(self, params: JSONDict) -> JSONDict:
        return self._me() | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_allowed(self, params: JSONDict) -> None:
        allowed = params.get("allowed_updates")
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        self._allowed = frozenset(allowed) & frozenset(UPDATE_TYPES) or DEFAULT_UPDATE_TYPES

    async def _get_updates(
        self, params: JSONDict, request: web.Request | None = None
    ) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = _int(params, "offset", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        try:
            timeout = max(float(params.get("timeout") or 0), 0.0)
        except (TypeError, ValueError):
            raise bad_request("wrong timeout specified") from None
        self._set_allowed(params)
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        self._polling += 1
        try:
            return await self._poll(generation, limit, deadline, request)
        finally:
            self._polling -= 1

    async def _poll(
        self, generation: int, limit: int, deadline: float, request: web.Request | None
    ) -> list[JSONDict]:
        loop = asyncio.get_running_loop()
        while True:
            if generation != self._poll_generation:
                if self._webhook is not None:
                    raise ApiError(409, "Conflict: terminated by setWebhook request")
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._updates:
                return self._updates[:limit]
            remaining = deadline - loop.time()
            if self._stopping or remaining <= 0:
                return []
            if request is not None and (
                request.transport is None or request.transport.is_closing()
            ):
                return []
            event = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 1.0))

    def _set_webhook(self, params: JSONDict) -> _Described:
        url = params.get("url") or ""
        if not isinstance(url, str):
            raise bad_request("bad webhook: Wrong HTTP URL")
        if not url:
            return self._delete_webhook(params)
        if not re.match(r"^https?://[^/\s]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        self._set_allowed(params)
        already = self._webhook is not None and self._webhook.url == url
        self._webhook = _Webhook(
            url=url,
            secret_token=str(secret) if secret is not None else None,
            max_connections=_int(params, "max_connections", 40),
            ip_address=params.get("ip_address"),
        )
        self._poll_generation += 1
        self._wake()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._push_updates())
        return _Described(True, "Webhook is already set" if already else "Webhook was set")

    def _delete_webhook(self, params: JSONDict) -> _Described:
        if _bool(params, "drop_pending_updates"):
            self._updates.clear()
        existed = self._webhook is not None
        self._webhook = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return _Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        hook = self._webhook
        if hook is not None:
            info["url"] = hook.url
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if self._allowed != DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = sorted(self._allowed)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _push_updates(self) -> None:
        delay = 0.05
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        while not self._stopping and self._webhook is not None:
            hook = self._webhook
            if not self._updates:
                await self._wakeup.wait()
                continue
            update = self._updates[0]
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            error: str | None = None
            try:
                async with self._session.post(
                    hook.url, data=json.dumps(update, ensure_ascii=False), headers=headers
                ) as response:
                    await response.read()
                    if not 200 <= response.status < 300:
                        status = f"{response.status} {response.reason}"
                        error = f"Wrong response from the webhook: {status}"
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                error = f"Connection failed: {exc.__class__.__name__}"
            if error is None:
                self.webhook_deliveries.append(update)
                if self._updates and self._updates[0]["update_id"] == update["update_id"]:
                    self._updates.pop(0)
                delay = 0.05
            else:
                hook.last_error_date = _now()
                hook.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params, sending=True)
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), limit=MAX_TEXT
        )
        markup = validate_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        message = self._new_message(
            chat,
            from_bot=True,
            from_id=self.bot_id,
            text=text,
            entities=entities,
            raw_text=str(params.get("text")),
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._message_api(message)

    def _send_document(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params, sending=True)
        document = params.get("document")
        if isinstance(document, _Upload):
            if not document.content:
                raise bad_request("file must be non-empty")
            if len(document.content) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            mime = document.mime_type
            if mime == "application/octet-stream":
                mime = mimetypes.guess_type(document.filename)[0] or mime
            stored = self._store_file(document.filename, document.content, mime)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]
        elif isinstance(document, str) and document:
            raise bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise bad_request("there is no document in the request")
        caption: str | None = None
        caption_entities: list[JSONDict] = []
        if params.get("caption"):
            caption, caption_entities = format_text(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                limit=MAX_CAPTION,
                caption=True,
            )
        markup = validate_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        message = self._new_message(
            chat,
            from_bot=True,
            from_id=self.bot_id,
            text=None,
            document=self._document_api(stored),
            document_content=stored.content,
            caption=caption,
            caption_entities=caption_entities,
            raw_text=params.get("caption"),
            parse_mode=params.get("parse_mode") or None,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )
        return self._message_api(message)

    def _send_chat_action(self, params: JSONDict) -> bool:
        chat = self._chat(params, sending=True)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.chat_actions.append((chat.id, str(action)))
        return True

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        message = self._target_message(params, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = format_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), limit=MAX_TEXT
        )
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        if (text, entities, markup) == (message.text, message.entities, message.inline_markup):
            raise bad_request(NOT_MODIFIED)
        self._touch(message)
        message.text, message.entities = text, entities
        message.raw_text = str(params.get("text"))
        message.parse_mode = params.get("parse_mode") or None
        message.reply_markup = markup
        return self._message_api(message)

    def _edit_message_caption(self, params: JSONDict) -> JSONDict:
        message = self._target_message(params, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.document is None:
            raise bad_request("there is no caption in the message to edit")
        caption: str | None = None
        entities: list[JSONDict] = []
        if params.get("caption"):
            caption, entities = format_text(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                limit=MAX_CAPTION,
                caption=True,
            )
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        current = (message.caption, message.caption_entities, message.inline_markup)
        if (caption, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        self._touch(message)
        message.caption, message.caption_entities = caption, entities
        message.raw_text = params.get("caption")
        message.parse_mode = params.get("parse_mode") or None
        message.reply_markup = markup
        return self._message_api(message)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        message = self._target_message(params, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        markup = validate_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.inline_markup:
            raise bad_request(NOT_MODIFIED)
        self._touch(message)
        message.reply_markup = markup
        return self._message_api(message)

    def _delete_message(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        message = chat.messages.get(_int(params, "message_id"))
        if message is None or message.deleted:
            raise bad_request("message to delete not found")
        message.deleted = True
        message.seq = self._next_seq()
        return True

    def _delete_messages(self, params: JSONDict) -> bool:
        chat = self._chat(params)
        ids = params.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a non-empty list of at most 100 identifiers")
        for message_id in ids:
            message = chat.messages.get(int(message_id))
            if message is not None and not message.deleted:
                message.deleted = True
                message.seq = self._next_seq()
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._callbacks or self._callbacks[query_id] is not None:
            raise bad_request(QUERY_INVALID)
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self._callbacks[query_id] = {
            "text": text,
            "show_alert": _bool(params, "show_alert"),
            "url": params.get("url"),
            "cache_time": params.get("cache_time", 0),
        }
        return True

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._chat(params)
        return chat.to_api() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _scope_key(self, params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("chat", "chat_administrators", "chat_member"):
            if scope.get("chat_id") is None:
                raise bad_request("chat_id is empty")
            kind = f"{kind}:{scope['chat_id']}"
            if scope["type"] == "chat_member":
                kind += f":{scope.get('user_id')}"
        elif kind not in (
            "default",
            "all_private_chats",
            "all_group_chats",
            "all_chat_administrators",
        ):
            raise bad_request("wrong BotCommandScope type specified")
        return kind, self._language(params)

    @staticmethod
    def _language(params: JSONDict) -> str:
        language = params.get("language_code") or ""
        if not isinstance(language, str) or not re.fullmatch(r"([a-z]{2})?", language):
            raise bad_request("invalid language code specified")
        return language

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        cleaned: list[JSONDict] = []
        for item in commands:
            if not isinstance(item, dict):
                raise bad_request("can't parse BotCommand JSON object")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command, "description": description})
        key = self._scope_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self.commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _bot_text_setter(self, kind: str) -> Handler:
        def setter(params: JSONDict) -> bool:
            value = params.get(kind)
            key = (kind, self._language(params))
            if value:
                self.bot_texts[key] = str(value)
            else:
                self.bot_texts.pop(key, None)
            return True

        return setter

    def _bot_text_getter(self, kind: str) -> Handler:
        def getter(params: JSONDict) -> JSONDict:
            language = self._language(params)
            value = self.bot_texts.get((kind, language), self.bot_texts.get((kind, ""), ""))
            if kind == "name" and not value:
                value = self.bot_first_name
            return {kind: value}

        return getter

    def _set_chat_menu_button(self, params: JSONDict) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button JSON object")
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat(params).id if params.get("chat_id") is not None else None
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}


@contextlib.asynccontextmanager
async def running(
    app: Application[Any, Any, Any, Any, Any, Any],
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run ``app`` with long polling in this event loop for the duration of the block."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0)
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
