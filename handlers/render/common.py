"""What every screen is made of: the Screen value, escaping, buttons, keyboards, catalog text."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_time
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import LOCALES, day, has, t
from handlers import callbacks as cb
from handlers.render import pages

BUTTON_CHARS = 28
"""The hard cut of any label: the glossary's longest words (Demander sa prise en charge) fit."""
LABEL_CHARS = 24
"""A label built from data (an account's name, a bank's, a category's): what a phone shows
whole; such labels put their distinctive part (a number, a code) first."""


def escape(value: str) -> str:
    """For Telegram's HTML: <, > and & only; quotes stay readable ("d'entretien")."""
    return html.escape(value, quote=False)


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def short(label: str, limit: int = BUTTON_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


class Keyboard(InlineKeyboardMarkup):
    """PTB's keyboard, serialized directly: the generic TelegramObject.to_dict walk costs
    more than the rest of a digest redraw. Buttons here carry a callback or a link only."""

    __slots__ = ()

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        return {"inline_keyboard": [[_button_dict(b) for b in row] for row in self.inline_keyboard]}


def _button_dict(b: InlineKeyboardButton) -> dict[str, Any]:
    if b.url is not None:
        return {"text": b.text, "url": b.url}
    return {"text": b.text, "callback_data": b.callback_data}


def button(label: str, value: cb.Button) -> InlineKeyboardButton:
    return _button(short(label), value.pack())


@lru_cache(maxsize=4096)
def _button(label: str, data: str) -> InlineKeyboardButton:
    """Buttons are immutable; a redraw after a press reuses nearly all of the last ones."""
    return InlineKeyboardButton(label, callback_data=data)


def rows(buttons: Sequence[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def text(lang: str, key: str, **values: object) -> str:
    """A catalog message whose values are HTML-escaped first (an int stays one: it may be the
    count a plural message takes its form from)."""
    return t(
        lang, key, **{k: v if isinstance(v, int) else escape(str(v)) for k, v in values.items()}
    )


def with_caption(body: str, page: pages.Page[Any], lang: str) -> str:
    """`body`, then "Page 2/5" under it when the list runs to more than one page."""
    caption = page.caption(lang)
    return f"{body}\n\n{caption}" if caption else body


def plain(key: str, lang: str, **values: object) -> Screen:
    return Screen(text(lang, key, **values))


def with_retry(screen: Screen, retry: cb.Button, lang: str, *more: InlineKeyboardButton) -> Screen:
    """The same words with a "Try again" button first (a bank that did not answer)."""
    return Screen(screen.text, Keyboard([[button(t(lang, "btn.retry"), retry), *more]]))


def prompt(key: str, back: cb.Button, lang: str) -> Screen:
    return Screen(t(lang, key), Keyboard([[button(t(lang, "btn.back"), back)]]))


def when(moment: datetime, timezone: str, now: datetime, lang: str) -> str:
    """ "today at 14:05" or "27 Nov 2026 at 03:10", in the user's time zone."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    clock = format_time(local, format="short", tzinfo=zone, locale=LOCALES.get(lang, "en_GB"))
    if local.date() == now.astimezone(zone).date():
        return t(lang, "when.today", time=clock)
    return t(lang, "when.day", day=day(local.date(), lang), time=clock)


def reason(code: str | None, lang: str) -> str:
    key = f"reason.{code}"
    return t(lang, key if has(lang, key) else "reason.other")
