import html
import random
import re
from datetime import date
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog, Message

from bot.domain.money import Money
from bot.i18n import (
    LANGUAGES,
    PLURALS,
    _babel_money,
    _money_shape,
    day,
    has,
    language_from_telegram,
    money,
    t,
)
from bot.i18n.messages import catalog_file, message_key, read_catalog
from handlers import render

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "bot" / "i18n" / "locale"
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}
FORM_FOR = {"fr": {0: 0, 1: 0, 2: 1, 5: 1}, "en": {0: 1, 1: 0, 2: 1, 5: 1}}
"""Which form of a plural message each count takes: French 0 and 1 singular, English 0 plural."""

MESSAGE_CHARS = 4096
ANSWER_CHARS = 200
COMMAND_CHARS = 256
LABEL_CHARS = 24
"""A button's own words, before its values: about what a phone shows of a half-width button."""
LONGER_LABELS = {
    "btn.cant_find": "the glossary's words (Je ne trouve pas ma banque), alone on its row",
    "btn.request_support": "the glossary's words (Demander sa prise en charge), alone on its row",
    "btn.credentials": "the glossary's words (Modifier les identifiants), alone on its row",
}
"""Labels allowed past LABEL_CHARS, never past the cut (render.BUTTON_CHARS)."""

LONG = html.escape("M&S <Zürich> " * 16, quote=False)
"""A long value as render passes it: 200 characters typed or sent by a bank, escaped."""
COUNT = 1_000_000_000


def catalogs() -> dict[str, Catalog]:
    return {lang: read_catalog(lang) for lang in LANGUAGES}


def messages(catalog: Catalog) -> dict[str, Message]:
    return {message_key(m): m for m in catalog if m.id}


def forms(message: Message) -> tuple[str, ...]:
    string = message.string
    return (string,) if isinstance(string, str) else tuple(string or ())


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def own_words(label: str) -> str:
    return re.sub(r"{\w+}", "", label).strip()


def sample(key: str, text: str) -> dict[str, object]:
    return {name: COUNT if PLURALS.get(key) == name else LONG for name in fields(text)}


CATALOGS = catalogs()
ENGLISH = messages(CATALOGS["en"])
CALLBACK_CALL = re.compile(r"\banswer\(\s*update,(.*)")
KEY = re.compile(r'"([a-z_]+(?:\.[a-z_]+)*)"')


def callback_answers() -> set[str]:
    """Keys shown as a callback answer: the answer.* messages, and every key on a line of
    handlers/ that answers a press with text."""
    found = {key for key in ENGLISH if key.startswith("answer.")}
    for source in (ROOT / "handlers").rglob("*.py"):
        for line in source.read_text().splitlines():
            call = CALLBACK_CALL.search(line)
            if call:
                found |= {key for key in KEY.findall(call.group(1)) if key in ENGLISH}
    return found


