"""Built-in knowledge: common payees and label words, and the account each is usually filed under.

Each entry names codes for both charts (French PCG and the generic English chart), preferred
first. ``@owner`` and ``@transfer`` stand for the chart's owner and internal-transfer accounts. A
PCG code the book lacks falls back to its parent (60614 → 6061); an entry whose codes all miss is
skipped, so only accounts the book has are ever suggested.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bot.charts import ChartTemplate
from bot.payees import label_words

__all__ = [
    "ENTRIES",
    "PAYROLL_CODES",
    "Known",
    "KnownMatch",
    "Scope",
    "entries",
    "language_of",
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


from bot.knowledge_en import ENTRIES_EN  # noqa: E402 - the tables use entries() above
from bot.knowledge_fr import ENTRIES_FR  # noqa: E402

ENTRIES: Final[tuple[Known, ...]] = (*ENTRIES_FR, *ENTRIES_EN)


def _build_index(table: Sequence[Known]) -> dict[str, list[tuple[int, Known]]]:
    index: dict[str, list[tuple[int, Known]]] = {}
    for position, entry in enumerate(table):
        if entry.phrase:
            index.setdefault(entry.phrase[0], []).append((position, entry))
    return index


_INDEX: Final = _build_index(ENTRIES)
