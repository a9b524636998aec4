import random
import re
from datetime import date

import pytest

from bot.i18n import CATALOGS, _babel_money, _money_shape, day, language_from_telegram, money, t
from bot.money import Money

PLACEHOLDER = re.compile(r"{(\w+)}")


def test_french_and_english_catalogs_have_the_same_keys_and_placeholders() -> None:
    fr, en = CATALOGS["fr"], CATALOGS["en"]
    assert fr.keys() == en.keys()
    for key in fr:
        assert set(PLACEHOLDER.findall(fr[key])) == set(PLACEHOLDER.findall(en[key])), key


def test_money_is_formatted_as_babel_does_for_the_locale() -> None:
    assert money(Money(-123456, "EUR"), "fr") == "-1\u202f234,56\xa0€"
    assert money(Money(-123456, "EUR"), "en") == "-€1,234.56"


def test_dates_follow_the_locale() -> None:
    assert day(date(2025, 3, 12), "fr") == "12 mars 2025"
    assert day(date(2025, 3, 12), "en") == "12 Mar 2025"


def test_language_comes_from_telegram_and_defaults_to_english() -> None:
    assert language_from_telegram("fr-FR") == "fr"
    assert language_from_telegram("de") == "en"
    assert language_from_telegram(None) == "en"


def test_unknown_language_falls_back_to_english() -> None:
    assert t("de", "btn.connect") == "Connect"


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP", "CHF", "JPY", "BHD"])
def test_amounts_are_exactly_what_babel_writes(lang: str, currency: str) -> None:
    shape = _money_shape(currency, lang)
    assert shape is not None, "the shipped locales take the fast path"
    draw = random.Random(f"{lang}{currency}")
    amounts = [0, 1, -1, 10**15, -(10**15)] + [
        draw.randint(-(10 ** draw.randint(1, 13)), 10 ** draw.randint(1, 13)) for _ in range(3000)
    ]
    assert [shape.format(m) for m in amounts] == [_babel_money(m, currency, lang) for m in amounts]
