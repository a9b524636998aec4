"""Accent folding, the one way: payees, fingerprints, the picker's search and the bank directory."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_COMBINING: Final = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.combining(chr(c))) + "]"
)


def strip_accents(text: str) -> str:
    """The text without its accents and other combining marks (é → e, ç → c)."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def squeeze(text: str) -> str:
    """Upper case, accents stripped, one space between words: how bank labels are compared."""
    return " ".join(strip_accents(text).upper().split())


def fold(text: str) -> str:
    """Lower case, accents stripped, no outer spaces: how typed searches are compared."""
    return strip_accents(text.lower()).strip()
