"""A message's text and entities as the HTML the page shows, escaped as Telegram renders it."""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from bot.web.botapi import JSONDict

TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
}
LINK_SCHEMES = ("http", "https", "mailto", "tg")


def safe_url(url: str) -> str | None:
    """The URL if a click on it can only navigate (no javascript: and the like)."""
    scheme = urlsplit(url.strip()).scheme.lower()
    return url.strip() if scheme in LINK_SCHEMES else None


def _open_tag(entity: JSONDict, text: str) -> tuple[str, str]:
    kind = str(entity.get("type", ""))
    if kind in TAGS:
        return TAGS[kind]
    url: str | None = None
    if kind == "text_link":
        url = safe_url(str(entity.get("url", "")))
    elif kind == "url":
        url = safe_url(text if "://" in text else f"https://{text}")
    if url is None:
        return "", ""
    return f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">', "</a>"


def to_html(text: str, entities: list[JSONDict]) -> str:
    """`text` escaped, with its entities (offsets in UTF-16 code units) as nested tags; an
    entity that overlaps another without nesting is closed and opened again around it."""
    units: list[int] = []  # the UTF-16 offset where each character starts
    offset = 0
    for char in text:
        units.append(offset)
        offset += 2 if ord(char) > 0xFFFF else 1
    units.append(offset)
    spans = sorted(
        (
            (int(e.get("offset", 0)), int(e.get("offset", 0)) + int(e.get("length", 0)), e)
            for e in entities
            if int(e.get("length", 0)) > 0
        ),
        key=lambda span: (span[0], -span[1]),
    )
    tags = {id(e): _open_tag(e, _slice(text, units, start, end)) for start, end, e in spans}
    out: list[str] = []
    open_spans: list[tuple[int, int, JSONDict]] = []
    pending = list(spans)
    for index, char_offset in enumerate(units):
        closing = [s for s in open_spans if s[1] <= char_offset]
        if closing:
            reopen = []
            while closing:
                span = open_spans.pop()
                out.append(tags[id(span[2])][1])
                if span in closing:
                    closing.remove(span)
                else:
                    reopen.append(span)
            for span in reversed(reopen):
                open_spans.append(span)
                out.append(tags[id(span[2])][0])
        while pending and pending[0][0] <= char_offset:
            span = pending.pop(0)
            if span[1] > char_offset:
                open_spans.append(span)
                out.append(tags[id(span[2])][0])
        if index < len(text):
            out.append(escape(text[index], quote=False))
    for span in reversed(open_spans):
        out.append(tags[id(span[2])][1])
    return "".join(out)


def _slice(text: str, units: list[int], start: int, end: int) -> str:
    chars = [i for i, unit in enumerate(units[:-1]) if start <= unit < end]
    return text[chars[0] : chars[-1] + 1] if chars else ""
