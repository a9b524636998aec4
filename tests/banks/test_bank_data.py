"""The bank data files: their schema, no entry twice, and demo data that makes sense."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from string import Formatter

import pytest

from bot.banks.demo import data as demo_data
from bot.banks.demo.data import load_demo
from bot.banks.directory import aliases
from bot.banks.directory.aliases import (
    DATA,
    BankDataError,
    Brand,
    GroupSpec,
    load_brands,
    load_registry_names,
)

BRANDS_FILE = DATA / "brands.toml"
NAMES_FILE = DATA / "registry_names.toml"
DEMO_FILE = demo_data.DATA / "demo.toml"
SMALL_BRANDS = """
[group.FR.g-fr-xx]
name = "Groupe"
match = ['^groupe\\b']

[brand.FR.acme]
name = "Acme"
aliases = ["acme"]
"""
ENTRIES: tuple[GroupSpec | Brand, ...] = (*aliases.GROUPS, *aliases.BRANDS)


def changed(tmp_path: Path, source: Path | str, old: str, new: str) -> Path:
    """A copy of a data file (or text) with one change, under the real file's name."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    assert old in text
    path = tmp_path / (source.name if isinstance(source, Path) else "brands.toml")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_data_files_are_the_ones_the_modules_read() -> None:
    assert sorted(path.name for path in DATA.glob("*.toml")) == [
        "brands.toml",
        "registry_names.toml",
    ]
    assert [path.name for path in demo_data.DATA.glob("*.toml")] == ["demo.toml"]
    assert load_brands(BRANDS_FILE) == (aliases.GROUPS, aliases.BRANDS)
    assert load_registry_names(NAMES_FILE).legal_forms == aliases.LEGAL_FORMS
    assert load_demo(DEMO_FILE).bill == demo_data.BILLS
    assert len(aliases.BRANDS) > 90 and len(aliases.GROUPS) > 10


