from datetime import date

from bot.banks.connector import FetchedTransaction
from bot.domain.money import Money
from bot.domain.text import squeeze
from bot.services.sync import fingerprints


def line(
    label: str, minor: int = -350, day: date = date(2026, 3, 12), ext: str = "x"
) -> FetchedTransaction:
    return FetchedTransaction(ext, day, Money(minor, "EUR"), label)


def test_labels_are_squeezed_for_comparison() -> None:
    assert squeeze("  Cb  Café de la Gare ") == "CB CAFE DE LA GARE"


def test_two_identical_coffees_on_one_day_get_two_fingerprints() -> None:
    first, second = fingerprints([line("CB CAFE", ext="a"), line("CB CAFE", ext="b")])
    assert first != second


def test_fingerprint_ignores_the_provider_id_but_not_the_amount() -> None:
    assert fingerprints([line("CB CAFE", ext="a")]) == fingerprints([line("cb  café", ext="zz")])
    assert fingerprints([line("CB CAFE")]) != fingerprints([line("CB CAFE", minor=-351)])
