"""The learned model: splits a payee by day, amount or word, from decisions alone."""

from __future__ import annotations

from datetime import date, timedelta

from bot.categorize.cascade import LineFacts, Memory, Source, suggest
from bot.categorize.learned import Learned, Reason, purchase_date
from bot.categorize.payees import normalize_payee
from bot.charts import TEMPLATES
from bot.domain.money import Money

FR = TEMPLATES["fr_pcg"]
MONDAY = date(2025, 3, 3)


def line(label: str, minor: int, day: date) -> LineFacts:
    return LineFacts(label, normalize_payee(label), Money(minor, "EUR"), day)


def test_the_purchase_day_in_a_card_label_wins_over_a_month_end_booking() -> None:
    assert purchase_date("CB****4821 UBER BV 150325", date(2025, 3, 31)) == date(2025, 3, 15)
    assert purchase_date("CB UBER 29/12", date(2025, 1, 2)) == date(2024, 12, 29)
    assert purchase_date("VIR CLIENT FACTURE 250161", date(2025, 3, 31)) == date(2025, 3, 31)


def test_weekend_rides_are_told_from_weekday_ones_after_a_few_decisions() -> None:
    history = []
    for week in range(6):
        monday = MONDAY + timedelta(weeks=week)
        history.append((line(f"CB ZIPRIDE {monday:%d/%m}", -2_000, monday), "6251"))
        saturday = monday + timedelta(days=5)
        history.append((line(f"CB ZIPRIDE {saturday:%d/%m}", -2_100, saturday), "108"))
    memory = Memory.of(history)
    sunday = MONDAY + timedelta(weeks=6, days=6)
    weekend = suggest(line("CB ZIPRIDE", -1_900, sunday), rules=[], memory=memory, chart=FR)
    assert (weekend.account_code, weekend.source) == ("108", Source.WEEKEND)
    tuesday = MONDAY + timedelta(weeks=6, days=1)
    weekday = suggest(line("CB ZIPRIDE", -1_900, tuesday), rules=[], memory=memory, chart=FR)
    assert weekday.account_code == "6251"


def test_the_free_text_tells_a_tax_office_apart_and_says_which_word() -> None:
    model = Learned()
    for month in range(1, 7):
        booked = date(2025, month, 15)
        model.learn("PRLV DGFIP TVA", "DGFIP", -200_000, booked, "44551")
        model.learn("PRLV DGFIP PAS", "DGFIP", -20_000, booked, "4421")
    guess = model.predict("PRLV DGFIP PAS", "DGFIP", -200_000, date(2025, 7, 15), None)
    assert guess is not None
    assert (guess.account_code, guess.reason, guess.word) == ("4421", Reason.WORDS, "PAS")


def test_a_model_rebuilt_from_the_same_decisions_says_the_same() -> None:
    decisions = [
        (f"CB ZEDSTORE {n}", "ZEDSTORE", -1_000 * (1 + n % 5), MONDAY + timedelta(days=n), code)
        for n, code in enumerate(["6064", "6063", "6064", "6064", "6063"] * 4)
    ]
    first, again = Learned.of(decisions), Learned.of(decisions)
    for minor in (-1_000, -5_000, -50_000):
        day = MONDAY + timedelta(days=30)
        assert first.predict("CB ZEDSTORE", "ZEDSTORE", minor, day, None) == again.predict(
            "CB ZEDSTORE", "ZEDSTORE", minor, day, None
        )


def test_a_payee_never_seen_gets_no_prediction() -> None:
    assert Learned().predict("CB NOWHERE", "NOWHERE", -100, MONDAY, None) is None
