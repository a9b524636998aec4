"""Buttons of /settings."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from handlers.callbacks.codec import Button


class Menu(IntEnum):
    """Which screen of /settings to show."""

    SETTINGS = 0
    DIGEST_TIMES = 1
    TIMEZONES = 2


@dataclass(frozen=True, slots=True)
class SetLanguage(Button):
    tag = "sl"
    language: str


@dataclass(frozen=True, slots=True)
class SetAutoAccept(Button):
    tag = "sa"
    on: bool


@dataclass(frozen=True, slots=True)
class SettingsMenu(Button):
    tag = "sm"
    menu: Menu


@dataclass(frozen=True, slots=True)
class SetDigestTime(Button):
    tag = "st"
    hhmm: str


@dataclass(frozen=True, slots=True)
class SetTimezone(Button):
    tag = "sz"
    index: int


@dataclass(frozen=True, slots=True)
class TimezonesPage(Button):
    tag = "zp"
    page: int


KINDS: tuple[type[Button], ...] = (
    SetLanguage,
    SetAutoAccept,
    SettingsMenu,
    SetDigestTime,
    SetTimezone,
    TimezonesPage,
)
