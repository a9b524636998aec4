"""French and English words (gettext catalogs, bot/i18n/messages.py), and money and dates in
the user's locale (Babel)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency

from bot.domain.money import Money, minor_digits
from bot.i18n.messages import FALLBACK, LANGUAGES, PLURALS, has, language_from_telegram, t

__all__ = [
    "FALLBACK",
    "LANGUAGES",
    "LOCALES",
    "PLURALS",
    "country_name",
    "day",
    "has",
    "language_from_telegram",
    "money",
    "t",
]

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
"""The Babel locale of each language, for amounts, dates and country names."""


def money(amount: Money, lang: str) -> str:
    return _money(amount.minor, amount.currency, lang)


def day(value: date, lang: str) -> str:
    return _day(value, lang)


@lru_cache(maxsize=8192)
def _money(minor: int, currency: str, lang: str) -> str:
    """Memoized, and through a shape read off Babel once per currency: Babel's own
    formatting costs ~0.1 ms an amount, and the daily digests show 60,000 of them."""
    shape = _money_shape(currency, lang)
    return shape.format(minor) if shape is not None else _babel_money(minor, currency, lang)


def _babel_money(minor: int, currency: str, lang: str) -> str:
    amount = Money(minor, currency).as_decimal()
    return str(format_currency(amount, currency, locale=LOCALES.get(lang, "en_GB")))


@dataclass(frozen=True, slots=True)
class _MoneyShape:
    """Babel's output for one locale and currency, as affixes and separators."""

    positive: tuple[str, str]
    negative: tuple[str, str]
    group: str
    decimal: str
    digits: int

    def format(self, minor: int) -> str:
        units, fraction = divmod(abs(minor), 10**self.digits)
        text = f"{units:,}".replace(",", self.group)
        if self.digits:
            text += f"{self.decimal}{fraction:0{self.digits}d}"
        before, after = self.negative if minor < 0 else self.positive
        return f"{before}{text}{after}"


_PROBE = re.compile(
    r"^(?P<pre>\D*?)1(?P<group>\D+)234(?P=group)567(?:(?P<dec>\D+)(?P<frac>\d+))?(?P<post>\D*)$"
)
_CHECKS = (0, 1, -1, 7, 99, -100, 999, 1000, -1001, 99_999, 100_000, -123_456_789, 10**13 + 5)


@lru_cache(maxsize=64)
def _money_shape(currency: str, lang: str) -> _MoneyShape | None:
    """None when the locale's format is not affixes around grouped digits (then Babel
    formats every amount): the shape must give Babel's exact output on every check."""
    digits = minor_digits(currency)
    scale = 10**digits
    probe = 1_234_567 * scale + (89 * scale // 100 if digits else 0)
    found = [_PROBE.match(_babel_money(value, currency, lang)) for value in (probe, -probe)]
    if found[0] is None or found[1] is None:
        return None
    positive, negative = found[0], found[1]
    shape = _MoneyShape(
        (positive["pre"], positive["post"]),
        (negative["pre"], negative["post"]),
        positive["group"],
        positive["dec"] or "",
        digits,
    )
    if any(shape.format(m) != _babel_money(m, currency, lang) for m in _CHECKS):
        return None
    return shape


@lru_cache(maxsize=4096)
def _day(value: date, lang: str) -> str:
    return babel_format_date(value, format="medium", locale=LOCALES.get(lang, "en_GB"))


def country_name(code: str, lang: str) -> str:
    names = Locale.parse(LOCALES.get(lang, "en_GB")).territories
    return str(names.get(code.upper(), code.upper()))
