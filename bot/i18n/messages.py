"""The words users see: gettext catalogs (locale/<lang>/LC_MESSAGES/pointage.po) read through
Babel at import, so that a fresh install needs no compile step.

Message ids are symbolic ("review.title"), and placeholders are `str.format` fields
("{count}"), flagged `python-brace-format` in the catalogs. A plural message is chosen by one
count among its values, named in `PLURALS`; its forms follow the Plural-Forms header of each
catalog (French: 0 and 1 singular; English: 1 singular).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from io import BytesIO
from typing import Final

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN: Final = "pointage"
LANGUAGES: Final = ("fr", "en")
"""Every language spoken, each with its catalog; the first match wins in
`language_from_telegram`."""
FALLBACK: Final = "en"
"""For a language Pointage does not speak, and for a message a catalog lacks."""

PLURALS: Final[Mapping[str, str]] = {
    # /connect
    "connect.selected": "count",
    "connect.bank_connected": "count",
    "connect.linked": "count",
    "connect.done_account": "count",
    "connect.done_categorized": "count",
    "connect.done_auto": "count",
    "btn.period_days": "n",
    "btn.period_months": "n",
    "period.days": "n",
    "period.months": "n",
    # review, rules and the daily summary
    "review.title": "count",
    "review.title_on_demand": "count",
    "review.auto_summary": "count",
    "answer.rule_created": "applied",
    "answer.accepted_all": "count",
    "answer.undone": "count",
    "rules.line": "hits",
    # /refresh, /disconnect
    "refresh.line_new": "count",
    "refresh.total": "count",
    "refresh.disconnected": "count",
    "disconnect.to_review": "count",
    # bank files
    "file.importing": "count",
    "file.lines": "count",
    "file.count_new": "count",
    "file.count_known": "count",
    "file.count_ambiguous": "count",
    "file.count_auto": "count",
}
"""The plural messages, each with the value (an int) that picks its form:
`t(lang, "rules.line", hits=12, ...)`. The msgid_plural of each is its msgid again."""


def catalog_file(lang: str) -> Traversable:
    return resources.files("bot.i18n") / "locale" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    with catalog_file(lang).open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN, abort_invalid=True)


def message_key(message: Message) -> str:
    """The symbolic id of a message, plural or not."""
    return message.id if isinstance(message.id, str) else str(message.id[0])


def _translated(message: Message) -> bool:
    """What `write_mo` keeps and gettext can answer with: not fuzzy, no empty form."""
    string = message.string
    forms = (string,) if isinstance(string, str) else tuple(string or ())
    return bool(message.id) and not message.fuzzy and bool(forms) and all(forms)


def _compile(catalog: Catalog) -> gettext.GNUTranslations:
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def _load() -> tuple[dict[str, gettext.GNUTranslations], dict[str, frozenset[str]]]:
    translations: dict[str, gettext.GNUTranslations] = {}
    keys: dict[str, frozenset[str]] = {}
    for lang in (FALLBACK, *(other for other in LANGUAGES if other != FALLBACK)):
        catalog = read_catalog(lang)
        translations[lang] = _compile(catalog)
        keys[lang] = frozenset(message_key(m) for m in catalog if _translated(m))
        if lang != FALLBACK:
            translations[lang].add_fallback(translations[FALLBACK])
    return translations, keys


_TRANSLATIONS, _KEYS = _load()


def language_from_telegram(code: str | None) -> str:
    """The user's Telegram language when Pointage speaks it ("fr-CA" → "fr"), else English."""
    lowered = (code or "").lower()
    return next((lang for lang in LANGUAGES if lowered.startswith(lang)), FALLBACK)


def has(lang: str, key: str) -> bool:
    """Whether `t(lang, key)` has a message (in `lang`, or in English for want of it)."""
    return key in _KEYS.get(lang, _KEYS[FALLBACK]) or key in _KEYS[FALLBACK]


def t(lang: str, key: str, **values: object) -> str:
    """The message `key` in `lang` (English for a language not spoken), its fields filled
    with `values`; a plural message takes the form for its count (see `PLURALS`)."""
    if not has(lang, key):
        raise KeyError(key)
    translations = _TRANSLATIONS.get(lang, _TRANSLATIONS[FALLBACK])
    counted = PLURALS.get(key)
    if counted is None:
        text = translations.gettext(key)
    else:
        count = values.get(counted)
        if not isinstance(count, int):
            raise TypeError(f"{key} takes its form from {counted}=<int>, not {count!r}")
        text = translations.ngettext(key, key, count)
    return text.format(**values) if values else text
