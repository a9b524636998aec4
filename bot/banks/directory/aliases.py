"""Hand-kept facts about banks: brands, the names people use for them, groups of regional banks.

The facts are data, read once at import: `data/brands.toml` holds the groups and brands of each
country, `data/registry_names.toml` the words that clean and recase the registries' names.
`read_record` checks a TOML table against a dataclass; the demo bank's data is read with it too.
"""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Final, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

__all__ = [
    "ACRONYMS",
    "BRANDS",
    "DATA",
    "FRENCH_WORDS",
    "GROUPS",
    "LEGAL_FORMS",
    "LEGAL_PREFIXES",
    "REGION_BY_BIC",
    "REGION_WORDS",
    "SHORT_NAME_WORDS",
    "SMALL_WORDS",
    "WORD_CASING",
    "BankDataError",
    "Brand",
    "GroupSpec",
    "RegistryNames",
    "load_brands",
    "load_registry_names",
    "load_toml",
    "read_record",
    "words",
]

Record = TypeVar("Record")


@dataclass(frozen=True, slots=True)
class Brand:
    """A bank as people know it, mapped onto one or more rows of the offline registry.

    `match` holds regular expressions that must match the whole normalized registry name
    (lower case, no accents, punctuation as spaces, legal form removed); `bics` holds BIC
    prefixes, checked first. `bic` is set only for a brand the registry lacks: the directory
    then creates it from this entry.
    """

    country: str
    key: str
    name: str
    match: tuple[str, ...] = ()
    bics: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    popularity: int = 50
    group: str | None = None
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class GroupSpec:
    """A brand made of regional banks, offered as one search hit and then a choice of region.

    Members are registry rows whose BIC starts with one of `bics` or whose normalized name
    contains a match of one of `match`, minus those matching `exclude`. When `region_strip`
    removes the group's own words from the upper-case registry name, the member is shown as
    `member_prefix` followed by what remains (its region).
    """

    id: str
    country: str
    name: str
    aliases: tuple[str, ...] = ()
    popularity: int = 50
    bics: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    member_prefix: str | None = None
    region_strip: str | None = None


@dataclass(frozen=True, slots=True)
class RegistryNames:
    """The words of `registry_names.toml`; the module's constants say what each list is for."""

    french_words: tuple[str, ...]
    word_casing: tuple[str, ...]
    region_words: dict[str, str]
    region_by_bic: dict[str, str]
    short_name_words: dict[str, str]
    acronyms: tuple[str, ...]
    small_words: tuple[str, ...]
    legal_forms: tuple[str, ...]
    legal_prefixes: tuple[str, ...]


DATA: Final = Path(__file__).parent / "data"


class BankDataError(ValueError):
    """A bank data file that does not follow the schema: its name and the entry say where."""


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise BankDataError(f"{path.name}: not TOML ({error})") from None


def read_record(cls: type[Record], table: object, where: str, **fixed: object) -> Record:
    """The dataclass `cls` from a TOML table, every key checked against the field's type.

    Fields without a default are required; `fixed` fields come from where the table sits in
    the file (a brand's country and key), not from the table.
    """
    if not is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    if not isinstance(table, dict):
        raise BankDataError(f"{where}: expected a table, got {table!r}")
    own = [field for field in fields(cls) if field.name not in fixed]
    unknown = sorted(set(table) - {field.name for field in own})
    if unknown:
        raise BankDataError(f"{where}: unknown keys {unknown}")
    missing = [
        field.name
        for field in own
        if field.name not in table and field.default is MISSING and field.default_factory is MISSING
    ]
    if missing:
        raise BankDataError(f"{where}: missing keys {missing}")
    hints = _hints(cls)
    values = {name: _value(value, hints[name], f"{where}, {name}") for name, value in table.items()}
    return cls(**fixed, **values)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


_SCALARS: Final[dict[type, str]] = {str: "text", int: "a whole number", bool: "true or false"}


