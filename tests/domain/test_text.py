"""Accent folding: one way for payees, fingerprints, the picker's search and the directory."""

from __future__ import annotations

import pytest

from bot.domain.text import fold, squeeze, strip_accents


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("Café", "Cafe"),
        ("Crédit Agricole Île-de-France", "Credit Agricole Ile-de-France"),
        ("ÇA VA À NOËL", "CA VA A NOEL"),
        ("Ångström", "Angstrom"),
        ("plain ascii", "plain ascii"),
        ("", ""),
    ],
)
def test_accents_and_other_marks_are_stripped_and_nothing_else(text: str, plain: str) -> None:
    assert strip_accents(text) == plain


def test_labels_are_squeezed_to_upper_case_words() -> None:
    assert squeeze("  Cb  Café de la Gare ") == "CB CAFE DE LA GARE"
    assert squeeze("PRLV\tSEPA\nÉDF") == "PRLV SEPA EDF"


def test_typed_searches_are_folded_to_lower_case() -> None:
    assert fold("  Téléphone ") == "telephone"
    assert fold("RESTO") == "resto"
