"""Telegram's text formatting: HTML parse mode to plain text and entities, UTF-16 offsets.

The bot sends HTML only, so HTML is the one parse mode understood; entities sent as such are
kept. Errors read like Telegram's ("can't parse entities: ...").
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

from bot.web.botapi.errors import JSONDict, bad_request


class ParseError(Exception):
    """A parse-mode error; its text follows "can't parse entities: " in Telegram's answer."""


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


MAX_CAPTION = 1024


def caption_of(params: JSONDict) -> tuple[str | None, list[JSONDict]]:
    """A document's or photo's caption and its entities, as Telegram reads them (none when
    the call gives no caption)."""
    if not params.get("caption"):
        return None, []
    return format_text(
        params.get("caption"),
        params.get("parse_mode"),
        params.get("caption_entities"),
        limit=MAX_CAPTION,
        caption=True,
    )


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


def command_entities(text: str) -> list[JSONDict]:
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