def test_a_small_brands_file_loads_with_the_defaults_of_its_records(tmp_path: Path) -> None:
    groups, brands = load_brands(changed(tmp_path, SMALL_BRANDS, "", ""))
    assert groups == (GroupSpec("g-fr-xx", "FR", "Groupe", match=(r"^groupe\b",)),)
    assert brands == (Brand("FR", "acme", "Acme", aliases=("acme",)),)


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        (
            'name = "Acme"',
            'name = "Acme"\ncolour = "red"',
            "brand FR.acme: unknown keys ['colour']",
        ),
        ('name = "Acme"', 'popularity = "high"', "brand FR.acme: missing keys ['name']"),
        ('name = "Acme"', 'name = "Acme"\npopularity = "high"', "popularity: expected a whole"),
        ('name = "Acme"', 'name = "Acme"\npopularity = 5.5', "popularity: expected a whole"),
        ('aliases = ["acme"]', 'aliases = "acme"', "brand FR.acme, aliases: expected a list"),
        ('aliases = ["acme"]', "aliases = [1]", "brand FR.acme, aliases[0]: expected text"),
        ("[brand.FR.acme]", "[brand.fr.acme]", "brand fr: a country is two capital letters"),
        ("[brand.FR.acme]", "[bank.FR.acme]", "unknown tables ['bank']"),
        ("match = [", "exclude = 1\nmatch = [", "group FR.g-fr-xx, exclude: expected a list"),
        ('name = "Groupe"', 'id = "g-fr-yy"\nname = "Groupe"', "g-fr-xx: unknown keys ['id']"),
        ('name = "Acme"', 'name = "Acme"\n\n[brand.FR.acme]\nname = "Twice"', "not TOML"),
    ],
)
def test_a_brands_file_off_the_schema_is_refused_with_the_entry(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    with pytest.raises(BankDataError) as refused:
        load_brands(changed(tmp_path, SMALL_BRANDS, old, new))
    assert str(refused.value).startswith("brands.toml")
    assert complaint in str(refused.value)


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("acronyms = [", "acronym = [", "unknown keys ['acronym']"),
        ('CTRE = "CENTRE"', "CTRE = 1", "region_words.CTRE: expected text"),
        ('small_words = [\n    "de",', 'small_words = [\n    ["de"],', "small_words[0]"),
        ("[short_name_words]", "[region_by_bic.x]", "missing keys ['short_name_words']"),
    ],
)
def test_a_registry_names_file_off_the_schema_is_refused_with_the_entry(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    with pytest.raises(BankDataError) as refused:
        load_registry_names(changed(tmp_path, NAMES_FILE, old, new))
    assert str(refused.value).startswith("registry_names.toml")
    assert complaint in str(refused.value)


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("low = 320,", 'low = "cheap",', "card, daily[0], low: expected a whole number"),
        ("weight = 10 }", "weight = 10, weekend = 1 }", "daily[0], weekend: expected true or"),
        ("day = 1\nlow = 62_000", "low = 62_000", "bill[0]: missing keys ['day']"),
        ('2_639\nvaries = "month"', '2_639\nvaries = "week"', "bill[2], varies: expected one of"),
        ("days = [8, 14]", "days = [8]", "client[0], days: expected 2 items"),
        ("chance = 0.92", "chance = true", "client[0], chance: expected a number"),
        ('cash = "', 'cheque = "', "labels: unknown keys ['cheque']"),
        ("[[trips.city]]\nname", "[[trips.city]]\nnom", "trips, city[0]: unknown keys ['nom']"),
        ('owner = "CLAIRE DUPONT"', "owner = 7", "demo.toml, customer, owner: expected text"),
        ("[customer]", "[customer\n", "not TOML"),
    ],
)
def test_a_demo_file_off_the_schema_is_refused_with_the_entry(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    with pytest.raises(BankDataError) as refused:
        load_demo(changed(tmp_path, DEMO_FILE, old, new))
    assert str(refused.value).startswith("demo.toml")
    assert complaint in str(refused.value)


def test_group_ids_and_brand_keys_are_given_once() -> None:
    assert [k for k, n in Counter(g.id for g in aliases.GROUPS).items() if n > 1] == []
    keys = Counter((brand.country, brand.key) for brand in aliases.BRANDS)
    assert [key for key, count in keys.items() if count > 1] == []


def test_no_alias_is_given_twice_within_a_country() -> None:
    given = Counter((entry.country, alias) for entry in ENTRIES for alias in entry.aliases)
    assert [alias for alias, count in given.items() if count > 1] == []


def test_every_brand_is_found_somehow_and_joins_only_a_group_of_its_country() -> None:
    groups = {(group.country, group.id) for group in aliases.GROUPS}
    assert [b.key for b in aliases.BRANDS if not (b.match or b.bics or b.bic)] == []
    assert [g.id for g in aliases.GROUPS if not (g.match or g.bics)] == []
    joined = [brand for brand in aliases.BRANDS if brand.group is not None]
    assert joined and all((brand.country, brand.group) in groups for brand in joined)


def test_popularity_ranks_and_bics_are_well_formed() -> None:
    assert all(0 <= entry.popularity <= 100 for entry in ENTRIES)
    bics = [bic for entry in ENTRIES for bic in entry.bics]
    bics += [brand.bic for brand in aliases.BRANDS if brand.bic]
    assert bics and [bic for bic in bics if not re.fullmatch(r"[A-Z0-9]{6,11}", bic)] == []


def test_every_regular_expression_compiles() -> None:
    patterns = [
        *(p for brand in aliases.BRANDS for p in brand.match),
        *(p for group in aliases.GROUPS for p in (*group.match, *group.exclude)),
        *(group.region_strip for group in aliases.GROUPS if group.region_strip),
        *aliases.LEGAL_FORMS,
        *aliases.LEGAL_PREFIXES,
    ]
    broken = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error:
            broken.append(pattern)
    assert len(patterns) > 150 and broken == []


def test_each_word_list_holds_single_words_given_once() -> None:
    names = load_registry_names(NAMES_FILE)
    lists = {
        "french_words": names.french_words,
        "word_casing": names.word_casing,
        "acronyms": names.acronyms,
        "small_words": names.small_words,
    }
    for name, words in lists.items():
        assert [w for w, n in Counter(words).items() if n > 1] == [], name
        assert [w for w in words if not w or w.split() != [w]] == [], name
    assert len(aliases.FRENCH_WORDS) == len(names.french_words)
    assert len(aliases.WORD_CASING) == len(names.word_casing)
    assert all(word == word.upper() for word in (*aliases.ACRONYMS, *aliases.REGION_WORDS))
    assert all(word.islower() for word in aliases.SMALL_WORDS)


MERCHANTS = (
    *demo_data.DAILY_MERCHANTS,
    *demo_data.BUSINESS_CARD_MERCHANTS,
    demo_data.TRAIN,
    demo_data.FLIGHT,
    *demo_data.TAXIS,
)
SUBSCRIPTIONS = (*demo_data.DAILY_SUBSCRIPTIONS, *demo_data.BUSINESS_CARD_SUBSCRIPTIONS)
COUNTERPARTIES = (*demo_data.CLIENTS, *demo_data.SUPPLIERS)


def test_demo_amount_ranges_are_positive_and_in_order() -> None:
    ranges = [
        *((m.low, m.high) for m in MERCHANTS),
        *((s.low, s.high) for s in SUBSCRIPTIONS),
        *((b.low, b.high) for b in demo_data.BILLS),
        *((c.units[0] * c.unit, c.units[1] * c.unit) for c in COUNTERPARTIES),
        demo_data.VAT_DEDUCTIBLE,
        demo_data.INTEREST_RANGE,
        demo_data.NIGHT,
        demo_data.MEAL,
    ]
    assert [pair for pair in ranges if not 0 < pair[0] <= pair[1]] == []
    assert all(merchant.weight >= 1 for merchant in MERCHANTS)
    assert demo_data.SAVINGS_STANDING_ORDER > 0


def test_demo_days_fall_in_every_month() -> None:
    days = [
        *(s.day for s in SUBSCRIPTIONS),
        *(b.day for b in demo_data.BILLS),
        demo_data.VAT_DAY,
        demo_data.SAVINGS_STANDING_DAY,
    ]
    spans = [*(c.days for c in COUNTERPARTIES), demo_data.SAVINGS_ADJUSTMENT_DAYS]
    assert [day for day in days if not 1 <= day <= 28] == []
    assert [span for span in spans if not 1 <= span[0] <= span[1] <= 28] == []


def test_demo_bills_clients_and_cities_make_sense() -> None:
    bills = demo_data.BILLS
    assert [k for k, n in Counter(bill.key for bill in bills).items() if n > 1] == []
    assert all(list(b.months) == sorted(set(b.months)) for b in bills)
    assert all(1 <= month <= 12 for bill in bills for month in bill.months)
    assert all(0 < party.chance <= 1 and party.unit > 0 for party in COUNTERPARTIES)
    cities = demo_data.CITIES
    assert len({city.name for city in cities}) == len(cities)
    assert all(city.hotels and city.restaurants for city in cities)
    for shop in (demo_data.DAILY_MERCHANTS, demo_data.BUSINESS_CARD_MERCHANTS, demo_data.TAXIS):
        assert len({merchant.name for merchant in shop}) == len(shop)


def fields_of(label: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(label) if name is not None}


def test_each_demo_label_uses_only_the_placeholders_the_demo_bank_fills() -> None:
    fills = [
        *((bill.label, {"period", "year"}) for bill in demo_data.BILLS),
        *((client.label, {"invoice", "ref"}) for client in demo_data.CLIENTS),
        *((supplier.label, {"period", "year", "ref"}) for supplier in demo_data.SUPPLIERS),
        (demo_data.VAT_LABEL, {"period"}),
        (demo_data.OWNER_PAY_LABEL, {"period"}),
        (demo_data.OWNER_TOP_UP_LABEL, {"period"}),
        (demo_data.CASH_LABEL, {"day"}),
        (demo_data.REFUND_LABEL, {"day"}),
        (demo_data.CARD_STATEMENT_CC, {"day"}),
        (demo_data.CARD_STATEMENT_CARD, {"day"}),
        (demo_data.INTEREST_LABEL, {"date"}),
        (demo_data.INTERVENTION_LABEL, set()),
    ]
    assert [
        (label, fields_of(label) - known) for label, known in fills if fields_of(label) - known
    ] == []


def test_the_owner_and_the_business_card_are_filled_into_the_labels(tmp_path: Path) -> None:
    path = changed(tmp_path, DEMO_FILE, 'owner = "CLAIRE DUPONT"', 'owner = "JEAN MARTIN"')
    path = changed(tmp_path, path, 'business_card = "X7730"', 'business_card = "X1234"')
    demo = load_demo(path)
    assert demo.labels.owner_pay == "VIR SEPA EMIS /VERS JEAN MARTIN /MOTIF REMUNERATION {period}"
    assert "/VERS JEAN MARTIN /" in demo.supplier[-1].label
    assert demo.labels.card_statement_cc == "DEBIT MENSUEL CARTE X1234 AU {day}"
    assert "CLAIRE DUPONT" in demo_data.OWNER_TOP_UP_LABEL