def _value(value: object, hint: Any, where: str) -> object:
    """The TOML value as `hint` types it: lists become tuples, tables become records."""
    origin, args = get_origin(hint), get_args(hint)
    if isinstance(hint, type) and is_dataclass(hint):
        return read_record(hint, value, where)
    if origin in (Union, UnionType) and len(args) == 2 and NoneType in args:
        return _value(value, args[0] if args[1] is NoneType else args[1], where)
    if origin is Literal:
        if value in args:
            return value
        raise BankDataError(f"{where}: expected one of {list(args)}, got {value!r}")
    if origin is tuple:
        if not isinstance(value, list):
            raise BankDataError(f"{where}: expected a list, got {value!r}")
        kinds = [args[0]] * len(value) if args[-1] is Ellipsis else list(args)
        if len(kinds) != len(value):
            raise BankDataError(f"{where}: expected {len(kinds)} items, got {value!r}")
        return tuple(
            _value(item, kind, f"{where}[{i}]")
            for i, (item, kind) in enumerate(zip(value, kinds, strict=True))
        )
    if origin is dict:
        if not isinstance(value, dict):
            raise BankDataError(f"{where}: expected a table, got {value!r}")
        return {key: _value(item, args[1], f"{where}.{key}") for key, item in value.items()}
    if hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise BankDataError(f"{where}: expected a number, got {value!r}")
    if hint in _SCALARS:
        if type(value) is hint:
            return value
        raise BankDataError(f"{where}: expected {_SCALARS[hint]}, got {value!r}")
    raise TypeError(f"{where}: no reader for {hint!r}")


def load_brands(path: Path) -> tuple[tuple[GroupSpec, ...], tuple[Brand, ...]]:
    """The groups and brands of a file of `[group.<country>.<id>]` and `[brand.<country>.<key>]`."""
    data = load_toml(path)
    unknown = sorted(set(data) - {"group", "brand"})
    if unknown:
        raise BankDataError(f"{path.name}: unknown tables {unknown}; only [group] and [brand]")
    groups = tuple(
        read_record(
            GroupSpec, table, f"{path.name}, group {country}.{id_}", id=id_, country=country
        )
        for country, id_, table in _by_country(data.get("group", {}), f"{path.name}, group")
    )
    brands = tuple(
        read_record(Brand, table, f"{path.name}, brand {country}.{key}", key=key, country=country)
        for country, key, table in _by_country(data.get("brand", {}), f"{path.name}, brand")
    )
    return groups, brands


def _by_country(section: object, where: str) -> list[tuple[str, str, object]]:
    if not isinstance(section, dict):
        raise BankDataError(f"{where}: expected tables by country")
    entries: list[tuple[str, str, object]] = []
    for country, tables in section.items():
        if not (len(country) == 2 and country.isascii() and country.isupper()):
            raise BankDataError(f"{where} {country}: a country is two capital letters")
        if not isinstance(tables, dict):
            raise BankDataError(f"{where} {country}: expected one table per entry")
        entries.extend((country, name, table) for name, table in tables.items())
    return entries


def load_registry_names(path: Path) -> RegistryNames:
    return read_record(RegistryNames, load_toml(path), path.name)


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


GROUPS: tuple[GroupSpec, ...]
BRANDS: tuple[Brand, ...]
GROUPS, BRANDS = load_brands(DATA / "brands.toml")

_NAMES: Final = load_registry_names(DATA / "registry_names.toml")

FRENCH_WORDS: dict[str, str] = {
    word.upper().translate(str.maketrans("ÉÈÊÎÔÂÛÇ", "EEEIOAUC")): word
    for word in _NAMES.french_words
}
"""Upper-case registry words given back their accents, for French-speaking countries."""

WORD_CASING: dict[str, str] = {word.upper(): word for word in _NAMES.word_casing}
"""Brand spellings that title case would get wrong."""

REGION_WORDS: dict[str, str] = _NAMES.region_words
"""Abbreviations of the French registry, written out in region names."""

REGION_BY_BIC: dict[str, str] = _NAMES.region_by_bic
"""Regions the registry leaves out of a member's name, by BIC."""

SHORT_NAME_WORDS: dict[str, str] = _NAMES.short_name_words
"""German short-name abbreviations of the Bundesbank file, written out."""

ACRONYMS: frozenset[str] = frozenset(_NAMES.acronyms)
"""Upper-case words kept upper case when a registry name is recased."""

SMALL_WORDS: frozenset[str] = frozenset(_NAMES.small_words)
"""Words written in lower case inside a name ("Banque de France", "Bank of Scotland")."""

LEGAL_FORMS: tuple[str, ...] = _NAMES.legal_forms
"""Legal forms dropped from the end of a name (regular expressions, matched ignoring case)."""

LEGAL_PREFIXES: tuple[str, ...] = _NAMES.legal_prefixes
"""Legal forms dropped from the start of a name (regular expressions, matched ignoring case)."""
