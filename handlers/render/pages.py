"""Paging for every list on a screen: one page of items and its ◀️ / ▶️ buttons.

Telegram refuses a keyboard of more than 100 buttons, and a phone shows about eight rows
without scrolling, so no screen lists user data (accounts, rules, connections, search hits)
without going through `paged()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import InlineKeyboardButton

from bot.i18n import t
from handlers import callbacks as cb

MAX_BUTTONS = 100
"""Telegram's limit for one inline keyboard, every row together."""
ROWS = 8
"""Rows of items on one screen, besides its navigation and action rows."""

T = TypeVar("T")
ToPage = Callable[[int], cb.Button]
"""The button that shows a given page (0-based) of the same list."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """The items of one page, where they sit in the whole list, and the way to its neighbours."""

    items: tuple[T, ...]
    number: int
    count: int
    first: int
    prev: InlineKeyboardButton | None = None
    next: InlineKeyboardButton | None = None

    @property
    def nav(self) -> list[InlineKeyboardButton]:
        """◀️ and ▶️ where there is a page before or after; empty on a single page."""
        return self.around()

    def around(self, *middle: InlineKeyboardButton) -> list[InlineKeyboardButton]:
        """One row: ◀️, then `middle` (a Back button, say), then ▶️."""
        return [
            *([self.prev] if self.prev else []),
            *middle,
            *([self.next] if self.next else []),
        ]

    def caption(self, lang: str) -> str:
        """ "Page 2/5", or nothing when everything fits on one page."""
        return (
            t(lang, "list.page", page=self.number + 1, pages=self.count) if self.count > 1 else ""
        )


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def clamp(page: int, count: int) -> int:
    """A page from a button is user input: one past the end (the list shrank) is the last."""
    return min(max(page, 0), count - 1)


def paged(items: Sequence[T], page: int, size: int, to_page: ToPage, lang: str) -> Page[T]:
    """Page `page` of `items`, `size` a page; a page out of range shows the nearest one."""
    if size < 1:
        raise ValueError("a page holds at least one item")
    count = page_count(len(items), size)
    number = clamp(page, count)
    first = number * size
    prev, following = nav_buttons(number, count, to_page, lang)
    return Page(tuple(items[first : first + size]), number, count, first, prev, following)


def capped(items: Sequence[T], size: int) -> tuple[tuple[T, ...], int]:
    """The first `size` items and how many were left out: for lists a screen cannot page
    (a progress message being edited) or shows as text only, with a "… and 3 more" line."""
    return tuple(items[:size]), max(len(items) - size, 0)


def nav_buttons(
    number: int, count: int, to_page: ToPage, lang: str
) -> tuple[InlineKeyboardButton | None, InlineKeyboardButton | None]:
    """◀️ and ▶️ for a list a service pages itself (the digest): None where there is no page."""
    prev = _button(t(lang, "btn.prev"), to_page(number - 1)) if number > 0 else None
    following = _button(t(lang, "btn.next"), to_page(number + 1)) if number + 1 < count else None
    return prev, following


def _button(label: str, value: cb.Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=value.pack())
