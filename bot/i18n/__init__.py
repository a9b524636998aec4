"""French and English words, and money and dates in the user's locale (Babel)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency

from bot.i18n import accounts_en, accounts_fr, en, fr, review_en, review_fr
from bot.money import Money

LANGUAGES = ("fr", "en")
CATALOGS: dict[str, dict[str, str]] = {
    "fr": {**fr.MESSAGES, **review_fr.MESSAGES, **accounts_fr.MESSAGES},
    "en": {**en.MESSAGES, **review_en.MESSAGES, **accounts_en.MESSAGES},
}
LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def language_from_telegram(code: str | None) -> str:
    return "fr" if code and code.lower().startswith("fr") else "en"


def t(lang: str, key: str, **values: object) -> str:
    catalog = CATALOGS.get(lang, CATALOGS["en"])
    return catalog[key].format(**values) if values else catalog[key]


def money(amount: Money, lang: str) -> str:
    return _money(amount.minor, amount.currency, lang)


def day(value: date, lang: str) -> str:
    return _day(value, lang)


@lru_cache(maxsize=8192)
def _money(minor: int, currency: str, lang: str) -> str:
    """Memoized: a redrawn digest shows the same amounts again, and Babel takes ~0.1 ms each."""
    amount = Money(minor, currency).as_decimal()
    return str(format_currency(amount, currency, locale=LOCALES.get(lang, "en_GB")))


@lru_cache(maxsize=4096)
def _day(value: date, lang: str) -> str:
    return babel_format_date(value, format="medium", locale=LOCALES.get(lang, "en_GB"))


def country_name(code: str, lang: str) -> str:
    names = Locale.parse(LOCALES.get(lang, "en_GB")).territories
    return str(names.get(code.upper(), code.upper()))
