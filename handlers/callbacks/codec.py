"""The one callback-data codec: typed, versioned button values of at most 64 bytes.

A value is `<version><tag>:<field>:<field>…` (`<version><tag>` for a kind with no field).
Buttons carry ids, never secrets; the service re-checks that the pressing user owns what an
id names. A field is an `int` (its
range in RANGES, by name), a `bool` (0 or 1), an IntEnum (its members), or a short `str`.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from enum import IntEnum
from functools import lru_cache
from typing import ClassVar, TypeVar

VERSION = "2"
"""Bumped when a field changes meaning; a button of another version is answered as stale."""
MAX_BYTES = 64
_FIELD = re.compile(r"[A-Za-z0-9_-]{1,40}")
_DIGITS = re.compile(r"0|[1-9][0-9]*")
"""A number as pack() writes it: ASCII digits, no sign, no leading zero."""

_ID = range(1, 2**31)
"""A row id: primary keys are Integer columns, 32 bits on PostgreSQL."""
_MOMENT = range(946_684_800, 4_102_444_800)
"""Seconds since the epoch from 2000-01-01 to 2100-01-01: any datetime can hold them."""
_POSITION = range(100_000)
"""A page, or a place in a short list on screen."""
RANGES: dict[str, range] = {
    "line": _ID,
    "account": _ID,
    "rule": _ID,
    "ledger": _ID,
    "connection": _ID,
    "anchor": _MOMENT,
    "asked": _MOMENT,
    "page": _POSITION,
    "index": _POSITION,
    "results": _POSITION,
    "amount": range(10**13),
}
"""The values each int field may take; any other is forged and never reaches a service."""


class BadButton(ValueError):
    """A forged, stale or unknown button; handlers answer it politely and change nothing."""


@dataclass(frozen=True, slots=True)
class Button:
    tag: ClassVar[str]

    def pack(self) -> str:
        values = []
        for name, kind in _fields(type(self)):
            value = getattr(self, name)
            if kind is bool or isinstance(value, IntEnum):
                text = str(int(value))
            else:
                text = str(value)
                if kind is not int and not _FIELD.fullmatch(text):
                    raise ValueError(f"field {text!r} cannot go in a button")
            values.append(text)
        data = f"{VERSION}{self.tag}" + "".join(f":{value}" for value in values)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data}")
        return data


_FIELDS: dict[type[Button], tuple[tuple[str, type], ...]] = {}


def _fields(kind: type[Button]) -> tuple[tuple[str, type], ...]:
    """Each field's name and type (int, bool, str or an IntEnum), resolved once per kind."""
    found = _FIELDS.get(kind)
    if found is None:
        hints = typing.get_type_hints(kind)
        found = _FIELDS[kind] = tuple((f.name, hints[f.name]) for f in fields(kind))
    return found


def number_ranges(kind: type[Button]) -> dict[str, range]:
    """The values each numeric field of `kind` may carry, as written in the data."""
    known = _RANGES_OF.get(kind)
    if known is not None:
        return known
    found: dict[str, range] = {}
    for name, field_type in _fields(kind):
        if field_type is bool:
            found[name] = range(2)
        elif isinstance(field_type, type) and issubclass(field_type, IntEnum):
            found[name] = _enum_range(field_type)
        elif field_type is int:
            found[name] = RANGES[name]
    _RANGES_OF[kind] = found
    return found


_RANGES_OF: dict[type[Button], dict[str, range]] = {}


def _enum_range(enum: type[IntEnum]) -> range:
    values = sorted(int(member) for member in enum)
    assert values == list(range(values[0], values[-1] + 1)), f"{enum.__name__} has gaps"
    return range(values[0], values[-1] + 1)


@dataclass(frozen=True, slots=True)
class FlowButton(Button):
    """A button of one sign-in flow; `flow` makes buttons of an older flow stale."""

    flow: str


_BY_TAG: dict[str, type[Button]] = {}


def register(kinds: Iterable[type[Button]]) -> None:
    """Make these kinds readable by parse(); each tag names one kind only."""
    for kind in kinds:
        known = _BY_TAG.setdefault(kind.tag, kind)
        assert known is kind, f"tag {kind.tag!r} of {kind.__name__} is {known.__name__}'s"
        number_ranges(kind)  # every int field has a range: fail at import, not at a press


def parse(data: str | None) -> Button:
    if not data:
        raise BadButton("not ours or an old version")
    parsed = _parse(data)
    if isinstance(parsed, str):
        raise BadButton(parsed)
    return parsed


@lru_cache(maxsize=1024)
def _parse(data: str) -> Button | str:
    """The button, or why it is refused. Cached: every CallbackQueryHandler's pattern
    parses the same data again before one of them takes the update."""
    if not data.isascii() or len(data) > MAX_BYTES or not data.startswith(VERSION):
        return "not ours or an old version"
    tag, colon, rest = data[len(VERSION) :].partition(":")
    kind = _BY_TAG.get(tag)
    if kind is None:
        return "unknown kind"
    raw = rest.split(":") if colon else []
    kind_fields = _fields(kind)
    if len(raw) != len(kind_fields) or not all(_FIELD.fullmatch(value) for value in raw):
        return "wrong shape"
    ranges = number_ranges(kind)
    values: list[object] = []
    for value, (name, field_type) in zip(raw, kind_fields, strict=True):
        if name not in ranges:
            values.append(value)
            continue
        number = _number(value, ranges[name])
        if number is None:
            return "not a number it can be"
        values.append(field_type(number))
    return kind(*values)


def _number(text: str, allowed: range) -> int | None:
    """The number, or None for a spelling pack() never writes or a value out of range (a
    20-digit id would overflow the database driver; a far anchor, datetime)."""
    if len(text) > len(str(allowed.stop - 1)) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number in allowed else None


B = TypeVar("B", bound=Button)


def matcher(*kinds: type[Button]) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern accepting only these kinds of button."""

    def matches(data: object) -> bool:
        if not isinstance(data, str):
            return False
        try:
            return isinstance(parse(data), kinds)
        except BadButton:
            return False

    return matches


def parse_as(data: str | None, *kinds: type[B]) -> B:
    button = parse(data)
    if not isinstance(button, kinds):
        raise BadButton("unexpected kind")
    return button
