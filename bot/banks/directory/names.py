"""Bank names as the registries write them, made searchable (normalize) and readable (display_name).

Registry names come ALL CAPS, quoted, with legal forms ("SA", "eG") and notes in parentheses:
each helper here removes one of those, so an index key and a displayed name strip the same things.
"""

from __future__ import annotations

import functools
import re

from bot.banks.directory import aliases
from bot.domain.text import strip_accents

_FRENCH_COUNTRIES = frozenset({"FR", "MC", "BE", "LU"})

STOP_WORDS = aliases.words(
    "de du des la le les et d l of the and und der die das y el e i di del van"
)

_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "þ": "th",
        "Þ": "TH",
    }
)
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NON_WORD = re.compile(r"[\W_]+")
_QUOTES = re.compile(r"[\"“”«»„]")
_PARENS = re.compile(r"\s*\([^)]*(?:\)|$)")
_SPACES = re.compile(r"\s+")
_NOISE = re.compile(r"\s+(?:GS nur für GAA|Gf|GF)\b.*$")
_LEGAL_SUFFIX = re.compile(r"[\s,–-]+(?:" + "|".join(aliases.LEGAL_FORMS) + r")\s*$", re.IGNORECASE)
_LEGAL_PREFIX = re.compile(r"^(?:" + "|".join(aliases.LEGAL_PREFIXES) + r")\s+", re.IGNORECASE)
_VOWELS = frozenset("AEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜÅÆØŒ")
_WORD_PARTS = re.compile(r"([^\w]+|\d+)")


@functools.lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower case, no accents, elisions glued ("d'Épargne" → "depargne"), words split by spaces."""
    if not text.isascii():
        text = strip_accents(text.translate(_SPECIAL_LETTERS))
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_NON_WORD.sub(" ", text).split())


def variants(text: str) -> set[str]:
    """Both spellings of an elision, so "caisse depargne" and "caisse d epargne" both match."""
    return {v for v in (normalize(text), normalize(_APOSTROPHES.sub(" ", text))) if v}


def clean(raw: str) -> str:
    text = _SPACES.sub(" ", _QUOTES.sub("", raw)).strip(" ,;-–")
    if text.startswith("'"):
        text = text[1:-1] if text.endswith("'") else text[1:]
        text = text.strip()
    return _NOISE.sub("", text)


def strip_parens(text: str) -> str:
    stripped = _PARENS.sub("", text).strip(" ,;-–")
    return stripped or text


@functools.lru_cache(maxsize=65536)
def strip_legal(text: str) -> str:
    while True:
        shorter = _LEGAL_PREFIX.sub("", _LEGAL_SUFFIX.sub("", text)).strip(" ,;-–")
        if shorter == text or len(shorter) < 2:
            return text
        text = shorter


def match_key(raw: str) -> str:
    return normalize(strip_legal(strip_parens(clean(raw))))


def ascii_upper(text: str) -> str:
    return " ".join(strip_accents(text.translate(_SPECIAL_LETTERS)).upper().split())


def recase(text: str, french: bool, capitalize_first: bool = True) -> str:
    """Registry names are often ALL CAPS: give them the casing people write."""
    all_caps = not any(c.islower() for c in text)
    out: list[str] = []
    first = capitalize_first
    for word in text.split(" "):
        parts = _WORD_PARTS.split(word)
        cased: list[str] = []
        for i, part in enumerate(parts):
            if part == word and not first and part.lower() in aliases.SMALL_WORDS:
                cased.append(part.lower())
                continue
            if not part or not part.isalpha() or any(c.islower() for c in part):
                cased.append(part)
                continue
            elided = i + 1 < len(parts) and parts[i + 1] in ("'", "’") and len(part) == 1
            if len(part) == 1 and i > 0 and parts[i - 1] in ("'", "’") and all_caps:
                cased.append(part.lower())
            elif part in aliases.WORD_CASING:
                cased.append(aliases.WORD_CASING[part])
            elif (
                (part in aliases.ACRONYMS and not elided)
                or (not all_caps and len(part) <= 3)
                or (len(part) > 1 and not _VOWELS & set(part))
            ):
                cased.append(part)
            else:
                nice = aliases.FRENCH_WORDS.get(part, part.capitalize()) if french else None
                nice = nice or part.capitalize()
                if not first and elided:
                    nice = nice.lower()
                cased.append(nice)
            first = False
        first = False
        out.append("".join(cased))
    return " ".join(out)


def display_name(raw: str, country: str) -> str:
    text = strip_legal(strip_parens(clean(raw)))
    return recase(text, country in _FRENCH_COUNTRIES)
