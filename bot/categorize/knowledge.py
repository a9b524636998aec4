"""Built-in knowledge: common payees and label words, and the account each is usually filed under.

The tables are data, `data/knowledge_<language>.toml`, read once at import. Each entry names
codes for both charts (French PCG and the generic English chart), preferred first. ``@owner``
and ``@transfer`` stand for the chart's owner and internal-transfer accounts. A PCG code the
book lacks falls back to its parent (60614 → 6061); an entry whose codes all miss is skipped, so
only accounts the book has are ever suggested.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, get_args

from bot.categorize.payees import label_words
from bot.charts import ChartTemplate

__all__ = [
    "DATA",
    "ENTRIES",
    "PAYROLL_CODES",
    "Known",
    "KnownMatch",
    "Scope",
    "entries",
    "language_of",
    "load_table",
    "lookup",
]

Direction = Literal["in", "out"]
Scope = Literal["payee", "label"]
Language = Literal["fr", "en"]

REFUND_DISCOUNT: Final = 0.6
"""Money coming back from a payee we know as an expense is most often a refund: same account,
less sure."""

PAYROLL_CODES: Final[dict[Language, frozenset[str]]] = {
    "fr": frozenset({"641", "6411", "6413", "645", "6451"}),
    "en": frozenset({"6200", "6210"}),
}
"""Accounts whose use shows the book pays salaries (URSSAF is then the employer's charges)."""


@dataclass(frozen=True, slots=True)
class Known:
    """One payee or label pattern and where it is usually filed.

    `phrase` is a run of words looked for in the payee (scope "payee") or anywhere in the label
    (scope "label"); `requires` lists phrases of which one must also be in the label (DGFIP needs
    "TVA" to mean VAT). `direction` is the usual way money flows: a line the other way is a refund
    (less sure), or no match at all when `strict`. `generic` words ("FRAIS", "RESTAURANT") give
    way to any specific payee. An `exact` name (PAUL, BOLT) must be the whole payee, so that it
    does not file a transfer to Paul Martin. `employer_*` replace the codes once the book pays
    salaries.
    """

    phrase: tuple[str, ...]
    fr: tuple[str, ...]
    en: tuple[str, ...]
    confidence: float
    scope: Scope = "payee"
    direction: Direction | None = "out"
    strict: bool = False
    requires: tuple[tuple[str, ...], ...] = ()
    generic: bool = False
    exact: bool = False
    employer_fr: tuple[str, ...] = ()
    employer_en: tuple[str, ...] = ()

    def codes(self, language: Language, *, payroll: bool) -> tuple[str, ...]:
        if language == "fr":
            return self.employer_fr if payroll and self.employer_fr else self.fr
        return self.employer_en if payroll and self.employer_en else self.en


@dataclass(frozen=True, slots=True)
class KnownMatch:
    """A fitting entry; `words` are the label words it read (empty when it read the payee)."""

    account_code: str
    confidence: float
    entry: Known
    words: frozenset[str] = frozenset()


def entries(
    names: Iterable[str],
    fr: Sequence[str],
    en: Sequence[str],
    confidence: float,
    *,
    scope: Scope = "payee",
    direction: Direction | None = "out",
    strict: bool = False,
    requires: Iterable[str] = (),
    generic: bool = False,
    exact: bool = False,
    employer_fr: Sequence[str] = (),
    employer_en: Sequence[str] = (),
) -> list[Known]:
    """One entry per name, sharing codes and confidence: how the tables are written."""
    required = tuple(label_words(text) for text in requires)
    return [
        Known(
            phrase=label_words(name),
            fr=tuple(fr),
            en=tuple(en),
            confidence=confidence,
            scope=scope,
            direction=direction,
            strict=strict,
            requires=required,
            generic=generic,
            exact=exact,
            employer_fr=tuple(employer_fr),
            employer_en=tuple(employer_en),
        )
        for name in names
    ]


def language_of(chart: ChartTemplate) -> Language:
    return "fr" if chart.key.startswith("fr") else "en"


def lookup(
    label: str,
    payee: str,
    minor: int,
    chart: ChartTemplate,
    codes: frozenset[str] | set[str],
    *,
    payroll: bool = False,
) -> KnownMatch | None:
    """The best-fitting entry for a line: specific payees before generic words, then the longest
    phrase, then the surest; None when nothing known fits or its accounts are missing."""
    label_seq = label_words(label)
    payee_seq = label_words(payee)
    direction: Direction = "in" if minor > 0 else "out"
    language = language_of(chart)
    best: tuple[tuple[bool, int, float, int], KnownMatch] | None = None
    for index, entry in _candidates(set(label_seq) | set(payee_seq)):
        seq = payee_seq if entry.scope == "payee" else label_seq
        if entry.exact and payee_seq != entry.phrase:
            continue
        if not _contains(seq, entry.phrase):
            continue
        words = set(entry.phrase) if entry.scope == "label" else set()
        extra = 0
        if entry.requires:
            found = [phrase for phrase in entry.requires if _contains(label_seq, phrase)]
            if not found:
                continue
            extra = max(len(phrase) for phrase in found)
            words.update(word for phrase in found for word in phrase)
        confidence = entry.confidence
        if entry.direction is not None and entry.direction != direction:
            if entry.strict:
                continue
            confidence *= REFUND_DISCOUNT
        code = _resolve(entry.codes(language, payroll=payroll), chart, codes)
        if code is None:
            continue
        key = (not entry.generic, len(entry.phrase) + extra, confidence, -index)
        if best is None or key > best[0]:
            best = (key, KnownMatch(code, confidence, entry, frozenset(words)))
    return best[1] if best else None


def _contains(seq: Sequence[str], phrase: Sequence[str]) -> bool:
    size = len(phrase)
    if size == 1:
        return phrase[0] in seq
    first = phrase[0]
    return any(
        seq[i] == first and tuple(seq[i : i + size]) == tuple(phrase)
        for i in range(len(seq) - size + 1)
    )


def _resolve(
    wanted: Sequence[str], chart: ChartTemplate, codes: frozenset[str] | set[str]
) -> str | None:
    for code in wanted:
        if code == "@owner":
            code = chart.owner_code
        elif code == "@transfer":
            code = chart.transfer_code
        if code in codes:
            return code
        for end in range(len(code) - 1, 2, -1):
            if code[:end] in codes and code.isdigit():
                return code[:end]
    return None


def _candidates(words: set[str]) -> list[tuple[int, Known]]:
    found: list[tuple[int, Known]] = []
    for word in words:
        found.extend(_INDEX.get(word, ()))
    return found


DATA: Final = Path(__file__).parent / "data"
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)