def test_every_language_has_its_catalog_and_no_other_is_lying_around() -> None:
    assert sorted(p.name for p in LOCALE.iterdir() if p.is_dir()) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        assert catalog_file(lang).is_file(), lang
        assert sorted(p.name for p in (LOCALE / lang / "LC_MESSAGES").iterdir()) == ["pointage.po"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_parses_with_no_fuzzy_empty_or_obsolete_entry(lang: str) -> None:
    catalog = CATALOGS[lang]
    assert not catalog.fuzzy, "header marked fuzzy"
    assert not catalog.obsolete
    assert str(catalog.locale) == lang
    assert len(messages(catalog)) > 200
    for key, message in messages(catalog).items():
        assert not message.fuzzy, key
        assert forms(message) and all(forms(message)), f"{key} has an empty form"
    raw = catalog_file(lang).read_text(encoding="utf-8")
    assert "#, fuzzy" not in raw and "#~" not in raw


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_plural_forms_line_is_the_languages_own(lang: str) -> None:
    assert CATALOGS[lang].plural_forms == PLURAL_FORMS[lang]
    assert f'"Plural-Forms: {PLURAL_FORMS[lang]}\\n"' in catalog_file(lang).read_text()


def test_every_message_exists_in_every_language_with_the_same_placeholders() -> None:
    for lang, catalog in CATALOGS.items():
        found = messages(catalog)
        assert found.keys() == ENGLISH.keys(), lang
        for key, message in found.items():
            expected = fields(forms(ENGLISH[key])[0])
            assert message.pluralizable == ENGLISH[key].pluralizable, (lang, key)
            for form in forms(message):
                assert fields(form) == expected, (lang, key, form)


def test_placeholders_are_named_format_fields_flagged_python_brace_format() -> None:
    for lang in LANGUAGES:
        raw = catalog_file(lang).read_text(encoding="utf-8")
        flagged = set()
        for entry in raw.split("\n\n"):
            msgid = re.search(r'^msgid "(.+)"$', entry, re.MULTILINE)
            if msgid and re.search(r"^#,.*\bpython-brace-format\b", entry, re.MULTILINE):
                flagged.add(msgid.group(1))
        for key, message in messages(CATALOGS[lang]).items():
            for form in forms(message):
                for _, name, spec, conversion in Formatter().parse(form):
                    if name is not None:
                        assert name.isidentifier() and not spec and not conversion, (key, name)
            assert (key in flagged) == bool(fields(forms(message)[0])), (lang, key)


def test_plurals_are_real_ones_each_chosen_by_its_named_count() -> None:
    for lang, catalog in CATALOGS.items():
        found = messages(catalog)
        assert {key for key, m in found.items() if m.pluralizable} == PLURALS.keys(), lang
        for key, count in PLURALS.items():
            assert len(forms(found[key])) == catalog.num_plurals, (lang, key)
            assert count in fields(forms(found[key])[0]), (lang, key)
        for key, message in found.items():
            assert key.removesuffix("_one") == key or key.removesuffix("_one") not in found, key
            assert all("(s)" not in form for form in forms(message)), (lang, key)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("key", sorted(PLURALS))
def test_a_plural_message_takes_the_form_of_its_count(lang: str, key: str) -> None:
    shapes = forms(messages(CATALOGS[lang])[key])
    for n in (0, 1, 2, 5):
        values = {name: n if name == PLURALS[key] else f"<{name}>" for name in fields(shapes[0])}
        assert t(lang, key, **values) == shapes[FORM_FOR[lang][n]].format(**values), (key, n)


def test_french_counts_zero_and_one_as_singular_and_english_only_one() -> None:
    assert t("fr", "review.title_on_demand", count=0).endswith(": 0 opération")
    assert t("fr", "review.title_on_demand", count=1).endswith(": 1 opération")
    assert t("fr", "review.title_on_demand", count=2).endswith(": 2 opérations")
    assert t("en", "review.title_on_demand", count=0).endswith(": 0 transactions")
    assert t("en", "review.title_on_demand", count=1).endswith(": 1 transaction")
    assert t("en", "answer.undone", count=5) == "5 auto-accepts undone"
    assert t("fr", "refresh.line_new", bank="Qonto", count=1) == "✅ Qonto : 1 nouvelle opération"


def test_a_plural_message_wants_its_count_as_an_int() -> None:
    with pytest.raises(TypeError, match="hits"):
        t("en", "rules.line", n=1, condition="x", account="y", hits="3", off="")


def test_an_unknown_key_is_an_error_not_a_silent_msgid() -> None:
    assert has("fr", "reason.other") and has("de", "reason.other")
    assert not has("fr", "reason.nonsense")
    with pytest.raises(KeyError):
        t("fr", "reason.nonsense")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_rendered_with_long_values_fits_telegram(lang: str) -> None:
    answers = callback_answers()
    assert {"stale_button", "answer.accepted", "connect.pick_one", "delete.expired"} <= answers
    for key, message in messages(CATALOGS[lang]).items():
        text = t(lang, key, **sample(key, forms(message)[-1]))
        units = len(text.encode("utf-16-le")) // 2  # Telegram counts UTF-16 code units
        if key in answers:
            assert units <= ANSWER_CHARS, key
        elif key.startswith("cmd."):
            assert 3 <= units <= COMMAND_CHARS, key
        else:
            assert units <= MESSAGE_CHARS, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_button_labels_fit_a_phone_before_their_values(lang: str) -> None:
    for key, message in messages(CATALOGS[lang]).items():
        if key.startswith("btn."):
            for form in forms(message):
                limit = render.BUTTON_CHARS if key in LONGER_LABELS else LABEL_CHARS
                assert len(own_words(form)) <= limit, (key, own_words(form))


def test_each_longer_label_is_still_longer_somewhere() -> None:
    for key in LONGER_LABELS:
        lengths = [
            len(own_words(form)) for c in CATALOGS.values() for form in forms(messages(c)[key])
        ]
        assert max(lengths) > LABEL_CHARS, f"{key} fits now: drop it from LONGER_LABELS"


def test_french_and_english_catalogs_have_the_same_keys_and_placeholders() -> None:
    fr, en = messages(CATALOGS["fr"]), ENGLISH
    assert fr.keys() == en.keys()
    for key in fr:
        assert fields(forms(fr[key])[0]) == fields(forms(en[key])[0]), key


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