_LISTS: Final = ("fr", "en", "requires", "employer_fr", "employer_en")
_FLAGS: Final = ("strict", "generic", "exact")
_KEYS: Final = frozenset({"names", "group", "confidence", "scope", "direction", *_LISTS, *_FLAGS})


class TableError(ValueError):
    """A knowledge file that does not follow the schema: its name and the entry say where."""


def load_table(path: Path) -> list[Known]:
    """The entries of one knowledge file, checked key by key."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise TableError(f"{path.name}: not TOML ({error})") from None
    try:
        groups = {str(name): _strings(words) for name, words in data.get("groups", {}).items()}
    except (TypeError, AttributeError):
        raise TableError(f"{path.name}: [groups] maps names to lists of words") from None
    table = data.get("entry", [])
    if not isinstance(table, list) or set(data) - {"groups", "entry"}:
        raise TableError(f"{path.name}: only [groups] and [[entry]] tables")
    found: list[Known] = []
    for number, entry in enumerate(table, start=1):
        try:
            found.extend(_entry(entry, groups))
        except (TypeError, ValueError, KeyError) as error:
            raise TableError(f"{path.name}, entry {number}: {error}") from None
    return found


def _entry(entry: Mapping[str, object], groups: Mapping[str, list[str]]) -> list[Known]:
    unknown = set(entry) - _KEYS
    if unknown:
        raise KeyError(f"unknown keys {sorted(unknown)}")
    if ("names" in entry) == ("group" in entry):
        raise ValueError("give either names or group")
    names = _strings(groups[str(entry["group"])] if "group" in entry else entry["names"])
    lists = {key: _strings(entry.get(key, [])) for key in _LISTS}
    strict, generic, exact = (entry.get(key, False) for key in _FLAGS)
    if not all(isinstance(v, bool) for v in (strict, generic, exact)):
        raise TypeError(f"{', '.join(_FLAGS)} are true or false")
    confidence = entry["confidence"]
    if not isinstance(confidence, float) or not 0 < confidence <= 1:
        raise ValueError("confidence is a number in (0, 1]")
    scope, direction = entry.get("scope", "payee"), entry.get("direction", "out")
    if scope not in ("payee", "label") or direction not in ("in", "out", "any"):
        raise ValueError("scope is payee or label; direction is in, out or any")
    return entries(
        names,
        lists["fr"],
        lists["en"],
        confidence,
        scope="label" if scope == "label" else "payee",
        direction=None if direction == "any" else "in" if direction == "in" else "out",
        requires=lists["requires"],
        employer_fr=lists["employer_fr"],
        employer_en=lists["employer_en"],
        strict=strict is True,
        generic=generic is True,
        exact=exact is True,
    )


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise TypeError(f"names and {', '.join(_LISTS)} are lists of words")
    return value


ENTRIES: Final[tuple[Known, ...]] = tuple(
    entry for language in LANGUAGES for entry in load_table(DATA / f"knowledge_{language}.toml")
)


def _build_index(table: Sequence[Known]) -> dict[str, list[tuple[int, Known]]]:
    index: dict[str, list[tuple[int, Known]]] = {}
    for position, entry in enumerate(table):
        if entry.phrase:
            index.setdefault(entry.phrase[0], []).append((position, entry))
    return index


_INDEX: Final = _build_index(ENTRIES)
